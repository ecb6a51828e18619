/**
 * How the EventStoreDB adapter maps between the port and the client: filters, expectations,
 * recorded events and errors. Pure functions, apart from the adapter's reads and subscriptions.
 */
import {
  eventTypeFilter,
  isCommandError,
  streamNameFilter,
  type Filter,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  StoreUnavailableError,
  WrongExpectedVersionError,
  type ExpectedRevision,
  type JsonObject,
  type LogFilter,
  type RecordedEvent,
} from '../event-store.js';

export type EsdbRecorded = NonNullable<ResolvedEvent['event']>;

/**
 * EventStoreDB filters on one thing at a time: event types go to the server as an exact-match
 * regex, stream prefixes as prefixes; when both are given, the prefixes are also checked here.
 */
export function serverFilter(
  filter: LogFilter,
  extra: Partial<Pick<Filter, 'checkpointReached'>> = {},
): Filter {
  const base = { checkpointInterval: 1, maxSearchWindow: 500, ...extra };
  if (filter.eventTypes?.length) {
    const alternatives = filter.eventTypes.map(escapeRegex).join('|');
    return eventTypeFilter({ ...base, regex: `^(?:${alternatives})$` });
  }
  return streamNameFilter({ ...base, prefixes: [...(filter.streamPrefixes ?? [])] });
}

export function matches(event: RecordedEvent, filter: LogFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.eventTypes?.length && !filter.eventTypes.includes(event.type)) return false;
  if (
    filter.streamPrefixes?.length &&
    !filter.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))
  ) {
    return false;
  }
  return true;
}

export function isServiceEvent(event: RecordedEvent): boolean {
  return !event.type.startsWith('$') && !event.streamId.startsWith('$');
}

export function assertExpectation(
  streamId: string,
  expected: ExpectedRevision,
  last: bigint | undefined,
): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && last === undefined) ||
    (expected === 'stream_exists' && last !== undefined) ||
    (typeof expected === 'bigint' && last === expected);
  if (!ok) throw new WrongExpectedVersionError(streamId, expected, last ?? 'no_stream');
}

export function positionOf(event: EsdbRecorded, commitPosition?: bigint): bigint {
  const position = event.position?.commit ?? commitPosition;
  if (position === undefined)
    throw new Error(`Event ${event.id} of ${event.streamId} has no position`);
  return position;
}

export function toRecorded(event: EsdbRecorded, commitPosition?: bigint): RecordedEvent {
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: event.revision,
    position: positionOf(event, commitPosition),
    data: asJsonObject(event.data),
    metadata: asJsonObject(event.metadata),
    recordedAt: event.created.toISOString(),
  };
}

function asJsonObject(value: unknown): JsonObject {
  if (
    value &&
    typeof value === 'object' &&
    !(value instanceof Uint8Array) &&
    !Array.isArray(value)
  ) {
    return value as JsonObject;
  }
  return {};
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Connection-level failures become StoreUnavailableError (HTTP 503, retry later). */
export function translate(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || error instanceof WrongExpectedVersionError)
    return error;
  if (error instanceof Error && isCommandError(error)) {
    const type = (error as { type?: string }).type;
    if (
      type === 'unavailable' ||
      type === 'deadline-exceeded' ||
      type === 'timeout' ||
      type === 'cancelled' ||
      type === 'not-leader'
    ) {
      return new StoreUnavailableError(`EventStoreDB unavailable: ${error.message}`, {
        cause: error,
      });
    }
  }
  // Calls that never reached a server come back as plain gRPC errors, not the client's own.
  if (isGrpcError(error) && UNAVAILABLE_GRPC_CODES.has(error.code)) {
    return new StoreUnavailableError(`EventStoreDB unavailable: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}

/** gRPC status codes for CANCELLED, DEADLINE_EXCEEDED, ABORTED and UNAVAILABLE. */
const UNAVAILABLE_GRPC_CODES = new Set([1, 4, 10, 14]);

function isGrpcError(error: unknown): error is Error & { code: number } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'number';
}
