/**
 * The facts and locks of the ledger's posting rules (`src/domain/ledger/posting-rules.ts`), read
 * once here for every module whose commands are posted to the ledger.
 */
import type { AccountState } from '../../domain/ledger/account.js';
import { ledgerEventSchemas, type LedgerEvent } from '../../domain/ledger/events.js';
import { decodeEvent } from '../../domain/shared/event-schemas.js';
import type { LateWrites, PeriodClose, PostingFacts } from '../../domain/ledger/posting-rules.js';
import { ledgerStreams } from '../../domain/ledger/streams.js';
import { isAccountingDate, periodOf, type PeriodId } from '../../domain/shared/dates.js';
import type { EventStore, RecordedEvent } from '../../stores/event-store.js';
import { streamLock } from '../command-handler.js';
import type { LockRequest } from '../keyed-lock.js';
import { createLedgerFacts, type LedgerFacts, type LockChange } from './ledger-facts.js';

export interface PostingRules {
  /**
   * The accounts named and which of the dates' periods are closed (on or before the lock date),
   * as the stores hold them now.
   */
  facts(accountCodes: Iterable<string>, dates: Iterable<string>): Promise<PostingFacts>;
  account(code: string): Promise<AccountState>;
  /**
   * Held by every command whose postings are dated `date`: the lock stream's lock, shared. A
   * close or reopen holds it exclusively (it is the lock stream's own lock), so inside one
   * process a posting either completes before a close starts or sees its period closed.
   */
  locks(date: string): LockRequest[];
  /** The close that locked `date`, if the lock in force just before `position` covers it. */
  closedBefore(date: string, position: bigint): Promise<PeriodClose | undefined>;
  /** Which of a journal entry's stored writes came after their period's close. */
  lateWrites(entryId: string): Promise<LateWrites>;
  /** The lock date as the log holds it now, with every close and reopen that moved it. */
  periodLock(): Promise<PeriodLockView>;
}

export interface PeriodLockView {
  /** The last month locked (the lock date is its last day); undefined when none is. */
  readonly lockedThrough: PeriodId | undefined;
  /** The lock of the closes stored before the lock stream, one stream per month. */
  readonly legacyLockedThrough: PeriodId | undefined;
  readonly history: readonly LockChange[];
}

export function createPostingRules(deps: {
  readonly eventStore: EventStore;
  /** Accounts and period closes as the log holds them; one of its own by default. */
  readonly ledgerFacts?: LedgerFacts;
}): PostingRules {
  const ledgerFacts = deps.ledgerFacts ?? createLedgerFacts(deps);

  return {
    account: async (code) => (await ledgerFacts.current()).account(code),
    async facts(accountCodes, dates) {
      const now = await ledgerFacts.current();
      const accounts = new Map<string, AccountState>();
      for (const code of new Set(accountCodes)) accounts.set(code, await now.account(code));
      const closedPeriods = new Set<string>();
      for (const date of new Set(dates)) {
        if (!isAccountingDate(date)) continue;
        const period = periodOf(date);
        if ((await now.closedAt(period)) !== undefined) closedPeriods.add(period);
      }
      return { accounts, closedPeriods };
    },
    locks(date) {
      return isAccountingDate(date) ? [streamLock(ledgerStreams.periodLock, 'shared')] : [];
    },
    closedBefore,
    async periodLock() {
      const now = await ledgerFacts.current();
      return {
        lockedThrough: (await now.lock())?.lockedThrough,
        legacyLockedThrough: await now.legacyLockedThrough(),
        history: await now.lockHistory(),
      };
    },
    async lateWrites(entryId) {
      // Only for entries the period guard found late: rare, and the entry's stream is short.
      const entry = await deps.eventStore.readStream(ledgerStreams.journalEntry(entryId));
      const posting = entry.findLast((event) => event.type === 'JournalEntryPosted');
      // Only a reversal of the posting in force: one of an annulled posting went with it.
      const reversal = entry.findLast(
        (event) =>
          event.type === 'JournalEntryReversed' &&
          posting !== undefined &&
          event.revision > posting.revision,
      );
      const written = (event: RecordedEvent) => {
        const decoded = decodeEvent<LedgerEvent>(ledgerEventSchemas, event);
        if (decoded.type !== 'JournalEntryPosted' && decoded.type !== 'JournalEntryReversed') {
          throw new Error(`${event.type} is not a write of journal entry ${entryId}`);
        }
        return { date: decoded.data.date, lines: decoded.data.lines };
      };
      const postingLate = posting
        ? await closedBefore(written(posting).date, posting.position)
        : undefined;
      if (!reversal) return { postingLate };
      const { date, lines } = written(reversal);
      return {
        postingLate,
        reversal: { date, lines, late: await closedBefore(date, reversal.position) },
      };
    },
  };

  /**
   * A close before `position` is in the log once `position` is: read up to it, and take the lock
   * as it stood just before it (a reopen stored later does not make a late write count).
   */
  async function closedBefore(date: string, position: bigint): Promise<PeriodClose | undefined> {
    if (!isAccountingDate(date)) return undefined;
    const period = periodOf(date);
    const closedAt = await (await ledgerFacts.upTo(position)).closedAt(period, position);
    return closedAt === undefined ? undefined : { period, closedAt };
  }
}
