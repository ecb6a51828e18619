import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  EventStoreDBClient,
  streamNameFilter,
  UnavailableError,
  type AllStreamResolvedEvent,
} from '@eventstore/db-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server/index.js';
import { counted, newStream, readStream, take } from './helpers.js';
import { addressOf, grpc, sharedPb, streamsPb, type StreamsPb } from './raw-client.js';

describe('EventStoreDB test server: stop() and start()', () => {
  let server: EsdbTestServer;
  let client: EventStoreDBClient;

  beforeEach(async () => {
    server = await startEsdbTestServer();
    client = EventStoreDBClient.connectionString(server.connectionString);
  });
  afterEach(async () => {
    await client.dispose();
    await server.close();
  });

  async function allEvents() {
    const events: NonNullable<AllStreamResolvedEvent['event']>[] = [];
    for await (const resolved of client.readAll()) events.push(resolved.event!);
    return events;
  }

  it('fails open subscriptions and later calls as unavailable, then serves the same data again', async () => {
    const stream = newStream('outage');
    await client.appendToStream(stream, [counted(1), counted(2)]);
    const subscription = client.subscribeToAll({
      filter: streamNameFilter({ prefixes: [stream] }),
    });
    const events = subscription[Symbol.asyncIterator]();
    await take(events, 2);
    const before = await allEvents();

    await server.stop();
    await expect(events.next()).rejects.toBeInstanceOf(UnavailableError);
    await expect(client.appendToStream(stream, counted(3))).rejects.toMatchObject({ code: 14 });
    await expect(allEvents()).rejects.toMatchObject({ code: 14 });

    await server.start();
    const after = await allEvents();
    expect(after.slice(0, before.length)).toEqual(before);
    // The restarted node wrote its epoch event; nothing else changed.
    expect(after.slice(before.length).map((event) => event.streamId)).toEqual([
      '$epoch-information',
    ]);
    const result = await client.appendToStream(stream, counted(3), { expectedRevision: 1n });
    expect(result.nextExpectedRevision).toBe(2n);
    expect((await readStream(client, stream)).map((event) => event.revision)).toEqual([0n, 1n, 2n]);

    const resumed = client.subscribeToAll({
      fromPosition: before.at(-1)!.position!,
      filter: streamNameFilter({ prefixes: [stream] }),
    });
    expect((await take(resumed[Symbol.asyncIterator](), 1))[0]!.revision).toBe(2n);
    await resumed.unsubscribe();
  });

  it('fails an open stream subscription on stop and keeps the port for start()', async () => {
    const stream = newStream('stream-outage');
    const subscription = client.subscribeToStream(stream);
    await once(subscription, 'caughtUp');
    const failed = once(subscription, 'error');
    const address = addressOf(server.connectionString);

    await server.stop();
    const [error] = await failed;
    expect(error).toBeInstanceOf(UnavailableError);
    await server.start();
    expect(addressOf(server.connectionString)).toBe(address);
    await client.appendToStream(stream, counted(1));
    expect(await readStream(client, stream)).toHaveLength(1);
  });

  it('stays down after close()', async () => {
    await server.close();
    await expect(server.start()).rejects.toThrow(/closed/);
  });
});

describe('EventStoreDB test server: what it does not implement', () => {
  let server: EsdbTestServer;
  let client: EventStoreDBClient;

  beforeEach(async () => {
    server = await startEsdbTestServer({ features: { batchAppend: false } });
    client = EventStoreDBClient.connectionString(server.connectionString);
  });
  afterEach(async () => {
    await client.dispose();
    await server.close();
  });

  const UNIMPLEMENTED = 12;

  it('answers UNIMPLEMENTED for deletes, tombstones and unknown services', async () => {
    const stream = newStream();
    await client.appendToStream(stream, counted(1));
    await expect(client.deleteStream(stream)).rejects.toMatchObject({ code: UNIMPLEMENTED });
    await expect(client.tombstoneStream(stream)).rejects.toMatchObject({ code: UNIMPLEMENTED });
    await expect(client.getProjectionStatus('$by_category')).rejects.toMatchObject({
      code: UNIMPLEMENTED,
    });
  });

  it('answers UNIMPLEMENTED for BatchAppend when told to behave as an older server', async () => {
    const raw = new grpc.Client(
      addressOf(server.connectionString),
      grpc.credentials.createInsecure(),
    );
    const call = raw.makeBidiStreamRequest(
      '/event_store.client.streams.Streams/BatchAppend',
      (request: StreamsPb.BatchAppendReq) => Buffer.from(request.serializeBinary()),
      (bytes: Buffer) => streamsPb.BatchAppendResp.deserializeBinary(bytes),
    );
    call.write(
      new streamsPb.BatchAppendReq()
        .setCorrelationId(new sharedPb.UUID().setString(randomUUID()))
        .setIsFinal(true),
    );
    const [error] = await once(call, 'error');
    expect(error).toMatchObject({ code: UNIMPLEMENTED });
    raw.close();
  });
});
