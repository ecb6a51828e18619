import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEsdbEventStore } from '../../src/stores/eventstoredb/esdb-event-store.js';
import {
  StoreUnavailableError,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
} from '../../src/stores/event-store.js';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server/index.js';

/** Faults need a server this test can stop, so they run against the in-process test server only. */
describe('EventStoreDB adapter through a server outage', () => {
  let server: EsdbTestServer;
  let client: EventStoreDBClient;
  let store: EventStore;
  const drops: bigint[] = [];

  beforeEach(async () => {
    server = await startEsdbTestServer();
    client = EventStoreDBClient.connectionString(server.connectionString);
    store = createEsdbEventStore(client, {
      resubscribeMinMs: 20,
      resubscribeMaxMs: 200,
      onSubscriptionDropped: (_error, resumeAfter) => drops.push(resumeAfter),
    });
  });

  afterEach(async () => {
    await store.close();
    await client.dispose();
    await server.close();
  });

  const event = (n: number): EventToAppend => ({
    id: randomUUID(),
    type: 'Counted',
    data: { n },
    metadata: {},
  });

  async function take(iterator: AsyncIterator<RecordedEvent>, count: number) {
    const taken: RecordedEvent[] = [];
    while (taken.length < count) {
      const step = await iterator.next();
      if (step.done) throw new Error('subscription ended early');
      taken.push(step.value);
    }
    return taken;
  }

  it('resumes a live subscription after the server comes back, with no gap and no duplicate', async () => {
    const streamId = `fault-${randomUUID()}`;
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: [streamId] } });
    const iterator = subscription[Symbol.asyncIterator]();

    for (const n of [1, 2, 3]) {
      await store.append(streamId, [event(n)], { expectedRevision: 'any' });
    }
    const before = await take(iterator, 3);

    await server.stop();
    await expect(
      store.append(streamId, [event(99)], { expectedRevision: 'any' }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    await server.start();

    for (const n of [4, 5, 6]) {
      await store.append(streamId, [event(n)], { expectedRevision: 'any' });
    }
    const after = await take(iterator, 3);
    await subscription.close();

    const delivered = [...before, ...after];
    expect(delivered.map((e) => e.data.n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(delivered.map((e) => e.position)).size).toBe(6);
    expect(drops.length).toBeGreaterThan(0);
    expect(drops[0]).toBe(before.at(-1)!.position);
  });

  it('reports an unreachable server on reads and pings as unavailable, then recovers', async () => {
    await server.stop();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readStream('anything')).rejects.toBeInstanceOf(StoreUnavailableError);
    await server.start();
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
