/**
 * The ledger's lock date. Closing a month locks it and every earlier month: nothing dated on or
 * before the lock date (the last day of the month closed last) can be posted. Reopening a month
 * moves the lock date back to the last day of the month before it, reopening every later month
 * too. Every close and reopen is one event on one stream, so two of them never decide on the
 * same lock date at once, and a posting holds that stream's lock shared (see the posting rules).
 * The same stream holds the closes and reopens of fiscal years (see `year-end-close.ts`): a month
 * of a closed year cannot be reopened.
 */
import type { Decider } from '../shared/decider.js';
import {
  isAccountingDate,
  isPeriodId,
  lastDayOf,
  periodOf,
  previousPeriod,
  type PeriodId,
} from '../shared/dates.js';
import { refuse } from '../shared/errors.js';
import type { ClosePeriod, ReopenPeriod } from './commands.js';
import type { LedgerEvent } from './events.js';
import { evolveFiscalYears, refuseIfFiscalYearClosed, type FiscalYears } from './fiscal-year.js';

/** The first year a month can be closed or reopened in. */
export const FIRST_CLOSABLE_YEAR = 1900;

export interface PeriodLockState {
  /** Set once the lock stream holds a close or reopen; until then the legacy lock counts. */
  readonly decided: boolean;
  /** The last month locked: the lock date is its last day. Undefined: nothing is locked. */
  readonly lockedThrough: PeriodId | undefined;
  /** Every fiscal year ever closed. */
  readonly fiscalYears: FiscalYears;
}

export const initialPeriodLockState: PeriodLockState = {
  decided: false,
  lockedThrough: undefined,
  fiscalYears: new Map(),
};

/** What a close or reopen needs from outside the lock stream. */
export interface PeriodLockFacts {
  /** Today by the service's clock, `YYYY-MM-DD`: no month after today's can be closed. */
  readonly today: string;
  /**
   * The last month closed the way months were closed before the lock date (a `PeriodClosed` on
   * a stream of its own): it counts until the lock stream decides anything.
   */
  readonly legacyLockedThrough?: PeriodId | undefined;
}

export type PeriodCommand = ClosePeriod | ReopenPeriod;

/** The lock in force: the lock stream's once it has decided, else what was closed before. */
export function lockedThrough(
  state: PeriodLockState,
  facts: Pick<PeriodLockFacts, 'legacyLockedThrough'>,
): PeriodId | undefined {
  return state.decided ? state.lockedThrough : facts.legacyLockedThrough;
}

/** The lock date of a month locked through, `YYYY-MM-DD`, or null when nothing is locked. */
export function lockDateOf(through: PeriodId | undefined): string | null {
  return through === undefined ? null : lastDayOf(through);
}

function refuseUnlessClosable(period: string): asserts period is PeriodId {
  if (!isPeriodId(period)) {
    refuse({
      kind: 'invalid',
      code: 'InvalidPeriod',
      message: `"${period}" is not a period; use YYYY-MM`,
      issues: [{ path: 'period', message: 'must be a month, YYYY-MM' }],
    });
  }
  if (Number(period.slice(0, 4)) < FIRST_CLOSABLE_YEAR) {
    refuse({
      kind: 'invalid',
      code: 'InvalidPeriod',
      message: `${period} is before ${FIRST_CLOSABLE_YEAR}: no month before then can be closed or reopened`,
      issues: [{ path: 'period', message: `must be a month of ${FIRST_CLOSABLE_YEAR} or later` }],
    });
  }
}

export function decidePeriod(
  command: PeriodCommand,
  state: PeriodLockState,
  facts: PeriodLockFacts,
): LedgerEvent[] {
  const { period } = command;
  refuseUnlessClosable(period);
  const through = lockedThrough(state, facts);
  const lockDate = lockDateOf(through);
  const isLocked = through !== undefined && period <= through;

  if (command.type === 'ClosePeriod') {
    if (!isAccountingDate(facts.today)) throw new Error(`today is not a date: ${facts.today}`);
    const current = periodOf(facts.today);
    if (period > current) {
      refuse({
        kind: 'conflict',
        code: 'PeriodInFuture',
        message: `Period ${period} has not ended: only the current month (${current}) or an earlier one can be closed`,
      });
    }
    if (isLocked) {
      refuse({
        kind: 'conflict',
        code: 'PeriodAlreadyClosed',
        message: `Period ${period} is already closed: the ledger is locked through ${lockDate}`,
      });
    }
    return [{ type: 'PeriodClosed', data: { period } }];
  }

  if (!isLocked) {
    refuse({
      kind: 'conflict',
      code: 'PeriodNotClosed',
      message:
        lockDate === null
          ? `Period ${period} is not closed: no month is`
          : `Period ${period} is not closed: the ledger is locked through ${lockDate}`,
    });
  }
  refuseIfFiscalYearClosed(state.fiscalYears, period);
  return [{ type: 'PeriodReopened', data: { period, reason: command.reason } }];
}

/** The month locked through after `event`, from the month locked through before it. */
export function lockAfter(event: LedgerEvent): PeriodId {
  if (event.type === 'PeriodClosed') return event.data.period as PeriodId;
  if (event.type === 'PeriodReopened') return previousPeriod(event.data.period as PeriodId);
  throw new Error(`${event.type} does not move the lock date`);
}

export function evolvePeriod(state: PeriodLockState, event: LedgerEvent): PeriodLockState {
  if (event.type === 'PeriodClosed' || event.type === 'PeriodReopened') {
    return { ...state, decided: true, lockedThrough: lockAfter(event) };
  }
  if (event.type === 'FiscalYearClosed' || event.type === 'FiscalYearReopened') {
    return { ...state, fiscalYears: evolveFiscalYears(state.fiscalYears, event) };
  }
  return state;
}

export const periodDecider: Decider<PeriodLockState, PeriodCommand, LedgerEvent, PeriodLockFacts> =
  {
    initialState: initialPeriodLockState,
    evolve: evolvePeriod,
    decide: decidePeriod,
  };
