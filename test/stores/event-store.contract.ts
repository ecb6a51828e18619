/**
 * The behaviour every EventStore adapter must show. Written against the port only, so the same
 * file runs against SQLite today and EventStoreDB later.
 *
 * Every test uses its own stream ids and event types (random suffixes), and log reads are
 * always filtered to them, so the suite also runs against a shared server that other writers
 * use at the same time.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WrongExpectedVersionError,
  isWrongExpectedVersion,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type RecordedEvent,
  type Subscription,
} from '../../src/stores/event-store.js';
import { waitUntil } from '../../src/wait-until.js';

export type MakeEventStore = () => Promise<{ store: EventStore; dispose: () => Promise<void> }>;

/** How long a test waits for a subscription to deliver before failing instead of hanging. */
const DELIVERY_TIMEOUT_MS = 5000;

export function describeEventStoreContract(adapterName: string, makeStore: MakeEventStore): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ store, dispose } = await makeStore());
    });

    afterAll(async () => {
      await dispose();
    });

    describe('expected revision', () => {
      it('any: appends to an absent stream and to an existing one', async () => {
        const streamId = uniqueStream('any');
        const first = await store.append(streamId, [event()], { expectedRevision: 'any' });
        expect(first.nextExpectedRevision).toBe(0n);
        const second = await store.append(streamId, [event()], { expectedRevision: 'any' });
        expect(second.nextExpectedRevision).toBe(1n);
      });

      it('no_stream: appends when the stream has no events', async () => {
        const streamId = uniqueStream('no-stream');
        const result = await store.append(streamId, [event()], { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(0n);
      });

      it('no_stream: fails when the stream has events, reporting its last revision', async () => {
        const streamId = await streamWith(2);
        const error = await appendError(streamId, [event()], 'no_stream');
        expect(error.streamId).toBe(streamId);
        expect(error.expected).toBe('no_stream');
        expect(error.actual).toBe(1n);
      });

      it('stream_exists: appends when the stream has an event', async () => {
        const streamId = await streamWith(1);
        const result = await store.append(streamId, [event()], {
          expectedRevision: 'stream_exists',
        });
        expect(result.nextExpectedRevision).toBe(1n);
      });

      it('stream_exists: fails on an absent stream with actual no_stream', async () => {
        const streamId = uniqueStream('exists');
        const error = await appendError(streamId, [event()], 'stream_exists');
        expect(error.expected).toBe('stream_exists');
        expect(error.actual).toBe('no_stream');
      });

      it('revision: appends when it equals the revision of the last event', async () => {
        const streamId = await streamWith(3);
        const result = await store.append(streamId, [event()], { expectedRevision: 2n });
        expect(result.nextExpectedRevision).toBe(3n);
      });

      it('revision: fails when behind or ahead of the stream', async () => {
        const streamId = await streamWith(3);
        const behind = await appendError(streamId, [event()], 1n);
        expect(behind.expected).toBe(1n);
        expect(behind.actual).toBe(2n);
        const ahead = await appendError(streamId, [event()], 5n);
        expect(ahead.expected).toBe(5n);
        expect(ahead.actual).toBe(2n);
      });

      it('revision: fails on an absent stream with actual no_stream, even for 0n', async () => {
        const streamId = uniqueStream('rev-absent');
        const error = await appendError(streamId, [event()], 0n);
        expect(error.expected).toBe(0n);
        expect(error.actual).toBe('no_stream');
      });

      it('a failed expectation writes nothing', async () => {
        const streamId = await streamWith(2);
        await appendError(streamId, [event(), event()], 0n);
        await appendError(uniqueStream('nothing'), [event()], 'stream_exists');
        expect(await store.readStream(streamId)).toHaveLength(2);
      });

      it('the error is recognisable by class and by the type guard', async () => {
        const streamId = await streamWith(1);
        const error = await store
          .append(streamId, [event()], { expectedRevision: 'no_stream' })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(isWrongExpectedVersion(error)).toBe(true);
        expect(isWrongExpectedVersion(new Error('other'))).toBe(false);
      });
    });

    describe('empty append', () => {
      it('on an absent stream returns -1n and the head, and creates nothing', async () => {
        const streamId = uniqueStream('empty');
        const headBefore = await store.headPosition();
        for (const expectedRevision of ['any', 'no_stream'] as const) {
          const result = await store.append(streamId, [], { expectedRevision });
          expect(result.nextExpectedRevision).toBe(-1n);
          expect(result.position).toBeGreaterThanOrEqual(headBefore);
          expect(result.position).toBeLessThanOrEqual(await store.headPosition());
        }
        expect(await store.readStream(streamId)).toEqual([]);
        // The stream is still absent, so no_stream holds for a real append.
        await store.append(streamId, [event()], { expectedRevision: 'no_stream' });
      });

      it('on an existing stream returns its current state', async () => {
        const streamId = await streamWith(2);
        const last = (await store.readStream(streamId)).at(-1);
        const result = await store.append(streamId, [], { expectedRevision: 1n });
        expect(result).toEqual({ nextExpectedRevision: 1n, position: last?.position });
        expect(await store.readStream(streamId)).toHaveLength(2);
      });

      it('still checks the expectation', async () => {
        const streamId = await streamWith(1);
        expect((await appendError(streamId, [], 'no_stream')).actual).toBe(0n);
        expect((await appendError(streamId, [], 3n)).actual).toBe(0n);
        const absent = await appendError(uniqueStream('empty-absent'), [], 'stream_exists');
        expect(absent.actual).toBe('no_stream');
      });
    });

    describe('append', () => {
      it('returns the next revision and the position of the last event', async () => {
        const streamId = uniqueStream('result');
        const first = await store.append(streamId, [event(), event()], {
          expectedRevision: 'no_stream',
        });
        expect(first.nextExpectedRevision).toBe(1n);
        const second = await store.append(streamId, [event()], { expectedRevision: 1n });
        expect(second.nextExpectedRevision).toBe(2n);
        expect(second.position).toBeGreaterThan(first.position);

        const stored = await store.readStream(streamId);
        expect(stored.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(stored[1]?.position).toBe(first.position);
        expect(stored[2]?.position).toBe(second.position);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(second.position);
      });

      it('gives positions that strictly increase in append order, across streams', async () => {
        const positions: bigint[] = [];
        for (let i = 0; i < 5; i += 1) {
          const result = await store.append(uniqueStream('order'), [event()], {
            expectedRevision: 'no_stream',
          });
          positions.push(result.position);
        }
        expect(isStrictlyIncreasing(positions)).toBe(true);
      });

      it('stores a multi-event batch whole, in order, with gap-free revisions', async () => {
        const streamId = uniqueStream('batch');
        const batch = [event('A'), event('B'), event('C')];
        await store.append(streamId, batch, { expectedRevision: 'no_stream' });
        const stored = await store.readStream(streamId);
        expect(stored.map((e) => e.id)).toEqual(batch.map((e) => e.id));
        expect(stored.map((e) => e.type)).toEqual(['A', 'B', 'C']);
        expect(stored.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(isStrictlyIncreasing(stored.map((e) => e.position))).toBe(true);
      });

      it('records every field of the event', async () => {
        const streamId = uniqueStream('fields');
        const appended = event('Fields', { amount: 12 }, { correlationId: 'c-1' });
        const result = await store.append(streamId, [appended], { expectedRevision: 'any' });
        const [recorded] = await store.readStream(streamId);
        expect(recorded).toMatchObject({
          id: appended.id,
          type: 'Fields',
          streamId,
          revision: 0n,
          position: result.position,
          data: { amount: 12 },
          metadata: { correlationId: 'c-1' },
        });
        expect(typeof recorded?.recordedAt).toBe('string');
        expect(Number.isNaN(Date.parse(recorded?.recordedAt ?? ''))).toBe(false);
      });

      it('round-trips data and metadata exactly', async () => {
        const streamId = uniqueStream('json');
        const data: JsonObject = {
          text: 'He said "hi", then \'bye\' \\ back\\slash; tab\tnew\nline',
          unicode: 'Zürich – 東京 – مرحبا – 🧾💶 – e\u0301',
          empty: '',
          numbers: [0, -1, 3.25, 1e-7, Number.MAX_SAFE_INTEGER],
          flags: { yes: true, no: false, nothing: null },
          nested: { a: { b: { c: [{ d: 'deep' }, [], {}] } } },
          'key with "quotes" and 🔑': 'value',
        };
        const metadata: JsonObject = { causationId: randomUUID(), tags: ['a', 'b'], nested: {} };
        await store.append(streamId, [event('Json', data, metadata)], {
          expectedRevision: 'no_stream',
        });
        const [recorded] = await store.readStream(streamId);
        expect(recorded?.data).toEqual(data);
        expect(recorded?.metadata).toEqual(metadata);
        // Same keys in the same order, not only deep-equal.
        expect(JSON.stringify(recorded?.data)).toBe(JSON.stringify(data));
      });
    });

    describe('idempotent append', () => {
      it('ignores a retry with the original expected revision and returns the original result', async () => {
        const streamId = uniqueStream('idem');
        const batch = [event(), event()];
        const original = await store.append(streamId, batch, { expectedRevision: 'no_stream' });
        const retry = await store.append(streamId, batch, { expectedRevision: 'no_stream' });
        expect(retry).toEqual(original);
        expect(await store.readStream(streamId)).toHaveLength(2);
      });

      it('ignores a retry with any', async () => {
        const streamId = await streamWith(1);
        const batch = [event(), event()];
        const original = await store.append(streamId, batch, { expectedRevision: 0n });
        const retry = await store.append(streamId, batch, { expectedRevision: 'any' });
        expect(retry).toEqual(original);
        expect(await store.readStream(streamId)).toHaveLength(3);
      });

      it('ignores a retry after later appends, returning the original result', async () => {
        const streamId = await streamWith(1);
        const batch = [event()];
        const original = await store.append(streamId, batch, { expectedRevision: 0n });
        await store.append(streamId, [event()], { expectedRevision: 1n });
        const retry = await store.append(streamId, batch, { expectedRevision: 0n });
        expect(retry).toEqual(original);
        expect(await store.readStream(streamId)).toHaveLength(3);
      });

      it('treats a prefix of a stored batch as a retry of that part', async () => {
        const streamId = uniqueStream('idem-prefix');
        const [a, b, c] = [event(), event(), event()];
        await store.append(streamId, [a, b, c], { expectedRevision: 'no_stream' });
        const stored = await store.readStream(streamId);
        const retry = await store.append(streamId, [a, b], { expectedRevision: 'any' });
        expect(retry).toEqual({ nextExpectedRevision: 1n, position: stored[1]?.position });
        expect(await store.readStream(streamId)).toHaveLength(3);
      });

      it('rejects a batch whose first id is stored but the rest differs', async () => {
        const streamId = uniqueStream('idem-partial');
        const [a, b] = [event(), event()];
        await store.append(streamId, [a, b], { expectedRevision: 'no_stream' });
        const error = await appendError(streamId, [a, event()], 'any');
        expect(error.expected).toBe('any');
        expect(error.actual).toBe(1n);
        expect(await store.readStream(streamId)).toHaveLength(2);
      });

      it('rejects a batch whose first ids are stored but that goes past the stored events', async () => {
        const streamId = uniqueStream('idem-longer');
        const [a, b] = [event(), event()];
        await store.append(streamId, [a, b], { expectedRevision: 'no_stream' });
        const error = await appendError(streamId, [a, b, event()], 'no_stream');
        expect(error.expected).toBe('no_stream');
        expect(error.actual).toBe(1n);
        expect(await store.readStream(streamId)).toHaveLength(2);
      });

      it('rejects a batch with the stored ids in another order', async () => {
        const streamId = uniqueStream('idem-order');
        const [a, b] = [event(), event()];
        await store.append(streamId, [a, b], { expectedRevision: 'no_stream' });
        expect((await appendError(streamId, [b, a], 'any')).actual).toBe(1n);
      });

      it('only looks for the ids in the target stream', async () => {
        const shared = event();
        await store.append(uniqueStream('idem-a'), [shared], { expectedRevision: 'no_stream' });
        const other = uniqueStream('idem-b');
        await store.append(other, [shared], { expectedRevision: 'no_stream' });
        expect(await store.readStream(other)).toHaveLength(1);
      });
    });

    describe('readStream', () => {
      let streamId: string;
      let appended: EventToAppend[];

      beforeAll(async () => {
        streamId = uniqueStream('read');
        appended = [0, 1, 2, 3, 4].map((i) => event('Numbered', { i }));
        await store.append(streamId, appended, { expectedRevision: 'no_stream' });
      });

      it('reads forwards by default', async () => {
        const events = await store.readStream(streamId);
        expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect(events.map((e) => e.id)).toEqual(appended.map((e) => e.id));
        expect(events.every((e) => e.streamId === streamId)).toBe(true);
      });

      it('reads backwards from the last event', async () => {
        const events = await store.readStream(streamId, { direction: 'backwards' });
        expect(events.map((e) => e.revision)).toEqual([4n, 3n, 2n, 1n, 0n]);
      });

      it('treats fromRevision as inclusive in both directions', async () => {
        const forwards = await store.readStream(streamId, { fromRevision: 2n });
        expect(forwards.map((e) => e.revision)).toEqual([2n, 3n, 4n]);
        const backwards = await store.readStream(streamId, {
          direction: 'backwards',
          fromRevision: 2n,
        });
        expect(backwards.map((e) => e.revision)).toEqual([2n, 1n, 0n]);
      });

      it('limits with maxCount in both directions', async () => {
        const forwards = await store.readStream(streamId, { maxCount: 2 });
        expect(forwards.map((e) => e.revision)).toEqual([0n, 1n]);
        const backwards = await store.readStream(streamId, {
          direction: 'backwards',
          maxCount: 2,
        });
        expect(backwards.map((e) => e.revision)).toEqual([4n, 3n]);
        const window = await store.readStream(streamId, { fromRevision: 1n, maxCount: 3 });
        expect(window.map((e) => e.revision)).toEqual([1n, 2n, 3n]);
      });

      it('reads nothing past the end', async () => {
        expect(await store.readStream(streamId, { fromRevision: 5n })).toEqual([]);
      });

      it('reads an absent stream as empty', async () => {
        const absent = uniqueStream('absent');
        expect(await store.readStream(absent)).toEqual([]);
        expect(await store.readStream(absent, { direction: 'backwards' })).toEqual([]);
      });
    });

    describe('readAll', () => {
      // Stream ids with LIKE wildcards, so a prefix filter built on LIKE would over-match.
      let base: string;
      let typeA: string;
      let typeB: string;
      let headBefore: bigint;
      let written: RecordedEvent[];

      beforeAll(async () => {
        base = uniqueStream('log');
        typeA = `A-${randomUUID()}`;
        typeB = `B-${randomUUID()}`;
        headBefore = await store.headPosition();
        await store.append(`${base}-a_b-1`, [event(typeA), event(typeB)], {
          expectedRevision: 'no_stream',
        });
        await store.append(`${base}-aXb-1`, [event(typeA)], { expectedRevision: 'no_stream' });
        await store.append(`${base}-c%-1`, [event(typeB)], { expectedRevision: 'no_stream' });
        await store.append(`${base}-cd-1`, [event(typeA)], { expectedRevision: 'no_stream' });
        await store.append(`${base}-a_b-1`, [event(typeA)], { expectedRevision: 1n });
        written = await store.readAll({
          after: headBefore,
          filter: { streamPrefixes: [base] },
        });
      });

      it('returns events in append order with strictly increasing positions', async () => {
        expect(written.map((e) => [e.streamId.slice(base.length), e.revision])).toEqual([
          ['-a_b-1', 0n],
          ['-a_b-1', 1n],
          ['-aXb-1', 0n],
          ['-c%-1', 0n],
          ['-cd-1', 0n],
          ['-a_b-1', 2n],
        ]);
        expect(isStrictlyIncreasing(written.map((e) => e.position))).toBe(true);
        expect(written.every((e) => e.position > headBefore)).toBe(true);
      });

      it('treats after as exclusive', async () => {
        const second = written[1];
        const events = await store.readAll({
          after: second?.position,
          filter: { streamPrefixes: [base] },
        });
        expect(events.map((e) => e.id)).toEqual(written.slice(2).map((e) => e.id));
      });

      it('limits with maxCount', async () => {
        const events = await store.readAll({
          after: headBefore,
          maxCount: 2,
          filter: { streamPrefixes: [base] },
        });
        expect(events.map((e) => e.id)).toEqual(written.slice(0, 2).map((e) => e.id));
      });

      it('filters by event type (any of the listed)', async () => {
        const onlyB = await store.readAll({ after: headBefore, filter: { eventTypes: [typeB] } });
        expect(onlyB.map((e) => e.id)).toEqual(
          written.filter((e) => e.type === typeB).map((e) => e.id),
        );
        const both = await store.readAll({
          after: headBefore,
          filter: { eventTypes: [typeA, typeB] },
        });
        expect(both.map((e) => e.id)).toEqual(written.map((e) => e.id));
      });

      it('filters by stream prefix literally, without wildcards', async () => {
        const underscore = await store.readAll({
          after: headBefore,
          filter: { streamPrefixes: [`${base}-a_b`] },
        });
        expect(underscore.map((e) => e.streamId)).toEqual([
          `${base}-a_b-1`,
          `${base}-a_b-1`,
          `${base}-a_b-1`,
        ]);
        const percent = await store.readAll({
          after: headBefore,
          filter: { streamPrefixes: [`${base}-c%`] },
        });
        expect(percent.map((e) => e.streamId)).toEqual([`${base}-c%-1`]);
      });

      it('matches any of several prefixes', async () => {
        const events = await store.readAll({
          after: headBefore,
          filter: { streamPrefixes: [`${base}-aX`, `${base}-cd`] },
        });
        expect(events.map((e) => e.streamId)).toEqual([`${base}-aXb-1`, `${base}-cd-1`]);
      });

      it('requires both the type and the prefix when both are given', async () => {
        const events = await store.readAll({
          after: headBefore,
          filter: { eventTypes: [typeA], streamPrefixes: [`${base}-a_b`, `${base}-c`] },
        });
        expect(events.map((e) => [e.streamId.slice(base.length), e.revision])).toEqual([
          ['-a_b-1', 0n],
          ['-cd-1', 0n],
          ['-a_b-1', 2n],
        ]);
      });

      it('does not constrain on an empty filter list', async () => {
        const events = await store.readAll({
          after: headBefore,
          filter: { eventTypes: [], streamPrefixes: [base] },
        });
        expect(events).toHaveLength(written.length);
      });

      it('returns the same events as readStream', async () => {
        const fromStream = await store.readStream(`${base}-a_b-1`);
        expect(written.filter((e) => e.streamId === `${base}-a_b-1`)).toEqual(fromStream);
      });
    });

    describe('subscribeToAll', () => {
      it('catches up from the start', async () => {
        const prefix = uniqueStream('sub-start');
        const expected = await appendSeveral(prefix, 3);
        const subscription = store.subscribeToAll({ filter: { streamPrefixes: [prefix] } });
        try {
          const received = await take(subscription, 3);
          expect(received.map((e) => e.id)).toEqual(expected.map((e) => e.id));
        } finally {
          await subscription.close();
        }
      });

      it('catches up from an exclusive position, then delivers live events', async () => {
        const prefix = uniqueStream('sub-live');
        const before = await appendSeveral(prefix, 3);
        const after = before[0]?.position;
        const subscription = store.subscribeToAll({ after, filter: { streamPrefixes: [prefix] } });
        try {
          const caughtUp = await take(subscription, 2);
          expect(caughtUp.map((e) => e.id)).toEqual(before.slice(1).map((e) => e.id));

          // Pull before appending, so the events arrive while the subscription is waiting.
          const pending = take(subscription, 3);
          await store.append(`${prefix}-live`, [event(), event()], {
            expectedRevision: 'no_stream',
          });
          await store.append(`${prefix}-live`, [event()], { expectedRevision: 1n });
          const live = await pending;
          expect(live.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
          const positions = [...caughtUp, ...live].map((e) => e.position);
          expect(isStrictlyIncreasing(positions)).toBe(true);
          expect(live).toEqual(await store.readStream(`${prefix}-live`));
        } finally {
          await subscription.close();
        }
      });

      it('delivers a backlog larger than any page without gaps or duplicates', async () => {
        const streamId = uniqueStream('sub-backlog');
        const count = 600;
        await store.append(
          streamId,
          Array.from({ length: count }, (_, i) => event('Backlog', { i })),
          { expectedRevision: 'no_stream' },
        );
        const subscription = store.subscribeToAll({ filter: { streamPrefixes: [streamId] } });
        try {
          const received = await take(subscription, count);
          expect(received.map((e) => e.data['i'])).toEqual(
            Array.from({ length: count }, (_, i) => i),
          );
        } finally {
          await subscription.close();
        }
      });

      it('applies the filter to catch-up and live events', async () => {
        const prefix = uniqueStream('sub-filter');
        const wanted = `Wanted-${randomUUID()}`;
        const headBefore = await store.headPosition();
        await store.append(`${prefix}-1`, [event('Other'), event(wanted)], {
          expectedRevision: 'no_stream',
        });
        await store.append(uniqueStream('sub-filter-elsewhere'), [event(wanted)], {
          expectedRevision: 'no_stream',
        });
        const subscription = store.subscribeToAll({
          after: headBefore,
          filter: { eventTypes: [wanted], streamPrefixes: [prefix] },
        });
        try {
          const pending = take(subscription, 2);
          await store.append(`${prefix}-2`, [event('Other'), event(wanted, { live: true })], {
            expectedRevision: 'no_stream',
          });
          const received = await pending;
          expect(received.map((e) => [e.streamId, e.type])).toEqual([
            [`${prefix}-1`, wanted],
            [`${prefix}-2`, wanted],
          ]);
          expect(received[1]?.data).toEqual({ live: true });
        } finally {
          await subscription.close();
        }
      });

      it('ends a for-await loop and a pending next() when closed', async () => {
        const prefix = uniqueStream('sub-close');
        await appendSeveral(prefix, 1);
        const subscription = store.subscribeToAll({ filter: { streamPrefixes: [prefix] } });
        const seen: RecordedEvent[] = [];
        const loop = (async () => {
          for await (const recorded of subscription) seen.push(recorded);
        })();
        await eventually(() => seen.length === 1);
        // The loop is now parked in next(), waiting for a live event.
        await subscription.close();
        await withTimeout(loop, 'for-await loop to end');
        expect(seen).toHaveLength(1);

        const iterator = subscription[Symbol.asyncIterator]();
        expect(await iterator.next()).toEqual({ done: true, value: undefined });
      });

      it('resolves an already pending next() as done', async () => {
        const subscription = store.subscribeToAll({
          after: await store.headPosition(),
          filter: { streamPrefixes: [uniqueStream('sub-pending')] },
        });
        const pending = subscription[Symbol.asyncIterator]().next();
        await subscription.close();
        expect(await withTimeout(pending, 'pending next()')).toEqual({
          done: true,
          value: undefined,
        });
      });

      it('ends when the loop breaks', async () => {
        const prefix = uniqueStream('sub-break');
        await appendSeveral(prefix, 3);
        const subscription = store.subscribeToAll({ filter: { streamPrefixes: [prefix] } });
        for await (const _recorded of subscription) break;
        const iterator = subscription[Symbol.asyncIterator]();
        expect(await iterator.next()).toEqual({ done: true, value: undefined });
      });

      it('ends every subscription when the store closes', async () => {
        const own = await makeStore();
        try {
          const subscription = own.store.subscribeToAll({
            after: await own.store.headPosition(),
          });
          const pending = subscription[Symbol.asyncIterator]().next();
          await own.store.close();
          expect(await withTimeout(pending, 'next() after store close')).toEqual({
            done: true,
            value: undefined,
          });
        } finally {
          await own.dispose();
        }
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of racing appends with the same expected revision win', async () => {
        const streamId = await streamWith(1);
        const racers = 20;
        const outcomes = await Promise.allSettled(
          Array.from({ length: racers }, () =>
            store.append(streamId, [event()], { expectedRevision: 0n }),
          ),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(racers - 1);
        for (const reason of lost) {
          expect(reason).toBeInstanceOf(WrongExpectedVersionError);
          expect((reason as WrongExpectedVersionError).expected).toBe(0n);
          expect((reason as WrongExpectedVersionError).actual).toBe(1n);
        }
        expect(await store.readStream(streamId)).toHaveLength(2);
      });

      it('lets exactly one of racing stream creations win', async () => {
        const streamId = uniqueStream('race-create');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, () =>
            store.append(streamId, [event()], { expectedRevision: 'no_stream' }),
          ),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(streamId)).toHaveLength(1);
      });

      it('commits concurrent appends to different streams with distinct positions', async () => {
        const prefix = uniqueStream('parallel');
        const headBefore = await store.headPosition();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.append(`${prefix}-${i}`, [event()], { expectedRevision: 'no_stream' }),
          ),
        );
        const positions = results.map((r) => r.position);
        expect(new Set(positions).size).toBe(20);
        expect(results.every((r) => r.nextExpectedRevision === 0n)).toBe(true);
        const logged = await store.readAll({
          after: headBefore,
          filter: { streamPrefixes: [prefix] },
        });
        expect(logged).toHaveLength(20);
        expect(isStrictlyIncreasing(logged.map((e) => e.position))).toBe(true);
      });
    });

    // ---- helpers bound to this suite's store ----------------------------------------------

    async function streamWith(count: number): Promise<string> {
      const streamId = uniqueStream('existing');
      const events = Array.from({ length: count }, () => event());
      await store.append(streamId, events, { expectedRevision: 'no_stream' });
      return streamId;
    }

    async function appendError(
      streamId: string,
      events: EventToAppend[],
      expectedRevision: ExpectedRevision,
    ): Promise<WrongExpectedVersionError> {
      const outcome = await store.append(streamId, events, { expectedRevision }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      if (!('error' in outcome)) {
        throw new Error(`Expected WrongExpectedVersionError, append returned ${show(outcome)}`);
      }
      expect(outcome.error).toBeInstanceOf(WrongExpectedVersionError);
      return outcome.error as WrongExpectedVersionError;
    }

    /** Appends `count` single-event streams under `prefix` and returns them in log order. */
    async function appendSeveral(prefix: string, count: number): Promise<RecordedEvent[]> {
      const recorded: RecordedEvent[] = [];
      for (let i = 0; i < count; i += 1) {
        const streamId = `${prefix}-${i}`;
        await store.append(streamId, [event('Several', { i })], { expectedRevision: 'no_stream' });
        recorded.push(...(await store.readStream(streamId)));
      }
      return recorded;
    }
  });
}

function uniqueStream(label: string): string {
  return `contract_${label}-${randomUUID()}`;
}

function event(type = 'Tested', data: JsonObject = {}, metadata: JsonObject = {}): EventToAppend {
  return { id: randomUUID(), type, data, metadata };
}

function isStrictlyIncreasing(values: readonly bigint[]): boolean {
  return values.every((value, i) => i === 0 || value > (values[i - 1] ?? value));
}

/** Pulls exactly `count` events, failing instead of hanging if they do not come. */
async function take(subscription: Subscription, count: number): Promise<RecordedEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const received: RecordedEvent[] = [];
  await withTimeout(
    (async () => {
      while (received.length < count) {
        const next = await iterator.next();
        if (next.done) throw new Error(`Subscription ended after ${received.length} events`);
        received.push(next.value);
      }
    })(),
    () => `${count} events (got ${received.length})`,
  );
  return received;
}

async function withTimeout<T>(promise: Promise<T>, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out waiting for ${typeof what === 'string' ? what : what()}`)),
      DELIVERY_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function eventually(condition: () => boolean): Promise<void> {
  if (!(await waitUntil(async () => condition(), { timeoutMs: DELIVERY_TIMEOUT_MS }))) {
    throw new Error('Condition not met in time');
  }
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}
