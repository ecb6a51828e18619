/**
 * From the inputs a run is given (per employee: segments, adjustments, retro lines) to the
 * payslips it stores, and back from a stored payslip to what it paid in salary per month.
 */
import type { CurrencyCode } from '../shared/currency.js';
import { isPeriodId, type PeriodId } from '../shared/dates.js';
import { formatAmount, storedMinor } from '../shared/money.js';
import {
  calculatePayslip,
  formatFraction,
  MAX_MINOR,
  payrollSegmentIssues,
  type Issue,
} from './payroll-calculation.js';
import type { EmployeePayslipInput } from './payroll-commands.js';
import type { PayslipLineRecord, PayslipRecord } from './payroll-events.js';

export interface ComputedPayslips {
  /** By employee id. */
  readonly payslips: readonly PayslipRecord[];
  readonly totalGrossMinor: bigint;
  readonly totalNetMinor: bigint;
  /** The employees whose net would be below zero, by employee id. */
  readonly negativeNet: readonly { readonly employeeId: string; readonly netMinor: bigint }[];
}

/** Why `payslips` cannot make a run for `period`; empty when they can. */
export function payslipIssues(
  period: PeriodId,
  payslips: readonly EmployeePayslipInput[],
  path = 'payslips',
): Issue[] {
  const issues: Issue[] = [];
  if (payslips.length === 0) issues.push({ path, message: 'needs at least one payslip' });
  const seen = new Set<string>();
  payslips.forEach((payslip, index) => {
    const at = `${path}[${index}]`;
    if (payslip.employeeId.trim() === '') {
      issues.push({ path: `${at}.employeeId`, message: 'must not be blank' });
    } else if (seen.has(payslip.employeeId)) {
      issues.push({
        path: `${at}.employeeId`,
        message: `employee ${payslip.employeeId} already has a payslip in this run`,
      });
    }
    seen.add(payslip.employeeId);
    issues.push(...payrollSegmentIssues(period, payslip.segments, `${at}.segments`));
    payslip.adjustments.forEach((line, lineIndex) => {
      issues.push(...lineIssues(line, `${at}.adjustments[${lineIndex}]`));
    });
    const retroPeriods = new Set<string>();
    payslip.retro.forEach((line, lineIndex) => {
      const lineAt = `${at}.retro[${lineIndex}]`;
      if (!isPeriodId(line.period)) {
        issues.push({ path: `${lineAt}.period`, message: 'must be a month, YYYY-MM' });
      } else if (retroPeriods.has(line.period)) {
        issues.push({
          path: `${lineAt}.period`,
          message: `${line.period} already has a retro line on this payslip`,
        });
      }
      retroPeriods.add(line.period);
      issues.push(...lineIssues(line, lineAt));
    });
  });
  return issues;
}

/**
 * The stored payslips and their totals; the inputs must be free of `payslipIssues`. Amounts too
 * large to store come back as issues.
 */
export function computePayslips(
  period: PeriodId,
  currency: CurrencyCode,
  inputs: readonly EmployeePayslipInput[],
): ComputedPayslips | { readonly issues: readonly Issue[] } {
  const money = (minor: bigint) => formatAmount(minor, currency);
  const sorted = [...inputs].sort((a, b) => compare(a.employeeId, b.employeeId));
  const payslips: PayslipRecord[] = [];
  const negativeNet: { employeeId: string; netMinor: bigint }[] = [];
  const issues: Issue[] = [];
  let totalGrossMinor = 0n;
  let totalNetMinor = 0n;
  for (const input of sorted) {
    const slip = calculatePayslip(period, input);
    const lines: PayslipLineRecord[] = [
      { kind: 'base', description: `Salary for ${period}`, amount: money(slip.baseMinor) },
      ...slip.adjustments.map((line) => ({
        kind: 'adjustment' as const,
        description: line.description,
        amount: money(line.amountMinor),
      })),
      ...[...slip.retro]
        .sort((a, b) => compare(a.period, b.period))
        .map((line) => ({
          kind: 'retro' as const,
          period: line.period,
          description: line.description,
          amount: money(line.amountMinor),
        })),
    ];
    payslips.push({
      employeeId: input.employeeId,
      segments: slip.segments.map((segment) => ({
        from: segment.from,
        to: segment.to,
        days: segment.days,
        annualSalary: money(segment.annualSalaryMinor),
        fte: formatFraction(segment.fte),
        amount: money(segment.displayMinor),
      })),
      lines,
      gross: money(slip.grossMinor),
      net: money(slip.netMinor),
    });
    if (abs(slip.grossMinor) >= MAX_MINOR) {
      issues.push({
        path: 'payslips',
        message: `the payslip of employee ${input.employeeId} is too large`,
      });
    }
    if (slip.netMinor < 0n)
      negativeNet.push({ employeeId: input.employeeId, netMinor: slip.netMinor });
    totalGrossMinor += slip.grossMinor;
    totalNetMinor += slip.netMinor;
  }
  if (abs(totalGrossMinor) >= MAX_MINOR || abs(totalNetMinor) >= MAX_MINOR) {
    issues.push({ path: 'payslips', message: 'the run total is too large' });
  }
  if (issues.length > 0) return { issues };
  return { payslips, totalGrossMinor, totalNetMinor, negativeNet };
}

/** A stored payslip's salary by month paid: its base for the run's month, its retro lines. */
export function salaryLinesOf(
  payslip: PayslipRecord,
  runPeriod: string,
  currency: string,
): { readonly period: PeriodId; readonly paidMinor: bigint }[] {
  return payslip.lines.flatMap((line) => {
    if (line.kind === 'adjustment') return [];
    const period = (line.kind === 'base' ? runPeriod : line.period) as PeriodId;
    return [{ period, paidMinor: storedMinor(line.amount, currency) }];
  });
}

function lineIssues(line: { description: string; amountMinor: bigint }, at: string): Issue[] {
  const issues: Issue[] = [];
  if (line.description.trim() === '') {
    issues.push({ path: `${at}.description`, message: 'must not be blank' });
  }
  if (abs(line.amountMinor) >= MAX_MINOR) {
    issues.push({ path: `${at}.amountMinor`, message: 'must be under 10^18 minor units' });
  }
  return issues;
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
