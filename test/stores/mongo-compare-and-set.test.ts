import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareAndSetCollection } from '../../src/stores/mongodb/mongo-compare-and-set.js';
import { openContractDatabase, redact, type ContractDatabase } from './mongo-contract-database.js';

/**
 * What the leases and idempotency records rely on that their contracts cannot reach through
 * the ports: a caller holding a stale read never moves a document, even once the token it
 * needs has been cleaned up.
 */
const url = process.env.MONGODB_URL;

if (url) {
  describe(`compare-and-set on MongoDB wire protocol at ${redact(url)}`, () => {
    let database: ContractDatabase;
    beforeAll(async () => {
      database = await openContractDatabase(url);
    });
    afterAll(async () => {
      await database.dropAndClose();
    });

    it('moves a document one epoch per transition, from the state it was read in', async () => {
      const documents = compareAndSetCollection<{ n: number }>(database.db, 'cas_basic');
      expect(await documents.create('a', { n: 1 })).toBe(true);
      expect(await documents.create('a', { n: 99 })).toBe(false);
      const first = (await documents.read('a'))!;
      expect(first).toMatchObject({ n: 1, epoch: 1 });
      expect(await documents.transition(first, { n: 2 })).toBe(true);
      // The same read again: it is no longer the current state.
      expect(await documents.transition(first, { n: 3 })).toBe(false);
      expect(await documents.read('a')).toMatchObject({ n: 2, epoch: 2 });
    });

    it('refuses a stale read whose token was already cleaned up, and leaves no token behind', async () => {
      const documents = compareAndSetCollection<{ n: number }>(database.db, 'cas_stale');
      await documents.create('a', { n: 1 });
      const stale = (await documents.read('a'))!;
      await documents.transition((await documents.read('a'))!, { n: 2 });
      // Moving to epoch 3 deletes the token of epoch 1, the one the stale read would need.
      await documents.transition((await documents.read('a'))!, { n: 3 });
      const tokens = database.db.collection<{ _id: string }>('cas_stale_transitions');
      expect(await tokens.findOne({ _id: JSON.stringify(['a', 1]) })).toBeNull();

      expect(await documents.transition(stale, { n: 100 })).toBe(false);
      expect(await documents.read('a')).toMatchObject({ n: 3, epoch: 3 });
      expect(await tokens.findOne({ _id: JSON.stringify(['a', 1]) })).toBeNull();
    });

    it('lets exactly one of racing callers move the document from one state', async () => {
      const documents = compareAndSetCollection<{ winner: number }>(database.db, 'cas_race');
      await documents.create('a', { winner: -1 });
      const current = (await documents.read('a'))!;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => documents.transition(current, { winner: i })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await documents.read('a'))!.winner).toBe(results.indexOf(true));
    });
  });
} else {
  describe.skip('compare-and-set on MongoDB (set MONGODB_URL to run)', () => {});
}
