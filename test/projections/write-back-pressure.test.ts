import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createLogFeed } from '../../src/projections/engine/log-feed.js';
import type { Projection } from '../../src/projections/projection.js';
import type { EventStore } from '../../src/stores/event-store.js';
import type { SqliteDatabase } from '../../src/stores/sqlite/database.js';
import { inMemoryStores } from '../support/in-memory-stores.js';

/** How many events each account has seen. */
const tally: Projection = {
  name: 'tally',
  version: 1,
  eventTypes: ['Counted'],
  documentIds: (event) => [String(event.data.account)],
  evolve: (document) => ({ n: Number(document?.n ?? 0) + 1 }),
};

const failing: Projection = {
  ...tally,
  name: 'failing',
  evolve: () => {
    throw new Error('failing on purpose');
  },
};

const databases: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

/** A feed on a clock the test moves, over a log that is empty until the test writes. */
function setUp() {
  const { eventStore, readModels } = inMemoryStores(databases);
  let now = Date.parse('2026-12-01T09:00:00Z');
  const feed = createLogFeed({
    eventStore,
    readModels,
    logger: createLogger('silent'),
    clock: () => new Date(now),
    sleep: async () => {},
    batchSize: 10,
  });
  return {
    eventStore,
    feed,
    later(ms: number) {
      now += ms;
    },
  };
}

async function count(eventStore: EventStore, account = 'A') {
  return eventStore.append(
    `account-${account}`,
    [{ id: randomUUID(), type: 'Counted', data: { account }, metadata: {} }],
    { expectedRevision: 'any' },
  );
}

function settled<T>(promise: Promise<T>) {
  let done = false;
  void promise.then(() => (done = true));
  return () => done;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('write back-pressure of the log feed', () => {
  it('holds a write while a caught-up projection is behind by more than the bound, until it has caught up', async () => {
    const { eventStore, feed, later } = setUp();
    feed.addProjection(tally);
    await feed.catchUp();

    const written = await count(eventStore);
    feed.wake(written.position);
    later(300);
    expect(feed.stalenessMs()).toBe(300);
    // Within the bound: no wait.
    expect(await feed.admit(500, 60_000)).toMatchObject({ timedOut: false });

    later(1_200);
    const admission = feed.admit(500, 60_000);
    const admitted = settled(admission);
    await tick();
    expect(admitted()).toBe(false);

    await feed.catchUp();
    expect(await admission).toMatchObject({ timedOut: false });
    expect(feed.stalenessMs()).toBe(0);
  });

  it("learns of other writers' events from the head it reads, without a wake-up", async () => {
    const { eventStore, readModels } = inMemoryStores(databases);
    let now = Date.parse('2026-12-01T09:00:00Z');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    let caught!: () => void;
    const stuck = new Promise<void>((resolve) => (caught = resolve));
    // Its commits wait, once holding: the projection is stuck on the first batch it reads.
    const held = new Proxy(readModels, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'writeBatches') return value;
        return async (...args: Parameters<typeof target.writeBatches>) => {
          if (holding) {
            caught();
            await gate;
          }
          return target.writeBatches(...args);
        };
      },
    });
    const feed = createLogFeed({
      eventStore,
      readModels: held,
      logger: createLogger('silent'),
      clock: () => new Date(now),
      pollIntervalMs: 5,
    });
    feed.addProjection(tally);
    await feed.catchUp();
    holding = true;
    feed.start();
    try {
      // Another instance's write: this feed is not woken, it finds the event by polling.
      await count(eventStore);
      await stuck;
      now += 5_000;
      expect(feed.stalenessMs()).toBe(5_000);
    } finally {
      release();
      await feed.stop();
    }
    expect(feed.stalenessMs()).toBe(0);
  });

  it('lets writes go ahead while a projection catches up from zero (a rebuild)', async () => {
    const { eventStore, feed, later } = setUp();
    for (let i = 0; i < 25; i += 1) await count(eventStore, `A${i % 3}`);
    const live = feed.addProjection(tally);
    await feed.catchUp();
    expect(live.status().state).toBe('live');

    const rebuild = feed.addProjection(tally, { collection: 'tally_rebuild' });
    feed.wake(await eventStore.headPosition());
    later(10_000);
    expect(rebuild.status().position).toBe(0n);
    expect(feed.stalenessMs()).toBe(0);
    expect(await feed.admit(500, 60_000)).toMatchObject({ timedOut: false });
  });

  it('lets writes go ahead past a projection that has failed', async () => {
    const { eventStore, feed, later } = setUp();
    feed.addProjection(failing);
    await feed.catchUp();
    const written = await count(eventStore);
    feed.wake(written.position);
    later(10_000);
    await expect(feed.catchUp()).rejects.toThrow(/failing on purpose/);
    expect(feed.stalenessMs()).toBe(0);
  });

  it('gives up waiting after the longest wait, and says so', async () => {
    const { eventStore, feed, later } = setUp();
    feed.addProjection(tally);
    await feed.catchUp();
    const written = await count(eventStore);
    feed.wake(written.position);
    later(2_000);
    const admission = await feed.admit(500, 30);
    expect(admission.timedOut).toBe(true);
    expect(admission.waitedMs).toBeGreaterThanOrEqual(25);
  });
});
