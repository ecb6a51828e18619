import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '../../src/stores/sqlite/database.js';
import { createSqliteLeaseStore } from '../../src/stores/sqlite/sqlite-lease-store.js';
import { describeLeaseStoreContract } from './lease-store.contract.js';

describeLeaseStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leases-'));
  // Two handles on one file: the service and the operator CLI are two processes sharing it.
  const db = openSqliteDatabase(join(dir, 'readmodels.db'));
  const otherDb = openSqliteDatabase(join(dir, 'readmodels.db'));
  return {
    store: createSqliteLeaseStore(db),
    other: createSqliteLeaseStore(otherDb),
    dispose: async () => {
      db.close();
      otherDb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
