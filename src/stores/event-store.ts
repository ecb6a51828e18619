/**
 * The event store port. Every adapter (SQLite now, EventStoreDB later) implements exactly this
 * and passes the one contract suite in test/stores/event-store.contract.ts.
 *
 * Revisions and positions are bigint: EventStoreDB uses 64-bit unsigned values and a JS number
 * would silently lose precision past 2^53.
 */

/** What the writer believes about the stream's current state. */
export type ExpectedRevision =
  | 'any'
  | 'no_stream'
  | 'stream_exists'
  /** The revision of the stream's last event (0n after the first event). */
  | bigint;

export type JsonObject = { [key: string]: unknown };

/**
 * The largest global position any store can give: SQLite's rowid is a signed 64-bit integer,
 * and EventStoreDB's commit positions (byte offsets in its log) stay below it as well.
 */
export const MAX_POSITION = 2n ** 63n - 1n;

export interface EventToAppend {
  /** A UUID. Appending an id already stored in the stream is a no-op (see `append`). */
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  /** 0-based, gap-free position of the event inside its stream. */
  readonly revision: bigint;
  /** Position in the global log: strictly increasing in commit order, never reused. */
  readonly position: bigint;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  /** When the store committed the event (ISO 8601 UTC). */
  readonly recordedAt: string;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last appended event. */
  readonly position: bigint;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  readonly direction?: Direction;
  /** Inclusive. Default: the first event forwards, the last event backwards. */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

export interface LogFilter {
  /** Keep only events of these types. */
  readonly eventTypes?: readonly string[];
  /** Keep only events whose stream id starts with one of these prefixes. */
  readonly streamPrefixes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: return events with a position strictly greater than this. Default: the start. */
  readonly after?: bigint;
  readonly maxCount?: number;
  readonly filter?: LogFilter;
}

export interface SubscribeOptions {
  /** Exclusive, like `ReadAllOptions.after`: pass the last position you processed. */
  readonly after?: bigint;
  readonly filter?: LogFilter;
}

/**
 * Catch-up then live, in global order, with no gaps and no duplicates. Consumed by pulling
 * (`for await`), so a slow consumer applies back-pressure instead of growing a buffer.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  /** Ends the iteration; a pending `next()` resolves as done. */
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends atomically: all events or none.
   *
   * Idempotency, as in EventStoreDB: when the batch's first event id is already stored in the
   * stream and the whole batch matches the stored events that follow it (same ids, same order),
   * nothing is written and the original result is returned, whatever `expectedRevision` says.
   *
   * @throws WrongExpectedVersionError when `expectedRevision` does not hold.
   */
  append(
    streamId: string,
    events: readonly EventToAppend[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;

  /** Events of one stream; an absent stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** Events of the global log in position order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  subscribeToAll(options?: SubscribeOptions): Subscription;

  /** Position of the last event in the global log (0n when empty). */
  headPosition(): Promise<bigint>;

  /** Cheap reachability check for readiness probes. */
  ping(): Promise<void>;

  close(): Promise<void>;
}

/** What a stream's actual state was when an expectation failed. */
export type ActualRevision = 'no_stream' | bigint;

export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';

  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: ActualRevision,
  ) {
    super(
      `Wrong expected version on stream "${streamId}": expected ${String(expected)}, actual ${String(actual)}`,
    );
  }
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof WrongExpectedVersionError;
}

/**
 * A stored event that cannot be read back (its JSON no longer parses): the store was edited or
 * corrupted underneath. Carries where it is, so a verification can report it and read on.
 */
export class UnreadableEventError extends Error {
  override readonly name = 'UnreadableEventError';

  constructor(
    readonly event: {
      readonly position: bigint;
      readonly streamId: string;
      readonly revision: bigint;
      readonly id: string;
      readonly type: string;
      readonly recordedAt: string;
    },
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A store that cannot be reached: callers may retry later; HTTP maps it to 503. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
