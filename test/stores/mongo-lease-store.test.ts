import { describe } from 'vitest';
import { createMongoLeaseStore } from '../../src/stores/mongodb/mongo-lease-store.js';
import { describeLeaseStoreContract } from './lease-store.contract.js';
import { openContractDatabase, redact } from './mongo-contract-database.js';

/** The lease contract against a MongoDB-wire server, whenever MONGODB_URL is set (CI: FerretDB 1.24). */
const url = process.env.MONGODB_URL;

if (url) {
  describeLeaseStoreContract(`MongoDB wire protocol at ${redact(url)}`, async () => {
    // Two clients, as two instances of the service would connect.
    const first = await openContractDatabase(url);
    const second = await openContractDatabase(url, first.name);
    return {
      store: createMongoLeaseStore(first.db),
      other: createMongoLeaseStore(second.db),
      dispose: async () => {
        await second.close();
        await first.dropAndClose();
      },
    };
  });
} else {
  describe.skip('LeaseStore contract: MongoDB (set MONGODB_URL to run)', () => {});
}
