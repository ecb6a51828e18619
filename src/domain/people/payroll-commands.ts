import type { PayslipInput } from './payroll-calculation.js';

/**
 * Payroll commands. The command layer computes each employee's segments, adjustments and retro
 * lines (payroll-calculation.ts) from the employee records and passes them in; the decider
 * validates them, does the arithmetic and records the result, so a stored payslip always adds
 * up. Amounts are bigint minor units: these commands are built by code, not parsed from JSON.
 */
export interface EmployeePayslipInput extends PayslipInput {
  readonly employeeId: string;
}

export interface DraftPayrollRun {
  readonly type: 'DraftPayrollRun';
  readonly runId: string;
  /** YYYY-MM. */
  readonly period: string;
  readonly currency: string;
  /** YYYY-MM-DD, not before the first day of the period. */
  readonly payDate: string;
  /** The API key drafting the run: it may not approve it. */
  readonly createdBy: string;
  /** Computed by the command layer from the data the payslips come from; carried as is. */
  readonly inputsDigest: string;
  readonly payslips: readonly EmployeePayslipInput[];
}

export interface RecalculatePayrollRun {
  readonly type: 'RecalculatePayrollRun';
  readonly runId: string;
  /** The API key recalculating: like the drafter, it may not approve the run. */
  readonly recalculatedBy: string;
  readonly inputsDigest: string;
  readonly payslips: readonly EmployeePayslipInput[];
}

export interface ApprovePayrollRun {
  readonly type: 'ApprovePayrollRun';
  readonly runId: string;
  readonly approvedBy: string;
  /** The digest of the same data computed now: a draft computed from older data is stale. */
  readonly currentDigest: string;
}

export interface PayPayrollRun {
  readonly type: 'PayPayrollRun';
  readonly runId: string;
  readonly paidOn: string;
}

export interface CancelPayrollRun {
  readonly type: 'CancelPayrollRun';
  readonly runId: string;
  readonly reason?: string;
}

export interface ReversePayrollRun {
  readonly type: 'ReversePayrollRun';
  readonly runId: string;
  readonly date: string;
  readonly reason: string;
}

export type PayrollRunCommand =
  | DraftPayrollRun
  | RecalculatePayrollRun
  | ApprovePayrollRun
  | PayPayrollRun
  | CancelPayrollRun
  | ReversePayrollRun;

/** Taken before a run is drafted, in the period's own stream, so racing drafts serialise. */
export interface ClaimPayrollPeriod {
  readonly type: 'ClaimPayrollPeriod';
  readonly period: string;
  readonly currency: string;
  readonly runId: string;
}

/** Given back when the run holding the period is cancelled or reversed. */
export interface ReleasePayrollPeriod {
  readonly type: 'ReleasePayrollPeriod';
  readonly period: string;
  readonly currency: string;
  readonly runId: string;
}

export type PayrollPeriodCommand = ClaimPayrollPeriod | ReleasePayrollPeriod;
