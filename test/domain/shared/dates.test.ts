import { describe, expect, it } from 'vitest';
import {
  isAccountingDate,
  isPeriodId,
  periodOf,
  type AccountingDate,
} from '../../../src/domain/shared/dates.js';

describe('isAccountingDate', () => {
  it.each([
    '2026-11-02',
    '2026-01-01',
    '2026-01-31',
    '2026-02-28',
    '2026-03-31',
    '2026-04-30',
    '2026-12-31',
    '2028-02-29',
    '2000-02-29',
    '2024-02-29',
    '1999-12-31',
  ])('%s is a calendar date', (value) => {
    expect(isAccountingDate(value)).toBe(true);
  });

  it.each([
    ['2026-02-29', 'not a leap year'],
    ['1900-02-29', 'a century that is not a leap year'],
    ['2100-02-29', 'a century that is not a leap year'],
    ['2028-02-30', 'February never has 30 days'],
    ['2026-13-01', 'month 13'],
    ['2026-00-10', 'month 0'],
    ['2026-04-31', 'April has 30 days'],
    ['2026-06-31', 'June has 30 days'],
    ['2026-01-32', 'day 32'],
    ['2026-01-00', 'day 0'],
    ['2026-1-01', 'one-digit month'],
    ['2026-01-1', 'one-digit day'],
    ['20261101', 'no separators'],
    ['2026/11/01', 'wrong separators'],
    ['2026-11-02T00:00:00Z', 'a timestamp'],
    ['2026-11-02 ', 'trailing space'],
    [' 2026-11-02', 'leading space'],
    ['2026-11-02\n', 'trailing newline'],
    ['02-11-2026', 'day first'],
    ['+02026-11-02', 'expanded year'],
    ['２０２６-11-02', 'non-ASCII digits'],
    ['', 'empty'],
  ])('%j is not a calendar date (%s)', (value) => {
    expect(isAccountingDate(value)).toBe(false);
  });
});

describe('isAccountingDate in early years', () => {
  it('applies Gregorian leap years to years below 100 too', () => {
    expect(isAccountingDate('0004-02-29')).toBe(true);
    expect(isAccountingDate('0100-02-29')).toBe(false);
    expect(isAccountingDate('0400-02-29')).toBe(true);
  });

  it('refuses year 0000, which no calendar date uses', () => {
    expect(isAccountingDate('0000-01-01')).toBe(false);
  });
});

describe('isPeriodId', () => {
  it.each(['2026-01', '2026-02', '2026-12', '2028-02', '1999-12'])('%s is a period', (value) => {
    expect(isPeriodId(value)).toBe(true);
  });

  it.each([
    '2026-00',
    '2026-13',
    '2026-1',
    '202601',
    '2026-011',
    '2026-01-01',
    '2026/01',
    '2026-01 ',
    ' 2026-01',
    '26-01',
    '',
  ])('%j is not a period', (value) => {
    expect(isPeriodId(value)).toBe(false);
  });
});

describe('periodOf', () => {
  it.each([
    ['2026-11-02', '2026-11'],
    ['2026-01-01', '2026-01'],
    ['2026-12-31', '2026-12'],
    ['2028-02-29', '2028-02'],
  ])('the period of %s is %s', (date, period) => {
    expect(isAccountingDate(date)).toBe(true);
    const result = periodOf(date as AccountingDate);
    expect(result).toBe(period);
    expect(isPeriodId(result)).toBe(true);
  });
});
