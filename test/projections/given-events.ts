import { expect } from 'vitest';
import { handlesEventType, type Projection } from '../../src/projections/projection.js';
import type { JsonObject, RecordedEvent } from '../../src/stores/event-store.js';

/**
 * Folds events into a projection's documents the way the engine does, without any store: events
 * it does not handle (`handlesEventType`, so every type for `eventTypes: 'all'`) are skipped;
 * each event evolves every document its `documentIds` names (once per distinct id, in order); a
 * null result deletes the document. Throws whatever `evolve` throws.
 */
export function givenEvents(
  projection: Projection,
  events: readonly RecordedEvent[],
): Map<string, JsonObject> {
  const handles = handlesEventType(projection);
  const documents = new Map<string, JsonObject>();
  for (const event of events) {
    if (!handles(event.type)) continue;
    for (const id of new Set(projection.documentIds(event))) {
      const next = projection.evolve(documents.get(id) ?? null, event, id);
      if (next === null) documents.delete(id);
      else documents.set(id, next);
    }
  }
  return documents;
}

/** What `then` returns: more documents of the same fold to check. Deliberately not a thenable. */
export interface And {
  and(id: string, expected: JsonObject): And;
  andAbsent(id: string): And;
}

/**
 * given(projection, events).then(id, document).and(id, document) / .thenAbsent(id) /
 * .thenDocuments(all) / .thenIds(ids) / .thenThrows(message). The fold runs lazily, once, so a
 * fold that throws can be asserted too. The result has a `then` method: never `await` it, and
 * write specs with block bodies so they do not return it.
 */
export function given(projection: Projection, events: readonly RecordedEvent[]) {
  let folded: Map<string, JsonObject> | undefined;
  const documents = () => (folded ??= givenEvents(projection, events));
  const and: And = {
    and(id, expected) {
      expect(documents().get(id), `document ${id}`).toEqual(expected);
      return and;
    },
    andAbsent(id) {
      expect(documents().has(id), `document ${id} should not exist`).toBe(false);
      return and;
    },
  };
  return {
    /** The folded documents, by id. */
    get documents(): Map<string, JsonObject> {
      return documents();
    },
    then: (id: string, expected: JsonObject): And => and.and(id, expected),
    thenAbsent: (id: string): And => and.andAbsent(id),
    /** Exactly these documents and no others. */
    thenDocuments(expected: Record<string, JsonObject>): void {
      expect(Object.fromEntries(documents())).toEqual(expected);
    },
    /** Exactly these document ids, in any order. */
    thenIds(expected: readonly string[]): void {
      expect([...documents().keys()].sort()).toEqual([...expected].sort());
    },
    thenThrows(message: string | RegExp): void {
      expect(() => givenEvents(projection, events)).toThrow(message);
    },
  };
}
