/**
 * One service process per DATA_DIR. The embedded stores assume they have a single owner: the
 * idempotency store drops every pending claim when it opens, and appends are group-committed
 * by one process. A second service on the same directory would break both, so it must stop
 * before it opens anything.
 *
 * The lock is a write transaction held open on a small SQLite file of its own. SQLite's locks
 * are POSIX advisory locks, which the kernel drops when the process dies, however it dies: a
 * SIGKILLed service never leaves a stale lock behind, and there is no pid file to clean up.
 * SQLite also tracks its locks per file across the connections of one process, so a second
 * attempt inside the same process (tests run several services in one) is refused as well.
 *
 * The transaction only holds SQLite's RESERVED lock, so others can still read the file: the
 * holder's pid, host and start time are committed in it just before, and a refused process names
 * them. (With `locking_mode=EXCLUSIVE` the holder could not be read while it runs.)
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

/** The lock's file inside DATA_DIR. Deleting it while a service runs defeats the lock. */
export const DATA_DIR_LOCK_FILE = 'service.lock';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601 time the holder took the lock. */
  readonly since: string;
}

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';

  constructor(
    readonly dataDir: string,
    /** Who holds it, when that could be read. */
    readonly holder: LockHolder | undefined,
  ) {
    const by = holder ? ` (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : '';
    super(
      `DATA_DIR ${dataDir} is in use by another service process${by}. One process at a time may use its embedded stores: stop that one first, or give this one a DATA_DIR of its own.`,
    );
  }
}

export interface DataDirLock {
  /** The directory, as an absolute path. */
  readonly dataDir: string;
  /** Lets the next process take the directory. Safe to call more than once. */
  release(): void;
}

/**
 * Takes the directory (creating it if needed) for this process, or throws `DataDirInUseError`
 * at once if another process, or another service of this one, holds it.
 */
export function lockDataDir(dataDir: string, holder: LockHolder = thisProcess()): DataDirLock {
  const directory = resolve(dataDir);
  mkdirSync(directory, { recursive: true });
  // No busy timeout: a held lock is held for the life of a service, waiting would only delay.
  const db = new Database(join(directory, DATA_DIR_LOCK_FILE), { timeout: 0 });
  const refuse = (): never => {
    const current = readHolder(db);
    db.close();
    throw new DataDirInUseError(directory, current);
  };
  try {
    if (!beginWrite(db)) refuse();
    db.exec(
      'CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)',
    );
    db.exec('DELETE FROM holder');
    db.prepare('INSERT INTO holder (pid, host, since) VALUES (?, ?, ?)').run(
      holder.pid,
      holder.host,
      holder.since,
    );
    db.exec('COMMIT');
    // Committed so that others can read who holds it; then held again. A process that takes it
    // in between wins, and this one is refused like any other.
    if (!beginWrite(db)) refuse();
  } catch (error) {
    if (db.open) db.close();
    throw error;
  }
  return {
    dataDir: directory,
    release() {
      // Closing rolls the open transaction back, which drops the lock.
      if (db.open) db.close();
    },
  };
}

function thisProcess(): LockHolder {
  return { pid: process.pid, host: hostname(), since: new Date().toISOString() };
}

/** True when this connection now holds the write lock; false when someone else does. */
function beginWrite(db: Database.Database): boolean {
  try {
    db.exec('BEGIN IMMEDIATE');
    return true;
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')) return false;
    throw error;
  }
}

function readHolder(db: Database.Database): LockHolder | undefined {
  try {
    return db.prepare<[], LockHolder>('SELECT pid, host, since FROM holder').get();
  } catch {
    // A holder caught in the middle of taking the lock has not committed its row yet.
    return undefined;
  }
}
