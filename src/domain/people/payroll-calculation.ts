/**
 * Payslip arithmetic, exact in minor units.
 *
 * Base salary: a month is cut into segments, each a run of days on which one set of terms
 * (annual salary, FTE) is in effect and the person is employed. A segment earns
 * annualSalary / 12 × fte × days / daysInMonth. The segments' amounts are summed as exact
 * fractions and the sum is rounded half up to the minor unit once per payslip, so a month cut
 * into three segments pays the same cent as the formula applied to the whole month; the
 * per-segment amounts shown on the payslip are rounded for display only and need not add up.
 *
 * Gross and net (the accounting decision, see payroll-run.ts): gross is everything the payslip
 * expenses, base + adjustments + retro lines; net is gross less withholdings, and there are
 * none in scope yet, so net equals gross. A negative net is possible (a deduction or a negative
 * retro line larger than the base) and is the decider's to refuse.
 *
 * Retro: a month already approved has a record of what it paid in salary (its base plus every
 * retro line for it on later approved runs). When the history changes behind it, the next run
 * carries a retro line per month of the difference between what the month should pay now and
 * what it paid. Because a retro line counts towards the month it corrects once its run is
 * approved, a month is never corrected twice for the same change.
 */
import {
  addDays,
  daysBetween,
  isAccountingDate,
  type AccountingDate,
  type PeriodId,
} from '../shared/dates.js';

/** An exact rational; `denominator` is positive. */
export interface Fraction {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** Days of one month under one set of terms, both ends included. */
export interface PayrollSegment {
  readonly from: AccountingDate;
  readonly to: AccountingDate;
  readonly annualSalaryMinor: bigint;
  /** In (0, 1]: 1/1 is full time, 4/5 four days a week. */
  readonly fte: Fraction;
}

/** A signed one-off line: a bonus (+), an unpaid-leave deduction (−). */
export interface PayAdjustment {
  readonly description: string;
  readonly amountMinor: bigint;
}

/** What a later run pays (or takes back) for a month already approved. */
export interface RetroLine {
  /** The month corrected. */
  readonly period: PeriodId;
  readonly description: string;
  readonly amountMinor: bigint;
}

/** A segment with what it earns. */
export interface SegmentPay extends PayrollSegment {
  readonly days: number;
  /** The segment's exact share of the base salary, in minor units. */
  readonly exactMinor: Fraction;
  /** `exactMinor` rounded half up, to show on the payslip; the base is not the sum of these. */
  readonly displayMinor: bigint;
}

export interface PayslipInput {
  readonly segments: readonly PayrollSegment[];
  readonly adjustments: readonly PayAdjustment[];
  readonly retro: readonly RetroLine[];
}

export interface PayslipCalculation {
  readonly period: PeriodId;
  readonly daysInPeriod: number;
  readonly segments: readonly SegmentPay[];
  readonly baseExactMinor: Fraction;
  /** `baseExactMinor` rounded half up: the one rounding of the payslip. */
  readonly baseMinor: bigint;
  readonly adjustments: readonly PayAdjustment[];
  readonly retro: readonly RetroLine[];
  /** base + adjustments + retro: what the payslip expenses. */
  readonly grossMinor: bigint;
  /** gross less withholdings; none are in scope, so it equals gross. May be negative. */
  readonly netMinor: bigint;
}

/** What a month paid an employee in salary: its base plus the retro lines approved for it. */
export interface PaidSalary {
  readonly period: PeriodId;
  readonly paidMinor: bigint;
}

export interface Issue {
  readonly path: string;
  readonly message: string;
}

/** Amounts at or beyond this many minor units are refused: stored amounts must parse back. */
export const MAX_MINOR = 10n ** 18n;

export function firstDayOf(period: PeriodId): AccountingDate {
  return `${period}-01` as AccountingDate;
}

export function lastDayOf(period: PeriodId): AccountingDate {
  for (const day of ['31', '30', '29']) {
    const date = `${period}-${day}`;
    if (isAccountingDate(date)) return date;
  }
  return `${period}-28` as AccountingDate;
}

export function daysInPeriod(period: PeriodId): number {
  return daysBetween(firstDayOf(period), lastDayOf(period)) + 1;
}

/** The period after `period` ("2024-12" → "2025-01"). */
export function nextPeriod(period: PeriodId): PeriodId {
  return addDays(lastDayOf(period), 1).slice(0, 7) as PeriodId;
}

/** Why `segments` cannot be paid for `period`, with paths under `path`; empty when they can. */
export function payrollSegmentIssues(
  period: PeriodId,
  segments: readonly PayrollSegment[],
  path = 'segments',
): Issue[] {
  const issues: Issue[] = [];
  const first = firstDayOf(period);
  const last = lastDayOf(period);
  let previousTo: string | undefined;
  segments.forEach((segment, index) => {
    const at = `${path}[${index}]`;
    const datesValid = isAccountingDate(segment.from) && isAccountingDate(segment.to);
    if (!isAccountingDate(segment.from)) {
      issues.push({ path: `${at}.from`, message: 'must be a calendar date, YYYY-MM-DD' });
    }
    if (!isAccountingDate(segment.to)) {
      issues.push({ path: `${at}.to`, message: 'must be a calendar date, YYYY-MM-DD' });
    }
    if (datesValid) {
      if (segment.from < first || segment.to > last) {
        issues.push({ path: at, message: `must lie within ${period}` });
      } else if (segment.to < segment.from) {
        issues.push({ path: `${at}.to`, message: 'must not be before from' });
      } else if (previousTo !== undefined && segment.from <= previousTo) {
        issues.push({
          path: `${at}.from`,
          message: 'must be after the previous segment: segments are in order and do not overlap',
        });
      }
      previousTo = segment.to;
    }
    if (segment.annualSalaryMinor < 0n || segment.annualSalaryMinor >= MAX_MINOR) {
      issues.push({
        path: `${at}.annualSalaryMinor`,
        message: 'must be zero or positive, under 10^18 minor units',
      });
    }
    const { numerator, denominator } = segment.fte;
    if (
      numerator <= 0n ||
      denominator <= 0n ||
      numerator > denominator ||
      denominator > MAX_MINOR
    ) {
      issues.push({
        path: `${at}.fte`,
        message: 'must be a fraction in (0, 1], such as 1/1 or 4/5',
      });
    }
  });
  return issues;
}

/** A segment's days and exact share of the month's salary; the segment must be valid. */
export function segmentPay(period: PeriodId, segment: PayrollSegment): SegmentPay {
  const days = daysBetween(segment.from, segment.to) + 1;
  const exactMinor = reduce({
    numerator: segment.annualSalaryMinor * segment.fte.numerator * BigInt(days),
    denominator: 12n * segment.fte.denominator * BigInt(daysInPeriod(period)),
  });
  return {
    ...segment,
    fte: reduce(segment.fte),
    days,
    exactMinor,
    displayMinor: roundHalfUp(exactMinor),
  };
}

/** The month's base salary, rounded once; throws on segments with issues. */
export function baseSalaryMinor(period: PeriodId, segments: readonly PayrollSegment[]): bigint {
  return roundHalfUp(baseSalaryExact(period, checked(period, segments)));
}

/** Every amount of one payslip; throws on segments with issues. */
export function calculatePayslip(period: PeriodId, input: PayslipInput): PayslipCalculation {
  const segments = checked(period, input.segments).map((segment) => segmentPay(period, segment));
  const baseExactMinor = sumFractions(segments.map((segment) => segment.exactMinor));
  const baseMinor = roundHalfUp(baseExactMinor);
  const grossMinor =
    baseMinor +
    sum(input.adjustments.map((line) => line.amountMinor)) +
    sum(input.retro.map((line) => line.amountMinor));
  return {
    period,
    daysInPeriod: daysInPeriod(period),
    segments,
    baseExactMinor,
    baseMinor,
    adjustments: input.adjustments,
    retro: input.retro,
    grossMinor,
    netMinor: grossMinor,
  };
}

export function retroDescription(period: PeriodId): string {
  return `Retro for ${period}`;
}

/**
 * The retro lines a run for `runPeriod` carries for one employee, in period order.
 *
 * `settled` lists every month already approved in the run's currency with what it paid this
 * employee in salary (0 when they were not on that run: a hire dated back into it is owed the
 * month); entries for the same month add up. `shouldPay` answers a month's base salary from the
 * history as it stands now. Each month whose payment differs gets one line of should − paid.
 *
 * The run's own month is settled in full by its base line, so if earlier runs paid something
 * towards it (retro lines for it survived the reversal of its first run), that is taken back.
 */
export function retroLines(
  runPeriod: PeriodId,
  settled: readonly PaidSalary[],
  shouldPay: (period: PeriodId) => bigint,
): RetroLine[] {
  const paid = new Map<PeriodId, bigint>();
  for (const entry of settled)
    paid.set(entry.period, (paid.get(entry.period) ?? 0n) + entry.paidMinor);
  const lines: RetroLine[] = [];
  for (const period of [...paid.keys()].sort()) {
    const should = period === runPeriod ? 0n : shouldPay(period);
    const amountMinor = should - paid.get(period)!;
    if (amountMinor !== 0n) {
      lines.push({ period, description: retroDescription(period), amountMinor });
    }
  }
  return lines;
}

/** Nearest integer, halves towards +∞ (so 2.5 → 3 and −2.5 → −2). */
export function roundHalfUp(value: Fraction): bigint {
  return floorDivide(2n * value.numerator + value.denominator, 2n * value.denominator);
}

/** "4/5": the fraction in lowest terms. */
export function formatFraction(value: Fraction): string {
  const reduced = reduce(value);
  return `${reduced.numerator}/${reduced.denominator}`;
}

const FRACTION = /^(\d{1,19})\/(\d{1,19})$/;

/** The fraction `formatFraction` wrote, or undefined. */
export function parseFraction(text: string): Fraction | undefined {
  const match = FRACTION.exec(text);
  if (!match) return undefined;
  const denominator = BigInt(match[2]!);
  return denominator > 0n ? { numerator: BigInt(match[1]!), denominator } : undefined;
}

function checked(period: PeriodId, segments: readonly PayrollSegment[]) {
  const issues = payrollSegmentIssues(period, segments);
  if (issues.length > 0) {
    throw new RangeError(
      `Segments cannot be paid for ${period}: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`,
    );
  }
  return segments;
}

function baseSalaryExact(period: PeriodId, segments: readonly PayrollSegment[]): Fraction {
  return sumFractions(segments.map((segment) => segmentPay(period, segment).exactMinor));
}

function sumFractions(values: readonly Fraction[]): Fraction {
  let total: Fraction = { numerator: 0n, denominator: 1n };
  for (const value of values) {
    total = reduce({
      numerator: total.numerator * value.denominator + value.numerator * total.denominator,
      denominator: total.denominator * value.denominator,
    });
  }
  return total;
}

function sum(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}

function reduce(value: Fraction): Fraction {
  const divisor = gcd(value.numerator < 0n ? -value.numerator : value.numerator, value.denominator);
  return divisor <= 1n
    ? value
    : { numerator: value.numerator / divisor, denominator: value.denominator / divisor };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function floorDivide(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  return numerator % denominator !== 0n && numerator < 0n !== denominator < 0n
    ? quotient - 1n
    : quotient;
}
