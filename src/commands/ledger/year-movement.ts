/**
 * What a fiscal year's close moves: each revenue and expense account's movement in the year,
 * read from the log itself (a command is never decided from read models). A year is closed once
 * a year, so one filtered read of every posting and reversal is affordable; it runs under the
 * lock stream's lock, while no posting of this process can start.
 *
 * Only writes that count are summed: a posting or reversal that reached the log after the close
 * of the period it is dated in never counts (the period guard annuls it, perhaps later), nor does
 * the reversal of a posting that never counted. That is the rule the annulments follow, so the
 * sum equals what the read models hold once the period guard has caught up.
 */
import { ledgerEventSchemas, type LedgerEvent } from '../../domain/ledger/events.js';
import { ledgerStreams } from '../../domain/ledger/streams.js';
import type { AccountMovement } from '../../domain/ledger/year-end-close.js';
import { decodeEvent } from '../../domain/shared/event-schemas.js';
import { storedMinor } from '../../domain/shared/money.js';
import type { EventStore } from '../../stores/event-store.js';
import type { PostingRules } from './posting-rules.js';

const PAGE = 1000;
const WRITES = ['JournalEntryPosted', 'JournalEntryReversed'] as const;

export async function readYearMovement(
  deps: {
    readonly eventStore: EventStore;
    readonly postingRules: Pick<PostingRules, 'closedBefore' | 'facts'>;
  },
  year: string,
): Promise<AccountMovement[]> {
  const { eventStore, postingRules } = deps;
  const entryStream = ledgerStreams.journalEntry('');
  /** Entries whose posting never counted: their reversals do not either. */
  const neverCounted = new Set<string>();
  const sums = new Map<string, { currency: string; debits: bigint; credits: bigint }>();
  for (let after: bigint | undefined; ;) {
    const page = await eventStore.readAll({
      filter: { eventTypes: WRITES },
      maxCount: PAGE,
      ...(after === undefined ? {} : { after }),
    });
    for (const recorded of page) {
      if (!recorded.streamId.startsWith(entryStream)) continue;
      const event = decodeEvent<LedgerEvent>(ledgerEventSchemas, recorded);
      if (event.type !== 'JournalEntryPosted' && event.type !== 'JournalEntryReversed') continue;
      const { entryId, date, lines } = event.data;
      const inYear = date.startsWith(`${year}-`);
      // A posting's lateness matters to its reversal, which may be dated in the year.
      if (!inYear && event.type === 'JournalEntryReversed') continue;
      const late = (await postingRules.closedBefore(date, recorded.position)) !== undefined;
      if (event.type === 'JournalEntryPosted') {
        // An entry annulled and posted again counts from its new posting on.
        if (late) neverCounted.add(entryId);
        else neverCounted.delete(entryId);
      }
      if (!inYear || late || neverCounted.has(entryId)) continue;
      for (const line of lines) {
        const sum = sums.get(line.account) ?? { currency: line.currency, debits: 0n, credits: 0n };
        const minor = storedMinor(line.amount, line.currency);
        if (line.side === 'debit') sum.debits += minor;
        else sum.credits += minor;
        sums.set(line.account, sum);
      }
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.position;
  }
  const { accounts } = await postingRules.facts(sums.keys(), []);
  const movement: AccountMovement[] = [];
  for (const [account, sum] of sums) {
    const state = accounts.get(account);
    if (state?.status !== 'open' || (state.type !== 'revenue' && state.type !== 'expense'))
      continue;
    movement.push({ account, ...sum });
  }
  return movement;
}
