import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CommandContext } from '../../src/commands/command-context.js';
import {
  createCommandHandler,
  type CommandHandler,
  type CommandSpec,
} from '../../src/commands/command-handler.js';
import { uuidGenerator } from '../../src/commands/ids.js';
import { createKeyedLock } from '../../src/commands/keyed-lock.js';
import { createStateCache, type StateCache } from '../../src/commands/state-cache.js';
import type { Decider } from '../../src/domain/shared/decider.js';
import {
  StoreUnavailableError,
  type EventStore,
  type ReadStreamOptions,
} from '../../src/stores/event-store.js';
import { openSqliteDatabase } from '../../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../../src/stores/sqlite/sqlite-event-store.js';

type Added = { type: 'Added'; data: { item: string } };
type Add = { type: 'Add'; item: string };
const schemas = { Added: z.strictObject({ item: z.string() }) };

/** Counts every evolve, so a test can tell a fold of the tail from a fold of the whole stream. */
function listDecider(counts: { evolves: number }): Decider<readonly string[], Add, Added> {
  return {
    initialState: [],
    evolve: (items, event) => {
      counts.evolves += 1;
      return [...items.slice(-2), event.data.item];
    },
    decide: (command) => [{ type: 'Added', data: { item: command.item } }],
  };
}

const context: CommandContext = {
  actor: 'tester',
  correlationId: 'corr-1',
  causationId: 'req-1',
  requestId: 'req-1',
};

interface Reads {
  /** Events every `readStream` returned, per call. */
  calls: { streamId: string; options: ReadStreamOptions | undefined; events: number }[];
  /** Set to make the next append fail before it reaches the store. */
  failNextAppend?: Error;
  /** Runs once, right before the next append (another instance writing first). */
  beforeNextAppend?: () => Promise<void>;
}

/** The store, with every stream read counted and appends that can be made to fail. */
function watched(store: EventStore, reads: Reads): EventStore {
  return {
    ...store,
    async readStream(streamId, options) {
      const events = await store.readStream(streamId, options);
      reads.calls.push({ streamId, options, events: events.length });
      return events;
    },
    async append(streamId, events, options) {
      const before = reads.beforeNextAppend;
      reads.beforeNextAppend = undefined;
      await before?.();
      const failure = reads.failNextAppend;
      reads.failNextAppend = undefined;
      if (failure) throw failure;
      return store.append(streamId, events, options);
    },
  };
}

describe('the command state cache', () => {
  let db: Database;
  let store: EventStore;
  let reads: Reads;
  let counts: { evolves: number };
  let decider: Decider<readonly string[], Add, Added>;

  beforeEach(() => {
    // In memory: the 2000-command test below would otherwise wait on 2000 fsyncs.
    db = openSqliteDatabase(':memory:');
    store = createSqliteEventStore(db);
    reads = { calls: [] };
    counts = { evolves: 0 };
    decider = listDecider(counts);
  });

  afterEach(async () => {
    await store.close();
    db.close();
  });

  /** What another writer (another instance) appends, straight to the store. */
  const writeElsewhere = async (streamId: string, ...items: string[]) => {
    const [last] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    await store.append(
      streamId,
      items.map((item) => ({
        id: uuidGenerator.random(),
        type: 'Added',
        data: { item },
        metadata: {},
      })),
      { expectedRevision: last ? last.revision : 'no_stream' },
    );
  };

  const handlerWith = (cache: StateCache): CommandHandler =>
    createCommandHandler({
      eventStore: watched(store, reads),
      clock: () => new Date('2026-11-02T10:00:00.000Z'),
      ids: uuidGenerator,
      locks: createKeyedLock(),
      maxAttempts: 5,
      stateCache: cache,
    });

  const add = (streamId: string, item: string): CommandSpec<readonly string[], Add, Added> => ({
    streamId,
    decider,
    schemas,
    command: { type: 'Add', item },
  });

  const wholeReads = () =>
    reads.calls.filter(
      (call) => call.options?.fromRevision === undefined && !call.options?.direction,
    ).length;

  it('keeps at most maxStreams streams, dropping the least recently used', async () => {
    const cache = createStateCache({ eventStore: watched(store, reads), maxStreams: 2 });
    for (const id of ['s-a', 's-b', 's-c']) await writeElsewhere(id, id);
    await cache.load('s-a', decider, schemas);
    await cache.load('s-b', decider, schemas);
    await cache.load('s-a', decider, schemas); // s-a is now the most recently used
    await cache.load('s-c', decider, schemas); // so s-b goes
    expect(cache.size).toBe(2);

    reads.calls = [];
    await cache.load('s-a', decider, schemas);
    await cache.load('s-c', decider, schemas);
    expect(wholeReads()).toBe(0);
    await cache.load('s-b', decider, schemas);
    expect(wholeReads()).toBe(1);
  });

  it('keeps nothing with maxStreams 0', async () => {
    const cache = createStateCache({ eventStore: store, maxStreams: 0 });
    await writeElsewhere('s-a', 'x');
    expect((await cache.load('s-a', decider, schemas)).state).toEqual(['x']);
    expect(cache.size).toBe(0);
  });

  it('picks up another writer’s events with a read of the tail only', async () => {
    const cache = createStateCache({ eventStore: watched(store, reads) });
    await writeElsewhere('s-a', 'one', 'two');
    const first = await cache.load('s-a', decider, schemas);
    await writeElsewhere('s-a', 'three');

    reads.calls = [];
    counts.evolves = 0;
    const next = await cache.load('s-a', decider, schemas);
    expect(next.revision).toBe(2n);
    expect(next.state).toEqual(['one', 'two', 'three']);
    expect(next.last?.data).toEqual({ item: 'three' });
    expect(reads.calls).toEqual([{ streamId: 's-a', options: { fromRevision: 2n }, events: 1 }]);
    expect(counts.evolves).toBe(1);
    // The state it was folded on is as it was.
    expect(first.state).toEqual(['one', 'two']);
  });

  it('runs the second command on a stream reading only the events after the first', async () => {
    const handle = handlerWith(createStateCache({ eventStore: watched(store, reads) }));
    await handle(context, add('s-a', 'one'));

    reads.calls = [];
    const second = await handle(context, add('s-a', 'two'));
    expect(second.state).toEqual(['one', 'two']);
    // The tail (nothing new) and the read-back of its own event: never the whole stream.
    expect(reads.calls).toEqual([
      { streamId: 's-a', options: { fromRevision: 1n }, events: 0 },
      { streamId: 's-a', options: { fromRevision: 1n, maxCount: 1 }, events: 1 },
    ]);
  });

  it('costs the 2000th command on a stream what the 2nd costs', async () => {
    const handle = handlerWith(createStateCache({ eventStore: watched(store, reads) }));
    const work = async (item: string) => {
      reads.calls = [];
      counts.evolves = 0;
      await handle(context, add('s-long', item));
      return {
        evolves: counts.evolves,
        eventsRead: reads.calls.reduce((sum, call) => sum + call.events, 0),
      };
    };
    await work('item-1');
    const second = await work('item-2');
    for (let n = 3; n < 2000; n += 1) await work(`item-${n}`);
    const last = await work('item-2000');
    expect(last).toEqual(second);
    expect(last).toEqual({ evolves: 1, eventsRead: 1 });
  });

  it('brings the state up to the events of a writer that won the race, and retries', async () => {
    const handle = handlerWith(createStateCache({ eventStore: watched(store, reads) }));
    await handle(context, add('s-a', 'one'));
    reads.beforeNextAppend = () => writeElsewhere('s-a', 'theirs');

    reads.calls = [];
    const result = await handle(context, add('s-a', 'mine'));
    expect(result.revision).toBe(2n);
    expect(result.state).toEqual(['one', 'theirs', 'mine']);
    expect(wholeReads()).toBe(0);
    expect(reads.calls.map((call) => call.events)).toEqual([0, 1, 1]);
  });

  it('stays at the stored revision when an append fails', async () => {
    const cache = createStateCache({ eventStore: watched(store, reads) });
    const handle = handlerWith(cache);
    await handle(context, add('s-a', 'one'));
    reads.failNextAppend = new StoreUnavailableError('down');
    await expect(handle(context, add('s-a', 'lost'))).rejects.toThrow(StoreUnavailableError);

    const after = await cache.load('s-a', decider, schemas);
    expect(after.revision).toBe(0n);
    expect(after.state).toEqual(['one']);
    const next = await handle(context, add('s-a', 'two'));
    expect(next.state).toEqual(['one', 'two']);
  });

  it('finds the events an earlier attempt with the same key stored, without a whole read', async () => {
    const handle = handlerWith(createStateCache({ eventStore: watched(store, reads) }));
    const keyed = { ...context, idempotencyKey: 'key-1' };
    await handle(context, add('s-a', 'one'));
    const first = await handle(keyed, add('s-a', 'two'));

    reads.calls = [];
    const again = await handle(keyed, add('s-a', 'two'));
    expect(again.replayed).toBe(true);
    expect(again.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id));
    expect(again.state).toEqual(['one', 'two']);
    expect(wholeReads()).toBe(0);

    // Further back in the stream, the state is the one right after the events found.
    await handle(context, add('s-a', 'three'));
    const later = await handle(keyed, add('s-a', 'two'));
    expect(later.replayed).toBe(true);
    expect(later.revision).toBe(1n);
    expect(later.state).toEqual(['one', 'two']);
    expect(await store.readStream('s-a')).toHaveLength(3);
  });

  it('never lets a later fold change a state it handed out', async () => {
    const cache = createStateCache({ eventStore: store });
    await writeElsewhere('s-a', 'one');
    const before = await cache.load('s-a', decider, schemas);
    const snapshot = structuredClone(before.state);
    await writeElsewhere('s-a', 'two');
    await cache.load('s-a', decider, schemas);
    expect(before.state).toEqual(snapshot);
  });
});
