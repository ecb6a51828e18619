import { once } from 'node:events';
import {
  END,
  eventTypeFilter,
  START,
  streamNameFilter,
  type Position,
} from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { counted, newStream, take, useServer } from './helpers.js';

describe('EventStoreDB test server: subscriptions', () => {
  const running = useServer();
  const ns = (events: { data: unknown }[]) =>
    events.map((event) => (event.data as { n: number }).n);

  it('subscribes to $all with a filter: catch-up, caught up, then live events in order', async () => {
    const { client } = running;
    const prefix = newStream('sub');
    await client.appendToStream(`${prefix}-a`, [counted(1), counted(2)]);
    await client.appendToStream(newStream('other'), counted(-1));
    await client.appendToStream(`${prefix}-b`, counted(3));

    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({ prefixes: [prefix] }),
    });
    const caughtUp = once(subscription, 'caughtUp');
    const events = subscription[Symbol.asyncIterator]();
    expect(ns(await take(events, 3))).toEqual([1, 2, 3]);
    await caughtUp;

    await client.appendToStream(newStream('other'), counted(-2));
    await client.appendToStream(`${prefix}-a`, [counted(4), counted(5)]);
    await client.appendToStream(`${prefix}-c`, counted(6));
    const live = await take(events, 3);
    expect(ns(live)).toEqual([4, 5, 6]);
    expect(live.map((event) => event.streamId)).toEqual([
      `${prefix}-a`,
      `${prefix}-a`,
      `${prefix}-c`,
    ]);
    await subscription.unsubscribe();
  });

  it('starts strictly after the given position, or at the end', async () => {
    const { client } = running;
    const stream = newStream('after');
    const first = await client.appendToStream(stream, counted(1));
    await client.appendToStream(stream, counted(2));

    const fromPosition = client.subscribeToAll({
      fromPosition: first.position!,
      filter: streamNameFilter({ prefixes: [stream] }),
    });
    const fromEnd = client.subscribeToAll({
      fromPosition: END,
      filter: streamNameFilter({ prefixes: [stream] }),
    });
    await once(fromEnd, 'caughtUp');
    await client.appendToStream(stream, counted(3));

    expect(ns(await take(fromPosition[Symbol.asyncIterator](), 2))).toEqual([2, 3]);
    expect(ns(await take(fromEnd[Symbol.asyncIterator](), 1))).toEqual([3]);
    await fromPosition.unsubscribe();
    await fromEnd.unsubscribe();
  });

  it('sends filter checkpoints every interval of events looked at, and on catching up', async () => {
    const { client } = running;
    const stream = newStream('checkpoints');
    const start = await client.appendToStream(newStream('before'), counted(0));
    const appended = [];
    for (const type of ['Skipped', 'Skipped', 'Wanted', 'Skipped', 'Skipped']) {
      appended.push(await client.appendToStream(stream, counted(appended.length, type)));
    }
    const checkpoints: Position[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: start.position!,
      filter: eventTypeFilter({
        regex: '^Wanted$',
        maxSearchWindow: 2,
        checkpointInterval: 1,
        checkpointReached: (_subscription, position) => {
          checkpoints.push(position);
        },
      }),
    });
    const caughtUp = once(subscription, 'caughtUp');
    expect(ns(await take(subscription[Symbol.asyncIterator](), 1))).toEqual([2]);
    await caughtUp;
    // One every 2 events looked at, then one at the last event looked at when caught up.
    expect(checkpoints).toEqual([appended[1], appended[3], appended[4]].map((a) => a!.position));
    await subscription.unsubscribe();
  });

  it('subscribes to one stream from the start or after a revision', async () => {
    const { client } = running;
    const stream = newStream('one');
    await client.appendToStream(stream, [counted(0), counted(1)]);
    await client.appendToStream(newStream('other'), counted(-1));

    const fromStart = client.subscribeToStream(stream, { fromRevision: START });
    const afterFirst = client.subscribeToStream(stream, { fromRevision: 0n });
    expect(ns(await take(fromStart[Symbol.asyncIterator](), 2))).toEqual([0, 1]);
    await client.appendToStream(stream, counted(2));
    expect(ns(await take(afterFirst[Symbol.asyncIterator](), 2))).toEqual([1, 2]);
    await fromStart.unsubscribe();
    await afterFirst.unsubscribe();
  });

  it('waits for a stream that does not exist yet', async () => {
    const { client } = running;
    const stream = newStream('later');
    const subscription = client.subscribeToStream(stream);
    await once(subscription, 'caughtUp');
    await client.appendToStream(stream, counted(7));
    expect(ns(await take(subscription[Symbol.asyncIterator](), 1))).toEqual([7]);
    await subscription.unsubscribe();
  });
});
