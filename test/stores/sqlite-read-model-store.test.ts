import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../src/stores/sqlite/database.js';
import { createSqliteReadModelStore } from '../../src/stores/sqlite/sqlite-read-model-store.js';
import {
  CONTRACT_LOAD_CHUNK,
  describeReadModelStoreContract,
} from './read-model-store.contract.js';

describeReadModelStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'read-models-'));
  const db = openSqliteDatabase(join(dir, 'read-models.db'));
  const store = createSqliteReadModelStore(db, { loadChunkSize: CONTRACT_LOAD_CHUNK });
  return {
    store,
    dispose: async () => {
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite read-model store', () => {
  it('answers an indexed query from its declared index', async () => {
    const db = openSqliteDatabase(':memory:');
    const store = createSqliteReadModelStore(db);
    await store.ensureCollection('invoices', [
      { name: 'by_status', fields: [{ field: 'status', direction: 'asc' }] },
    ]);
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id FROM rm_invoices WHERE deleted = 0
         AND (json_type(body, '$.status') = 'text' AND json_extract(body, '$.status') = 'open')`,
      )
      .all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join('\n')).toContain('rm_invoices__by_status');
    db.close();
  });
});
