import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';

/**
 * The stores an HTTP suite runs on: the embedded ones always and, whenever MONGODB_URL is set
 * (CI sets it to a FerretDB it starts), MongoDB for the read models, leases, idempotency records
 * and keys, in a database of its own per test (`prefix_<random>`), dropped by `dropStores`.
 */
export function storeModes(prefix: string): { name: string; env: () => Record<string, string> }[] {
  const modes = [{ name: 'embedded stores', env: () => ({}) }];
  const mongoUrl = process.env.MONGODB_URL;
  if (mongoUrl) {
    modes.push({
      name: 'MongoDB read models',
      env: () => ({
        MONGODB_URL: mongoUrl,
        MONGODB_DATABASE: `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
        // FerretDB's upserts of new documents take milliseconds each.
        READ_FRESHNESS_WAIT_MS: '20000',
        CONSISTENCY_WAIT_MS: '20000',
      }),
    });
  }
  return modes;
}

/** Drops the MongoDB database a test ran on, if it ran on one. */
export async function dropStores(env: Record<string, string>): Promise<void> {
  if (!env.MONGODB_URL || !env.MONGODB_DATABASE) return;
  const client = new MongoClient(env.MONGODB_URL);
  await client.db(env.MONGODB_DATABASE).dropDatabase();
  await client.close();
}
