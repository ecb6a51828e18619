import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import type { Projection } from '../../src/projections/projection.js';
import {
  createProjectionManager,
  ReadModelUnavailableError,
  REGISTRY_COLLECTION,
  type ProjectionManager,
  type ProjectionManagerOptions,
} from '../../src/projections/projection-manager.js';
import type { EventStore } from '../../src/stores/event-store.js';
import type { ReadModelStore } from '../../src/stores/read-model-store.js';
import type { SqliteDatabase } from '../../src/stores/sqlite/database.js';
import { waitUntil } from '../../src/wait-until.js';
import { inMemoryStores } from '../support/in-memory-stores.js';

/** Balance per account; version 2 also counts the deposits, so its documents differ. */
function balances(version: number, fail?: (amount: number) => boolean): Projection {
  return {
    name: 'balances',
    version,
    eventTypes: ['Deposited'],
    documentIds: (event) => [String(event.data.account)],
    evolve(document, event) {
      const amount = Number(event.data.amount);
      if (fail?.(amount)) throw new Error(`cannot take ${amount}`);
      const balance = Number(document?.balance ?? 0) + amount;
      return version === 1
        ? { balance }
        : { balance, deposits: Number(document?.deposits ?? 0) + 1 };
    },
  };
}

const silent = createLogger('silent');
const databases: SqliteDatabase[] = [];
const managers: ProjectionManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.stop();
  for (const db of databases.splice(0)) db.close();
});

const stores = () => inMemoryStores(databases);

type Stores = ReturnType<typeof stores>;

function manager(
  { eventStore, readModels, leases }: Stores,
  options: Partial<ProjectionManagerOptions> = {},
): ProjectionManager {
  const created = createProjectionManager({
    projections: [balances(1)],
    eventStore,
    readModels,
    leases,
    logger: silent,
    instanceId: 'instance-a',
    tickIntervalMs: 20,
    pollIntervalMs: 10,
    dropDelayMs: 0,
    retryBaseMs: 1,
    ...options,
  });
  managers.push(created);
  return created;
}

async function deposit(eventStore: EventStore, account: string, amount: number) {
  return eventStore.append(
    `account-${account}`,
    [{ id: randomUUID(), type: 'Deposited', data: { account, amount }, metadata: {} }],
    { expectedRevision: 'any' },
  );
}

async function documents(readModels: ReadModelStore, collection: string) {
  const found = await readModels.find(collection, { limit: 1000 });
  return found.documents.map(({ id, body }) => ({ id, body }));
}

async function eventually(condition: () => Promise<boolean>, what: string) {
  if (!(await waitUntil(condition, { timeoutMs: 5000 }))) throw new Error(`never: ${what}`);
}

async function servingCollection(projections: ProjectionManager): Promise<string | undefined> {
  try {
    return await projections.collection('balances');
  } catch (error) {
    if (error instanceof ReadModelUnavailableError) return undefined;
    throw error;
  }
}

async function report(projections: ProjectionManager) {
  return (await projections.status()).find((item) => item.name === 'balances')!;
}

describe('projection manager', () => {
  it('serves nothing until the first build has caught up, then its generation', async () => {
    const s = stores();
    for (let i = 0; i < 30; i += 1) await deposit(s.eventStore, `A${i % 3}`, i);
    const projections = manager(s, { batchSize: 4 });
    await expect(projections.collection('balances')).rejects.toBeInstanceOf(
      ReadModelUnavailableError,
    );
    await projections.start();
    await eventually(async () => (await servingCollection(projections)) !== undefined, 'built');

    expect(await projections.collection('balances')).toBe('balances_v1_1');
    expect(await documents(s.readModels, 'balances_v1_1')).toEqual([
      { id: 'A0', body: { balance: 0 + 3 + 6 + 9 + 12 + 15 + 18 + 21 + 24 + 27 } },
      { id: 'A1', body: { balance: 1 + 4 + 7 + 10 + 13 + 16 + 19 + 22 + 25 + 28 } },
      { id: 'A2', body: { balance: 2 + 5 + 8 + 11 + 14 + 17 + 20 + 23 + 26 + 29 } },
    ]);
    expect(await report(projections)).toMatchObject({
      version: 1,
      collection: 'balances_v1_1',
      activeVersion: 1,
      position: (await s.eventStore.headPosition()).toString(),
      lag: 0,
      state: 'live',
      lastError: null,
      rebuild: null,
      runningOn: 'instance-a',
    });
    expect(await projections.readiness()).toEqual({ balances: 'ok' });
  });

  it('reports lag as the number of events after the position', async () => {
    const s = stores();
    const projections = manager(s, { tickIntervalMs: 60_000, pollIntervalMs: 60_000 });
    await projections.start();
    await eventually(async () => (await servingCollection(projections)) !== undefined, 'built');
    const before = await report(projections);
    // With the runner asleep for a minute, these stay unapplied.
    for (let i = 0; i < 7; i += 1) await deposit(s.eventStore, 'A', 1);
    const behind = await report(projections);
    expect(behind.position).toBe(before.position);
    expect(behind.lag).toBe(7);
    expect(BigInt(behind.head)).toBe(await s.eventStore.headPosition());

    projections.wake();
    await eventually(async () => (await report(projections)).lag === 0, 'caught up');
  });

  it('waits for a position, bounded', async () => {
    const s = stores();
    const projections = manager(s);
    await projections.start();
    const { position } = await deposit(s.eventStore, 'A', 5);
    expect(await projections.awaitPosition(position, ['balances'], 2000)).toBe(true);
    expect(await projections.awaitPosition(position + 1000n, ['balances'], 50)).toBe(false);
  });

  it('rebuilds into a new collection while the old one serves, then switches to identical documents', async () => {
    const s = stores();
    for (let i = 0; i < 200; i += 1) await deposit(s.eventStore, `A${i % 7}`, i);
    const projections = manager(s, { batchSize: 5 });
    await projections.start();
    await eventually(async () => (await servingCollection(projections)) !== undefined, 'built');
    const before = await documents(s.readModels, 'balances_v1_1');

    // Watch what queries would read all along: never nothing, never a half-built collection.
    const seen = new Set<string | undefined>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        seen.add(await servingCollection(projections));
        // Paces the sampler; it waits for nothing.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();

    const requested = await projections.requestRebuild('balances');
    expect(requested.rebuild ?? requested.rebuildRequested).toBeTruthy();
    // Writes during the rebuild land in both generations.
    for (let i = 0; i < 20; i += 1) await deposit(s.eventStore, `A${i % 7}`, 1000);
    await eventually(
      async () => (await servingCollection(projections)) === 'balances_v1_2',
      'switched',
    );
    watching = false;
    await watcher;
    // The watcher's last sample may predate the switch `eventually` saw.
    seen.add(await servingCollection(projections));

    expect([...seen].sort()).toEqual(['balances_v1_1', 'balances_v1_2']);
    projections.wake();
    await eventually(async () => (await report(projections)).lag === 0, 'caught up');
    const rebuilt = await documents(s.readModels, 'balances_v1_2');
    expect(rebuilt).not.toEqual(before);

    // The same log projected by a separate first build gives exactly these documents.
    const { readModels, leases } = stores();
    const elsewhere = { eventStore: s.eventStore, readModels, leases };
    const reference = manager(elsewhere, { instanceId: 'reference' });
    await reference.start();
    await eventually(async () => (await servingCollection(reference)) !== undefined, 'reference');
    expect(await documents(elsewhere.readModels, 'balances_v1_1')).toEqual(rebuilt);
    expect(rebuilt.find(({ id }) => id === 'A6')!.body.balance).toBe(
      Number(before.find(({ id }) => id === 'A6')!.body.balance) + 2000,
    );

    const status = await report(projections);
    expect(status).toMatchObject({ collection: 'balances_v1_2', rebuild: null });
    expect(status.lastSwitchAt).not.toBeNull();
    // The replaced generation is dropped (after the configured delay, here none).
    await eventually(
      async () => !(await s.readModels.listCollections()).includes('balances_v1_1'),
      'old collection dropped',
    );
  });

  it('keeps its generation across a restart: no rebuild, resumes from the checkpoint', async () => {
    const s = stores();
    await deposit(s.eventStore, 'A', 5);
    const first = manager(s);
    await first.start();
    await eventually(async () => (await servingCollection(first)) !== undefined, 'built');
    await first.stop();

    await deposit(s.eventStore, 'A', 7);
    const second = manager(s);
    await second.start();
    await eventually(async () => (await report(second)).lag === 0, 'caught up');
    expect(await second.collection('balances')).toBe('balances_v1_1');
    expect(await documents(s.readModels, 'balances_v1_1')).toEqual([
      { id: 'A', body: { balance: 12 } },
    ]);
  });

  it('rebuilds a changed version at start, serving the previous version until it is done', async () => {
    const s = stores();
    for (let i = 0; i < 50; i += 1) await deposit(s.eventStore, `A${i % 2}`, i);
    const v1 = manager(s);
    await v1.start();
    await eventually(async () => (await servingCollection(v1)) !== undefined, 'v1 built');
    await v1.stop();

    const v2 = manager(s, { projections: [balances(2)], batchSize: 3 });
    const seen = new Set<string | undefined>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        seen.add(await servingCollection(v2));
        // Paces the sampler; it waits for nothing.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await v2.start();
    const during = await report(v2);
    expect(during.activeVersion === 1 || during.activeVersion === 2).toBe(true);
    await eventually(async () => (await servingCollection(v2)) === 'balances_v2_2', 'switched');
    watching = false;
    await watcher;
    // The watcher's last sample may predate the switch `eventually` saw.
    seen.add(await servingCollection(v2));

    expect([...seen].sort()).toEqual(['balances_v1_1', 'balances_v2_2']);
    expect(await documents(s.readModels, 'balances_v2_2')).toEqual([
      { id: 'A0', body: { balance: 600, deposits: 25 } },
      { id: 'A1', body: { balance: 625, deposits: 25 } },
    ]);
    expect(await report(v2)).toMatchObject({ version: 2, activeVersion: 2, rebuild: null });
    await eventually(
      async () => !(await s.readModels.listCollections()).includes('balances_v1_1'),
      'v1 dropped',
    );
  });

  it('runs each projection on one instance only; the others read what it writes', async () => {
    const s = stores();
    const a = manager(s, { instanceId: 'a' });
    const b = manager(s, { instanceId: 'b' });
    await a.start();
    await b.start();
    const { position } = await deposit(s.eventStore, 'A', 5);
    expect(await b.awaitPosition(position, ['balances'], 3000)).toBe(true);
    expect(await b.collection('balances')).toBe('balances_v1_1');
    await eventually(async () => (await report(b)).runningOn === 'a', 'b reports a');
    expect((await report(a)).runningOn).toBe('a');
    // Only one generation was ever built: b never started its own.
    const registry = await s.readModels.load(REGISTRY_COLLECTION, ['balances']);
    expect(registry.get('balances')!.body).toMatchObject({ lastGeneration: 1 });

    // a leaves (releasing its lease): b takes over and follows new events.
    await a.stop();
    const later = await deposit(s.eventStore, 'A', 6);
    expect(await b.awaitPosition(later.position, ['balances'], 3000)).toBe(true);
    expect((await report(b)).runningOn).toBe('b');
    expect(await documents(s.readModels, 'balances_v1_1')).toEqual([
      { id: 'A', body: { balance: 11 } },
    ]);
  });

  it('takes over the lease of a holder that died, once it expires', async () => {
    const s = stores();
    let now = new Date('2026-11-23T10:00:00Z');
    await s.readModels.ensureCollection(REGISTRY_COLLECTION);
    // A holder that took the lease and then vanished without releasing it.
    expect(
      await s.leases.acquire({
        name: 'projection:balances',
        holder: 'dead',
        ttlMs: 10_000,
        now,
      }),
    ).toBe(true);
    const { position } = await deposit(s.eventStore, 'A', 5);
    const survivor = manager(s, { instanceId: 'survivor', leaseTtlMs: 10_000, clock: () => now });
    await survivor.start();
    expect(await survivor.awaitPosition(position, ['balances'], 200)).toBe(false);
    expect(await servingCollection(survivor)).toBeUndefined();

    now = new Date(now.getTime() + 10_001);
    expect(await survivor.awaitPosition(position, ['balances'], 3000)).toBe(true);
    expect((await report(survivor)).runningOn).toBe('survivor');
  });

  it('hands a rebuild asked of any instance to the one running the projection', async () => {
    const s = stores();
    await deposit(s.eventStore, 'A', 5);
    const holder = manager(s, { instanceId: 'holder' });
    await holder.start();
    await eventually(async () => (await servingCollection(holder)) !== undefined, 'built');
    const other = manager(s, { instanceId: 'other' });
    await other.start();

    const asked = await other.requestRebuild('balances');
    expect(asked.rebuild !== null || asked.rebuildRequested).toBe(true);
    await eventually(
      async () => (await servingCollection(other)) === 'balances_v1_2',
      'switched by the holder',
    );
    expect((await report(other)).runningOn).toBe('holder');
    await expect(other.requestRebuild('nope')).rejects.toThrow(/no projection named nope/);
  });

  it('asking again while a rebuild runs starts no second one', async () => {
    const s = stores();
    for (let i = 0; i < 300; i += 1) await deposit(s.eventStore, 'A', 1);
    const projections = manager(s, { batchSize: 1 });
    await projections.start();
    await eventually(async () => (await servingCollection(projections)) !== undefined, 'built');
    await projections.requestRebuild('balances');
    await projections.requestRebuild('balances');
    await projections.requestRebuild('balances');
    await eventually(async () => (await report(projections)).rebuild === null, 'rebuilt');
    const registry = await s.readModels.load(REGISTRY_COLLECTION, ['balances']);
    expect(registry.get('balances')!.body).toMatchObject({
      lastGeneration: 2,
      rebuildRequestedAt: null,
    });
  });

  it('shows a projection that keeps failing as failed, with the event, and not ready', async () => {
    const s = stores();
    await deposit(s.eventStore, 'A', 1);
    const poison = await deposit(s.eventStore, 'A', 13);
    const projections = manager(s, {
      projections: [balances(1, (amount) => amount === 13)],
      maxAttempts: 2,
    });
    await projections.start();
    await eventually(async () => (await report(projections)).rebuild?.state === 'failed', 'failed');
    const failed = await report(projections);
    expect(failed.rebuild!.lastError).toMatchObject({
      eventType: 'Deposited',
      position: poison.position.toString(),
      message: expect.stringContaining('cannot take 13') as unknown as string,
    });
    // The first build never finished: nothing to serve, and readiness says why.
    expect(await projections.readiness()).toEqual({ balances: 'failed' });
    expect(await servingCollection(projections)).toBeUndefined();
  });
});
