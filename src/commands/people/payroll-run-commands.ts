/**
 * Payroll runs' commands: the payslips are computed here from the log (payroll-inputs.ts) and
 * decided by the run's decider; the month is claimed in a stream of its own so that one run per
 * month and currency holds under races.
 *
 * A draft is decided once before the claim, so a draft that would be refused claims nothing,
 * then claims the month, then is appended. Cancelling or reversing a run appends to the run,
 * then releases the month. Each pair is two appends, and a crash between them leaves a claim
 * that no live run holds; the next draft of that month finds it and frees it (see `claim`).
 */
import type {
  ApprovePayrollRun,
  CancelPayrollRun,
  DraftPayrollRun,
  PayPayrollRun,
  RecalculatePayrollRun,
  ReversePayrollRun,
} from '../../domain/people/payroll-commands.js';
import {
  lastDayOf,
  type PayAdjustment,
  type Issue,
} from '../../domain/people/payroll-calculation.js';
import { payrollEventSchemas } from '../../domain/people/payroll-events.js';
import { payrollPeriodDecider } from '../../domain/people/payroll-period.js';
import { payrollRunDecider, type PayrollRunFacts } from '../../domain/people/payroll-run.js';
import {
  accrualDateOf,
  type PayrollRun,
  type PayrollRunState,
} from '../../domain/people/payroll-run-state.js';
import { payrollStreams } from '../../domain/people/payroll-streams.js';
import { isCurrencyCode, type CurrencyCode } from '../../domain/shared/currency.js';
import {
  isAccountingDate,
  isPeriodId,
  type AccountingDate,
  type PeriodId,
} from '../../domain/shared/dates.js';
import { isDomainError, refuse, refuseInvalid } from '../../domain/shared/errors.js';
import { parseAmount, storedMinor } from '../../domain/shared/money.js';
import type { EventStore } from '../../stores/event-store.js';
import type { CommandContext } from '../command-context.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { PostingRules } from '../ledger/posting-rules.js';
import type { StateReader } from '../read-state.js';
import { withAdjustments, type PayrollDirectory } from './payroll-inputs.js';
import type { PayrollAccountCodes } from './people-commands.js';

/** A claim no run was ever drafted for is taken over after this long (a crash between). */
export const ORPHAN_CLAIM_MS = 60_000;

export interface DraftRequest {
  readonly runId: string;
  readonly period: string;
  readonly currency: string;
  /** The period's last day when absent. */
  readonly payDate?: string;
  readonly adjustments?: readonly {
    readonly employeeId: string;
    readonly description: string;
    readonly amount: string;
  }[];
}

export interface PayrollRunCommands {
  draftPayrollRun(
    context: CommandContext,
    request: DraftRequest,
  ): Promise<CommandResult<PayrollRunState>>;
  recalculatePayrollRun(
    context: CommandContext,
    runId: string,
  ): Promise<CommandResult<PayrollRunState>>;
  approvePayrollRun(
    context: CommandContext,
    runId: string,
  ): Promise<CommandResult<PayrollRunState>>;
  payPayrollRun(
    context: CommandContext,
    command: Omit<PayPayrollRun, 'type'>,
  ): Promise<CommandResult<PayrollRunState>>;
  cancelPayrollRun(
    context: CommandContext,
    command: Omit<CancelPayrollRun, 'type'>,
  ): Promise<CommandResult<PayrollRunState>>;
  reversePayrollRun(
    context: CommandContext,
    command: Omit<ReversePayrollRun, 'type'>,
  ): Promise<CommandResult<PayrollRunState>>;
  /** The runs not yet paid (drafts and approved) that pay `employeeId`. */
  openRunsOf(employeeId: string): Promise<PayrollRun[]>;
}

export function createPayrollRunCommands(deps: {
  readonly handle: CommandHandler;
  readonly readState: StateReader;
  readonly eventStore: EventStore;
  readonly directory: PayrollDirectory;
  readonly postingRules: PostingRules;
  readonly payrollAccounts: PayrollAccountCodes;
  readonly clock: () => Date;
}): PayrollRunCommands {
  const { handle, readState, eventStore, directory, postingRules, payrollAccounts, clock } = deps;

  const runState = (runId: string) =>
    readState(payrollStreams.run(runId), payrollRunDecider, payrollEventSchemas);
  const periodState = (period: string, currency: string) =>
    readState(payrollStreams.period(period, currency), payrollPeriodDecider, payrollEventSchemas);

  async function runFacts(
    currency: string,
    dates: readonly string[],
    existingRun?: string,
  ): Promise<PayrollRunFacts> {
    const codes = payrollAccounts(currency);
    const account = async (code: string) => ({ code, state: await postingRules.account(code) });
    return {
      ...(await postingRules.facts([], dates)),
      salariesExpense: await account(codes.salaries),
      payrollLiabilities: await account(codes.liabilities),
      cash: await account(codes.cash),
      ...(existingRun === undefined ? {} : { existingRun }),
    };
  }

  const onRun = <Command extends Parameters<typeof payrollRunDecider.decide>[0]>(
    context: CommandContext,
    command: Command,
    date: string | undefined,
    facts: (state: PayrollRunState) => Promise<PayrollRunFacts>,
  ) =>
    handle(context, {
      streamId: payrollStreams.run(command.runId),
      decider: payrollRunDecider,
      schemas: payrollEventSchemas,
      command,
      locks: date === undefined ? [] : postingRules.locks(date),
      facts,
    });

  const onPeriod = (
    context: CommandContext,
    type: 'ClaimPayrollPeriod' | 'ReleasePayrollPeriod',
    run: { period: string; currency: string; runId: string },
  ) =>
    handle(context, {
      streamId: payrollStreams.period(run.period, run.currency),
      decider: payrollPeriodDecider,
      schemas: payrollEventSchemas,
      command: { type, period: run.period, currency: run.currency, runId: run.runId },
    });

  /**
   * Claims the month for the run. A claim held by a run that was cancelled or reversed without
   * releasing it, or by a run never drafted long after the claim, is released first.
   */
  async function claim(
    context: CommandContext,
    run: { period: string; currency: string; runId: string },
  ): Promise<void> {
    try {
      await onPeriod(context, 'ClaimPayrollPeriod', run);
      return;
    } catch (error) {
      if (!isDomainError(error) || error.refusal.code !== 'PayrollRunExists') throw error;
      const holder = (await periodState(run.period, run.currency)).claimedBy;
      if (holder === null || !(await claimIsOrphaned(run, holder))) throw error;
      // Without the key: its derived event ids are the claim's, on the same stream.
      await onPeriod({ ...context, idempotencyKey: undefined }, 'ReleasePayrollPeriod', {
        ...run,
        runId: holder,
      });
    }
    await onPeriod(context, 'ClaimPayrollPeriod', run);
  }

  async function claimIsOrphaned(
    run: { period: string; currency: string },
    holder: string,
  ): Promise<boolean> {
    const state = await runState(holder);
    if (state.status === 'cancelled' || state.status === 'reversed') return true;
    if (state.status !== 'none') return false;
    const [last] = await eventStore.readStream(payrollStreams.period(run.period, run.currency), {
      direction: 'backwards',
      maxCount: 1,
    });
    return (
      last !== undefined &&
      last.type === 'PayrollPeriodClaimed' &&
      clock().getTime() - Date.parse(last.recordedAt) > ORPHAN_CLAIM_MS
    );
  }

  /** The adjustments by employee, in minor units; refuses those the run cannot pay. */
  function adjustmentsOf(
    request: DraftRequest,
    currency: CurrencyCode,
    employeeIds: ReadonlySet<string>,
  ): Map<string, PayAdjustment[]> {
    const issues: Issue[] = [];
    const byEmployee = new Map<string, PayAdjustment[]>();
    (request.adjustments ?? []).forEach((line, index) => {
      const at = `adjustments[${index}]`;
      const amount = parseAmount(line.amount, currency);
      if (!amount.ok) issues.push({ path: `${at}.amount`, message: amount.message });
      if (!employeeIds.has(line.employeeId)) {
        issues.push({
          path: `${at}.employeeId`,
          message: `employee ${line.employeeId} is not paid by this run: not employed in ${request.period}, or paid in another currency`,
        });
      }
      if (amount.ok) {
        const lines = byEmployee.get(line.employeeId) ?? [];
        lines.push({ description: line.description, amountMinor: amount.minor });
        byEmployee.set(line.employeeId, lines);
      }
    });
    if (issues.length > 0) refuseInvalid('InvalidPayrollRun', issues);
    return byEmployee;
  }

  /** The run's adjustments as stored, to carry into its recalculation. */
  function storedAdjustments(run: PayrollRun): Map<string, PayAdjustment[]> {
    const byEmployee = new Map<string, PayAdjustment[]>();
    for (const payslip of run.payslips) {
      const lines = payslip.lines.flatMap((line) =>
        line.kind === 'adjustment'
          ? [
              {
                description: line.description,
                amountMinor: storedMinor(line.amount, run.currency),
              },
            ]
          : [],
      );
      if (lines.length > 0) byEmployee.set(payslip.employeeId, lines);
    }
    return byEmployee;
  }

  function refuseIfNobodyToPay(count: number, period: string, currency: string): void {
    if (count > 0) return;
    refuse({
      kind: 'conflict',
      code: 'NoEmployeesToPay',
      message: `No employee paid in ${currency} is employed in ${period} or owed a correction: there is nothing to run`,
    });
  }

  async function existingRun(runId: string): Promise<PayrollRun> {
    const state = await runState(runId);
    if (state.status === 'none') {
      refuse({
        kind: 'not_found',
        code: 'PayrollRunNotFound',
        message: `Payroll run ${runId} does not exist`,
      });
    }
    return state;
  }

  return {
    async draftPayrollRun(context, request) {
      const { runId, period, currency } = request;
      const payDate = request.payDate ?? (isPeriodId(period) ? lastDayOf(period) : `${period}-01`);
      if (!isPeriodId(period) || !isCurrencyCode(currency) || !isAccountingDate(payDate)) {
        // The decider says what is wrong with them.
        payrollRunDecider.decide(
          {
            type: 'DraftPayrollRun',
            runId,
            period,
            currency,
            payDate,
            createdBy: context.actor,
            inputsDigest: '',
            payslips: [],
          },
          { status: 'none' },
          await runFacts(currency, []),
        );
        throw new Error('A draft with an invalid period, currency or pay date was not refused');
      }
      const inputs = await directory.inputs(period, currency);
      const adjustments = adjustmentsOf(
        request,
        currency,
        new Set(inputs.employees.map((each) => each.employeeId)),
      );
      refuseIfNobodyToPay(inputs.employees.length, period, currency);
      const command: DraftPayrollRun = {
        type: 'DraftPayrollRun',
        runId,
        period,
        currency,
        payDate,
        createdBy: context.actor,
        inputsDigest: inputs.digest,
        payslips: withAdjustments(inputs.employees, adjustments),
      };
      const accrualDate = accrualDateOf(period, payDate as AccountingDate);
      const holder = async () => (await periodState(period, currency)).claimedBy ?? undefined;
      // Decided first, so that a draft refused on its own merits claims nothing.
      const current = await runState(runId);
      const held = current.status === 'none' ? await holder() : undefined;
      const blocking =
        held !== undefined && held !== runId && (await claimIsOrphaned(request, held))
          ? undefined
          : held;
      payrollRunDecider.decide(command, current, await runFacts(currency, [accrualDate], blocking));
      await claim(context, { period, currency, runId });
      return onRun(context, command, accrualDate, async () =>
        runFacts(currency, [accrualDate], await holder()),
      );
    },

    async recalculatePayrollRun(context, runId) {
      const run = await existingRun(runId);
      const inputs = await directory.inputs(run.period as PeriodId, run.currency);
      refuseIfNobodyToPay(inputs.employees.length, run.period, run.currency);
      const command: RecalculatePayrollRun = {
        type: 'RecalculatePayrollRun',
        runId,
        recalculatedBy: context.actor,
        inputsDigest: inputs.digest,
        payslips: withAdjustments(inputs.employees, storedAdjustments(run)),
      };
      return onRun(context, command, undefined, () => runFacts(run.currency, []));
    },

    async approvePayrollRun(context, runId) {
      const run = await existingRun(runId);
      const inputs = await directory.inputs(run.period as PeriodId, run.currency);
      const command: ApprovePayrollRun = {
        type: 'ApprovePayrollRun',
        runId,
        approvedBy: context.actor,
        currentDigest: inputs.digest,
      };
      return onRun(context, command, run.accrualDate, () =>
        runFacts(run.currency, [run.accrualDate]),
      );
    },

    async payPayrollRun(context, request) {
      const run = await existingRun(request.runId);
      return onRun(context, { type: 'PayPayrollRun', ...request }, request.paidOn, () =>
        runFacts(run.currency, [request.paidOn]),
      );
    },

    async cancelPayrollRun(context, request) {
      const run = await existingRun(request.runId);
      const result = await onRun(context, { type: 'CancelPayrollRun', ...request }, undefined, () =>
        runFacts(run.currency, []),
      );
      await onPeriod(context, 'ReleasePayrollPeriod', run);
      return result;
    },

    async reversePayrollRun(context, request) {
      const run = await existingRun(request.runId);
      const result = await onRun(
        context,
        { type: 'ReversePayrollRun', ...request },
        request.date,
        () => runFacts(run.currency, [request.date]),
      );
      await onPeriod(context, 'ReleasePayrollPeriod', run);
      return result;
    },

    async openRunsOf(employeeId) {
      return (await directory.runs()).filter(
        (state): state is PayrollRun =>
          (state.status === 'draft' || state.status === 'approved') &&
          state.payslips.some((slip) => slip.employeeId === employeeId),
      );
    },
  };
}
