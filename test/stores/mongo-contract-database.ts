import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';

export interface ContractDatabase {
  readonly db: Db;
  readonly name: string;
  close(): Promise<void>;
  dropAndClose(): Promise<void>;
}

/**
 * A database of its own per run (or the named one, for a second client on the same data), so
 * suites can share one server; the run that created it drops it afterwards.
 */
export async function openContractDatabase(url: string, name?: string): Promise<ContractDatabase> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  const dbName = name ?? `contract_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const db = client.db(dbName);
  return {
    db,
    name: dbName,
    close: () => client.close(),
    async dropAndClose() {
      await db.dropDatabase();
      await client.close();
    },
  };
}

export function redact(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/]*@/, '//***@');
}
