/**
 * The ledger facts every posting reads (which accounts are open, which periods are closed and
 * where in the log each close is), kept current by the log rather than by re-reading account
 * and period streams on every posting.
 *
 * It remembers the last global position it read. Each read takes the head, then the log's
 * events after that position, and keeps the `AccountOpened` and `PeriodClosed` among them: a
 * posting costs two cheap reads (the head, and the few events stored since the last posting).
 * Reading the head first sees every event committed before it, another instance's included:
 * the log commits positions in order, so none below the head can appear later. A close
 * therefore reaches these facts as it reaches a re-read of the period's stream.
 *
 * What happened before the first read is not scanned for: an account or period asked about for
 * the first time is read from its own stream (one event at most) after that first position was
 * taken, so the log from there on keeps it current. Accounts never opened are not remembered
 * (any code can be asked for); opened accounts and periods asked about are, a chart of accounts
 * and a calendar's worth.
 */
import { accountDecider, type AccountState } from '../../domain/ledger/account.js';
import { ledgerEventSchemas, type LedgerEvent } from '../../domain/ledger/events.js';
import { ledgerStreams } from '../../domain/ledger/streams.js';
import { decodeEvent } from '../../domain/shared/event-schemas.js';
import type { EventStore, RecordedEvent } from '../../stores/event-store.js';

/** The facts as the log held them when they were brought up to date. */
export interface LedgerFactsView {
  account(code: string): Promise<AccountState>;
  /** Global position of the period's close, if it is closed. */
  closedAt(period: string): Promise<bigint | undefined>;
}

export interface LedgerFacts {
  /** As the log holds them now. */
  current(): Promise<LedgerFactsView>;
  /** As the log holds them up to at least `position`, a position known to be stored. */
  upTo(position: bigint): Promise<LedgerFactsView>;
}

const PAGE = 1000;

export function createLedgerFacts(deps: { readonly eventStore: EventStore }): LedgerFacts {
  const { eventStore } = deps;
  /** Open accounts, by stream id. */
  const accounts = new Map<string, AccountState>();
  /** Periods asked about or closed, by stream id: the close's position, or null while open. */
  const periods = new Map<string, bigint | null>();
  /** Undefined until the first read, which only takes the head. */
  let seenTo: bigint | undefined;
  // Catch-ups run one at a time; callers that arrive while one waits to start join it (its
  // head is read after they called), so concurrent postings share one read of the log.
  let previous: Promise<unknown> = Promise.resolve();
  let waiting: Promise<void> | undefined;

  function apply(recorded: RecordedEvent): void {
    if (recorded.type !== 'AccountOpened' && recorded.type !== 'PeriodClosed') return;
    const isAccount = recorded.streamId.startsWith(ledgerStreams.account(''));
    const isPeriod = recorded.streamId.startsWith(ledgerStreams.period(''));
    if (!isAccount && !isPeriod) return;
    const event = decodeEvent<LedgerEvent>(ledgerEventSchemas, recorded);
    if (event.type === 'AccountOpened' && isAccount) {
      const before = accounts.get(recorded.streamId) ?? accountDecider.initialState;
      accounts.set(recorded.streamId, accountDecider.evolve(before, event));
    } else if (event.type === 'PeriodClosed' && isPeriod) {
      // The first close is the one that counts; one read twice (stream and log) is the same.
      if (typeof periods.get(recorded.streamId) !== 'bigint') {
        periods.set(recorded.streamId, recorded.position);
      }
    }
  }

  async function readUpTo(head: bigint): Promise<void> {
    if (seenTo === undefined) {
      seenTo = head;
      return;
    }
    while (seenTo < head) {
      const page = await eventStore.readAll({ after: seenTo, maxCount: PAGE });
      for (const recorded of page) apply(recorded);
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
      await readUpTo(await eventStore.headPosition());
    });
    waiting = run;
    previous = run.catch(() => undefined);
    return run;
  }

  // Only called once a catch-up has taken the first position, so the log keeps what is read
  // here current from then on.
  const view: LedgerFactsView = {
    async account(code) {
      const streamId = ledgerStreams.account(code);
      const known = accounts.get(streamId);
      if (known) return known;
      for (const recorded of await eventStore.readStream(streamId)) apply(recorded);
      return accounts.get(streamId) ?? accountDecider.initialState;
    },
    async closedAt(period) {
      const streamId = ledgerStreams.period(period);
      if (!periods.has(streamId)) {
        const events = await eventStore.readStream(streamId);
        for (const recorded of events) apply(recorded);
        if (!periods.has(streamId)) periods.set(streamId, null);
      }
      return periods.get(streamId) ?? undefined;
    },
  };

  return {
    async current() {
      await catchUp();
      return view;
    },
    async upTo(position) {
      // Reading the head after `position` was stored is as good as reading up to it.
      if (seenTo === undefined || seenTo < position) await catchUp();
      return view;
    },
  };
}
