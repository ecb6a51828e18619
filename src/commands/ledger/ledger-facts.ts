/**
 * The ledger facts every posting reads (which accounts are open, the lock date and where in the
 * log each close and reopen is), kept current by the log rather than by re-reading account and
 * lock streams on every posting.
 *
 * It remembers the last global position it read. Each read takes the head, then the log's
 * events after that position, and keeps the `AccountOpened`, `PeriodClosed` and `PeriodReopened` among them: a
 * posting costs two cheap reads (the head, and the few events stored since the last posting).
 * Reading the head first sees every event committed before it, another instance's included:
 * the log commits positions in order, so none below the head can appear later. A close
 * therefore reaches these facts as it reaches a re-read of the period's stream.
 *
 * What happened before the first read is not scanned for: an account asked about for the first
 * time is read from its own stream (one event at most) after that first position was taken, so
 * the log from there on keeps it current. Accounts never opened are not remembered (any code can
 * be asked for); opened accounts are, a chart of accounts' worth. The lock is read once, when
 * first asked about: the lock stream, and the closes stored before there was one (a
 * `PeriodClosed` on a `period-YYYY-MM` stream of its own), found by one filtered read of the
 * log. Every close and reopen is remembered with its position, so the lock in force at any
 * position of the log can be told: a handful a month.
 */
import { accountDecider, type AccountState } from '../../domain/ledger/account.js';
import { ledgerEventSchemas, type LedgerEvent } from '../../domain/ledger/events.js';
import { lockAfter } from '../../domain/ledger/period.js';
import { ledgerStreams } from '../../domain/ledger/streams.js';
import type { PeriodId } from '../../domain/shared/dates.js';
import { decodeEvent } from '../../domain/shared/event-schemas.js';
import type { EventStore, RecordedEvent } from '../../stores/event-store.js';

/** A close or reopen, as the log holds it. */
export interface LockChange {
  readonly position: bigint;
  readonly type: 'PeriodClosed' | 'PeriodReopened';
  readonly period: PeriodId;
  /** The last month locked after it. */
  readonly lockedThrough: PeriodId;
  readonly reason: string | undefined;
  /** Who: the event's actor, and the end user named on their behalf if any. */
  readonly actor: string | undefined;
  readonly onBehalfOf: string | undefined;
  readonly recordedAt: string;
  /** A close stored before the lock stream, on a `period-YYYY-MM` stream of its own. */
  readonly legacy: boolean;
}

/** The lock in force at some point of the log. */
export interface LockInForce {
  /** The last month locked: the lock date is its last day. */
  readonly lockedThrough: PeriodId;
  /** Global position of the close or reopen that set it. */
  readonly setAt: bigint;
}

/** The facts as the log held them when they were brought up to date. */
export interface LedgerFactsView {
  account(code: string): Promise<AccountState>;
  /**
   * Global position of the close or reopen whose lock covers the period, if it is closed; with
   * `before`, as the lock stood just before that position of the log.
   */
  closedAt(period: string, before?: bigint): Promise<bigint | undefined>;
  /** The lock in force now (or just before `before`), if any month is closed. */
  lock(before?: bigint): Promise<LockInForce | undefined>;
  /**
   * What a close or reopen is decided against beside the lock stream: the lock of the closes
   * stored before the lock stream had any.
   */
  legacyLockedThrough(): Promise<PeriodId | undefined>;
  /** Every close and reopen, in the log's order. */
  lockHistory(): Promise<readonly LockChange[]>;
}

export interface LedgerFacts {
  /** As the log holds them now. */
  current(): Promise<LedgerFactsView>;
  /** As the log holds them up to at least `position`, a position known to be stored. */
  upTo(position: bigint): Promise<LedgerFactsView>;
}

const PAGE = 1000;
const LOCK_EVENTS = ['PeriodClosed', 'PeriodReopened'] as const;

const metadataText = (recorded: RecordedEvent, key: string) => {
  const value = recorded.metadata[key];
  return typeof value === 'string' ? value : undefined;
};

export function createLedgerFacts(deps: { readonly eventStore: EventStore }): LedgerFacts {
  const { eventStore } = deps;
  /** Open accounts, by stream id. */
  const accounts = new Map<string, AccountState>();
  /** Closes and reopens of the lock stream, and legacy closes, each by position. */
  const changes: LockChange[] = [];
  const changeAt = new Set<bigint>();
  let lockRead: Promise<void> | undefined;
  /** Undefined until the first read, which only takes the head. */
  let seenTo: bigint | undefined;
  // Catch-ups run one at a time; callers that arrive while one waits to start join it (its
  // head is read after they called), so concurrent postings share one read of the log.
  let previous: Promise<unknown> = Promise.resolve();
  let waiting: Promise<void> | undefined;

  function apply(recorded: RecordedEvent): void {
    if (recorded.type === 'AccountOpened') {
      if (!recorded.streamId.startsWith(ledgerStreams.account(''))) return;
      const event = decodeEvent<LedgerEvent>(ledgerEventSchemas, recorded);
      const before = accounts.get(recorded.streamId) ?? accountDecider.initialState;
      accounts.set(recorded.streamId, accountDecider.evolve(before, event));
      return;
    }
    if (recorded.type !== 'PeriodClosed' && recorded.type !== 'PeriodReopened') return;
    const legacy = recorded.streamId.startsWith(ledgerStreams.legacyPeriod(''));
    if (recorded.streamId !== ledgerStreams.periodLock && !legacy) return;
    if (legacy && recorded.type !== 'PeriodClosed') return;
    // One event read twice (by the lock's first read and the log) is the same change.
    if (changeAt.has(recorded.position)) return;
    const event = decodeEvent<LedgerEvent>(ledgerEventSchemas, recorded);
    if (event.type !== 'PeriodClosed' && event.type !== 'PeriodReopened') return;
    changeAt.add(recorded.position);
    const change: LockChange = {
      position: recorded.position,
      type: event.type,
      period: event.data.period as PeriodId,
      lockedThrough: lockAfter(event),
      reason: event.type === 'PeriodReopened' ? event.data.reason : undefined,
      actor: metadataText(recorded, 'actor'),
      onBehalfOf: metadataText(recorded, 'onBehalfOf'),
      recordedAt: recorded.recordedAt,
      legacy,
    };
    const at = changes.findIndex((other) => other.position > change.position);
    if (at === -1) changes.push(change);
    else changes.splice(at, 0, change);
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

  /** Once, after the first position was taken: what the log held before it. */
  function readLock(): Promise<void> {
    lockRead ??= (async () => {
      for (let after: bigint | undefined; ;) {
        const page = await eventStore.readAll({
          filter: { eventTypes: LOCK_EVENTS },
          maxCount: PAGE,
          ...(after === undefined ? {} : { after }),
        });
        for (const recorded of page) apply(recorded);
        if (page.length < PAGE) break;
        after = page.at(-1)!.position;
      }
    })().catch((error: unknown) => {
      lockRead = undefined;
      throw error;
    });
    return lockRead;
  }

  function lockBefore(before: bigint | undefined): LockInForce | undefined {
    const known = changes.filter((change) => before === undefined || change.position < before);
    const decided = known.findLast((change) => !change.legacy);
    if (decided) return { lockedThrough: decided.lockedThrough, setAt: decided.position };
    let latest: LockInForce | undefined;
    for (const change of known) {
      if (latest === undefined || change.lockedThrough > latest.lockedThrough) {
        latest = { lockedThrough: change.lockedThrough, setAt: change.position };
      }
    }
    return latest;
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
    async closedAt(period, before) {
      const lock = await view.lock(before);
      return lock !== undefined && period <= lock.lockedThrough ? lock.setAt : undefined;
    },
    async lock(before) {
      await readLock();
      return lockBefore(before);
    },
    async legacyLockedThrough() {
      await readLock();
      let latest: PeriodId | undefined;
      for (const change of changes) {
        if (change.legacy && (latest === undefined || change.lockedThrough > latest)) {
          latest = change.lockedThrough;
        }
      }
      return latest;
    },
    async lockHistory() {
      await readLock();
      return [...changes];
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
