import { describe, expect, it } from 'vitest';
import { createMongoIdempotencyStore } from '../../src/stores/mongodb/mongo-idempotency-store.js';
import { describeIdempotencyStoreContract } from './idempotency-store.contract.js';
import { openContractDatabase, redact } from './mongo-contract-database.js';

/**
 * The idempotency contract against a MongoDB-wire server, whenever MONGODB_URL is set (CI:
 * FerretDB 1.24).
 */
const url = process.env.MONGODB_URL;

if (url) {
  describeIdempotencyStoreContract(`MongoDB wire protocol at ${redact(url)}`, async () => {
    // Two clients, as two instances of the service would connect.
    const first = await openContractDatabase(url);
    const second = await openContractDatabase(url, first.name);
    return {
      store: createMongoIdempotencyStore(first.db),
      other: createMongoIdempotencyStore(second.db),
      dispose: async () => {
        await second.close();
        await first.dropAndClose();
      },
    };
  });

  describe('MongoDB idempotency store', () => {
    it('keeps pending claims when another instance opens it: their claimants may be alive', async () => {
      const database = await openContractDatabase(url);
      try {
        const ref = { scope: 'caller', key: 'k-1' };
        const lease = new Date(Date.now() + 60_000);
        await createMongoIdempotencyStore(database.db).claim(ref, 'f-1', lease, new Date());
        const started = createMongoIdempotencyStore(database.db);
        expect(await started.get(ref)).toMatchObject({ state: 'pending', fingerprint: 'f-1' });
        expect((await started.claim(ref, 'f-1', lease, new Date())).claimed).toBe(false);
      } finally {
        await database.dropAndClose();
      }
    });
  });
} else {
  describe.skip('IdempotencyStore contract: MongoDB (set MONGODB_URL to run)', () => {});
}
