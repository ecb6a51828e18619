import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMongoBootstrapKeyStore } from '../../src/stores/mongodb/mongo-bootstrap-key-store.js';

/** The shared bootstrap key: one per database, whichever of racing instances made it. */
const url = process.env.MONGODB_URL;

if (url) {
  describe('MongoDB bootstrap key store', () => {
    let client: MongoClient;
    let db: Db;
    beforeAll(async () => {
      client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
      await client.connect();
      db = client.db(`bootstrap_${randomUUID().replaceAll('-', '').slice(0, 12)}`);
    });
    afterAll(async () => {
      await db.dropDatabase();
      await client.close();
    });

    const candidate = (n: number) => ({
      id: 'bootstrap-admin',
      secretSha256: String(n).repeat(64).slice(0, 64),
    });

    it('stores exactly one of racing candidates and gives every caller that one', async () => {
      const stores = Array.from({ length: 8 }, () => createMongoBootstrapKeyStore(db));
      const results = await Promise.all(stores.map((store, n) => store.loadOrCreate(candidate(n))));
      expect(results.filter((result) => result.created)).toHaveLength(1);
      const winner = results.find((result) => result.created)!.key;
      for (const result of results) expect(result.key).toEqual(winner);
      // Later starts read it, whatever they propose.
      const later = await createMongoBootstrapKeyStore(db).loadOrCreate(candidate(9));
      expect(later).toEqual({ key: winner, created: false });
    });
  });
} else {
  describe.skip('MongoDB bootstrap key store (set MONGODB_URL to run)', () => {});
}
