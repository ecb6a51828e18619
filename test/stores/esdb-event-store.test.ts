import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { createEsdbEventStore } from '../../src/stores/eventstoredb/esdb-event-store.js';
import {
  startEsdbTestServer,
  type EsdbTestServerOptions,
} from '../support/esdb-test-server/index.js';
import { describeEventStoreContract } from './event-store.contract.js';

/**
 * The same contract the SQLite store passes, against EventStoreDB: a real server when
 * EVENTSTORE_URL is set (npm run test:integration), else the in-process test server that
 * speaks its gRPC protocol, in the shapes of server the adapter must cope with.
 */
const realServer = process.env.EVENTSTORE_URL;

const testServers: Record<string, EsdbTestServerOptions> = {
  'EventStoreDB 24.10 (in-process test server)': {},
  // Before 21.10 there was no BatchAppend; an idempotent retry may come back without a position.
  'EventStoreDB before 21.10 (in-process test server)': {
    serverVersion: '20.10.5',
    features: { batchAppend: false },
    idempotentRetryPosition: false,
  },
  // A log that has grown past 2^53 bytes: positions must stay exact as bigints.
  'EventStoreDB with positions past 2^53 (in-process test server)': {
    firstPosition: 2n ** 60n + 7n,
  },
};

if (realServer) {
  describeEventStoreContract(`EventStoreDB at ${realServer}`, async () => {
    const client = EventStoreDBClient.connectionString(realServer);
    const store = createEsdbEventStore(client);
    return {
      store,
      dispose: async () => {
        await store.close();
        await client.dispose();
      },
    };
  });
} else {
  for (const [name, serverOptions] of Object.entries(testServers)) {
    describeEventStoreContract(name, async () => {
      const server = await startEsdbTestServer(serverOptions);
      const client = EventStoreDBClient.connectionString(server.connectionString);
      // A filtered read must end on the server's caught-up marker or checkpoint, never by the
      // idle fallback: a fallback this long would time the test out.
      const store = createEsdbEventStore(client, { filteredReadIdleMs: 60_000 });
      return {
        store,
        dispose: async () => {
          await store.close();
          await client.dispose();
          await server.close();
        },
      };
    });
  }
}

describe.runIf(!realServer)('EventStoreDB adapter on a log past 2^53', () => {
  it('keeps positions exact beyond what a JS number holds', async () => {
    const server = await startEsdbTestServer({ firstPosition: 2n ** 60n + 7n });
    const client = EventStoreDBClient.connectionString(server.connectionString);
    const store = createEsdbEventStore(client);
    try {
      const streamId = `big-${randomUUID()}`;
      const event = () => ({ id: randomUUID(), type: 'Big', data: {}, metadata: {} });
      const first = await store.append(streamId, [event()], { expectedRevision: 'no_stream' });
      const second = await store.append(streamId, [event()], { expectedRevision: 0n });

      expect(first.position > 2n ** 60n).toBe(true);
      expect(second.position > first.position).toBe(true);
      const read = await store.readAll({
        after: first.position,
        filter: { streamPrefixes: [streamId] },
      });
      expect(read.map((recorded) => recorded.position)).toEqual([second.position]);
      expect((await store.readStream(streamId)).map((recorded) => recorded.position)).toEqual([
        first.position,
        second.position,
      ]);
      expect(await store.headPosition()).toBe(second.position);
    } finally {
      await store.close();
      await client.dispose();
      await server.close();
    }
  });
});
