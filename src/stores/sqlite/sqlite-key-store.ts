import { StoreUnavailableError } from '../event-store.js';
import type { KeyStore, StoredKey } from '../key-store.js';
import {
  applySchema,
  openSqliteDatabase,
  type SqliteOptions,
  type SqliteDatabase,
} from './database.js';

/**
 * Wrapped data keys in a SQLite file of their own (`keys.db` in the embedded deployment), apart
 * from the log and the read models: it is small, and it can be backed up, kept and wiped on a
 * schedule of its own, which is what makes an erasure stick (a backup still holding an erased
 * key would undo it once restored).
 *
 * A destroyed key must not survive anywhere in the files. SQLite normally leaves deleted bytes
 * in the page's free space, and in WAL mode the page as it was, key included, stays in the WAL
 * until a checkpoint, and in the main file until that checkpoint overwrites it. So the handle runs
 * with `secure_delete` (freed space is zeroed) and every destroy ends with a TRUNCATE checkpoint,
 * which copies the zeroed page into the main file and empties the WAL. What the file system or
 * the disk keeps below that (journaling, SSD remapping) is out of SQLite's reach.
 *
 * Synchronous FULL: a key must be on disk before any value sealed with it is appended to the log,
 * or a power loss would lose the key and leave that value unreadable.
 */
export function openSqliteKeyDatabase(
  filePath: string,
  options: Pick<SqliteOptions, 'mustExist'> = {},
): SqliteDatabase {
  return openSqliteDatabase(filePath, { ...options, synchronous: 'full' });
}

/** A key store on its own file: closing the store closes the file. */
export function openSqliteKeyStore(
  filePath: string,
  options: Pick<SqliteOptions, 'mustExist'> = {},
): KeyStore {
  const db = openSqliteKeyDatabase(filePath, options);
  let store: KeyStore;
  try {
    store = createSqliteKeyStore(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return {
    ...store,
    async close() {
      await store.close();
      db.close();
    },
  };
}

interface Row {
  subject: string;
  wrapped: Buffer | null;
  created_at: string | null;
  erased_at: string | null;
}

/**
 * A key store on a handle the caller owns (and closes, after closing the store). It turns
 * `secure_delete` on for the handle: give it a handle of its own, since the setting slows every
 * delete on that connection.
 */
export function createSqliteKeyStore(db: SqliteDatabase): KeyStore {
  db.pragma('secure_delete = ON');
  applySchema(db, [
    // A row is either a key (wrapped, created_at) or a tombstone (erased_at), never both.
    `CREATE TABLE IF NOT EXISTS personal_keys (
       subject TEXT PRIMARY KEY,
       wrapped BLOB,
       created_at TEXT,
       erased_at TEXT,
       CHECK (
         (wrapped IS NOT NULL AND created_at IS NOT NULL AND erased_at IS NULL) OR
         (wrapped IS NULL AND created_at IS NULL AND erased_at IS NOT NULL)
       )
     ) STRICT`,
  ]);
  const select = db.prepare<[string], Row>('SELECT * FROM personal_keys WHERE subject = ?');
  const insertKey = db.prepare<[string, Uint8Array, string]>(
    `INSERT INTO personal_keys (subject, wrapped, created_at) VALUES (?, ?, ?)
     ON CONFLICT (subject) DO NOTHING`,
  );
  // Overwrites a key (secure_delete zeroes its old bytes), leaves a tombstone as it is.
  const tombstone = db.prepare<{ subject: string; erasedAt: string }>(
    `INSERT INTO personal_keys (subject, erased_at) VALUES (@subject, @erasedAt)
     ON CONFLICT (subject) DO UPDATE
       SET wrapped = NULL, created_at = NULL, erased_at = excluded.erased_at
       WHERE personal_keys.erased_at IS NULL`,
  );

  const read = (subject: string): StoredKey | undefined => {
    const row = select.get(subject);
    return row === undefined ? undefined : toStoredKey(row);
  };
  const create = db.transaction((subject: string, wrapped: Uint8Array, createdAt: string) => {
    insertKey.run(subject, wrapped, createdAt);
    return read(subject);
  });
  const destroy = db.transaction((subject: string, erasedAt: string) => {
    tombstone.run({ subject, erasedAt });
    return read(subject);
  });

  let closed = false;
  function guard<T>(operation: () => T): T {
    if (closed) throw new StoreUnavailableError('The key store is closed');
    try {
      return operation();
    } catch (error) {
      throw toStoreError(db, error);
    }
  }

  return {
    async createIfAbsent(subject, wrapped, createdAt) {
      const stored = guard(() => create.immediate(subject, wrapped, createdAt));
      if (!stored) throw new Error(`The key of ${subject} vanished as it was stored`);
      return stored;
    },

    async find(subject) {
      return guard(() => read(subject));
    },

    async destroy(subject, erasedAt) {
      const stored = guard(() => destroy.immediate(subject, erasedAt));
      if (stored?.state !== 'erased') throw new Error(`The tombstone of ${subject} was not stored`);
      // Also after a tombstone already there: a retry finishes what a failed checkpoint left.
      guard(() => checkpoint(db));
      return stored;
    },

    async close() {
      closed = true;
    },
  };
}

/**
 * Moves every WAL page into the main file and empties the WAL, waiting (busy_timeout) for readers
 * to let go. One still reading keeps its snapshot, and with it the old page in the WAL: that is
 * reported as unavailable, so the caller retries the destroy, which checkpoints again.
 */
function checkpoint(db: SqliteDatabase): void {
  const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  if (result && result.busy !== 0) {
    throw new StoreUnavailableError(
      'The key was destroyed, but a reader kept its old bytes in the WAL; destroy it again',
    );
  }
}

function toStoredKey(row: Row): StoredKey {
  if (row.erased_at !== null) {
    return { subject: row.subject, state: 'erased', erasedAt: row.erased_at };
  }
  if (row.wrapped === null || row.created_at === null) {
    throw new Error(`The key record of ${row.subject} is neither a key nor a tombstone`);
  }
  return {
    subject: row.subject,
    state: 'active',
    // A copy as a plain Uint8Array, as every adapter answers.
    wrapped: new Uint8Array(row.wrapped),
    createdAt: row.created_at,
  };
}

/** Failures a caller can sensibly retry later (closed handle, lock held too long, disk trouble). */
function toStoreError(db: SqliteDatabase, error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (!db.open)
    return new StoreUnavailableError('The SQLite key database is closed', { cause: error });
  const code =
    error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : '';
  if (/^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY)/.test(code)) {
    return new StoreUnavailableError(`SQLite is unavailable (${code})`, { cause: error });
  }
  return error;
}
