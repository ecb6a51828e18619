import { randomUUID } from 'node:crypto';
import { BACKWARDS, END, jsonEvent, type AllStreamResolvedEvent } from '@eventstore/db-client';
import { parse as parseUuid } from 'uuid';
import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from './helpers.js';
import {
  filterOptions,
  rawRead,
  readAllOptions,
  sharedPb,
  streamNameOfResponse,
  streamsPb,
} from './raw-client.js';

describe('EventStoreDB test server: reading $all', () => {
  const running = useServer();
  const written: [stream: string, type: string][] = [
    ['alpha-1', 'Opened'],
    ['alpha-1', 'Closed'],
    ['beta-1', 'Opened'],
    ['alpha-2', 'Moved'],
    ['beta-1', 'Closed'],
  ];

  beforeAll(async () => {
    for (const [stream, type] of written) {
      await running.client.appendToStream(stream, jsonEvent({ type, data: {} }));
    }
  });

  async function readAll(options: Parameters<typeof running.client.readAll>[0] = {}) {
    const events: NonNullable<AllStreamResolvedEvent['event']>[] = [];
    for await (const resolved of running.client.readAll(options)) events.push(resolved.event!);
    return events;
  }
  const names = (events: { streamId: string; type: string }[]) =>
    events.map((event) => `${event.streamId}/${event.type}`);

  it('reads everything in log order, the system event a node writes on start first', async () => {
    const events = await readAll();
    expect(names(events)).toEqual([
      '$epoch-information/$epoch-information',
      ...written.map(([stream, type]) => `${stream}/${type}`),
    ]);
    const positions = events.map((event) => event.position!.commit);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    expect(new Set(positions).size).toBe(positions.length);
  });

  it('reads backwards from the end, and counts', async () => {
    expect(names(await readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 2 }))).toEqual([
      'beta-1/Closed',
      'alpha-2/Moved',
    ]);
    expect(names(await readAll({ maxCount: 2 }))).toHaveLength(2);
  });

  it('reads forwards from a position including it, backwards from a position before it', async () => {
    const events = await readAll();
    const third = events[3]!.position!;
    expect(names(await readAll({ fromPosition: third, maxCount: 2 }))).toEqual([
      'beta-1/Opened',
      'alpha-2/Moved',
    ]);
    expect(
      names(await readAll({ fromPosition: third, direction: BACKWARDS, maxCount: 1 })),
    ).toEqual(['alpha-1/Closed']);
  });

  it('refuses to read from a position where no record starts', async () => {
    const [, first] = await readAll();
    const inside = first!.position!.commit + 1n;
    await expect(
      readAll({ fromPosition: { commit: inside, prepare: inside } }),
    ).rejects.toMatchObject({ code: 3 });
  });

  it('filters on stream name prefixes or regex; the count limits matching events', async () => {
    const prefixed = readAllOptions(2).setFilter(filterOptions('stream', { prefixes: ['alpha-'] }));
    expect(
      (await rawRead(running.server.connectionString, prefixed)).map(streamNameOfResponse),
    ).toEqual(['alpha-1', 'alpha-1']);
    const regex = readAllOptions(10).setFilter(filterOptions('stream', { regex: '^beta-|-2$' }));
    expect(
      (await rawRead(running.server.connectionString, regex)).map(streamNameOfResponse),
    ).toEqual(['beta-1', 'alpha-2', 'beta-1']);
  });

  it('filters on event type, forwards and backwards', async () => {
    const types = (responses: Awaited<ReturnType<typeof rawRead>>) =>
      responses.map((response) => response.getEvent()!.getEvent()!.getMetadataMap().get('type'));
    const opened = readAllOptions(10).setFilter(filterOptions('type', { prefixes: ['Open'] }));
    expect(types(await rawRead(running.server.connectionString, opened))).toEqual([
      'Opened',
      'Opened',
    ]);
    const backwards = readAllOptions(1)
      .setAll(new streamsPb.ReadReq.Options.AllOptions().setEnd(new sharedPb.Empty()))
      .setReadDirection(streamsPb.ReadReq.Options.ReadDirection.BACKWARDS)
      .setFilter(filterOptions('type', { regex: '^(Closed|Moved)$' }));
    const [last] = await rawRead(running.server.connectionString, backwards);
    expect(streamNameOfResponse(last!)).toBe('beta-1');
    expect(types([last!])).toEqual(['Closed']);
  });

  it('sends event ids in the form the reader asked for', async () => {
    const id = randomUUID();
    await running.client.appendToStream('gamma-1', jsonEvent({ id, type: 'Structured', data: {} }));
    const options = readAllOptions(1)
      .setUuidOption(new streamsPb.ReadReq.Options.UUIDOption().setStructured(new sharedPb.Empty()))
      .setFilter(filterOptions('stream', { prefixes: ['gamma-'] }));
    const [response] = await rawRead(running.server.connectionString, options);
    const structured = response!.getEvent()!.getEvent()!.getId()!.getStructured()!;
    const bytes = new DataView(parseUuid(id).buffer);
    expect(BigInt(structured.getMostSignificantBits())).toBe(bytes.getBigInt64(0));
    expect(BigInt(structured.getLeastSignificantBits())).toBe(bytes.getBigInt64(8));
  });
});
