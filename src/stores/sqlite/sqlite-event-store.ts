import type { Statement } from 'better-sqlite3';
import {
  StoreUnavailableError,
  UnreadableEventError,
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type LogFilter,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.js';
import { applySchema, type SqliteDatabase } from './database.js';

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
   * including those that failed their expectation. Lets tests and metrics see the batching.
   */
  readonly onCommit?: (batchSize: number) => void;
  /**
   * Live subscriptions are woken by this store's own commits; this slow poll only exists to
   * notice events committed by another connection (another process on the same file).
   * Default 1000 ms; 0 disables it.
   */
  readonly pollIntervalMs?: number;
}

/** `readAll` returns at most this many events when `maxCount` is not given. */
export const DEFAULT_READ_ALL_MAX_COUNT = 1000;

/** Events a subscription reads per query; bounds its memory whatever the backlog. */
const SUBSCRIPTION_PAGE_SIZE = 256;

const DEFAULT_POLL_INTERVAL_MS = 1000;

/** SQLite INTEGER is a signed 64-bit value; larger bigints cannot be bound. */
const MAX_INT64 = 2n ** 63n - 1n;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

interface EventRow {
  position: bigint;
  stream_id: string;
  revision: bigint;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

interface StreamTip {
  revision: bigint;
  position: bigint;
}

interface StoredId {
  event_id: string;
  revision: bigint;
  position: bigint;
}

/** An append whose input has been validated and serialized before it is queued. */
interface AppendRequest {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly SerializedEvent[];
}

interface SerializedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

interface QueuedAppend {
  readonly request: AppendRequest;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly error: unknown };

interface NormalizedFilter {
  readonly types: readonly string[];
  readonly prefixes: readonly string[];
}

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
    (requests: readonly AppendRequest[], recordedAt: string): Outcome[] => {
      const outcomes: Outcome[] = [];
      for (const request of requests) {
        try {
          outcomes.push({ ok: true, result: appendInSavepoint(request, recordedAt) });
        } catch (error) {
          // Some errors (disk full, I/O) make SQLite roll the whole transaction back; carrying
          // on would run the remaining appends in autocommit mode, outside the batch.
          if (!db.inTransaction) throw error;
          outcomes.push({ ok: false, error });
        }
      }
      return outcomes;
    },
  );

  /** Commits the requests in one transaction; throws only if the whole batch failed. */
  function commit(requests: readonly AppendRequest[]): Outcome[] {
    // Our COMMIT would only release a savepoint inside someone else's open transaction, and
    // the append would resolve before its events are durable.
    if (db.inTransaction) {
      throw new Error('Cannot append: a transaction is already open on the shared database');
    }
    const outcomes = writeBatch.immediate(requests, now().toISOString());
    if (onCommit) {
      try {
        onCommit(requests.length);
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

  function flush(): void {
    flushScheduled = false;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = commit(batch.map((queued) => queued.request));
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
        const outcome = guard(() => commit([request]))[0];
        if (!outcome) throw new Error('Append lost its outcome');
        if (!outcome.ok) throw toStoreError(outcome.error);
        return outcome.result;
      }
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ request, resolve, reject });
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
      // Appends accepted before close() still get committed and answered.
      if (queue.length > 0) flush();
      await Promise.all([...openSubscriptions].map((subscription) => subscription.close()));
    },
  };
}

function checkExpectation(
  streamId: string,
  expected: ExpectedRevision,
  current: bigint | undefined,
): void {
  const holds =
    expected === 'any' ||
    (expected === 'no_stream' && current === undefined) ||
    (expected === 'stream_exists' && current !== undefined) ||
    (typeof expected === 'bigint' && current === expected);
  if (!holds) throw new WrongExpectedVersionError(streamId, expected, current ?? 'no_stream');
}

/** Validates and serializes up front, so a bad append fails alone instead of inside a batch. */
function toRequest(
  streamId: string,
  events: readonly EventToAppend[],
  expected: ExpectedRevision | undefined,
): AppendRequest {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new TypeError('streamId must be a non-empty string');
  }
  if (
    expected !== 'any' &&
    expected !== 'no_stream' &&
    expected !== 'stream_exists' &&
    typeof expected !== 'bigint'
  ) {
    throw new TypeError(`Invalid expectedRevision: ${String(expected)}`);
  }
  if (!Array.isArray(events)) throw new TypeError('events must be an array');
  const serialized = events.map((event: EventToAppend, i): SerializedEvent => {
    if (typeof event.id !== 'string' || !UUID_PATTERN.test(event.id)) {
      throw new TypeError(`events[${i}].id must be a UUID`);
    }
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new TypeError(`events[${i}].type must be a non-empty string`);
    }
    return {
      // EventStoreDB compares ids as UUID values; lower-casing gives the same idempotency here.
      id: event.id.toLowerCase(),
      type: event.type,
      data: serializeObject(event.data, `events[${i}].data`),
      metadata: serializeObject(event.metadata, `events[${i}].metadata`),
    };
  });
  return { streamId, expected, events: serialized };
}

function serializeObject(value: unknown, label: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${label} must be a JSON object`);
  }
  // Throws on bigint values and cycles, which is what the caller should hear about.
  return JSON.stringify(value);
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    revision: row.revision,
    position: row.position,
    data: parseObject(row, 'data'),
    metadata: parseObject(row, 'metadata'),
    recordedAt: row.recorded_at,
  };
}

/** Only this store writes the column, so a bad value means the file was edited or corrupted. */
function parseObject(row: EventRow, column: 'data' | 'metadata'): JsonObject {
  const where = {
    position: row.position,
    streamId: row.stream_id,
    revision: row.revision,
    id: row.event_id,
    type: row.type,
    recordedAt: row.recorded_at,
  };
  let value: unknown;
  try {
    value = JSON.parse(row[column]);
  } catch (cause) {
    throw new UnreadableEventError(
      where,
      `Event at position ${row.position} has malformed ${column} JSON`,
      { cause },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UnreadableEventError(
      where,
      `Event at position ${row.position} has ${column} that is not a JSON object`,
    );
  }
  return value as JsonObject;
}

function normalizeFilter(filter: LogFilter | undefined): NormalizedFilter {
  return {
    types: [...new Set(filter?.eventTypes ?? [])],
    prefixes: [...new Set(filter?.streamPrefixes ?? [])],
  };
}

/** -1 is SQLite's "no limit". */
function toLimit(maxCount: number | undefined, fallback: number): number {
  if (maxCount === undefined) return fallback;
  if (maxCount === Number.POSITIVE_INFINITY) return -1;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  }
  return maxCount;
}

function clampToInt64(value: bigint): bigint {
  if (value > MAX_INT64) return MAX_INT64;
  if (value < -MAX_INT64) return -MAX_INT64;
  return value;
}
