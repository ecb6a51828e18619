import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/stores/event-store.js';
import type { KeyStore } from '../../src/stores/key-store.js';
import type { SqliteDatabase } from '../../src/stores/sqlite/database.js';
import {
  createSqliteKeyStore,
  openSqliteKeyDatabase,
  openSqliteKeyStore,
} from '../../src/stores/sqlite/sqlite-key-store.js';
import { describeKeyStoreContract } from './key-store.contract.js';

describeKeyStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keys-'));
  // Two handles on one file: the service and the operator CLI are two processes sharing it.
  const store = openSqliteKeyStore(join(dir, 'keys.db'));
  const other = openSqliteKeyStore(join(dir, 'keys.db'));
  return {
    store,
    other,
    dispose: async () => {
      await store.close();
      await other.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/** A wrapped key easy to spot in raw file bytes: 60 bytes, like the vault's. */
const MARKER = Buffer.from('<<wrapped-key:0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH>>');

/**
 * How many 12-byte pieces of the marker the key store's files hold: a destroy that zeroed only
 * part of the key would still leave some.
 */
function markerPiecesOnDisk(file: string): number {
  const contents = [file, `${file}-wal`].map((path) =>
    existsSync(path) ? readFileSync(path) : Buffer.alloc(0),
  );
  let pieces = 0;
  for (let start = 0; start + 12 <= MARKER.length; start += 1) {
    const piece = MARKER.subarray(start, start + 12);
    if (contents.some((content) => content.includes(piece))) pieces += 1;
  }
  return pieces;
}

describe('SQLite key store on disk', () => {
  let dir: string;
  let file: string;
  let db: SqliteDatabase;
  let store: KeyStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keys-disk-'));
    file = join(dir, 'keys.db');
    db = openSqliteKeyDatabase(file);
    store = createSqliteKeyStore(db);
  });

  afterEach(async () => {
    await store.close();
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function storeNeighbours(): Promise<void> {
    for (let i = 0; i < 10; i += 1) {
      await store.createIfAbsent(`customer-C${i}`, Buffer.alloc(60, i + 1), '2026-01-01T00:00:00Z');
    }
  }

  it('leaves no byte of a destroyed key in the WAL, where it was written', async () => {
    await storeNeighbours();
    await store.createIfAbsent('employee-E1', MARKER, '2026-01-01T00:00:00Z');
    expect(markerPiecesOnDisk(file)).toBe(MARKER.length - 11);

    await store.destroy('employee-E1', '2026-01-02T00:00:00Z');
    expect(markerPiecesOnDisk(file)).toBe(0);
    expect((await store.find('customer-C3'))?.state).toBe('active');
  });

  it('leaves no byte of a destroyed key in the main file, once checkpointed there', async () => {
    await storeNeighbours();
    await store.createIfAbsent('employee-E1', MARKER, '2026-01-01T00:00:00Z');
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(file).includes(MARKER)).toBe(true);

    await store.destroy('employee-E1', '2026-01-02T00:00:00Z');
    expect(markerPiecesOnDisk(file)).toBe(0);
  });

  it('reports a destroy a reader kept on disk as unavailable, and a retry finishes it', async () => {
    await store.createIfAbsent('employee-E1', MARKER, '2026-01-01T00:00:00Z');
    db.pragma('busy_timeout = 50');
    const reader = openSqliteKeyDatabase(file);
    try {
      // A read transaction keeps the snapshot it started on, key included.
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM personal_keys').get();
      await expect(store.destroy('employee-E1', '2026-01-02T00:00:00Z')).rejects.toThrow(
        StoreUnavailableError,
      );
      expect((await store.find('employee-E1'))?.state).toBe('erased');
      reader.exec('COMMIT');
    } finally {
      reader.close();
    }
    expect(await store.destroy('employee-E1', '2026-01-03T00:00:00Z')).toEqual({
      subject: 'employee-E1',
      state: 'erased',
      erasedAt: '2026-01-02T00:00:00Z',
    });
    expect(markerPiecesOnDisk(file)).toBe(0);
  });

  it('keeps keys and tombstones across a reopen of the file', async () => {
    await store.createIfAbsent('employee-E1', MARKER, '2026-01-01T00:00:00Z');
    await store.destroy('employee-E2', '2026-01-02T00:00:00Z');
    await store.close();
    db.close();

    const reopened = openSqliteKeyStore(file, { mustExist: true });
    try {
      expect(await reopened.find('employee-E1')).toEqual({
        subject: 'employee-E1',
        state: 'active',
        wrapped: new Uint8Array(MARKER),
        createdAt: '2026-01-01T00:00:00Z',
      });
      expect((await reopened.find('employee-E2'))?.state).toBe('erased');
    } finally {
      await reopened.close();
    }
  });

  it('answers StoreUnavailableError once closed, or once its handle is', async () => {
    const own = openSqliteKeyStore(file);
    await own.close();
    await expect(own.find('employee-E1')).rejects.toThrow(StoreUnavailableError);

    db.close();
    await expect(store.find('employee-E1')).rejects.toThrow(StoreUnavailableError);
    await expect(store.destroy('employee-E1', '2026-01-02T00:00:00Z')).rejects.toThrow(
      StoreUnavailableError,
    );
  });
});
