import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe } from 'vitest';
import { createMongoReadModelStore } from '../../src/stores/mongodb/mongo-read-model-store.js';
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
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
    await client.connect();
    // A database of its own per run, dropped afterwards: the server may be shared.
    const db = client.db(`contract_${randomUUID().replaceAll('-', '').slice(0, 12)}`);
    const store = createMongoReadModelStore(db, { loadChunkSize: CONTRACT_LOAD_CHUNK });
    return {
      store,
      dispose: async () => {
        await store.close();
        await db.dropDatabase();
        await client.close();
      },
    };
  });
} else {
  describe.skip('ReadModelStore contract: MongoDB (set MONGODB_URL to run)', () => {});
}

function redact(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/]*@/, '//***@');
}
