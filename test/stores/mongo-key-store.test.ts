import { describe } from 'vitest';
import { createMongoKeyStore } from '../../src/stores/mongodb/mongo-key-store.js';
import { describeKeyStoreContract } from './key-store.contract.js';
import { openContractDatabase, redact } from './mongo-contract-database.js';

/** The key store contract against a MongoDB-wire server, whenever MONGODB_URL is set (CI: FerretDB 1.24). */
const url = process.env.MONGODB_URL;

if (url) {
  describeKeyStoreContract(`MongoDB wire protocol at ${redact(url)}`, async () => {
    // Two clients, as two instances of the service would connect.
    const first = await openContractDatabase(url);
    const second = await openContractDatabase(url, first.name);
    return {
      store: createMongoKeyStore(first.db),
      other: createMongoKeyStore(second.db),
      dispose: async () => {
        await second.close();
        await first.dropAndClose();
      },
    };
  });
} else {
  describe.skip('KeyStore contract: MongoDB (set MONGODB_URL to run)', () => {});
}
