import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { eventDecoder } from '../../src/domain/shared/event-schemas.js';
import { defineProjection } from '../../src/projections/projection.js';
import type { RecordedEvent } from '../../src/stores/event-store.js';

const schemas = {
  CounterOpened: z.object({ counterId: z.string() }),
  CounterAdded: z.object({ counterId: z.string(), by: z.number().int() }),
  CounterRenamed: z.object({ counterId: z.string(), name: z.string() }),
};

interface CounterDocument {
  readonly counterId: string;
  readonly total: number;
  /** The position of the event that last changed it: what evolve reads off the envelope. */
  readonly at: string;
}

let position = 0n;
function stored(type: string, data: Record<string, unknown>): RecordedEvent {
  position += 1n;
  return {
    id: `event-${position}`,
    type,
    streamId: `counter-${String(data.counterId)}`,
    revision: position - 1n,
    position,
    data,
    metadata: { actor: 'user:alice' },
    recordedAt: '2026-01-01T00:00:00.000Z',
  };
}

function counters(decode = eventDecoder(schemas)) {
  return defineProjection({
    name: 'counters',
    version: 1,
    eventTypes: ['CounterOpened', 'CounterAdded'],
    decode,
    documentIds: (event) => [event.data.counterId],
    evolve(counter: CounterDocument | null, event) {
      const at = event.position.toString();
      if (event.type === 'CounterOpened') return { counterId: event.data.counterId, total: 0, at };
      if (!counter) throw new Error('never opened');
      return { ...counter, total: counter.total + event.data.by, at };
    },
  });
}

describe('defineProjection', () => {
  it('hands evolve the decoded event with its envelope, and the engine a JSON document', () => {
    const projection = counters();
    const opened = stored('CounterOpened', { counterId: 'c1' });
    const added = stored('CounterAdded', { counterId: 'c1', by: 2 });
    const first = projection.evolve(null, opened, 'c1');
    expect(projection.evolve(first, added, 'c1')).toEqual({
      counterId: 'c1',
      total: 2,
      at: added.position.toString(),
    });
  });

  it('decodes a stored event once, however many calls it is handed to', () => {
    let decodes = 0;
    const decode = eventDecoder(schemas);
    const projection = counters((event) => {
      decodes += 1;
      return decode(event);
    });
    const opened = stored('CounterOpened', { counterId: 'c1' });
    projection.documentIds(opened);
    projection.evolve(null, opened, 'c1');
    projection.evolve(null, opened, 'c1');
    expect(decodes).toBe(1);
  });

  it('lets an event of a type it does not declare touch no document', () => {
    const projection = counters();
    const renamed = stored('CounterRenamed', { counterId: 'c1', name: 'x' });
    expect(projection.documentIds(renamed)).toEqual([]);
    expect(() => projection.evolve(null, renamed, 'c1')).toThrow(
      'Projection counters does not handle CounterRenamed events',
    );
  });

  it('refuses a stored event that does not fit its schema', () => {
    const projection = counters();
    expect(() => projection.documentIds(stored('CounterAdded', { counterId: 'c1' }))).toThrow();
  });

  it('gives queries the document type evolve declares', () => {
    const projection = counters();
    expectTypeOf(projection.document({})).toEqualTypeOf<CounterDocument>();
    expectTypeOf(projection.evolveDocument).returns.toEqualTypeOf<CounterDocument | null>();
  });

  it('accepts only the types of its events and documents JSON can hold', () => {
    const base = {
      name: 'refused',
      version: 1,
      decode: eventDecoder(schemas),
      documentIds: () => [],
    } as const;
    defineProjection({
      ...base,
      // @ts-expect-error: not an event type of the module
      eventTypes: ['CounterOpend'],
      evolve: (document: CounterDocument | null) => document,
    });
    defineProjection({
      ...base,
      eventTypes: ['CounterOpened'],
      // @ts-expect-error: a bigint does not survive JSON
      evolve: (document: { readonly total: bigint } | null) => document,
    });
  });
});
