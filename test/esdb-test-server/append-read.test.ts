import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  binaryEvent,
  END,
  jsonEvent,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { counted, newStream, readStream, useServer } from './helpers.js';

describe('EventStoreDB test server: append and read a stream', () => {
  const running = useServer();

  it('stores JSON events and their metadata, and reads them back', async () => {
    const { client } = running;
    const stream = newStream();
    const before = Date.now();
    const id = randomUUID();
    const result = await client.appendToStream(
      stream,
      jsonEvent({
        id,
        type: 'AccountOpened',
        data: { code: '1000', name: 'Cash', amounts: [1.5, 'é'] },
        metadata: { correlationId: 'c-1' },
      }),
      { expectedRevision: 'no_stream' },
    );
    expect(result.success).toBe(true);
    expect(result.nextExpectedRevision).toBe(0n);

    const [event, ...rest] = await readStream(client, stream);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      streamId: stream,
      id,
      revision: 0n,
      type: 'AccountOpened',
      isJson: true,
      data: { code: '1000', name: 'Cash', amounts: [1.5, 'é'] },
      metadata: { correlationId: 'c-1' },
      position: result.position,
    });
    expect(event!.created.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(event!.created.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('keeps binary data and metadata bytes exactly as sent', async () => {
    const { client } = running;
    const stream = newStream();
    const data = Uint8Array.from([0, 1, 2, 250, 255]);
    const metadata = Uint8Array.from([9, 8, 7]);
    await client.appendToStream(stream, binaryEvent({ type: 'Blob', data, metadata }));

    const [event] = await readStream(client, stream);
    expect(event!.isJson).toBe(false);
    expect(Buffer.from(event!.data as Uint8Array)).toEqual(Buffer.from(data));
    expect(Buffer.from(event!.metadata as Uint8Array)).toEqual(Buffer.from(metadata));
  });

  it('appends a batch atomically with consecutive revisions and increasing, gapped positions', async () => {
    const { client } = running;
    const stream = newStream();
    const result = await client.appendToStream(stream, [counted(1), counted(2), counted(3)]);
    expect(result.nextExpectedRevision).toBe(2n);

    const events = await readStream(client, stream);
    expect(events.map((event) => event.revision)).toEqual([0n, 1n, 2n]);
    expect(events.map((event) => (event.data as { n: number }).n)).toEqual([1, 2, 3]);
    const positions = events.map((event) => event.position!);
    for (const position of positions) expect(position.commit).toBe(position.prepare);
    for (let i = 1; i < positions.length; i++) {
      expect(positions[i]!.commit - positions[i - 1]!.commit).toBeGreaterThan(1n);
    }
    // The append answers with the position of its last event.
    expect(result.position).toEqual(positions.at(-1));
  });

  it('reads forwards and backwards from a revision or the end, with a count', async () => {
    const { client } = running;
    const stream = newStream();
    await client.appendToStream(
      stream,
      [1, 2, 3, 4, 5].map((n) => counted(n)),
    );
    const ns = async (options: Parameters<typeof readStream>[2]) =>
      (await readStream(client, stream, options)).map((event) => (event.data as { n: number }).n);

    expect(await ns({ fromRevision: 1n, maxCount: 2 })).toEqual([2, 3]);
    expect(await ns({ fromRevision: END, direction: BACKWARDS, maxCount: 2 })).toEqual([5, 4]);
    expect(await ns({ fromRevision: 2n, direction: BACKWARDS })).toEqual([3, 2, 1]);
    expect(await ns({ fromRevision: 9n })).toEqual([]);
    expect(await ns({ fromRevision: END })).toEqual([]);
  });

  it('answers a read of a stream that does not exist with StreamNotFoundError', async () => {
    const { client } = running;
    const stream = newStream();
    await expect(readStream(client, stream)).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(
      readStream(client, stream, { fromRevision: END, direction: BACKWARDS }),
    ).rejects.toMatchObject({ streamName: stream });
  });
});

describe.each([
  { path: 'BatchAppend', batchAppend: true },
  { path: 'Append', batchAppend: false },
])(
  'EventStoreDB test server: expected revisions and idempotency through $path',
  ({ batchAppend }) => {
    const running = useServer({ features: { batchAppend } });

    async function wrongExpectedVersion(
      stream: string,
      expectedRevision: AppendExpectedRevision,
      events = [counted(0)],
    ): Promise<WrongExpectedVersionError> {
      const error = await running.client.appendToStream(stream, events, { expectedRevision }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      return error as WrongExpectedVersionError;
    }

    async function streamWith(count: number) {
      const stream = newStream();
      const events = Array.from({ length: count }, (_, n) => counted(n));
      const result = await running.client.appendToStream(stream, events);
      return { stream, events, result };
    }

    it('any: writes whatever the stream holds', async () => {
      const { stream } = await streamWith(2);
      const result = await running.client.appendToStream(stream, counted(9), {
        expectedRevision: 'any',
      });
      expect(result.nextExpectedRevision).toBe(2n);
    });

    it('no_stream: writes a new stream, refuses an existing one', async () => {
      const { stream } = await streamWith(2);
      const error = await wrongExpectedVersion(stream, 'no_stream');
      expect(error).toMatchObject({
        streamName: stream,
        expectedVersion: 'no_stream',
        actualVersion: 1n,
      });
    });

    it('stream_exists: refuses a stream that does not exist, writes to one that does', async () => {
      const stream = newStream();
      const error = await wrongExpectedVersion(stream, 'stream_exists');
      expect(error).toMatchObject({
        streamName: stream,
        expectedVersion: 'stream_exists',
        actualVersion: 'no_stream',
      });
      await running.client.appendToStream(stream, counted(1));
      const result = await running.client.appendToStream(stream, counted(2), {
        expectedRevision: 'stream_exists',
      });
      expect(result.nextExpectedRevision).toBe(1n);
    });

    it('exact: writes at the current revision, refuses any other', async () => {
      const { stream } = await streamWith(2);
      const result = await running.client.appendToStream(stream, counted(2), {
        expectedRevision: 1n,
      });
      expect(result.nextExpectedRevision).toBe(2n);

      expect(await wrongExpectedVersion(stream, 5n)).toMatchObject({
        streamName: stream,
        expectedVersion: 5n,
        actualVersion: 2n,
      });
      expect(await wrongExpectedVersion(newStream(), 0n)).toMatchObject({
        expectedVersion: 0n,
        actualVersion: 'no_stream',
      });
    });

    it('exact: a retry of the write that followed the expected revision succeeds without writing', async () => {
      const { stream } = await streamWith(1);
      const batch = [counted(1), counted(2)];
      const original = await running.client.appendToStream(stream, batch, { expectedRevision: 0n });
      await running.client.appendToStream(stream, counted(3)); // the stream moves on

      const retry = await running.client.appendToStream(stream, batch, { expectedRevision: 0n });
      expect(retry).toEqual(original);
      expect(retry.nextExpectedRevision).toBe(2n);
      expect(await readStream(running.client, stream)).toHaveLength(4);
    });

    it('no_stream: a retry of the stream-creating write succeeds without writing', async () => {
      const stream = newStream();
      const batch = [counted(0), counted(1)];
      const original = await running.client.appendToStream(stream, batch, {
        expectedRevision: 'no_stream',
      });
      const retry = await running.client.appendToStream(stream, batch, {
        expectedRevision: 'no_stream',
      });
      expect(retry).toEqual(original);
      expect(await readStream(running.client, stream)).toHaveLength(2);
    });

    it('exact: a batch that only partly matches what followed is a wrong expected version', async () => {
      const { stream, events } = await streamWith(3);
      // Same first event, different second one.
      expect(await wrongExpectedVersion(stream, 0n, [events[1]!, counted(7)])).toMatchObject({
        expectedVersion: 0n,
        actualVersion: 2n,
      });
      // Same events, but one more than the stream holds after the expected revision.
      await wrongExpectedVersion(stream, 0n, [events[1]!, events[2]!, counted(8)]);
      // Different events altogether.
      await wrongExpectedVersion(stream, 1n, [counted(9)]);
      expect(await readStream(running.client, stream)).toHaveLength(3);
    });

    it('any: a retry of a batch already in the stream succeeds without writing', async () => {
      const { stream, events, result } = await streamWith(2);
      await running.client.appendToStream(stream, counted(2));
      const retry = await running.client.appendToStream(stream, events, {
        expectedRevision: 'any',
      });
      expect(retry).toEqual(result);
      const exists = await running.client.appendToStream(stream, events.slice(1), {
        expectedRevision: 'stream_exists',
      });
      expect(exists.nextExpectedRevision).toBe(1n);
      expect(await readStream(running.client, stream)).toHaveLength(3);
    });

    it('any: a batch whose first event is stored but not the rest, in order, is refused', async () => {
      const { stream, events } = await streamWith(3);
      expect(await wrongExpectedVersion(stream, 'any', [events[0]!, counted(5)])).toMatchObject({
        expectedVersion: 'any',
        actualVersion: 2n,
      });
      await wrongExpectedVersion(stream, 'any', [events[0]!, events[2]!]);
      expect(await readStream(running.client, stream)).toHaveLength(3);
    });
  },
);

describe('EventStoreDB test server: idempotent retries answered as older servers did', () => {
  const running = useServer({ idempotentRetryPosition: false });

  it('answers a retry without a position', async () => {
    const stream = newStream();
    const batch = [counted(0)];
    const original = await running.client.appendToStream(stream, batch, {
      expectedRevision: 'no_stream',
    });
    expect(original.position).toBeDefined();
    const retry = await running.client.appendToStream(stream, batch, {
      expectedRevision: 'no_stream',
    });
    expect(retry).toEqual({ success: true, nextExpectedRevision: 0n, position: undefined });
  });
});
