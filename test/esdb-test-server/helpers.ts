import { randomUUID } from 'node:crypto';
import {
  EventStoreDBClient,
  jsonEvent,
  type ReadStreamOptions,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { afterAll, beforeAll } from 'vitest';
import {
  startEsdbTestServer,
  type EsdbTestServer,
  type EsdbTestServerOptions,
} from '../support/esdb-test-server/index.js';

export interface Running {
  server: EsdbTestServer;
  client: EventStoreDBClient;
}

/** One test server and one client for the enclosing describe block. */
export function useServer(options?: EsdbTestServerOptions): Running {
  const running = {} as Running;
  beforeAll(async () => {
    running.server = await startEsdbTestServer(options);
    running.client = EventStoreDBClient.connectionString(running.server.connectionString);
  });
  afterAll(async () => {
    await running.client.dispose();
    await running.server.close();
  });
  return running;
}

export const newStream = (prefix = 'test') => `${prefix}-${randomUUID()}`;

export const counted = (n: number, type = 'Counted') =>
  jsonEvent({ id: randomUUID(), type, data: { n }, metadata: { by: 'test' } });

export async function readStream(
  client: EventStoreDBClient,
  streamName: string,
  options?: ReadStreamOptions,
) {
  const events = [];
  for await (const resolved of client.readStream(streamName, options)) {
    events.push(resolved.event!);
  }
  return events;
}

/** The next `count` events of a subscription (or any async iterable of resolved events). */
export async function take(
  iterator: AsyncIterator<ResolvedEvent>,
  count: number,
): Promise<NonNullable<ResolvedEvent['event']>[]> {
  const taken = [];
  while (taken.length < count) {
    const step = await iterator.next();
    if (step.done) throw new Error(`ended after ${taken.length} of ${count} events`);
    taken.push(step.value.event!);
  }
  return taken;
}
