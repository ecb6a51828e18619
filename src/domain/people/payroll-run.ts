/**
 * A payroll run: one month's payslips in one currency, drafted, approved by someone else,
 * then paid; or cancelled while a draft, or reversed once approved and not yet paid. One file
 * holds the rules of every step of that life, which read each other's invariants; the state
 * and its evolve are in `payroll-run-state.ts`, the arithmetic in `payroll-calculation.ts`.
 *
 * Accounting. A payslip's gross is the sum of all its lines: base salary, adjustments (a bonus
 * adds, an unpaid-leave deduction takes off) and retro lines (corrections of months already
 * approved). All of them are salary cost, and a retro line is booked in the run's month because
 * the month it corrects may be closed. Net is gross less withholdings; there are none yet, so
 * net equals gross and the entries balance without a third account. So:
 *
 * - approval accrues, dated `accrualDate`: debit salaries and wages (60000) the total gross,
 *   credit payroll liabilities (21000) the total net;
 * - payment: debit payroll liabilities, credit cash (10000), the total net;
 * - reversal: the accrual mirrored.
 *
 * Salaries expense is then the sum of approved gross, and payroll liabilities the sum of the nets
 * of runs approved and not yet paid, at every date: `accrualDate` is the pay date when that falls
 * inside the month (salaries are often paid before its last day), else the month's last day, and
 * a run cannot be paid before its accrual. When withholdings arrive, net drops below gross and
 * the difference is credited to the withholding authorities' liability accounts. Nets are never
 * negative, so a run's totals are never negative; a run whose totals are zero books nothing.
 *
 * One run per period and currency: the decider refuses a draft when `facts.existingRun` names
 * another run; the claim of the period (payroll-period.ts) makes that safe under races.
 */
import type { AccountType } from '../ledger/events.js';
import {
  refuseIfPeriodClosed,
  type PostingAccount,
  type PostingFacts,
} from '../ledger/posting-rules.js';
import { isCurrencyCode, type CurrencyCode } from '../shared/currency.js';
import { isAccountingDate, isPeriodId, type PeriodId } from '../shared/dates.js';
import type { Decider } from '../shared/decider.js';
import { refuse, refuseInvalid, refuseUnlessDateFrom } from '../shared/errors.js';
import { formatAmount } from '../shared/money.js';
import { firstDayOf, type Issue } from './payroll-calculation.js';
import type {
  ApprovePayrollRun,
  CancelPayrollRun,
  DraftPayrollRun,
  EmployeePayslipInput,
  PayPayrollRun,
  PayrollRunCommand,
  RecalculatePayrollRun,
  ReversePayrollRun,
} from './payroll-commands.js';
import type { PayrollEvent, PayrollRunEvent } from './payroll-events.js';
import { computePayslips, payslipIssues } from './payroll-payslip.js';
import {
  accrualDateOf,
  evolvePayrollRun,
  initialPayrollRunState,
  type PayrollRun,
  type PayrollRunState,
} from './payroll-run-state.js';

/**
 * What a run's commands need from other streams. The accounts it books to come from
 * configuration, not from the caller, so `accounts` (of PostingFacts) may be empty; they are
 * checked up front so a posting the ledger would refuse is refused here, not in the reactor.
 */
export interface PayrollRunFacts extends PostingFacts {
  /** Drafting: the run that holds the period and currency, when there is one. */
  readonly existingRun?: string;
  /** Salaries and wages, an expense account (60000). */
  readonly salariesExpense: PostingAccount;
  /** Payroll liabilities, a liability account (21000). */
  readonly payrollLiabilities: PostingAccount;
  /** Cash at bank, an asset account (10000). */
  readonly cash: PostingAccount;
}

export function decidePayrollRun(
  command: PayrollRunCommand,
  state: PayrollRunState,
  facts: PayrollRunFacts,
): PayrollRunEvent[] {
  switch (command.type) {
    case 'DraftPayrollRun':
      return draft(command, state, facts);
    case 'RecalculatePayrollRun':
      return recalculate(command, state);
    case 'ApprovePayrollRun':
      return approve(command, state, facts);
    case 'PayPayrollRun':
      return pay(command, state, facts);
    case 'CancelPayrollRun':
      return cancel(command, state);
    case 'ReversePayrollRun':
      return reverse(command, state, facts);
  }
}

function draft(
  command: DraftPayrollRun,
  state: PayrollRunState,
  facts: PayrollRunFacts,
): PayrollRunEvent[] {
  const issues: Issue[] = [];
  const { period, currency, payDate } = command;
  if (!isPeriodId(period)) issues.push({ path: 'period', message: 'must be a month, YYYY-MM' });
  if (!isCurrencyCode(currency)) {
    issues.push({
      path: 'currency',
      message: 'must be an ISO 4217 currency code with minor units',
    });
  }
  if (!isAccountingDate(payDate)) {
    issues.push({ path: 'payDate', message: 'must be a calendar date, YYYY-MM-DD' });
  } else if (isPeriodId(period) && payDate < firstDayOf(period)) {
    issues.push({ path: 'payDate', message: `must not be before ${period} begins` });
  }
  if (!isPeriodId(period) || !isCurrencyCode(currency) || !isAccountingDate(payDate)) {
    refuseInvalid('InvalidPayrollRun', [...issues, ...payslipListIssues(command.payslips)]);
  }
  const computed = compute(period, currency, command.payslips, issues);
  if (state.status !== 'none') {
    refuse({
      kind: 'conflict',
      code: 'PayrollRunIdTaken',
      message: `Payroll run ${command.runId} already exists`,
    });
  }
  if (facts.existingRun !== undefined && facts.existingRun !== command.runId) {
    refuse({
      kind: 'conflict',
      code: 'PayrollRunExists',
      message: `Payroll run ${facts.existingRun} already pays ${period} in ${currency}; cancel or reverse it first`,
    });
  }
  refuseIfNoPayrollAccount(facts.salariesExpense, 'expense', currency, 'salaries expense');
  refuseIfNoPayrollAccount(facts.payrollLiabilities, 'liability', currency, 'payroll liabilities');
  const accrualDate = accrualDateOf(period, payDate);
  refuseIfPeriodClosed(accrualDate, facts, 'accrued');
  refuseIfNegativeNet(computed.negativeNet, currency);
  return [
    {
      type: 'PayrollRunDrafted',
      data: {
        runId: command.runId,
        period,
        currency,
        payDate,
        createdBy: command.createdBy,
        inputsDigest: command.inputsDigest,
        payslips: [...computed.payslips],
        totalGross: formatAmount(computed.totalGrossMinor, currency),
        totalNet: formatAmount(computed.totalNetMinor, currency),
      },
    },
  ];
}

function recalculate(command: RecalculatePayrollRun, state: PayrollRunState): PayrollRunEvent[] {
  const run = existing(state, command.runId);
  const { period, currency } = known(run);
  const computed = compute(period, currency, command.payslips, []);
  refuseUnlessDraft(run, 'recalculated');
  refuseIfNegativeNet(computed.negativeNet, currency);
  return [
    {
      type: 'PayrollRunRecalculated',
      data: {
        runId: run.runId,
        period,
        currency,
        recalculatedBy: command.recalculatedBy,
        inputsDigest: command.inputsDigest,
        payslips: [...computed.payslips],
        totalGross: formatAmount(computed.totalGrossMinor, currency),
        totalNet: formatAmount(computed.totalNetMinor, currency),
      },
    },
  ];
}

function approve(
  command: ApprovePayrollRun,
  state: PayrollRunState,
  facts: PayrollRunFacts,
): PayrollRunEvent[] {
  const run = existing(state, command.runId);
  refuseUnlessDraft(run, 'approved');
  if (run.preparedBy.includes(command.approvedBy)) {
    refuse({
      kind: 'forbidden',
      code: 'SegregationOfDuties',
      message: `Payroll run ${run.runId} was ${run.createdBy === command.approvedBy ? 'drafted' : 'recalculated'} by ${command.approvedBy}; another key must approve it`,
    });
  }
  if (command.currentDigest !== run.inputsDigest) {
    refuse({
      kind: 'conflict',
      code: 'PayrollRunStale',
      message: `The employee data of payroll run ${run.runId} changed since its payslips were computed; recalculate it, then approve`,
    });
  }
  refuseIfNoAccrualAccounts(facts, run.currency);
  refuseIfPeriodClosed(run.accrualDate, facts, 'accrued');
  return [
    {
      type: 'PayrollRunApproved',
      data: {
        runId: run.runId,
        period: run.period,
        currency: run.currency,
        approvedBy: command.approvedBy,
        accrualDate: run.accrualDate,
        totalGross: run.totalGross,
        totalNet: run.totalNet,
      },
    },
  ];
}

function pay(
  command: PayPayrollRun,
  state: PayrollRunState,
  facts: PayrollRunFacts,
): PayrollRunEvent[] {
  const run = existing(state, command.runId);
  refuseUnlessDateFrom(
    'InvalidPayrollPayment',
    'paidOn',
    command.paidOn,
    run.accrualDate,
    `the run's accrual on ${run.accrualDate}`,
  );
  if (run.status === 'paid') refuseAlreadyPaid(run, 'paid again');
  if (run.status !== 'approved') refuseNotApproved(run, 'paid');
  refuseIfNoPayrollAccount(
    facts.payrollLiabilities,
    'liability',
    run.currency,
    'payroll liabilities',
  );
  refuseIfNoPayrollAccount(facts.cash, 'asset', run.currency, 'cash');
  refuseIfPeriodClosed(command.paidOn, facts, 'paid');
  return [
    {
      type: 'PayrollRunPaid',
      data: {
        runId: run.runId,
        period: run.period,
        currency: run.currency,
        paidOn: command.paidOn,
        totalNet: run.totalNet,
      },
    },
  ];
}

function cancel(command: CancelPayrollRun, state: PayrollRunState): PayrollRunEvent[] {
  const run = existing(state, command.runId);
  refuseUnlessDraft(run, 'cancelled');
  return [
    {
      type: 'PayrollRunCancelled',
      data: {
        runId: run.runId,
        period: run.period,
        currency: run.currency,
        reason: command.reason ?? '',
      },
    },
  ];
}

function reverse(
  command: ReversePayrollRun,
  state: PayrollRunState,
  facts: PayrollRunFacts,
): PayrollRunEvent[] {
  const run = existing(state, command.runId);
  refuseUnlessDateFrom(
    'InvalidPayrollReversal',
    'date',
    command.date,
    run.accrualDate,
    `the run's accrual on ${run.accrualDate}`,
  );
  if (run.status === 'paid') refuseAlreadyPaid(run, 'reversed');
  if (run.status !== 'approved') refuseNotApproved(run, 'reversed');
  refuseIfNoAccrualAccounts(facts, run.currency);
  refuseIfPeriodClosed(command.date, facts, 'reversed');
  return [
    {
      type: 'PayrollRunReversed',
      data: {
        runId: run.runId,
        period: run.period,
        currency: run.currency,
        date: command.date,
        reason: command.reason,
        totalGross: run.totalGross,
        totalNet: run.totalNet,
      },
    },
  ];
}

/** The payslips computed, or a refusal listing `issues` and every issue of the payslips. */
function compute(
  period: PeriodId,
  currency: CurrencyCode,
  payslips: readonly EmployeePayslipInput[],
  issues: readonly Issue[],
) {
  const all = [...issues, ...payslipIssues(period, payslips)];
  if (all.length > 0) refuseInvalid('InvalidPayrollRun', all);
  const computed = computePayslips(period, currency, payslips);
  if ('issues' in computed) refuseInvalid('InvalidPayrollRun', computed.issues);
  return computed;
}

/** What can be said of the payslips without a valid period. */
function payslipListIssues(payslips: readonly EmployeePayslipInput[]): Issue[] {
  return payslips.length === 0 ? [{ path: 'payslips', message: 'needs at least one payslip' }] : [];
}

function known(run: PayrollRun): { period: PeriodId; currency: CurrencyCode } {
  // Both were checked when the run was drafted.
  return { period: run.period as PeriodId, currency: run.currency as CurrencyCode };
}

function refuseIfNegativeNet(
  negativeNet: readonly { readonly employeeId: string; readonly netMinor: bigint }[],
  currency: CurrencyCode,
): void {
  if (negativeNet.length === 0) return;
  const who = negativeNet
    .map((slip) => `${slip.employeeId} (${formatAmount(slip.netMinor, currency)} ${currency})`)
    .join(', ');
  refuse({
    kind: 'conflict',
    code: 'NegativeNetPay',
    message: `Net pay would be below zero for ${who}; recover the difference another way, with an adjustment that says so`,
  });
}

/** The accounts an accrual and its reversal post to: salaries expense and payroll liabilities. */
function refuseIfNoAccrualAccounts(facts: PayrollRunFacts, currency: string): void {
  refuseIfNoPayrollAccount(facts.salariesExpense, 'expense', currency, 'salaries expense');
  refuseIfNoPayrollAccount(facts.payrollLiabilities, 'liability', currency, 'payroll liabilities');
}

function refuseIfNoPayrollAccount(
  account: PostingAccount,
  type: AccountType,
  currency: string,
  role: string,
): void {
  const { state } = account;
  if (state.status === 'open' && state.type === type && state.currency === currency) return;
  const kindOf = `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} account`;
  refuse({
    kind: 'conflict',
    code: 'PostingAccountMissing',
    message:
      state.status === 'none'
        ? `The ${role} account ${account.code} for ${currency} postings is not open; open it (${kindOf} in ${currency}) first`
        : `The ${role} account ${account.code} must be ${kindOf} in ${currency}`,
  });
}

function existing(state: PayrollRunState, runId: string): PayrollRun {
  if (state.status === 'none') {
    refuse({
      kind: 'not_found',
      code: 'PayrollRunNotFound',
      message: `Payroll run ${runId} does not exist`,
    });
  }
  return state;
}

function refuseUnlessDraft(run: PayrollRun, what: string): void {
  if (run.status === 'draft') return;
  refuse({
    kind: 'conflict',
    code: 'PayrollRunNotDraft',
    message: `Payroll run ${run.runId} is ${run.status}; only a draft can be ${what}`,
  });
}

function refuseNotApproved(run: PayrollRun, what: string): never {
  refuse({
    kind: 'conflict',
    code: 'PayrollRunNotApproved',
    message: `Payroll run ${run.runId} is ${run.status}; only an approved run can be ${what}`,
  });
}

function refuseAlreadyPaid(run: PayrollRun, what: string): never {
  refuse({
    kind: 'conflict',
    code: 'PayrollRunAlreadyPaid',
    message: `Payroll run ${run.runId} was paid on ${run.paidOn}; it cannot be ${what}`,
  });
}

export const payrollRunDecider: Decider<
  PayrollRunState,
  PayrollRunCommand,
  PayrollEvent,
  PayrollRunFacts
> = {
  initialState: initialPayrollRunState,
  evolve: evolvePayrollRun,
  decide: decidePayrollRun,
};
