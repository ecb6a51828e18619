/**
 * The ledger's rules for anything that books to it, exported once for every module that posts
 * (journal entries here; invoices, payroll and stock movements through their reactors). A
 * command whose events will be posted checks them up front, so a posting the ledger would
 * refuse is refused to the caller instead of failing later in a reactor.
 */
import { isAccountingDate, periodOf } from '../shared/dates.js';
import { refuse } from '../shared/errors.js';
import type { AccountState } from './account.js';
import type { PostedLine } from './events.js';

/** What a posting needs to know from outside its own stream. */
export interface PostingFacts {
  /** The state of every account the posting names (absent: never opened). */
  readonly accounts: ReadonlyMap<string, AccountState>;
  /** Which of the periods the posting books into are closed. */
  readonly closedPeriods: ReadonlySet<string>;
}

/** An account a module posts to by configuration rather than by the caller's choice. */
export interface PostingAccount {
  readonly code: string;
  readonly state: AccountState;
}

export function refuseIfAccountsNotOpen(codes: Iterable<string>, facts: PostingFacts): void {
  for (const code of codes) {
    if (facts.accounts.get(code)?.status !== 'open') {
      refuse({
        kind: 'conflict',
        code: 'AccountNotOpen',
        message: `Account ${code} is not open for posting`,
      });
    }
  }
}

/** `what` completes "nothing dated <date> can be …": posted, issued, recorded, voided. */
export function refuseIfPeriodClosed(date: string, facts: PostingFacts, what: string): void {
  if (!isAccountingDate(date)) return;
  const period = periodOf(date);
  if (facts.closedPeriods.has(period)) {
    refuse({
      kind: 'conflict',
      code: 'PeriodClosed',
      message: `Period ${period} is closed: nothing dated ${date} can be ${what}`,
      until: `period ${period} is reopened`,
    });
  }
}

/** A configured posting account must be an open asset account in the posting's currency. */
export function refuseIfNoPostingAccount(
  account: PostingAccount,
  currency: string,
  role: string,
): void {
  const { state } = account;
  if (state.status === 'open' && state.type === 'asset' && state.currency === currency) return;
  refuse({
    kind: 'conflict',
    code: 'PostingAccountMissing',
    message:
      state.status === 'none'
        ? `The ${role} account ${account.code} for ${currency} postings is not open; open it (an asset account in ${currency}) first`
        : `The ${role} account ${account.code} must be an asset account in ${currency}`,
  });
}

/** Where a period's close is in the global log. */
export interface PeriodClose {
  readonly period: string;
  /** Global position of its `PeriodClosed` event. */
  readonly closedAt: bigint;
}

/**
 * Which of an entry's writes the log holds after the close of the period they are dated in.
 * Inside one process a posting and a close exclude each other by lock; on two instances they
 * can race, and then the log's order decides: a write stored after its period's close never
 * counts.
 */
export interface LateWrites {
  /** Set when the entry's posting reached the log after its period's close. */
  readonly postingLate?: PeriodClose;
  /** The entry's reversal as stored, if it has one, and whether it was late. */
  readonly reversal?: {
    readonly date: string;
    readonly lines: readonly PostedLine[];
    readonly late?: PeriodClose;
  };
}

/** The refusal a write gets that reached the log after its period's close. */
export function refuseLateWrite(date: string, close: PeriodClose): never {
  refuse({
    kind: 'conflict',
    code: 'PeriodClosed',
    message: `Period ${close.period} was closed before this write dated ${date} reached the log, by a request on another instance: it does not count and is annulled`,
  });
}
