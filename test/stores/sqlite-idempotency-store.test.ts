import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../src/stores/sqlite/database.js';
import { createSqliteIdempotencyStore } from '../../src/stores/sqlite/sqlite-idempotency-store.js';
import { describeIdempotencyStoreContract } from './idempotency-store.contract.js';

describeIdempotencyStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'idempotency-'));
  const db = openSqliteDatabase(join(dir, 'backoffice.db'));
  return {
    store: createSqliteIdempotencyStore(db),
    other: createSqliteIdempotencyStore(db),
    dispose: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite idempotency store', () => {
  const ref = { scope: 'caller', key: 'k-1' };
  const future = () => new Date(Date.now() + 60_000);

  it('drops claims left pending by a crashed process when it reopens, and keeps answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idempotency-'));
    const file = join(dir, 'backoffice.db');
    const crashed = openSqliteDatabase(file);
    const before = createSqliteIdempotencyStore(crashed);
    await before.claim(ref, 'f-1', future(), new Date());
    const answered = { scope: 'caller', key: 'k-2' };
    await before.claim(answered, 'f-2', future(), new Date());
    await before.complete(answered, { status: 201, headers: {}, body: { ok: true } });
    crashed.close();

    const db = openSqliteDatabase(file);
    const reopened = createSqliteIdempotencyStore(db);
    expect(await reopened.get(ref)).toBeUndefined();
    expect(await reopened.claim(ref, 'f-1', future(), new Date())).toEqual({ claimed: true });
    expect(await reopened.get(answered)).toMatchObject({ state: 'completed' });
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
