/**
 * The year-end close. Closing fiscal year Y (its twelve months already closed: the lock date is
 * on or after Y-12-31) books one closing entry per currency, dated Y-12-31, that moves each
 * revenue and expense account's movement of Y to that currency's retained earnings account.
 * The entries are part of the `FiscalYearClosed` event itself, on the lock stream: they are
 * decided once, with the close, and no posting rule (the lock date) applies to them, because
 * they are not postings. Reopening the year reverses them on the same date.
 */
import type { Decider } from '../shared/decider.js';
import { isCurrencyCode } from '../shared/currency.js';
import { lastDayOf, type PeriodId } from '../shared/dates.js';
import { refuse } from '../shared/errors.js';
import { formatAmount } from '../shared/money.js';
import type { CloseFiscalYear, ReopenFiscalYear } from './commands.js';
import type { ClosingEntry, LedgerEvent, PostedLine } from './events.js';
import {
  closedYearFrom,
  closingEntryId,
  isFiscalYear,
  refuseUnlessFiscalYear,
} from './fiscal-year.js';
import {
  evolvePeriod,
  initialPeriodLockState,
  lockedThrough,
  type PeriodLockState,
} from './period.js';
import type { PostingAccount } from './posting-rules.js';

export type FiscalYearCommand = CloseFiscalYear | ReopenFiscalYear;

/** What one revenue or expense account booked in the year, in minor units. */
export interface AccountMovement {
  readonly account: string;
  readonly currency: string;
  readonly debits: bigint;
  readonly credits: bigint;
}

export interface FiscalYearFacts {
  /** The lock of closes stored before the lock stream (see `PeriodLockFacts`). */
  readonly legacyLockedThrough?: PeriodId | undefined;
  /**
   * The year's movement of every revenue and expense account: postings and reversals dated in
   * the year that count (not annulled). Read only for a close the lock allows (`yearMayClose`).
   */
  readonly movement?: readonly AccountMovement[];
  /** Where each currency's net income goes: its retained earnings account. */
  readonly retainedEarnings?: (currency: string) => PostingAccount;
}

/** The lock covers the whole year, and the year is not closed: the movement is worth reading. */
export function yearMayClose(
  year: string,
  state: PeriodLockState,
  legacyLockedThrough: PeriodId | undefined,
): boolean {
  if (!isFiscalYear(year) || state.fiscalYears.get(year)?.status === 'closed') return false;
  const through = lockedThrough(state, { legacyLockedThrough });
  return through !== undefined && through >= `${year}-12`;
}

export function decideFiscalYear(
  command: FiscalYearCommand,
  state: PeriodLockState,
  facts: FiscalYearFacts,
): LedgerEvent[] {
  const { year } = command;
  refuseUnlessFiscalYear(year);
  const current = state.fiscalYears.get(year);

  if (command.type === 'ReopenFiscalYear') {
    if (current?.status !== 'closed') {
      refuse({
        kind: 'conflict',
        code: 'FiscalYearNotClosed',
        message: `Fiscal year ${year} is not closed, so there is nothing to reopen`,
      });
    }
    const later = closedYearFrom(state.fiscalYears, String(Number(year) + 1));
    if (later !== undefined) {
      refuse({
        kind: 'conflict',
        code: 'FiscalYearClosed',
        message: `Fiscal year ${later} is closed too: reopen it before ${year}, as years are closed and reopened latest last`,
      });
    }
    return [
      {
        type: 'FiscalYearReopened',
        data: {
          year,
          reason: command.reason,
          entries: current.entries.map((entry) => ({
            entryId: entry.entryId,
            date: entry.date,
            lines: entry.lines.map((line) => ({
              ...line,
              side: line.side === 'debit' ? ('credit' as const) : ('debit' as const),
            })),
          })),
        },
      },
    ];
  }

  if (current?.status === 'closed') {
    refuse({
      kind: 'conflict',
      code: 'FiscalYearAlreadyClosed',
      message: `Fiscal year ${year} is already closed`,
    });
  }
  if (!yearMayClose(year, state, facts.legacyLockedThrough)) {
    const through = lockedThrough(state, facts);
    refuse({
      kind: 'conflict',
      code: 'FiscalYearMonthsOpen',
      message: `Fiscal year ${year} cannot be closed before all twelve of its months are: the lock date is ${
        through === undefined ? 'not set (no month is closed)' : lastDayOf(through)
      }, close ${year}-12 first`,
    });
  }
  const { movement, retainedEarnings } = facts;
  if (!movement || !retainedEarnings) {
    throw new Error(`The movement of ${year} was not read for its close`);
  }
  const close = (current?.closes ?? 0) + 1;
  return [
    {
      type: 'FiscalYearClosed',
      data: { year, close, entries: closingEntries(year, close, movement, retainedEarnings) },
    },
  ];
}

/**
 * One entry per currency: every account whose movement in the year is not zero, on the side
 * opposite its balance (a revenue account's credit balance is debited), then the net on
 * retained earnings; nothing for a currency whose accounts all moved by zero.
 */
export function closingEntries(
  year: string,
  close: number,
  movement: readonly AccountMovement[],
  retainedEarnings: (currency: string) => PostingAccount,
): ClosingEntry[] {
  const byCurrency = new Map<string, AccountMovement[]>();
  for (const moved of movement) {
    if (moved.debits === moved.credits) continue;
    const group = byCurrency.get(moved.currency) ?? [];
    group.push(moved);
    byCurrency.set(moved.currency, group);
  }
  const date = `${year}-12-31`;
  return [...byCurrency.keys()].sort().map((currency) => {
    if (!isCurrencyCode(currency)) throw new Error(`${currency} is not a currency`);
    const accounts = byCurrency
      .get(currency)!
      .sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
    const lines: PostedLine[] = [];
    let net = 0n;
    for (const moved of accounts) {
      const creditBalance = moved.credits - moved.debits;
      net += creditBalance;
      lines.push({
        account: moved.account,
        side: creditBalance > 0n ? 'debit' : 'credit',
        amount: formatAmount(creditBalance > 0n ? creditBalance : -creditBalance, currency),
        currency,
      });
    }
    if (net !== 0n) {
      const target = retainedEarnings(currency);
      refuseUnlessRetainedEarningsAccount(target, currency);
      lines.push({
        account: target.code,
        side: net > 0n ? 'credit' : 'debit',
        amount: formatAmount(net > 0n ? net : -net, currency),
        currency,
      });
    }
    return {
      entryId: closingEntryId(year, currency, close),
      currency,
      date,
      description: `Year-end close ${year}: revenue and expenses of ${currency} to retained earnings`,
      netIncome: formatAmount(net, currency),
      lines,
    };
  });
}

function refuseUnlessRetainedEarningsAccount(account: PostingAccount, currency: string): void {
  const { state } = account;
  if (state.status === 'open' && state.type === 'equity' && state.currency === currency) return;
  refuse({
    kind: 'conflict',
    code: 'PostingAccountMissing',
    message:
      state.status === 'none'
        ? `The retained earnings account ${account.code} for ${currency} is not open; open it (an equity account in ${currency}) first`
        : `The retained earnings account ${account.code} must be an equity account in ${currency}`,
  });
}

export const fiscalYearDecider: Decider<
  PeriodLockState,
  FiscalYearCommand,
  LedgerEvent,
  FiscalYearFacts
> = {
  initialState: initialPeriodLockState,
  evolve: evolvePeriod,
  decide: decideFiscalYear,
};
