/**
 * `audit_events`: one document per event of the global log, whatever its type, with who did
 * it, when, on whose behalf and within which request. It knows no module: the record an event
 * belongs to comes from its stream name (see `recordOfStream`).
 *
 * Every equality filter of `GET /v1/audit/events` has an index that ends with `position`, so a
 * page filtered by one of them is an index range read in log order in either store, however
 * long the log. A time window is read through `(recordedAt, position)` and sorted by position,
 * so its cost grows with the window (see docs/architecture.md).
 */
import { recordOfStream } from '../../domain/audit/record-ref.js';
import type { RecordedEvent } from '../../stores/event-store.js';
import { encodePosition, type IndexSpec, type JsonObject } from '../../stores/read-model-store.js';
import { ALL_EVENT_TYPES, defineProjection } from '../projection.js';

export interface AuditEventDocument {
  /** The global position, zero-padded to 20 digits so that text order is log order. */
  readonly position: string;
  readonly stream: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string | null;
  /** When the service recorded it: the time sealed in the event's hash. */
  readonly recordedAt: string;
  readonly actor: string | null;
  readonly onBehalfOf: string | null;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly requestId: string | null;
  readonly data: JsonObject;
}

/** The fields `GET /v1/audit/events` filters on by equality. */
export const AUDIT_FILTER_FIELDS = [
  'stream',
  'entityType',
  'entityId',
  'actor',
  'type',
  'correlationId',
] as const;

const byPosition = { field: 'position', direction: 'asc' } as const;

const indexes: IndexSpec[] = [
  ...AUDIT_FILTER_FIELDS.map((field) => ({
    name: `by_${field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`,
    fields: [{ field, direction: 'asc' as const }, byPosition],
  })),
  { name: 'by_position', fields: [byPosition] },
  { name: 'by_recorded_at', fields: [{ field: 'recordedAt', direction: 'asc' }, byPosition] },
];

export const auditEventsProjection = defineProjection({
  name: 'audit_events',
  version: 1,
  eventTypes: ALL_EVENT_TYPES,
  indexes,
  // It knows no module, so no event schemas: an event's data is shown as it was stored.
  decode: (stored) => stored,
  documentIds: (event) => [encodePosition(event.position)],
  evolve: (_document: AuditEventDocument | null, event) => auditDocument(event),
});

export function auditDocument(event: RecordedEvent): AuditEventDocument {
  return {
    position: encodePosition(event.position),
    stream: event.streamId,
    ...recordOfStream(event.streamId),
    revision: Number(event.revision),
    eventId: event.id,
    type: event.type,
    ...attribution(event),
    data: event.data,
  };
}

/** Who wrote an event, when and within which request, from its metadata (null when absent). */
export function attribution(event: RecordedEvent) {
  const text = (key: string): string | null => {
    const value = event.metadata[key];
    return typeof value === 'string' ? value : null;
  };
  return {
    occurredAt: text('occurredAt'),
    // The time sealed in the event's hash, so that what the audit trail shows is tamper-evident;
    // the store's own commit time is only the fallback for an event without one.
    recordedAt: text('recordedAt') ?? event.recordedAt,
    actor: text('actor'),
    onBehalfOf: text('onBehalfOf'),
    correlationId: text('correlationId'),
    causationId: text('causationId'),
    requestId: text('requestId'),
  };
}
