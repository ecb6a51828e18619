/**
 * The ledger facts every posting reads (which accounts are open, which periods are closed and
 * where in the log each close is), kept current by the log: each read takes from the log only
 * what was stored since the last one and keeps its `AccountOpened` and `PeriodClosed` events, so
 * a posting costs two cheap reads (the head and the log's newest events), not a fold of every
 * account and period stream it names.
 *
 * Reading the head first, then the log after the last position seen, sees every event committed
 * before the head was read, another instance's included: the log commits positions in order, so
 * none below the head can appear later. A close therefore reaches this cache as it reaches a
 * re-read of the period's stream. Memory: one entry per account and per closed period, which a
 * chart of accounts and a calendar keep small.
 */
import { accountDecider, type AccountState } from '../../domain/ledger/account.js';
import { ledgerEventSchemas, type LedgerEvent } from '../../domain/ledger/events.js';
import { ledgerStreams } from '../../domain/ledger/streams.js';
import { decodeEvent } from '../../domain/shared/event-schemas.js';
import type { EventStore, LogFilter, RecordedEvent } from '../../stores/event-store.js';

/** The facts as the log held them up to a position. */
export interface LedgerFactsView {
  account(code: string): AccountState;
  /** Global position of the period's close, if it is closed. */
  closedAt(period: string): bigint | undefined;
}

export interface LedgerFacts {
  /** As the log holds them now. */
  current(): Promise<LedgerFactsView>;
  /** As the log holds them up to at least `position`, a position known to be stored. */
  upTo(position: bigint): Promise<LedgerFactsView>;
}

const PAGE = 1000;

const FACT_EVENTS = {
  eventTypes: ['AccountOpened', 'PeriodClosed'],
  streamPrefixes: [ledgerStreams.account(''), ledgerStreams.period('')],
} as const satisfies LogFilter;

function isFactEvent(event: RecordedEvent): boolean {
  return event.type === 'AccountOpened'
    ? event.streamId.startsWith(ledgerStreams.account(''))
    : event.type === 'PeriodClosed' && event.streamId.startsWith(ledgerStreams.period(''));
}

export function createLedgerFacts(deps: { readonly eventStore: EventStore }): LedgerFacts {
  const accounts = new Map<string, AccountState>();
  const closes = new Map<string, bigint>();
  let seenTo = 0n;
  // Catch-ups run one at a time; callers that arrive while one waits to start join it (its
  // head is read after they called), so concurrent postings share one read of the log.
  let previous: Promise<unknown> = Promise.resolve();
  let waiting: Promise<void> | undefined;

  const view: LedgerFactsView = {
    account: (code) => accounts.get(ledgerStreams.account(code)) ?? accountDecider.initialState,
    closedAt: (period) => closes.get(ledgerStreams.period(period)),
  };

  async function readUpTo(head: bigint): Promise<void> {
    while (seenTo < head) {
      const page = await deps.eventStore.readAll({
        after: seenTo,
        maxCount: PAGE,
        // The first read goes through the whole log, so the store filters it. After that only
        // what was stored since the last read is left, and a plain read of it is the cheaper
        // one (on EventStoreDB a filtered read is a subscription, waiting for a checkpoint).
        ...(seenTo === 0n ? { filter: FACT_EVENTS } : {}),
      });
      for (const recorded of page) {
        if (!isFactEvent(recorded)) continue;
        const event = decodeEvent<LedgerEvent>(ledgerEventSchemas, recorded);
        if (event.type === 'AccountOpened') {
          const before = accounts.get(recorded.streamId) ?? accountDecider.initialState;
          accounts.set(recorded.streamId, accountDecider.evolve(before, event));
        } else if (event.type === 'PeriodClosed' && !closes.has(recorded.streamId)) {
          closes.set(recorded.streamId, recorded.position);
        }
      }
      const last = page.at(-1)?.position;
      if (page.length === PAGE && last !== undefined) seenTo = last;
      // A short page holds everything stored up to `head`: the read began after it was stored.
      else seenTo = last !== undefined && last > head ? last : head;
    }
  }

  function catchUp(): Promise<void> {
    if (waiting) return waiting;
    const run = previous.then(async () => {
      waiting = undefined;
      await readUpTo(await deps.eventStore.headPosition());
    });
    waiting = run;
    previous = run.catch(() => undefined);
    return run;
  }

  return {
    async current() {
      await catchUp();
      return view;
    },
    async upTo(position) {
      // Reading the head after `position` was stored is as good as reading up to it.
      if (seenTo < position) await catchUp();
      return view;
    },
  };
}
