import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** The better-sqlite3 handle shared by every SQLite-backed store of one process. */
export type SqliteDatabase = Database.Database;

const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating it and its directory if needed, unless `mustExist`) the SQLite file every
 * store shares.
 *
 * The caller owns the handle: stores built on it never close it, so close it once, after
 * closing the stores.
 */
export interface SqliteOptions {
  /**
   * `full` (the default): a COMMIT is on disk before it returns, which is what lets an append
   * resolve only once its events are durable. `normal`: in WAL mode, a power loss may drop the
   * last commits, but never one from the middle: fit for derived data whose writes are
   * repeatable, like read models (a lost batch is lost with its later checkpoint and re-applied).
   */
  readonly synchronous?: 'full' | 'normal';
  /**
   * Refuse to create the file: for a caller that works on an existing store (the operator CLI),
   * where a missing file means a wrong DATA_DIR, not a first start.
   */
  readonly mustExist?: boolean;
}

export function openSqliteDatabase(filePath: string, options: SqliteOptions = {}): SqliteDatabase {
  const inMemory = filePath === '' || filePath === ':memory:';
  if (!inMemory && !options.mustExist) mkdirSync(dirname(filePath), { recursive: true });

  const db = new Database(filePath, { fileMustExist: options.mustExist === true });
  try {
    // WAL lets readers (subscriptions, read models) run while a writer commits.
    const journalMode = String(db.pragma('journal_mode = WAL', { simple: true }));
    // Some file systems (network mounts) silently refuse WAL; the concurrency assumptions of
    // the stores would then be wrong, so fail loudly instead of running degraded.
    if (!inMemory && journalMode.toLowerCase() !== 'wal') {
      throw new Error(`SQLite refused WAL mode for ${filePath} (journal_mode=${journalMode})`);
    }
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // Another process (CLI, migration) may hold the write lock briefly: wait instead of failing.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Runs idempotent DDL (`CREATE TABLE IF NOT EXISTS ...`) in one write transaction, so two
 * processes starting at once cannot interleave half a schema.
 */
export function applySchema(db: SqliteDatabase, statements: readonly string[]): void {
  db.transaction(() => {
    for (const statement of statements) db.exec(statement);
  }).immediate();
}
