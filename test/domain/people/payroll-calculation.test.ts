import { describe, expect, it } from 'vitest';
import type { AccountingDate, PeriodId } from '../../../src/domain/shared/dates.js';
import {
  baseSalaryMinor,
  calculatePayslip,
  daysInPeriod,
  formatFraction,
  lastDayOf,
  nextPeriod,
  parseFraction,
  payrollSegmentIssues,
  roundHalfUp,
  segmentPay,
  type Fraction,
  type PayrollSegment,
} from '../../../src/domain/people/payroll-calculation.js';

const FULL_TIME: Fraction = { numerator: 1n, denominator: 1n };
const april = '2024-04' as PeriodId;

function segment(
  from: string,
  to: string,
  annualSalaryMinor: bigint,
  fte: Fraction = FULL_TIME,
): PayrollSegment {
  return { from: from as AccountingDate, to: to as AccountingDate, annualSalaryMinor, fte };
}

describe('the calendar of a payroll month', () => {
  it('knows the length of every month, leap years included', () => {
    expect(daysInPeriod('2024-02' as PeriodId)).toBe(29);
    expect(daysInPeriod('2023-02' as PeriodId)).toBe(28);
    expect(daysInPeriod('1900-02' as PeriodId)).toBe(28);
    expect(daysInPeriod('2000-02' as PeriodId)).toBe(29);
    expect(daysInPeriod(april)).toBe(30);
    expect(lastDayOf('2024-12' as PeriodId)).toBe('2024-12-31');
  });

  it('steps from one month to the next across a year end', () => {
    expect(nextPeriod('2024-12' as PeriodId)).toBe('2025-01');
    expect(nextPeriod('2024-01' as PeriodId)).toBe('2024-02');
  });
});

describe('base salary', () => {
  it('is a twelfth of the annual salary for a whole month full time', () => {
    expect(baseSalaryMinor(april, [segment('2024-04-01', '2024-04-30', 6_000_000n)])).toBe(
      500_000n,
    );
  });

  it('is prorated by calendar days and by FTE', () => {
    // 60 000.00 / 12 × 4/5 × 15/30 = 2 000.00
    const half = segment('2024-04-16', '2024-04-30', 6_000_000n, {
      numerator: 4n,
      denominator: 5n,
    });
    expect(baseSalaryMinor(april, [half])).toBe(200_000n);
  });

  it('is nothing for a month without segments', () => {
    expect(baseSalaryMinor(april, [])).toBe(0n);
  });

  it('rounds the exact sum once, not each segment', () => {
    // Ten days of April each: annual / 36, so 3612 → 100⅓, 3648 → 101⅓, 3684 → 102⅓ minor units.
    const segments = [
      segment('2024-04-01', '2024-04-10', 3612n),
      segment('2024-04-11', '2024-04-20', 3648n),
      segment('2024-04-21', '2024-04-30', 3684n),
    ];
    const slip = calculatePayslip(april, { segments, adjustments: [], retro: [] });
    expect(slip.segments.map((pay) => pay.displayMinor)).toEqual([100n, 101n, 102n]);
    expect(slip.baseExactMinor).toEqual({ numerator: 304n, denominator: 1n });
    // Rounded per segment, the payslip would pay 303.
    expect(slip.baseMinor).toBe(304n);
  });

  it('rounds half up', () => {
    // 3618 → 100.5, 3654 → 101.5, 3690 → 102.5: shown as 101, 102, 103, the month pays
    // round(304.5) = 305, where rounding each segment would pay 306.
    const segments = [
      segment('2024-04-01', '2024-04-10', 3618n),
      segment('2024-04-11', '2024-04-20', 3654n),
      segment('2024-04-21', '2024-04-30', 3690n),
    ];
    const slip = calculatePayslip(april, { segments, adjustments: [], retro: [] });
    expect(slip.segments.map((pay) => pay.displayMinor)).toEqual([101n, 102n, 103n]);
    expect(slip.baseExactMinor).toEqual({ numerator: 609n, denominator: 2n });
    expect(slip.baseMinor).toBe(305n);
  });

  it('keeps each segment’s days and exact share for the payslip', () => {
    const pay = segmentPay(
      april,
      segment('2024-04-01', '2024-04-07', 1_000n, { numerator: 2n, denominator: 4n }),
    );
    // 1000 / 12 × 1/2 × 7/30 = 7000 / 720 = 175/18
    expect(pay).toMatchObject({
      days: 7,
      fte: { numerator: 1n, denominator: 2n },
      exactMinor: { numerator: 175n, denominator: 18n },
      displayMinor: 10n,
    });
  });
});

describe('a payslip', () => {
  const month = [segment('2024-04-01', '2024-04-30', 3_600_000n)];

  it('adds adjustments and retro lines to the base: gross, and net without withholdings', () => {
    const slip = calculatePayslip(april, {
      segments: month,
      adjustments: [
        { description: 'Bonus', amountMinor: 50_000n },
        { description: 'Unpaid leave', amountMinor: -20_000n },
      ],
      retro: [{ period: '2024-03' as PeriodId, description: 'Retro for 2024-03', amountMinor: 1n }],
    });
    expect(slip.baseMinor).toBe(300_000n);
    expect(slip.grossMinor).toBe(330_001n);
    expect(slip.netMinor).toBe(330_001n);
  });

  it('may come out below zero, for the decider to refuse', () => {
    const slip = calculatePayslip(april, {
      segments: month,
      adjustments: [{ description: 'Unpaid leave', amountMinor: -300_001n }],
      retro: [],
    });
    expect(slip.netMinor).toBe(-1n);
  });

  it('is refused by the calculation when its segments cannot be paid', () => {
    expect(() =>
      calculatePayslip(april, {
        segments: [segment('2024-03-31', '2024-04-30', 1n)],
        adjustments: [],
        retro: [],
      }),
    ).toThrow(RangeError);
  });
});

describe('segment issues', () => {
  it('accepts ordered segments inside the month', () => {
    const segments = [
      segment('2024-04-01', '2024-04-09', 1n),
      segment('2024-04-10', '2024-04-10', 0n, { numerator: 1n, denominator: 3n }),
    ];
    expect(payrollSegmentIssues(april, segments)).toEqual([]);
  });

  it('names each wrong part', () => {
    const issues = payrollSegmentIssues(april, [
      segment('2024-04-31', '2024-04-30', 1n),
      segment('2024-04-02', '2024-05-01', 1n),
      segment('2024-04-10', '2024-04-05', 1n),
      segment('2024-04-01', '2024-04-20', 1n),
      segment('2024-04-25', '2024-04-26', 1n),
      segment('2024-04-27', '2024-04-27', -1n, { numerator: 0n, denominator: 1n }),
      segment('2024-04-28', '2024-04-28', 1n, { numerator: 3n, denominator: 2n }),
      segment('2024-04-29', '2024-04-29', 10n ** 18n, { numerator: 1n, denominator: 0n }),
    ]);
    expect(issues.map((issue) => issue.path)).toEqual([
      'segments[0].from',
      'segments[1]',
      'segments[2].to',
      'segments[3].from',
      'segments[5].annualSalaryMinor',
      'segments[5].fte',
      'segments[6].fte',
      'segments[7].annualSalaryMinor',
      'segments[7].fte',
    ]);
  });
});

describe('exact fractions', () => {
  it('round half up, towards +∞ for negative halves', () => {
    const of = (numerator: bigint, denominator: bigint) => roundHalfUp({ numerator, denominator });
    expect([of(5n, 2n), of(-5n, 2n), of(7n, 3n), of(-7n, 3n), of(8n, 3n), of(-8n, 3n)]).toEqual([
      3n,
      -2n,
      2n,
      -2n,
      3n,
      -3n,
    ]);
  });

  it('format in lowest terms and parse back', () => {
    expect(formatFraction({ numerator: 8n, denominator: 10n })).toBe('4/5');
    expect(parseFraction('4/5')).toEqual({ numerator: 4n, denominator: 5n });
    expect(parseFraction('4/0')).toBeUndefined();
    expect(parseFraction('0.8')).toBeUndefined();
  });
});
