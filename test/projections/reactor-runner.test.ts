import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createLogFeed, type LogFeed } from '../../src/projections/engine/log-feed.js';
import {
  createReactorRunner,
  storedReactorNames,
  storedReactorReport,
  type ReactorRunner,
} from '../../src/projections/reactor-runner.js';
import type { Reactor } from '../../src/projections/reactor.js';
import type { EventStore, RecordedEvent } from '../../src/stores/event-store.js';
import type { SqliteDatabase } from '../../src/stores/sqlite/database.js';
import { waitUntil } from '../../src/wait-until.js';
import { inMemoryStores } from '../support/in-memory-stores.js';

const silent = createLogger('silent');
const databases: SqliteDatabase[] = [];
const running: { runner: ReactorRunner; feed: LogFeed }[] = [];
afterEach(async () => {
  for (const { runner, feed } of running.splice(0)) {
    await runner.stop();
    await feed.stop();
  }
  for (const db of databases.splice(0)) db.close();
});

const stores = () => inMemoryStores(databases);

type Stores = ReturnType<typeof stores>;

function counter(seen: RecordedEvent[]): Reactor {
  return {
    name: 'counter',
    eventTypes: ['Ticked'],
    emits: [],
    async react(event) {
      seen.push(event);
    },
  };
}

/** One instance's runner of the reactor, on its own feed, started. */
function instance(s: Stores, instanceId: string, reactor: Reactor): ReactorRunner {
  const feed = createLogFeed({
    eventStore: s.eventStore,
    readModels: s.readModels,
    logger: silent,
    pollIntervalMs: 10,
  });
  const runner = createReactorRunner({
    reactor,
    feed,
    readModels: s.readModels,
    leases: s.leases,
    logger: silent,
    instanceId,
    leaseTtlMs: 300,
  });
  feed.start();
  runner.start();
  running.push({ runner, feed });
  return runner;
}

async function tick(eventStore: EventStore) {
  return eventStore.append(
    `clock-${randomUUID()}`,
    [{ id: randomUUID(), type: 'Ticked', data: {}, metadata: {} }],
    { expectedRevision: 'no_stream' },
  );
}

/** The reactor on two instances: `a` runs it (it started first), `b` stands by. */
async function twoInstances() {
  const s = stores();
  const seenA: RecordedEvent[] = [];
  const seenB: RecordedEvent[] = [];
  const a = instance(s, 'instance-a', counter(seenA));
  await waitUntil(async () => a.status().state === 'live', { timeoutMs: 5_000 });
  const b = instance(s, 'instance-b', counter(seenB));
  return { s, a, b, seenA, seenB };
}

describe('reactor runner', () => {
  it('runs on the instance holding the lease; the other reports it as its holder stored it', async () => {
    const { s, a, b, seenA, seenB } = await twoInstances();
    for (let i = 0; i < 5; i += 1) await tick(s.eventStore);
    const head = await s.eventStore.headPosition();
    expect(await waitUntil(() => a.reached(head), { timeoutMs: 5_000 })).toBe(true);
    expect(await b.reached(head)).toBe(true);
    expect(seenA).toHaveLength(5);
    expect(seenB).toHaveLength(0);
    expect(b.status().state).toBe('standby');

    await waitUntil(async () => (await b.report(head)).eventsProcessed === 5, {
      timeoutMs: 5_000,
    });
    expect(await b.report(head)).toMatchObject({
      name: 'counter',
      position: head.toString(),
      lag: 0,
      state: 'live',
      runningOn: 'instance-a',
    });
    expect(await a.report(head + 3n)).toMatchObject({ lag: 3, runningOn: 'instance-a' });
  });

  it('is taken over from its checkpoint when the holder stops, reacting to nothing twice', async () => {
    const { s, a, b, seenA, seenB } = await twoInstances();
    await tick(s.eventStore);
    await waitUntil(async () => seenA.length === 1, { timeoutMs: 5_000 });
    await a.stop();

    await tick(s.eventStore);
    const head = await s.eventStore.headPosition();
    expect(await waitUntil(async () => seenB.length === 1, { timeoutMs: 5_000 })).toBe(true);
    expect(seenB[0]!.position).toBe(head);
    expect(await b.report(head)).toMatchObject({ runningOn: 'instance-b', lag: 0 });
  });

  it('lists the reactors the stores have checkpoints of, for the CLI', async () => {
    const s = stores();
    const a = instance(s, 'instance-a', counter([]));
    await tick(s.eventStore);
    const head = await s.eventStore.headPosition();
    await waitUntil(() => a.reached(head), { timeoutMs: 5_000 });
    expect(await storedReactorNames(s.readModels)).toEqual(['counter']);
    expect(await storedReactorReport(s.readModels, 'never_ran', head)).toMatchObject({
      state: 'standby',
      runningOn: null,
      lag: Number(head),
    });
  });
});
