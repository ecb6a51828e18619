/**
 * How the SQLite event store checks appends and turns its rows into events and back: pure
 * functions over the table's columns, apart from the store's transactions and queues.
 */
import {
  UnreadableEventError,
  WrongExpectedVersionError,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type LogFilter,
  type RecordedEvent,
} from '../event-store.js';

/** SQLite INTEGER is a signed 64-bit value; larger bigints cannot be bound. */
export const MAX_INT64 = 2n ** 63n - 1n;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EventRow {
  position: bigint;
  stream_id: string;
  revision: bigint;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

/** An append whose input has been validated and serialized before it is queued. */
export interface AppendRequest {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly SerializedEvent[];
}

export interface SerializedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

export interface NormalizedFilter {
  readonly types: readonly string[];
  readonly prefixes: readonly string[];
}

export function checkExpectation(
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
export function toRequest(
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

export function serializeObject(value: unknown, label: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${label} must be a JSON object`);
  }
  // Throws on bigint values and cycles, which is what the caller should hear about.
  return JSON.stringify(value);
}

export function toRecorded(row: EventRow): RecordedEvent {
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
export function parseObject(row: EventRow, column: 'data' | 'metadata'): JsonObject {
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

export function normalizeFilter(filter: LogFilter | undefined): NormalizedFilter {
  return {
    types: [...new Set(filter?.eventTypes ?? [])],
    prefixes: [...new Set(filter?.streamPrefixes ?? [])],
  };
}

/** -1 is SQLite's "no limit". */
export function toLimit(maxCount: number | undefined, fallback: number): number {
  if (maxCount === undefined) return fallback;
  if (maxCount === Number.POSITIVE_INFINITY) return -1;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
    throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  }
  return maxCount;
}

export function clampToInt64(value: bigint): bigint {
  if (value > MAX_INT64) return MAX_INT64;
  if (value < -MAX_INT64) return -MAX_INT64;
  return value;
}
