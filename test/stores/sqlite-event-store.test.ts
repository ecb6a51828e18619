import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  StoreUnavailableError,
  WrongExpectedVersionError,
  type EventToAppend,
  type RecordedEvent,
} from '../../src/stores/event-store.js';
import { openSqliteDatabase } from '../../src/stores/sqlite/database.js';
import {
  DEFAULT_READ_ALL_MAX_COUNT,
  createSqliteEventStore,
  type SqliteEventStoreOptions,
} from '../../src/stores/sqlite/sqlite-event-store.js';
import { describeEventStoreContract } from './event-store.contract.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sqlite-event-store-'));
}

function makeStoreFactory(options: SqliteEventStoreOptions) {
  return async () => {
    const dir = await tempDir();
    const db = openSqliteDatabase(join(dir, 'events.sqlite'));
    const store = createSqliteEventStore(db, options);
    return {
      store,
      dispose: async () => {
        await store.close();
        db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

describeEventStoreContract(
  'SQLite, group commit',
  makeStoreFactory({ groupCommit: true, pollIntervalMs: 0 }),
);
describeEventStoreContract(
  'SQLite, no group commit',
  makeStoreFactory({ groupCommit: false, pollIntervalMs: 0 }),
);

describe('SQLite event store', () => {
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A store on a fresh file; everything is closed and deleted after the test. */
  async function setUp(options: SqliteEventStoreOptions = {}) {
    const dir = await tempDir();
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'nested', 'events.sqlite');
    const open = (storeOptions: SqliteEventStoreOptions = options) => {
      const db = openSqliteDatabase(file);
      const store = createSqliteEventStore(db, storeOptions);
      cleanups.push(async () => {
        await store.close();
        if (db.open) db.close();
      });
      return { db, store };
    };
    return { file, open, ...open() };
  }

  it('creates the parent directory and sets the durability pragmas', async () => {
    const { db } = await setUp();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('opens an existing file only, when told it must exist, and creates nothing', async () => {
    const { file, db } = await setUp();
    db.close();
    const again = openSqliteDatabase(file, { mustExist: true });
    again.close();
    const missing = join(await tempDir(), 'nested', 'events.sqlite');
    cleanups.push(() => rm(dirname(dirname(missing)), { recursive: true, force: true }));
    expect(() => openSqliteDatabase(missing, { mustExist: true })).toThrow();
    expect(existsSync(dirname(missing))).toBe(false);
  });

  it('keeps events across closing and reopening the file, and never reuses positions', async () => {
    const { db, store, open } = await setUp();
    const first = await store.append('order-1', [event({ total: 10 })], {
      expectedRevision: 'no_stream',
    });
    await store.close();
    db.close();

    const reopened = open();
    const events = await reopened.store.readStream('order-1');
    expect(events.map((e) => [e.revision, e.position, e.data])).toEqual([
      [0n, first.position, { total: 10 }],
    ]);
    expect(await reopened.store.headPosition()).toBe(first.position);
    const next = await reopened.store.append('order-1', [event()], { expectedRevision: 0n });
    expect(next).toEqual({ nextExpectedRevision: 1n, position: first.position + 1n });
  });

  it('starts with head position 0n, and the first event at position 1n', async () => {
    const { store } = await setUp();
    expect(await store.headPosition()).toBe(0n);
    const result = await store.append('s', [event()], { expectedRevision: 'no_stream' });
    expect(result.position).toBe(1n);
    expect(await store.headPosition()).toBe(1n);
  });

  it('returns positions past 2^53 exactly, as bigint', async () => {
    const { db, store } = await setUp();
    const big = 2n ** 53n + 10n;
    // Bumps the AUTOINCREMENT sequence the way a long-lived log would have.
    db.prepare(
      `INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at)
       VALUES (?, 'seed', 0, ?, 'Seeded', '{}', '{}', '2024-01-01T00:00:00.000Z')`,
    ).run(big, randomUUID());
    const result = await store.append('after-seed', [event()], { expectedRevision: 'no_stream' });
    expect(result.position).toBe(big + 1n);
    expect(await store.headPosition()).toBe(big + 1n);
    const [read] = await store.readAll({ after: big });
    expect(read?.position).toBe(big + 1n);
  });

  it('stamps recordedAt with the injected clock', async () => {
    const { store } = await setUp({ now: () => new Date('2024-05-06T07:08:09.123Z') });
    await store.append('clocked', [event()], { expectedRevision: 'any' });
    const [read] = await store.readStream('clocked');
    expect(read?.recordedAt).toBe('2024-05-06T07:08:09.123Z');
  });

  it(`caps readAll at ${DEFAULT_READ_ALL_MAX_COUNT} events by default`, async () => {
    const { store } = await setUp();
    const many = Array.from({ length: DEFAULT_READ_ALL_MAX_COUNT + 5 }, () => event());
    await store.append('many', many, { expectedRevision: 'no_stream' });
    expect(await store.readAll()).toHaveLength(DEFAULT_READ_ALL_MAX_COUNT);
    expect(await store.readAll({ maxCount: 0 })).toEqual([]);
  });

  describe('group commit', () => {
    it('commits concurrent appends in fewer transactions than appends', async () => {
      const batches: number[] = [];
      const { store } = await setUp({ onCommit: (size) => batches.push(size) });
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.append(`stream-${i}`, [event()], { expectedRevision: 'no_stream' }),
        ),
      );
      expect(batches.reduce((sum, size) => sum + size, 0)).toBe(50);
      expect(batches.length).toBeLessThan(50);
    });

    it('commits each append alone when group commit is off', async () => {
      const batches: number[] = [];
      const { store } = await setUp({ groupCommit: false, onCommit: (n) => batches.push(n) });
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.append(`stream-${i}`, [event()], { expectedRevision: 'no_stream' }),
        ),
      );
      expect(batches).toEqual(new Array(10).fill(1));
    });

    it('fails only the append whose expectation fails, not its batch neighbours', async () => {
      const batches: number[] = [];
      const { store } = await setUp({ onCommit: (size) => batches.push(size) });
      await store.append('existing', [event()], { expectedRevision: 'no_stream' });
      batches.length = 0;

      const outcomes = await Promise.allSettled([
        store.append('left', [event(), event()], { expectedRevision: 'no_stream' }),
        store.append('existing', [event(), event()], { expectedRevision: 'no_stream' }),
        store.append('right', [event()], { expectedRevision: 'no_stream' }),
      ]);
      expect(batches).toEqual([3]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const failure = outcomes[1];
      expect(failure?.status === 'rejected' && failure.reason).toBeInstanceOf(
        WrongExpectedVersionError,
      );
      expect(await store.readStream('left')).toHaveLength(2);
      expect(await store.readStream('existing')).toHaveLength(1);
      expect(await store.readStream('right')).toHaveLength(1);
    });

    it('checks appends to one stream in a batch against each other, in call order', async () => {
      const batches: number[] = [];
      const { store } = await setUp({ onCommit: (size) => batches.push(size) });
      const outcomes = await Promise.allSettled([
        store.append('same', [event()], { expectedRevision: 'no_stream' }),
        store.append('same', [event()], { expectedRevision: 0n }),
        store.append('same', [event()], { expectedRevision: 0n }),
        store.append('same', [event()], { expectedRevision: 'stream_exists' }),
      ]);
      expect(batches).toEqual([4]);
      expect(outcomes.map((o) => o.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      const third = outcomes[2];
      const reason: unknown = third?.status === 'rejected' ? third.reason : undefined;
      expect(reason).toBeInstanceOf(WrongExpectedVersionError);
      expect((reason as WrongExpectedVersionError).actual).toBe(1n);
      expect((await store.readStream('same')).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    });

    it('undoes the partial insert of an append that fails midway, keeping its neighbours', async () => {
      const batches: number[] = [];
      const { db, store } = await setUp({ onCommit: (size) => batches.push(size) });
      // A failure SQLite raises after the append's first event is already inserted.
      db.exec(`CREATE TRIGGER explode BEFORE INSERT ON events WHEN NEW.type = 'Explode'
               BEGIN SELECT RAISE(ABORT, 'boom'); END`);
      const outcomes = await Promise.allSettled([
        store.append('before', [event()], { expectedRevision: 'no_stream' }),
        store.append('midway', [event(), { ...event(), type: 'Explode' }], {
          expectedRevision: 'no_stream',
        }),
        store.append('after', [event()], { expectedRevision: 'no_stream' }),
      ]);
      expect(batches).toEqual([3]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await store.readStream('midway')).toEqual([]);
      expect((await store.readAll()).map((e) => e.streamId)).toEqual(['before', 'after']);
    });

    it('treats duplicate retries inside one batch as idempotent', async () => {
      const { store } = await setUp();
      const batch = [event(), event()];
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.append('retried', batch, { expectedRevision: 'no_stream' }),
        ),
      );
      expect(new Set(results.map((r) => `${r.nextExpectedRevision}:${r.position}`)).size).toBe(1);
      expect(await store.readStream('retried')).toHaveLength(2);
    });

    it('rejects an unserializable append alone', async () => {
      const { store } = await setUp();
      const bad = { ...event(), data: { amount: 1n } } as unknown as EventToAppend;
      const outcomes = await Promise.allSettled([
        store.append('good', [event()], { expectedRevision: 'no_stream' }),
        store.append('bad', [bad], { expectedRevision: 'no_stream' }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
      expect(await store.readStream('bad')).toEqual([]);
    });

    it('commits appends that were queued when close() was called', async () => {
      const { store } = await setUp();
      const pending = store.append('late', [event()], { expectedRevision: 'no_stream' });
      await store.close();
      await expect(pending).resolves.toEqual({ nextExpectedRevision: 0n, position: 1n });
    });
  });

  it('rejects event ids that are not UUIDs, and compares UUIDs case-insensitively', async () => {
    const { store } = await setUp();
    await expect(
      store.append('ids', [{ ...event(), id: 'not-a-uuid' }], { expectedRevision: 'any' }),
    ).rejects.toThrow(TypeError);
    const upper = { ...event(), id: randomUUID().toUpperCase() };
    const first = await store.append('ids', [upper], { expectedRevision: 'no_stream' });
    const retry = await store.append('ids', [{ ...upper, id: upper.id.toLowerCase() }], {
      expectedRevision: 'no_stream',
    });
    expect(retry).toEqual(first);
  });

  it('refuses to use the store after close, but leaves the shared handle open', async () => {
    const { db, store } = await setUp();
    await store.close();
    expect(db.open).toBe(true);
    await expect(store.append('s', [event()], { expectedRevision: 'any' })).rejects.toThrow(
      StoreUnavailableError,
    );
    await expect(store.ping()).rejects.toThrow(StoreUnavailableError);
    expect(() => store.subscribeToAll()).toThrow(StoreUnavailableError);
  });

  it('reports a closed database handle as unavailable', async () => {
    const { db, store } = await setUp();
    await store.ping();
    db.close();
    await expect(store.ping()).rejects.toThrow(StoreUnavailableError);
    await expect(store.append('s', [event()], { expectedRevision: 'any' })).rejects.toThrow(
      StoreUnavailableError,
    );
  });

  it('reports corrupted JSON with the position instead of returning garbage', async () => {
    const { db, store } = await setUp();
    await store.append('corrupt', [event()], { expectedRevision: 'no_stream' });
    db.prepare(`UPDATE events SET data = '{"broken' WHERE stream_id = 'corrupt'`).run();
    await expect(store.readStream('corrupt')).rejects.toThrow(/position 1 has malformed data/);
  });

  it('does not deliver positions at or below a subscription start beyond the head', async () => {
    const { store } = await setUp();
    const subscription = store.subscribeToAll({ after: 3n });
    const iterator = subscription[Symbol.asyncIterator]();
    const pending = iterator.next();
    for (let i = 0; i < 4; i += 1) {
      await store.append(`s-${i}`, [event()], { expectedRevision: 'no_stream' });
    }
    expect((await pending).value).toMatchObject({ position: 4n, streamId: 's-3' });
    await subscription.close();
  });

  it('delivers events committed through another connection to a live subscription', async () => {
    const { open } = await setUp({ pollIntervalMs: 20 });
    const reader = open();
    const writer = open();
    const subscription = reader.store.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    const pending = iterator.next();
    await writer.store.append('elsewhere', [event()], { expectedRevision: 'no_stream' });
    const next = await pending;
    expect((next.value as RecordedEvent | undefined)?.streamId).toBe('elsewhere');
    await subscription.close();
  });
});

function event(data: EventToAppend['data'] = {}): EventToAppend {
  return { id: randomUUID(), type: 'Tested', data, metadata: {} };
}
