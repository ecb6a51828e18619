/**
 * The claim of one month's payroll in one currency, in a stream of its own. A run is drafted
 * only after its period is claimed, and appends to one stream are decided one after another, so
 * of two drafts racing for the same month exactly one gets it. The claim is released when its
 * run is cancelled or reversed; a paid or approved run keeps it for good.
 *
 * Both commands are idempotent for the run they name, so a command layer or reactor that
 * retries after a crash records nothing twice: claiming again for the holder and releasing a
 * claim that is not (or no longer) held by the run record nothing.
 */
import { isCurrencyCode } from '../shared/currency.js';
import { isPeriodId } from '../shared/dates.js';
import type { Decider } from '../shared/decider.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import type { Issue } from './payroll-calculation.js';
import type { PayrollPeriodCommand } from './payroll-commands.js';
import type { PayrollEvent, PayrollPeriodEvent } from './payroll-events.js';

export interface PayrollPeriodState {
  /** The run holding the period, or null when it is free. */
  readonly claimedBy: string | null;
}

export const initialPayrollPeriodState: PayrollPeriodState = { claimedBy: null };

export function decidePayrollPeriod(
  command: PayrollPeriodCommand,
  state: PayrollPeriodState,
): PayrollPeriodEvent[] {
  const issues: Issue[] = [];
  if (!isPeriodId(command.period)) {
    issues.push({ path: 'period', message: 'must be a month, YYYY-MM' });
  }
  if (!isCurrencyCode(command.currency)) {
    issues.push({
      path: 'currency',
      message: 'must be an ISO 4217 currency code with minor units',
    });
  }
  if (issues.length > 0) refuseInvalid('InvalidPayrollPeriod', issues);
  const { period, currency, runId } = command;
  switch (command.type) {
    case 'ClaimPayrollPeriod':
      if (state.claimedBy === runId) return [];
      if (state.claimedBy !== null) {
        refuse({
          kind: 'conflict',
          code: 'PayrollRunExists',
          message: `Payroll run ${state.claimedBy} already pays ${period} in ${currency}; cancel or reverse it first`,
        });
      }
      return [{ type: 'PayrollPeriodClaimed', data: { period, currency, runId } }];
    case 'ReleasePayrollPeriod':
      if (state.claimedBy !== runId) return [];
      return [{ type: 'PayrollPeriodReleased', data: { period, currency, runId } }];
  }
}

export function evolvePayrollPeriod(
  state: PayrollPeriodState,
  event: PayrollEvent,
): PayrollPeriodState {
  switch (event.type) {
    case 'PayrollPeriodClaimed':
      return { claimedBy: event.data.runId };
    case 'PayrollPeriodReleased':
      return state.claimedBy === event.data.runId ? { claimedBy: null } : state;
    default:
      return state;
  }
}

export const payrollPeriodDecider: Decider<PayrollPeriodState, PayrollPeriodCommand, PayrollEvent> =
  {
    initialState: initialPayrollPeriodState,
    evolve: evolvePayrollPeriod,
    decide: decidePayrollPeriod,
  };
