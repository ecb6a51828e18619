/**
 * What one batch of events does to one projection's documents: the part of a projection run
 * that needs no loop, no checkpoint and no store of its own, so the log feed can compute it for
 * every projection it serves and commit all of them at once.
 */
import type { RecordedEvent } from '../../stores/event-store.js';
import type {
  DocumentWrite,
  JsonObject,
  StoredDocumentState,
} from '../../stores/read-model-store.js';
import type { Projection } from '../projection.js';

/** A projection's `evolve` or a reactor's `react` threw on this event: status names the event. */
export class EventHandlingError extends Error {
  override readonly name = 'EventHandlingError';
  constructor(
    readonly event: RecordedEvent,
    step: 'evolve' | 'reaction',
    options: { cause: unknown },
  ) {
    super(
      `${step} failed on ${event.type} ${event.id} at position ${event.position}: ${messageOf(options.cause)}`,
      options,
    );
  }
}

/** Every document id the events touch, once each, in first-touched order. */
export function documentIdsOf(projection: Projection, events: readonly RecordedEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) for (const id of projection.documentIds(event)) ids.add(id);
  return [...ids];
}

/**
 * Applies `events` (in log order, all of types the projection handles) to the `stored`
 * documents and returns the writes, one per changed document at the position of the last event
 * applied to it. An event at or before a stored document's position is already in it (a batch
 * replayed after a crash) and is skipped for that document.
 */
export function projectEvents(
  projection: Projection,
  events: readonly RecordedEvent[],
  stored: ReadonlyMap<string, StoredDocumentState>,
): DocumentWrite[] {
  const current = new Map<string, { position: bigint; body: JsonObject | null }>(stored);
  const changed = new Set<string>();
  for (const event of events) {
    for (const id of new Set(projection.documentIds(event))) {
      const document = current.get(id);
      if (document && event.position <= document.position) continue;
      let body: JsonObject | null;
      try {
        body = projection.evolve(document?.body ?? null, event, id);
      } catch (error) {
        throw new EventHandlingError(event, 'evolve', { cause: error });
      }
      current.set(id, { position: event.position, body });
      changed.add(id);
    }
  }
  return [...changed].map((id) => {
    const { position, body } = current.get(id)!;
    return { id, position, body };
  });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
