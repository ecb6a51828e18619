import { describe } from 'vitest';
import { createMongoReadModelStore } from '../../src/stores/mongodb/mongo-read-model-store.js';
import { openContractDatabase, redact } from './mongo-contract-database.js';
import {
  CONTRACT_LOAD_CHUNK,
  describeReadModelStoreContract,
} from './read-model-store.contract.js';

/**
 * The read-model contract against a MongoDB-wire server: whenever MONGODB_URL is set. CI sets it
 * to a FerretDB 1.24 it starts (see .ci/run); `npm run test:integration` to a real MongoDB.
 */
const url = process.env.MONGODB_URL;

if (url) {
  describeReadModelStoreContract(`MongoDB wire protocol at ${redact(url)}`, async () => {
    const database = await openContractDatabase(url);
    const store = createMongoReadModelStore(database.db, { loadChunkSize: CONTRACT_LOAD_CHUNK });
    return {
      store,
      dispose: async () => {
        await store.close();
        await database.dropAndClose();
      },
    };
  });
} else {
  describe.skip('ReadModelStore contract: MongoDB (set MONGODB_URL to run)', () => {});
}
