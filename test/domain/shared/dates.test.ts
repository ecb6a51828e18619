import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
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

describe('addDays', () => {
  it.each([
    ['2026-03-10', 0, '2026-03-10'],
    ['2026-03-10', 1, '2026-03-11'],
    ['2026-03-10', 30, '2026-04-09'],
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-04-30', 1, '2026-05-01'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2028-02-29', 1, '2028-03-01'],
    ['2028-02-15', 30, '2028-03-16'],
    ['2026-02-15', 30, '2026-03-17'],
    ['2000-02-28', 1, '2000-02-29'],
    ['1900-02-28', 1, '1900-03-01'],
    ['2100-02-28', 1, '2100-03-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-12-20', 30, '2027-01-19'],
    ['2026-01-01', 365, '2027-01-01'],
    ['2028-01-01', 365, '2028-12-31'],
    ['2028-01-01', 366, '2029-01-01'],
    ['2026-03-28', 2, '2026-03-30'],
    ['2026-10-24', 2, '2026-10-26'],
    ['2026-03-10', 10_000, '2053-07-26'],
  ])('%s plus %d days is %s', (date, days, expected) => {
    expect(addDays(date as AccountingDate, days)).toBe(expected);
  });

  it.each([
    ['2026-03-10', -1, '2026-03-09'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2028-03-01', -1, '2028-02-29'],
    ['2027-01-01', -1, '2026-12-31'],
    ['2027-01-19', -30, '2026-12-20'],
    ['2029-01-01', -366, '2028-01-01'],
  ])('%s plus %d days is %s, counting back', (date, days, expected) => {
    expect(addDays(date as AccountingDate, days)).toBe(expected);
  });

  it.each([
    ['0050-12-31', 1, '0051-01-01'],
    ['0051-01-01', -1, '0050-12-31'],
    ['0001-01-01', 0, '0001-01-01'],
    ['0001-12-31', 1, '0002-01-01'],
    ['0004-02-28', 1, '0004-02-29'],
    ['0100-02-28', 1, '0100-03-01'],
    ['0099-12-31', 1, '0100-01-01'],
    ['0400-02-28', 1, '0400-02-29'],
    ['0999-12-31', 1, '1000-01-01'],
  ])('%s plus %d days is %s, in years below 1000', (date, days, expected) => {
    expect(addDays(date as AccountingDate, days)).toBe(expected);
  });

  it('returns calendar dates', () => {
    for (let days = -400; days <= 400; days += 7) {
      expect(isAccountingDate(addDays('2028-02-29' as AccountingDate, days))).toBe(true);
    }
  });
});

describe('daysBetween', () => {
  it.each([
    ['2026-03-10', '2026-03-10', 0],
    ['2026-03-10', '2026-03-11', 1],
    ['2026-03-10', '2026-04-09', 30],
    ['2026-02-01', '2026-03-01', 28],
    ['2028-02-01', '2028-03-01', 29],
    ['2026-12-31', '2027-01-01', 1],
    ['2026-01-01', '2027-01-01', 365],
    ['2028-01-01', '2029-01-01', 366],
    ['2026-03-28', '2026-03-30', 2],
    ['1999-12-31', '2000-01-01', 1],
    ['0050-12-31', '0051-01-01', 1],
    ['0099-12-31', '0100-01-01', 1],
    ['0001-01-01', '2026-01-01', 739_616],
  ])('from %s to %s is %d days, and back is minus that', (from, to, days) => {
    expect(daysBetween(from as AccountingDate, to as AccountingDate)).toBe(days);
    expect(daysBetween(to as AccountingDate, from as AccountingDate)).toBe(days === 0 ? 0 : -days);
  });

  it.each([-366, -31, -1, 0, 1, 29, 365, 10_000])('undoes addDays of %d days', (days) => {
    const from = '2028-02-29' as AccountingDate;
    expect(daysBetween(from, addDays(from, days))).toBe(days);
  });
});
