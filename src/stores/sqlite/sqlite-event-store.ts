/**
 * The event store port on an embedded SQLite file. One file because its parts share one state:
 * the append queue and group commit (with the companion whose writes ride in the same
 * transaction: the embedded idempotency records), the prepared statements and the subscriptions
 * woken by each commit; the pure row and input handling is in sqlite-event-rows.ts.
 */
import type { Statement } from 'better-sqlite3';
import {
  StoreUnavailableError,
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.js';
import { applySchema, type SqliteDatabase } from './database.js';
import {
  checkExpectation,
  clampToInt64,
  MAX_INT64,
  normalizeFilter,
  toLimit,
  toRecorded,
  toRequest,
  type AppendRequest,
  type EventRow,
  type NormalizedFilter,
} from './sqlite-event-rows.js';

export interface SqliteEventStoreOptions {
  /**
   * Default true: appends queued during one event-loop turn share one transaction, hence one
   * fsync. Each append still has its own expected-revision check and its own outcome.
   */
  readonly groupCommit?: boolean;
  /** Clock for `recordedAt`; injectable so tests can pin it. */
  readonly now?: () => Date;
  /**
   * Called after every successful COMMIT with the number of appends the transaction carried,
   * including those that failed their expectation (0 for one that carried only a companion's
   * writes). Lets tests and metrics see the batching.
   */
  readonly onCommit?: (batchSize: number) => void;
  /**
   * Live subscriptions are woken by this store's own commits; this slow poll only exists to
   * notice events committed by another connection (another process on the same file).
   * Default 1000 ms; 0 disables it.
   */
  readonly pollIntervalMs?: number;
  /**
   * Another store's writes, committed in the group commits of this one (the idempotency
   * records, see sqlite-embedded-idempotency-store.ts), so they cost no transaction of their own.
   */
  readonly companion?: CommitCompanion;
}

/** Writes that ride along in the event store's group commits. Everything here is synchronous. */
export interface CommitCompanion {
  /**
   * Inside a group commit's transaction, after its appends: `appended` holds the events (as
   * given to `append`) of each append that succeeded. Throwing rolls the whole group back.
   */
  write(appended: readonly (readonly EventToAppend[])[]): void;
  /** Once the transaction that `write` ran in committed (true) or rolled back (false). */
  settled(committed: boolean): void;
  /** Whether it has writes waiting: then a group commit is worth it even with no append. */
  hasWrites(): boolean;
  /**
   * Handed over once: asks for a group commit soon (this turn's appends join it), for writes
   * that cannot wait for an append. Throws once the store is closed.
   */
  bind(requestCommit: () => void): void;
}

/** `readAll` returns at most this many events when `maxCount` is not given. */
export const DEFAULT_READ_ALL_MAX_COUNT = 1000;

/** Events a subscription reads per query; bounds its memory whatever the backlog. */
const SUBSCRIPTION_PAGE_SIZE = 256;

const DEFAULT_POLL_INTERVAL_MS = 1000;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS events (
    -- AUTOINCREMENT, not a plain rowid: a plain rowid may be reused after the last row is
    -- deleted, and a global position must never be handed out twice.
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id TEXT NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 0),
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (stream_id, revision)
  ) STRICT`,
  // Idempotency lookup: "is this event id already in this stream?"
  'CREATE INDEX IF NOT EXISTS events_stream_event_id ON events (stream_id, event_id)',
  // An index on type implicitly ends with the rowid (position), so type-filtered log reads
  // come out in position order without a sort.
  'CREATE INDEX IF NOT EXISTS events_type ON events (type)',
];

const EVENT_COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';

interface StreamTip {
  revision: bigint;
  position: bigint;
}

interface StoredId {
  event_id: string;
  revision: bigint;
  position: bigint;
}

/** An append as the batch carries it: validated and serialized, and as it was given. */
interface BatchedAppend {
  readonly request: AppendRequest;
  readonly events: readonly EventToAppend[];
}

interface QueuedAppend extends BatchedAppend {
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly error: unknown };

interface LogPage {
  readonly events: RecordedEvent[];
  /** Every matching event up to this position has been returned. */
  readonly scannedTo: bigint;
}

/**
 * The event store on an embedded SQLite file. Does not own `db`: `close()` leaves it open for
 * the other stores sharing it.
 *
 * Limits: `readAll` returns at most {@link DEFAULT_READ_ALL_MAX_COUNT} (1000) events unless
 * `maxCount` says otherwise, so an unbounded log read cannot exhaust memory by accident;
 * `readStream` returns the whole stream by default, since loading an aggregate needs all of it.
 * `maxCount: Infinity` means no limit.
 *
 * Filters: an empty `eventTypes` or `streamPrefixes` list does not constrain (same as absent);
 * when both are given an event must satisfy both.
 *
 * Event ids must be UUIDs (as EventStoreDB requires) and are stored lower-cased.
 */
export function createSqliteEventStore(
  db: SqliteDatabase,
  options: SqliteEventStoreOptions = {},
): EventStore {
  const groupCommit = options.groupCommit ?? true;
  const now = options.now ?? (() => new Date());
  const onCommit = options.onCommit;
  const companion = options.companion;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  let closed = false;

  applySchema(db, SCHEMA);

  // Every statement reads integers as bigint: positions and revisions may exceed 2^53.
  const prepare = <P extends unknown[], R>(sql: string): Statement<P, R> =>
    db.prepare<P, R>(sql).safeIntegers(true);

  const selectTip = prepare<[string], StreamTip>(
    'SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
  );
  const selectRevisionOfId = prepare<[string, string], { revision: bigint }>(
    'SELECT revision FROM events WHERE stream_id = ? AND event_id = ? ORDER BY revision LIMIT 1',
  );
  const selectIdsFrom = prepare<[string, bigint, number], StoredId>(
    `SELECT event_id, revision, position FROM events
     WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
  );
  const insertEvent = prepare<[string, bigint, string, string, string, string, string], never>(
    `INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectHead = prepare<[], { head: bigint }>(
    'SELECT coalesce(max(position), 0) AS head FROM events',
  );
  const selectStreamForwards = prepare<[string, bigint, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events
     WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
  );
  const selectStreamBackwards = prepare<[string, bigint, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events
     WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
  );
  const ping = prepare<[], { ok: bigint }>('SELECT 1 AS ok');

  // Log queries differ only by how many types/prefixes they bind, so a handful of shapes
  // covers every caller; caching them avoids re-preparing on each subscription page.
  const logStatements = new Map<string, Statement<unknown[], EventRow>>();
  function logStatement(typeCount: number, prefixCount: number): Statement<unknown[], EventRow> {
    const key = `${typeCount}:${prefixCount}`;
    const cached = logStatements.get(key);
    if (cached) return cached;
    const conditions = ['position > ?'];
    if (typeCount > 0) conditions.push(`type IN (${new Array(typeCount).fill('?').join(', ')})`);
    if (prefixCount > 0) {
      // substr, not LIKE: stream ids routinely contain `_`, which LIKE treats as a wildcard.
      const one = 'substr(stream_id, 1, length(?)) = ?';
      conditions.push(`(${new Array(prefixCount).fill(one).join(' OR ')})`);
    }
    const statement = prepare<unknown[], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')}
       ORDER BY position ASC LIMIT ?`,
    );
    logStatements.set(key, statement);
    return statement;
  }

  function readLog(after: bigint, limit: number, filter: NormalizedFilter): RecordedEvent[] {
    const params: unknown[] = [clampToInt64(after), ...filter.types];
    for (const prefix of filter.prefixes) params.push(prefix, prefix);
    params.push(limit);
    return logStatement(filter.types.length, filter.prefixes.length)
      .all(...params)
      .map(toRecorded);
  }

  // One read transaction, so the page and the head come from the same snapshot: otherwise an
  // event committed by another connection between the two reads would be skipped.
  const readLogPage = db.transaction(
    (after: bigint, limit: number, filter: NormalizedFilter): LogPage => {
      const events = readLog(after, limit, filter);
      const last = events[events.length - 1];
      if (events.length === limit && last) return { events, scannedTo: last.position };
      // A short page means nothing else matches up to the head, so the next page can start
      // there. SQLite commits positions in order, so no lower position can appear later.
      const head = selectHead.get()?.head ?? 0n;
      return { events, scannedTo: head > after ? head : after };
    },
  );

  function headPositionSync(): bigint {
    return selectHead.get()?.head ?? 0n;
  }

  // ---- writing -------------------------------------------------------------------------------

  /** Runs inside the batch transaction; throws to have its savepoint rolled back. */
  function applyAppend(request: AppendRequest, recordedAt: string): AppendResult {
    const { streamId, expected, events } = request;

    const first = events[0];
    if (first) {
      const stored = selectRevisionOfId.get(streamId, first.id);
      if (stored) return replayedResult(request, stored.revision);
    }

    const tip = selectTip.get(streamId);
    checkExpectation(streamId, expected, tip?.revision);

    if (events.length === 0) {
      return tip
        ? { nextExpectedRevision: tip.revision, position: tip.position }
        : { nextExpectedRevision: -1n, position: headPositionSync() };
    }

    let revision = tip ? tip.revision : -1n;
    let position = 0n;
    for (const event of events) {
      revision += 1n;
      const info = insertEvent.run(
        streamId,
        revision,
        event.id,
        event.type,
        event.data,
        event.metadata,
        recordedAt,
      );
      position = BigInt(info.lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position };
  }

  /**
   * The batch's first id is already stored: either this is a retry of an append that
   * succeeded (every id present, in order, from there on) or it conflicts with what is stored.
   */
  function replayedResult(request: AppendRequest, firstRevision: bigint): AppendResult {
    const { streamId, expected, events } = request;
    const stored = selectIdsFrom.all(streamId, firstRevision, events.length);
    const matches =
      stored.length === events.length && stored.every((row, i) => row.event_id === events[i]?.id);
    const last = stored[stored.length - 1];
    if (matches && last) return { nextExpectedRevision: last.revision, position: last.position };
    throw new WrongExpectedVersionError(
      streamId,
      expected,
      selectTip.get(streamId)?.revision ?? 'no_stream',
    );
  }

  // A nested better-sqlite3 transaction is a SAVEPOINT: a failing append is undone alone.
  const appendInSavepoint = db.transaction(applyAppend);

  const writeBatch = db.transaction(
    (batch: readonly BatchedAppend[], recordedAt: string): Outcome[] => {
      const outcomes: Outcome[] = [];
      for (const { request } of batch) {
        try {
          outcomes.push({ ok: true, result: appendInSavepoint(request, recordedAt) });
        } catch (error) {
          // Some errors (disk full, I/O) make SQLite roll the whole transaction back; carrying
          // on would run the remaining appends in autocommit mode, outside the batch.
          if (!db.inTransaction) throw error;
          outcomes.push({ ok: false, error });
        }
      }
      companion?.write(batch.filter((_, i) => outcomes[i]?.ok).map((queued) => queued.events));
      return outcomes;
    },
  );

  /** Commits the appends in one transaction; throws only if the whole batch failed. */
  function commit(batch: readonly BatchedAppend[]): Outcome[] {
    // Our COMMIT would only release a savepoint inside someone else's open transaction, and
    // the append would resolve before its events are durable.
    if (db.inTransaction) {
      throw new Error('Cannot append: a transaction is already open on the shared database');
    }
    let outcomes: Outcome[];
    try {
      outcomes = writeBatch.immediate(batch, now().toISOString());
    } catch (error) {
      companion?.settled(false);
      throw error;
    }
    companion?.settled(true);
    if (onCommit) {
      try {
        onCommit(batch.length);
      } catch {
        // An observer must not turn committed appends into failures.
      }
    }
    if (outcomes.some((outcome) => outcome.ok)) wakeSubscriptions();
    return outcomes;
  }

  let queue: QueuedAppend[] = [];
  let flushScheduled = false;

  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flush);
  }

  companion?.bind(() => {
    ensureOpen();
    scheduleFlush();
  });

  function flush(): void {
    flushScheduled = false;
    if (queue.length === 0 && !companion?.hasWrites()) return;
    const batch = queue;
    queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = commit(batch);
    } catch (error) {
      const failure = toStoreError(error);
      for (const queued of batch) queued.reject(failure);
      return;
    }
    batch.forEach((queued, i) => {
      const outcome = outcomes[i];
      if (!outcome) queued.reject(new Error('Append lost its outcome in the batch'));
      else if (outcome.ok) queued.resolve(outcome.result);
      else queued.reject(toStoreError(outcome.error));
    });
  }

  // ---- subscriptions -------------------------------------------------------------------------

  const waiters = new Set<() => void>();
  const openSubscriptions = new Set<Subscription>();

  function wakeSubscriptions(): void {
    const woken = [...waiters];
    waiters.clear();
    for (const wake of woken) wake();
  }

  function subscribeToAll(subscribeOptions: SubscribeOptions = {}): Subscription {
    ensureOpen();
    const filter = normalizeFilter(subscribeOptions.filter);
    let cursor = subscribeOptions.after ?? 0n;
    let page: RecordedEvent[] = [];
    let index = 0;
    let ended = false;
    let wakeCurrentWait: (() => void) | undefined;
    // Calls to next() are chained so that overlapping calls cannot read the same page twice.
    let tail: Promise<unknown> = Promise.resolve();

    function waitForCommit(): Promise<void> {
      return new Promise((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const wake = (): void => {
          waiters.delete(wake);
          if (timer) clearTimeout(timer);
          wakeCurrentWait = undefined;
          resolve();
        };
        wakeCurrentWait = wake;
        waiters.add(wake);
        // Deliberately not unref()'d: a consumer awaiting next() wants the process to stay up
        // for the next event, as an open EventStoreDB subscription (a socket) would.
        if (pollIntervalMs > 0) timer = setTimeout(wake, pollIntervalMs);
      });
    }

    async function pull(): Promise<IteratorResult<RecordedEvent>> {
      for (;;) {
        if (ended) return { done: true, value: undefined };
        const event = page[index];
        if (event) {
          index += 1;
          return { done: false, value: event };
        }
        // Reading and registering the waiter happen in the same tick, and commits of this
        // store run in their own macrotask, so no commit can slip in between unnoticed.
        const next = guard(() => readLogPage(cursor, SUBSCRIPTION_PAGE_SIZE, filter));
        page = next.events;
        index = 0;
        cursor = next.scannedTo;
        if (page.length === 0) await waitForCommit();
      }
    }

    async function close(): Promise<void> {
      if (ended) return;
      ended = true;
      page = [];
      openSubscriptions.delete(subscription);
      wakeCurrentWait?.();
      await tail;
    }

    const iterator: AsyncIterableIterator<RecordedEvent> = {
      next: () => {
        const result = tail.then(pull);
        tail = result.catch(() => undefined);
        return result;
      },
      return: async () => {
        await close();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };

    const subscription: Subscription = {
      [Symbol.asyncIterator]: () => iterator,
      close,
    };
    openSubscriptions.add(subscription);
    return subscription;
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  function ensureOpen(): void {
    if (closed) throw new StoreUnavailableError('The event store is closed');
  }

  function guard<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  function toStoreError(error: unknown): unknown {
    if (error instanceof StoreUnavailableError) return error;
    if (!db.open) {
      return new StoreUnavailableError('The SQLite database is closed', { cause: error });
    }
    const code =
      error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
    // The failures a caller can sensibly retry later (lock held too long, disk trouble).
    if (/^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY)/.test(code)) {
      return new StoreUnavailableError(`SQLite is unavailable (${code})`, { cause: error });
    }
    return error;
  }

  return {
    async append(streamId, events, appendOptions) {
      ensureOpen();
      const request = toRequest(streamId, events, appendOptions?.expectedRevision);
      if (!groupCommit) {
        const outcome = guard(() => commit([{ request, events }]))[0];
        if (!outcome) throw new Error('Append lost its outcome');
        if (!outcome.ok) throw toStoreError(outcome.error);
        return outcome.result;
      }
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ request, events, resolve, reject });
        scheduleFlush();
      });
    },

    async readStream(streamId, readOptions: ReadStreamOptions = {}) {
      ensureOpen();
      const direction = readOptions.direction ?? 'forwards';
      const limit = toLimit(readOptions.maxCount, -1);
      if (direction === 'forwards') {
        const from = clampToInt64(readOptions.fromRevision ?? 0n);
        return guard(() => selectStreamForwards.all(streamId, from, limit)).map(toRecorded);
      }
      if (direction === 'backwards') {
        const from = clampToInt64(readOptions.fromRevision ?? MAX_INT64);
        return guard(() => selectStreamBackwards.all(streamId, from, limit)).map(toRecorded);
      }
      throw new TypeError(`Unknown direction: ${String(direction)}`);
    },

    async readAll(readOptions: ReadAllOptions = {}) {
      ensureOpen();
      const limit = toLimit(readOptions.maxCount, DEFAULT_READ_ALL_MAX_COUNT);
      const filter = normalizeFilter(readOptions.filter);
      return guard(() => readLog(readOptions.after ?? 0n, limit, filter));
    },

    subscribeToAll,

    async headPosition() {
      ensureOpen();
      return guard(headPositionSync);
    },

    async ping() {
      ensureOpen();
      guard(() => ping.get());
    },

    async close() {
      if (closed) return;
      closed = true;
      // Appends accepted before close() still get committed and answered, and the
      // companion's writes with them.
      if (queue.length > 0 || companion?.hasWrites()) flush();
      await Promise.all([...openSubscriptions].map((subscription) => subscription.close()));
    },
  };
}
