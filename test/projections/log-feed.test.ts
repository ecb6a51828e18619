import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/shared/errors.js';
import { createLogger } from '../../src/logger.js';
import type { Projection } from '../../src/projections/projection.js';
import {
  CHECKPOINTS_COLLECTION,
  createLogFeed,
  type LogFeedOptions,
} from '../../src/projections/engine/log-feed.js';
import {
  StoreUnavailableError,
  type EventStore,
  type RecordedEvent,
} from '../../src/stores/event-store.js';
import type { ReadModelStore } from '../../src/stores/read-model-store.js';
import type { SqliteDatabase } from '../../src/stores/sqlite/database.js';
import { waitUntil } from '../../src/wait-until.js';
import { inMemoryStores } from '../support/in-memory-stores.js';

/**
 * A projection with every kind of document change: per-account totals (created, updated),
 * a per-event-type counter touched by several events of one batch, and deletion on `Closed`.
 */
const totals: Projection = {
  name: 'totals',
  version: 1,
  eventTypes: ['Deposited', 'Withdrawn', 'Closed'],
  documentIds: (event) => [String(event.data.account), `type:${event.type}`],
  evolve(document, event, id) {
    if (id.startsWith('type:')) return { count: Number(document?.count ?? 0) + 1 };
    if (event.type === 'Closed') return null;
    const amount = Number(event.data.amount);
    const balance =
      Number(document?.balance ?? 0) + (event.type === 'Deposited' ? amount : -amount);
    const history = [...((document?.history as number[] | undefined) ?? []), amount];
    return { account: event.data.account as string, balance, history };
  },
};

const silent = createLogger('silent');
const databases: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

const stores = () => inMemoryStores(databases);

async function append(eventStore: EventStore, type: string, data: Record<string, unknown>) {
  return eventStore.append(
    `account-${String(data.account)}`,
    [{ id: randomUUID(), type, data, metadata: {} }],
    { expectedRevision: 'any' },
  );
}

/** A mixed history of 40 events on 5 accounts, with unrelated events in between. */
async function history(eventStore: EventStore) {
  for (let i = 0; i < 40; i += 1) {
    const account = `A${i % 5}`;
    if (i % 7 === 3) await append(eventStore, 'Noted', { account, text: 'not handled' });
    else if (i === 33) await append(eventStore, 'Closed', { account });
    else await append(eventStore, i % 3 === 0 ? 'Withdrawn' : 'Deposited', { account, amount: i });
  }
}

async function documents(readModels: ReadModelStore, collection = 'totals_v1') {
  const found = await readModels.find(collection, { limit: 1000 });
  return found.documents.map(({ id, body, position }) => ({ id, body, position }));
}

/** The documents of `totals` built from `history` in one uninterrupted run: what others must equal. */
async function referenceDocuments() {
  const reference = stores();
  await history(reference.eventStore);
  await runner(reference.eventStore, reference.readModels).catchUp();
  return documents(reference.readModels);
}

interface RunnerOptions extends Partial<LogFeedOptions> {
  readonly projection?: Projection;
  readonly collection?: string;
}

/** A feed with one projection as its only member: how a single projection runs. */
function runner(
  eventStore: EventStore,
  readModels: ReadModelStore,
  { projection = totals, collection, ...options }: RunnerOptions = {},
) {
  const feed = createLogFeed({
    eventStore,
    readModels,
    logger: silent,
    sleep: async () => {},
    ...options,
  });
  const member = feed.addProjection(projection, { collection });
  return {
    catchUp: () => feed.catchUp(),
    start: () => feed.start(),
    stop: () => feed.stop(),
    wake: () => feed.wake(),
    status: () => member.status(),
  };
}

describe('log feed, one projection', () => {
  it('builds the documents from the log and checkpoints at the head', async () => {
    const { eventStore, readModels } = stores();
    await history(eventStore);
    const projection = runner(eventStore, readModels, { batchSize: 7 });
    await projection.catchUp();

    const accounts = await readModels.load('totals_v1', ['A0', 'A1', 'A3', 'type:Closed']);
    // A3 was closed by event 33 and never touched again: deleted.
    expect(accounts.get('A3')?.body).toBeNull();
    expect(accounts.get('A1')?.body).toEqual({
      account: 'A1',
      // i = 1, 6, ..., 36 on A1; 31 is a Noted event; multiples of 3 are withdrawals.
      balance: 1 - 6 + 11 + 16 - 21 + 26 - 36,
      history: [1, 6, 11, 16, 21, 26, 36],
    });
    expect(accounts.get('type:Closed')?.body).toEqual({ count: 1 });
    expect(projection.status()).toMatchObject({
      state: 'live',
      position: await eventStore.headPosition(),
      lastError: undefined,
    });
  });

  it('gives the same documents whatever the batch size', async () => {
    const { eventStore, readModels } = stores();
    await history(eventStore);
    const results = [];
    for (const batchSize of [1, 3, 1000]) {
      const collection = `totals_b${batchSize}`;
      await runner(eventStore, readModels, { batchSize, collection }).catchUp();
      results.push((await documents(readModels, collection)).map(({ id, body }) => ({ id, body })));
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(results[0]!.length).toBe(4 + 3);
  });

  it('moves the checkpoint past events it does not handle', async () => {
    const { eventStore, readModels } = stores();
    await append(eventStore, 'Deposited', { account: 'A', amount: 5 });
    const last = await append(eventStore, 'Noted', { account: 'A' });
    const projection = runner(eventStore, readModels);
    await projection.catchUp();
    expect(projection.status().position).toBe(last.position);
  });

  it('resumes from its checkpoint after a restart, applying only what is new', async () => {
    const { eventStore, readModels } = stores();
    await append(eventStore, 'Deposited', { account: 'A', amount: 5 });
    await runner(eventStore, readModels).catchUp();
    await append(eventStore, 'Deposited', { account: 'A', amount: 7 });
    await runner(eventStore, readModels).catchUp();
    expect((await readModels.load('totals_v1', ['A'])).get('A')?.body).toMatchObject({
      balance: 12,
      history: [5, 7],
    });
  });

  it('converges to the same documents when killed at any store operation', async () => {
    const expected = await referenceDocuments();

    // Crash at the k-th read-model operation, for every k and every way of dying, then restart
    // with another batch size: the end result is always the reference, position for position.
    let crashes = 0;
    for (const mode of ['before', 'after', 'half-written'] as const) {
      for (let k = 1; ; k += 1) {
        const { eventStore, readModels } = stores();
        await history(eventStore);
        const crashing = crashAt(readModels, k, mode);
        let crashed = false;
        try {
          await runner(eventStore, crashing.store, { batchSize: 4, maxAttempts: 1 }).catchUp();
        } catch {
          crashed = crashing.crashed();
        }
        if (!crashed) break;
        crashes += 1;
        await runner(eventStore, readModels, { batchSize: 5 + (k % 3) }).catchUp();
        expect(await documents(readModels)).toEqual(expected);
      }
    }
    expect(crashes).toBeGreaterThan(30);
  });

  it('stops visibly on an event evolve cannot handle, and never skips it', async () => {
    const { eventStore, readModels } = stores();
    await append(eventStore, 'Deposited', { account: 'A', amount: 1 });
    const poison = await append(eventStore, 'Deposited', { account: 'A', amount: 'poison' });
    await append(eventStore, 'Deposited', { account: 'A', amount: 2 });
    const lines: Record<string, unknown>[] = [];
    const strict: Projection = {
      ...totals,
      evolve(document, event, id) {
        if (event.data.amount === 'poison') throw new Error('amount is not a number');
        return totals.evolve(document, event, id);
      },
    };
    const attempts: number[] = [];
    const projection = runner(eventStore, readModels, {
      projection: strict,
      batchSize: 1,
      maxAttempts: 3,
      logger: captureLogger(lines),
      sleep: async (ms) => void attempts.push(ms),
    });
    await expect(projection.catchUp()).rejects.toThrow(/amount is not a number/);

    const status = projection.status();
    expect(status.state).toBe('failed');
    expect(status.lastError).toMatchObject({
      eventType: 'Deposited',
      position: poison.position.toString(),
      message: expect.stringContaining('amount is not a number'),
    });
    // Retried with growing delays before giving up.
    expect(attempts).toEqual([100, 200]);
    // Nothing after the poison event was applied, and the checkpoint stays before it.
    expect(status.position < poison.position).toBe(true);
    expect((await readModels.load('totals_v1', ['A'])).get('A')?.body).toMatchObject({
      history: [1],
    });
    const stopLine = lines.find((line) => String(line.msg).startsWith('projection stopped'));
    expect(stopLine).toMatchObject({
      position: poison.position.toString(),
      eventType: 'Deposited',
    });
  });

  it('pauses while a store is unavailable and resumes when it is back', async () => {
    const { eventStore, readModels } = stores();
    await history(eventStore);
    let outageLeft = 5;
    const states: string[] = [];
    const flaky = new Proxy(readModels, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'writeBatches' || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (outageLeft > 0) {
            outageLeft -= 1;
            throw new StoreUnavailableError('read-model store down');
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const projection = runner(eventStore, flaky, {
      batchSize: 10,
      // Far more outage steps than maxAttempts: an outage never makes a projection fail.
      maxAttempts: 2,
      sleep: async () => void states.push(projection.status().state),
    });
    await projection.catchUp();
    expect(states).toEqual(['paused', 'paused', 'paused', 'paused', 'paused']);
    expect(projection.status().state).toBe('live');

    expect(await documents(readModels)).toEqual(await referenceDocuments());
  });

  it('ends its outage back-off when a write is acknowledged: the write is read at once', async () => {
    const { eventStore, readModels } = stores();
    let down = true;
    const flaky = new Proxy(eventStore, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'headPosition' || typeof value !== 'function') return value;
        return async () => {
          if (down) throw new StoreUnavailableError('event store down');
          return (value as () => Promise<bigint>).apply(target);
        };
      },
    });
    // Back-offs far longer than the test may wait: only the wake can end them.
    const feed = createLogFeed({
      eventStore: flaky,
      readModels,
      logger: silent,
      retryBaseMs: 60_000,
      retryMaxMs: 60_000,
    });
    const member = feed.addProjection(totals);
    feed.start();
    try {
      expect(
        await waitUntil(async () => member.status().state === 'paused', { timeoutMs: 5_000 }),
      ).toBe(true);
      down = false;
      const written = await append(eventStore, 'Deposited', { account: 'Back', amount: 7 });
      // A plain wake (a read asking) does not end it: only a write proves the store is back.
      feed.wake();
      feed.wake(written.position);
      const applied = await waitUntil(async () => member.status().position >= written.position, {
        timeoutMs: 2_000,
      });
      expect(applied).toBe(true);
      expect(member.status().state).toBe('live');
    } finally {
      await feed.stop();
    }
  });

  it('follows new events once started, and stops cleanly', async () => {
    const { eventStore, readModels } = stores();
    const projection = runner(eventStore, readModels, { pollIntervalMs: 5, sleep: undefined });
    projection.start();
    const written = await append(eventStore, 'Deposited', { account: 'Live', amount: 3 });
    projection.wake();
    const applied = await waitUntil(async () => projection.status().position >= written.position, {
      timeoutMs: 5_000,
    });
    expect(applied).toBe(true);
    expect((await readModels.load('totals_v1', ['Live'])).get('Live')?.body).toMatchObject({
      balance: 3,
    });
    await projection.stop();
    expect(projection.status().state).toBe('stopped');
  });

  it('keeps its checkpoint in the read-model store, per collection', async () => {
    const { eventStore, readModels } = stores();
    const last = await append(eventStore, 'Deposited', { account: 'A', amount: 1 });
    await runner(eventStore, readModels).catchUp();
    const checkpoint = (await readModels.load(CHECKPOINTS_COLLECTION, ['totals_v1'])).get(
      'totals_v1',
    );
    expect(checkpoint?.position).toBe(last.position);
  });
});

/** A second projection with other types and documents: the count of events per type. */
const counts: Projection = {
  name: 'counts',
  version: 1,
  eventTypes: ['Deposited', 'Noted'],
  documentIds: (event) => [event.type],
  evolve: (document, event) => ({ type: event.type, n: Number(document?.n ?? 0) + 1 }),
};

/** Counts the reads of the log, and how many events they returned. */
function countingReads(eventStore: EventStore) {
  const reads = { calls: 0, events: 0 };
  const store = new Proxy(eventStore, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'readAll') return value;
      const readAll: EventStore['readAll'] = async (options) => {
        const events = await target.readAll(options);
        reads.calls += 1;
        reads.events += events.length;
        return events;
      };
      return readAll;
    },
  });
  return { store, reads };
}

describe('log feed, several members', () => {
  function feedOf(eventStore: EventStore, readModels: ReadModelStore, batchSize = 5) {
    return createLogFeed({
      eventStore,
      readModels,
      logger: silent,
      sleep: async () => {},
      batchSize,
    });
  }

  it('reads the log once for every member at the same position', async () => {
    const { eventStore, readModels } = stores();
    await history(eventStore);
    const { store, reads } = countingReads(eventStore);
    const feed = feedOf(store, readModels);
    feed.addProjection(totals);
    feed.addProjection(counts);
    feed.addProjection(totals, { collection: 'totals_copy' });
    await feed.catchUp();

    // 40 events in batches of 5: 8 reads, and none to find the head (known before reading).
    expect(reads).toEqual({ calls: 8, events: 40 });
    expect(await documents(readModels, 'totals_copy')).toEqual(await documents(readModels));
    expect((await readModels.load('counts_v1', ['Noted'])).get('Noted')?.body).toEqual({
      type: 'Noted',
      n: 6,
    });
  });

  it('lets a member that joins at zero catch up without holding back the live ones', async () => {
    const { eventStore, readModels } = stores();
    await history(eventStore);
    const { store, reads } = countingReads(eventStore);
    const feed = feedOf(store, readModels);
    const live = feed.addProjection(totals);
    await feed.catchUp();
    const before = reads.calls;

    const rebuild = feed.addProjection(totals, { collection: 'totals_rebuild' });
    // The live member is served in the same cycles: new events reach it at once.
    const fresh = await append(eventStore, 'Deposited', { account: 'A0', amount: 1000 });
    await feed.catchUp();
    expect(live.status().position).toBe(fresh.position);
    expect(rebuild.status()).toMatchObject({ state: 'live', position: fresh.position });
    expect(await documents(readModels, 'totals_rebuild')).toEqual(await documents(readModels));
    // The rebuild's own 9 reads; the live member needed one more, shared once they met.
    expect(reads.calls - before).toBeLessThanOrEqual(11);
  });

  it('keeps the others going when one member fails, and commits theirs', async () => {
    const { eventStore, readModels } = stores();
    await history(eventStore);
    const broken: Projection = {
      ...counts,
      name: 'broken',
      evolve: () => {
        throw new Error('broken on purpose');
      },
    };
    const feed = feedOf(eventStore, readModels);
    const good = feed.addProjection(totals);
    const bad = feed.addProjection(broken);
    await expect(feed.catchUp()).rejects.toThrow(/broken on purpose/);
    expect(bad.status()).toMatchObject({ state: 'failed', position: 0n });
    expect(good.status().position).toBe(await eventStore.headPosition());

    expect(await documents(readModels)).toEqual(await referenceDocuments());
  });

  it('commits the documents of every member and their checkpoints in one call per batch', async () => {
    const { eventStore, readModels } = stores();
    await history(eventStore);
    const calls: string[][] = [];
    const recording = new Proxy(readModels, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'writeBatches') return value;
        const writeBatches: ReadModelStore['writeBatches'] = async (batches) => {
          calls.push(batches.map((batch) => batch.collection));
          return target.writeBatches(batches);
        };
        return writeBatches;
      },
    });
    const feed = feedOf(eventStore, recording, 20);
    feed.addProjection(totals);
    feed.addProjection(counts);
    await feed.catchUp();
    expect(calls).toEqual([
      ['totals_v1', 'counts_v1', CHECKPOINTS_COLLECTION],
      ['totals_v1', 'counts_v1', CHECKPOINTS_COLLECTION],
    ]);
  });

  it('converges to the same documents for every member when killed at any store operation', async () => {
    const reference = stores();
    await history(reference.eventStore);
    const referenceFeed = feedOf(reference.eventStore, reference.readModels, 4);
    referenceFeed.addProjection(totals);
    referenceFeed.addProjection(counts);
    await referenceFeed.catchUp();
    const expected = {
      totals: await documents(reference.readModels),
      counts: await documents(reference.readModels, 'counts_v1'),
    };

    let crashes = 0;
    for (const mode of ['before', 'after', 'half-written'] as const) {
      for (let k = 1; ; k += 1) {
        const { eventStore, readModels } = stores();
        await history(eventStore);
        const crashing = crashAt(readModels, k, mode);
        const dying = createLogFeed({
          eventStore,
          readModels: crashing.store,
          logger: silent,
          sleep: async () => {},
          batchSize: 4,
          maxAttempts: 1,
        });
        dying.addProjection(totals);
        dying.addProjection(counts);
        let crashed = false;
        try {
          await dying.catchUp();
        } catch {
          crashed = crashing.crashed();
        }
        if (!crashed) break;
        crashes += 1;
        // Restarted with the members in another order and another batch size.
        const restarted = feedOf(eventStore, readModels, 5 + (k % 3));
        restarted.addProjection(counts);
        restarted.addProjection(totals);
        await restarted.catchUp();
        expect({
          totals: await documents(readModels),
          counts: await documents(readModels, 'counts_v1'),
        }).toEqual(expected);
      }
    }
    expect(crashes).toBeGreaterThan(20);
  });

  it('hands a reactor its events once the projections have them, in order per stream, and checkpoints it', async () => {
    const { eventStore, readModels } = stores();
    await history(eventStore);
    const seen: RecordedEvent[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const feed = createLogFeed({
      eventStore,
      readModels,
      logger: silent,
      batchSize: 50,
      reactionConcurrency: 3,
    });
    const projection = feed.addProjection(totals);
    const reactor = feed.addReactor({
      name: 'watcher',
      eventTypes: ['Deposited', 'Closed', 'Noted'],
      emits: [],
      async react(event) {
        expect(projection.status().position >= event.position).toBe(true);
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(event);
        inFlight -= 1;
      },
    });
    await feed.catchUp();
    // Streams side by side, never more than allowed, and each stream in log order.
    expect(mostInFlight).toBe(3);
    const all = await eventStore.readAll({
      filter: { eventTypes: ['Deposited', 'Closed', 'Noted'] },
    });
    expect(seen.map((event) => event.id).sort()).toEqual(all.map((event) => event.id).sort());
    for (const stream of new Set(all.map((event) => event.streamId))) {
      const order = (events: RecordedEvent[]) =>
        events.filter((event) => event.streamId === stream).map((event) => event.position);
      expect(order(seen)).toEqual(order(all));
    }
    const head = await eventStore.headPosition();
    expect(reactor.status()).toMatchObject({ state: 'live', position: head, eventsProcessed: 29 });
    const checkpoint = await readModels.load(CHECKPOINTS_COLLECTION, ['reactor:watcher']);
    expect(checkpoint.get('reactor:watcher')?.position).toBe(head);
  });

  it('keeps a failing reaction and its stream for later, and its checkpoint before it', async () => {
    const { eventStore, readModels } = stores();
    await history(eventStore);
    const all = await eventStore.readAll({});
    const poison = all.find(
      (event) => event.streamId === 'account-A2' && event.type === 'Deposited',
    )!;
    const reacted = new Map<string, number>();
    let healed = false;
    const feed = createLogFeed({
      eventStore,
      readModels,
      logger: silent,
      sleep: async () => {},
      maxAttempts: 2,
    });
    const reactor = feed.addReactor({
      name: 'fragile',
      eventTypes: ['Deposited', 'Withdrawn', 'Closed', 'Noted'],
      emits: [],
      async react(event) {
        if (event.id === poison.id && !healed) throw new Error('not today');
        reacted.set(event.id, (reacted.get(event.id) ?? 0) + 1);
      },
    });
    await expect(feed.catchUp()).rejects.toThrow(/not today/);
    expect(reactor.status()).toMatchObject({
      state: 'failed',
      lastError: { eventId: poison.id, position: poison.position.toString() },
    });
    // Nothing after the poison event in its own stream was reacted to; the checkpoint is before it.
    const laterInStream = all.filter(
      (event) => event.streamId === poison.streamId && event.position > poison.position,
    );
    for (const event of laterInStream) expect(reacted.has(event.id)).toBe(false);
    expect(reactor.status().position < poison.position).toBe(true);

    // Fixed and restarted: every event is reacted to, the ones before the checkpoint only once.
    healed = true;
    const restarted = feedOf(eventStore, readModels);
    restarted.addReactor({
      name: 'fragile',
      eventTypes: ['Deposited', 'Withdrawn', 'Closed', 'Noted'],
      emits: [],
      async react(event) {
        reacted.set(event.id, (reacted.get(event.id) ?? 0) + 1);
      },
    });
    await restarted.catchUp();
    expect(reacted.size).toBe(all.length);
    for (const event of all.filter((event) => event.position <= reactor.status().position)) {
      expect(reacted.get(event.id)).toBe(1);
    }
  });
});

type CrashMode = 'before' | 'after' | 'half-written';

/**
 * A store that dies at its k-th operation and stays dead: before running it, after running it
 * (the write is stored but the caller never hears so), or with only half of a bulk write
 * applied (MongoDB bulk writes are not atomic, nor are writes to several collections).
 */
function crashAt(store: ReadModelStore, k: number, mode: CrashMode) {
  let operations = 0;
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const call = (args: unknown[]) =>
        (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      return async (...args: unknown[]) => {
        operations += 1;
        if (operations < k) return call(args);
        if (operations === k && mode === 'after') await call(args);
        if (operations === k && mode === 'half-written' && property === 'writeBatch') {
          const [collection, writes] = args as [string, unknown[]];
          await call([collection, writes.slice(0, Math.ceil(writes.length / 2))]);
        }
        if (operations === k && mode === 'half-written' && property === 'writeBatches') {
          // MongoDB applies the collections one by one: the first ones, not the checkpoints.
          const [batches] = args as [{ collection: string; writes: unknown[] }[]];
          const [first, ...rest] = batches;
          const half = first
            ? [{ ...first, writes: first.writes.slice(0, Math.ceil(first.writes.length / 2)) }]
            : [];
          await call([[...half, ...rest.slice(0, Math.floor(rest.length / 2))]]);
        }
        throw new Error(`simulated crash at operation ${k}`);
      };
    },
  });
  return { store: wrapped, crashed: () => operations >= k };
}

function captureLogger(lines: Record<string, unknown>[]) {
  return createLogger('info', {
    write(line: string) {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
}

describe('a reaction refused until another command lifts the refusal', () => {
  it('waits (paused) past maxAttempts on a closed period, then resumes once lifted', async () => {
    const { eventStore, readModels } = stores();
    await history(eventStore);
    const all = await eventStore.readAll({});
    const blocked = all.find((event) => event.type === 'Deposited')!;
    let attempts = 0;
    const seen: string[] = [];
    const whileWaiting: string[] = [];
    const feed = createLogFeed({
      eventStore,
      readModels,
      logger: silent,
      // What an operator sees in the admin status while it waits to try again.
      sleep: async () => {
        const { state, lastError } = reactor.status();
        whileWaiting.push(`${state}: ${lastError?.message ?? ''}`);
      },
      maxAttempts: 2,
    });
    const reactor = feed.addReactor({
      name: 'poster',
      eventTypes: ['Deposited'],
      emits: [],
      async react(event) {
        if (event.id !== blocked.id) return;
        attempts += 1;
        const { state, lastError } = reactor.status();
        if (attempts > 1) seen.push(`${state}: ${lastError?.message ?? ''}`);
        // Reopened after five refusals: more than maxAttempts, which stops any other failure.
        if (attempts <= 5) {
          throw new DomainError({
            kind: 'conflict',
            code: 'PeriodClosed',
            message: 'Period 2026-10 is closed',
            until: 'period 2026-10 is reopened',
          });
        }
      },
    });
    await feed.catchUp();
    expect(attempts).toBe(6);
    expect(whileWaiting.length).toBeGreaterThan(0);
    for (const status of whileWaiting)
      expect(status).toMatch(/^paused: .*Period 2026-10 is closed/);
    expect(seen).toHaveLength(5);
    for (const status of seen) expect(status).not.toMatch(/^failed/);
    expect(reactor.status()).toMatchObject({ state: 'live' });
    expect(reactor.status().lastError).toBeUndefined();
  });
});
