import type { LeaseStore } from '../lease-store.js';
import { applySchema, type SqliteDatabase } from './database.js';

/**
 * Leases in a SQLite file: the read models' file in the embedded deployment, where the service
 * and the operator CLI (two processes on one machine) contend for them.
 *
 * The table keeps the name it had when leases were part of the read-model store, so a service
 * of the previous version and this one still see each other's leases during an upgrade.
 */
export function createSqliteLeaseStore(db: SqliteDatabase): LeaseStore {
  applySchema(db, [
    `CREATE TABLE IF NOT EXISTS read_model_leases (
       name TEXT PRIMARY KEY,
       holder TEXT NOT NULL,
       expires_at INTEGER NOT NULL
     ) STRICT`,
  ]);
  const acquire = db.prepare<{ name: string; holder: string; expiresAt: number; now: number }>(
    `INSERT INTO read_model_leases (name, holder, expires_at) VALUES (@name, @holder, @expiresAt)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE read_model_leases.holder = excluded.holder OR read_model_leases.expires_at <= @now`,
  );
  const release = db.prepare<[string, string]>(
    'DELETE FROM read_model_leases WHERE name = ? AND holder = ?',
  );

  return {
    async acquire({ name, holder, ttlMs, now }) {
      const result = acquire.run({
        name,
        holder,
        expiresAt: now.getTime() + ttlMs,
        now: now.getTime(),
      });
      return result.changes === 1;
    },
    async release(name, holder) {
      release.run(name, holder);
    },
  };
}
