import type { LogFilter, RecordedEvent } from '../stores/event-store.js';
import type { IndexSpec, JsonObject } from '../stores/read-model-store.js';

/**
 * A projection, declared as data and pure functions: the engine does all the I/O.
 *
 * Each projection owns one collection of documents. An event of one of `eventTypes` touches the
 * documents `documentIds` names; `evolve` gives each its next state, or null to delete it.
 * `evolve` must be deterministic: a rebuild replays the same events into the same documents.
 */
export interface Projection {
  /** Lower case letters, digits and `_`; also the base of its collection's name. */
  readonly name: string;
  /** Bumped whenever `evolve` or the document shape changes: the projection is then rebuilt. */
  readonly version: number;
  /** The event types it handles, or `all`: every type, present and future (the audit trail). */
  readonly eventTypes: readonly string[] | typeof ALL_EVENT_TYPES;
  readonly indexes?: readonly IndexSpec[];
  documentIds(event: RecordedEvent): readonly string[];
  evolve(document: JsonObject | null, event: RecordedEvent, documentId: string): JsonObject | null;
}

export const ALL_EVENT_TYPES = 'all';

/** Whether the projection handles events of `type`. */
export function handlesEventType(
  projection: Pick<Projection, 'eventTypes'>,
): (type: string) => boolean {
  if (projection.eventTypes === ALL_EVENT_TYPES) return () => true;
  const types = new Set(projection.eventTypes);
  return (type) => types.has(type);
}

/** The log filter that reads exactly the events the projection handles. */
export function logFilterFor(projection: Pick<Projection, 'eventTypes'>): LogFilter {
  return projection.eventTypes === ALL_EVENT_TYPES ? {} : { eventTypes: projection.eventTypes };
}

/** The collection a projection's version writes to. */
export function collectionFor(projection: Pick<Projection, 'name' | 'version'>): string {
  return `${projection.name}_v${projection.version}`;
}
