/**
 * What a payroll run is, read from its events: its status, its payslips as stored, and what it
 * paid each employee per month, for queries and for the retro lines of later runs.
 */
import type { AccountingDate, PeriodId } from '../shared/dates.js';
import { lastDayOf, type PaidSalary } from './payroll-calculation.js';
import type { PayrollEvent, PayslipRecord } from './payroll-events.js';
import { salaryLinesOf } from './payroll-payslip.js';

export type PayrollRunStatus = 'draft' | 'approved' | 'paid' | 'cancelled' | 'reversed';

export interface PayrollRun {
  readonly status: PayrollRunStatus;
  readonly runId: string;
  readonly period: string;
  readonly currency: string;
  readonly payDate: string;
  readonly accrualDate: string;
  readonly createdBy: string;
  /** Every key that drafted or recalculated the run: none of them may approve it. */
  readonly preparedBy: readonly string[];
  readonly inputsDigest: string;
  /** By employee id, as stored. */
  readonly payslips: readonly PayslipRecord[];
  readonly totalGross: string;
  readonly totalNet: string;
  readonly approvedBy: string | null;
  readonly paidOn: string | null;
  readonly cancelled: { readonly reason: string } | null;
  readonly reversed: { readonly date: string; readonly reason: string } | null;
}

export type PayrollRunState = { readonly status: 'none' } | PayrollRun;

export const initialPayrollRunState: PayrollRunState = { status: 'none' };

/**
 * The day the accrual is booked: the pay date when it falls inside the month, else the month's
 * last day. `payDate` is not before the month's first day (the draft refuses that).
 */
export function accrualDateOf(period: PeriodId, payDate: AccountingDate): AccountingDate {
  const last = lastDayOf(period);
  return payDate < last ? payDate : last;
}

/** Whether the run's payslips count as paid: approved, and not reversed. */
export function countsAsPaid(state: PayrollRunState): state is PayrollRun {
  return state.status === 'approved' || state.status === 'paid';
}

/**
 * What the runs paid an employee in salary per month, for `retroLines`: every month of a run
 * that counts as paid appears (with 0 when the employee is not on it), and each month adds its
 * own base line and every retro line for it, so a month corrected once is not corrected again.
 * Pass every run of the currency; drafts, cancelled and reversed runs count for nothing.
 */
export function salaryPaid(runs: Iterable<PayrollRunState>, employeeId: string): PaidSalary[] {
  const paid = new Map<string, bigint>();
  for (const run of runs) {
    if (!countsAsPaid(run)) continue;
    paid.set(run.period, paid.get(run.period) ?? 0n);
    const payslip = run.payslips.find((slip) => slip.employeeId === employeeId);
    if (payslip === undefined) continue;
    for (const line of salaryLinesOf(payslip, run.period, run.currency)) {
      paid.set(line.period, (paid.get(line.period) ?? 0n) + line.paidMinor);
    }
  }
  return [...paid.keys()]
    .sort()
    .map((period) => ({ period: period as PeriodId, paidMinor: paid.get(period)! }));
}

export function evolvePayrollRun(state: PayrollRunState, event: PayrollEvent): PayrollRunState {
  switch (event.type) {
    case 'PayrollRunDrafted': {
      const { data } = event;
      return {
        status: 'draft',
        runId: data.runId,
        period: data.period,
        currency: data.currency,
        payDate: data.payDate,
        accrualDate: accrualDateOf(data.period as PeriodId, data.payDate as AccountingDate),
        createdBy: data.createdBy,
        preparedBy: [data.createdBy],
        inputsDigest: data.inputsDigest,
        payslips: data.payslips,
        totalGross: data.totalGross,
        totalNet: data.totalNet,
        approvedBy: null,
        paidOn: null,
        cancelled: null,
        reversed: null,
      };
    }
    case 'PayrollRunRecalculated': {
      if (state.status === 'none') return state;
      const { data } = event;
      return {
        ...state,
        preparedBy: state.preparedBy.includes(data.recalculatedBy)
          ? state.preparedBy
          : [...state.preparedBy, data.recalculatedBy],
        inputsDigest: data.inputsDigest,
        payslips: data.payslips,
        totalGross: data.totalGross,
        totalNet: data.totalNet,
      };
    }
    case 'PayrollRunApproved':
      if (state.status === 'none') return state;
      return { ...state, status: 'approved', approvedBy: event.data.approvedBy };
    case 'PayrollRunPaid':
      if (state.status === 'none') return state;
      return { ...state, status: 'paid', paidOn: event.data.paidOn };
    case 'PayrollRunCancelled':
      if (state.status === 'none') return state;
      return { ...state, status: 'cancelled', cancelled: { reason: event.data.reason } };
    case 'PayrollRunReversed': {
      if (state.status === 'none') return state;
      const { date, reason } = event.data;
      return { ...state, status: 'reversed', reversed: { date, reason } };
    }
    default:
      return state;
  }
}
