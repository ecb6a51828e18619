/**
 * Where each storage mode keeps what: which local files the service opens, and that with
 * MONGODB_URL the idempotency records and leases are the ones every instance sees.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openStores } from '../../src/open-stores.js';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server/index.js';

const mongoUrl = process.env.MONGODB_URL;
const silent = createLogger('silent');
const ref = { scope: 'caller', key: 'k-1' };
const answer = { status: 201, headers: { ETag: '"0"' }, body: { id: 'x' } };
const lease = (holder: string) => ({
  name: 'projection:things',
  holder,
  ttlMs: 60_000,
  now: new Date(),
});

let esdb: EsdbTestServer;
const dataDirs: string[] = [];
const opened: ReturnType<typeof openStores>[] = [];

beforeAll(async () => {
  esdb = await startEsdbTestServer();
});
afterAll(async () => {
  await esdb.close();
});
afterEach(async () => {
  for (const stores of opened.splice(0)) await stores.close();
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'stores-'));
  dataDirs.push(dataDir);
  const stores = openStores(
    loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }),
    silent,
    () => new Date(),
  );
  opened.push(stores);
  return { stores, dataDir };
}

/** Writes to every store, as a service answering one idempotent POST does. */
async function useEveryStore(stores: ReturnType<typeof openStores>): Promise<void> {
  await stores.events.store.append(
    `thing-${randomUUID()}`,
    [{ id: randomUUID(), type: 'ThingHappened', data: { n: 1 }, metadata: {} }],
    { expectedRevision: 'any' },
  );
  const idempotency = stores.idempotency();
  expect(await idempotency.claim(ref, 'f-1', new Date(Date.now() + 60_000), new Date())).toEqual({
    claimed: true,
  });
  await idempotency.complete(ref, answer);
  expect(await stores.readModels.leases.acquire(lease('instance-a'))).toBe(true);
  await stores.readModels.store.writeBatch('things', [{ id: 'a', position: 1n, body: { n: 1 } }]);
}

/** SQLite files by name, without their -wal and -shm companions. */
function localFiles(dataDir: string): string[] {
  return [...new Set(readdirSync(dataDir).map((name) => name.replace(/-(wal|shm)$/, '')))].sort();
}

describe('local files per storage mode', () => {
  it('embedded: events and idempotency in backoffice.db, read models and leases in readmodels.db', async () => {
    const { stores, dataDir } = open({});
    await useEveryStore(stores);
    expect(localFiles(dataDir)).toEqual(['backoffice.db', 'readmodels.db']);
    expect(stores.events.kind).toBe('sqlite');
    expect(stores.readModels.kind).toBe('sqlite');
  });

  it('EventStoreDB only: idempotency still in backoffice.db, read models in readmodels.db', async () => {
    const { stores, dataDir } = open({ EVENTSTORE_URL: esdb.connectionString });
    await useEveryStore(stores);
    expect(localFiles(dataDir)).toEqual(['backoffice.db', 'readmodels.db']);
    expect(stores.events.kind).toBe('eventstoredb');
  });

  it('leaves backoffice.db unopened on EventStoreDB until idempotency is asked for (the CLI never is)', async () => {
    const { stores, dataDir } = open({ EVENTSTORE_URL: esdb.connectionString });
    await stores.events.store.headPosition();
    await stores.readModels.store.listCollections();
    expect(localFiles(dataDir)).toEqual(['readmodels.db']);
  });
});

if (mongoUrl) {
  describe('local files per storage mode, with MongoDB', () => {
    const databases: string[] = [];
    afterAll(async () => {
      const client = new MongoClient(mongoUrl);
      for (const name of databases) await client.db(name).dropDatabase();
      await client.close();
    });

    const mongo = () => {
      const name = `stores_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      databases.push(name);
      return { MONGODB_URL: mongoUrl, MONGODB_DATABASE: name };
    };

    it('MongoDB only: just the events stay in backoffice.db', async () => {
      const { stores, dataDir } = open(mongo());
      await useEveryStore(stores);
      expect(localFiles(dataDir)).toEqual(['backoffice.db']);
      expect(stores.readModels.kind).toBe('mongodb');
    });

    it('EventStoreDB and MongoDB: no local file at all, and another instance sees the records and leases', async () => {
      const env = { EVENTSTORE_URL: esdb.connectionString, ...mongo() };
      const a = open(env);
      await useEveryStore(a.stores);
      expect(localFiles(a.dataDir)).toEqual([]);

      const b = open(env);
      expect(await b.stores.idempotency().get(ref)).toEqual({
        state: 'completed',
        fingerprint: 'f-1',
        response: answer,
      });
      expect(await b.stores.readModels.leases.acquire(lease('instance-b'))).toBe(false);
      expect(localFiles(b.dataDir)).toEqual([]);
    });
  });
} else {
  describe.skip('local files per storage mode, with MongoDB (set MONGODB_URL to run)', () => {});
}
