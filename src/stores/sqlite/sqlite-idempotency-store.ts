import type { Database } from 'better-sqlite3';
import type { IdempotencyRecord, IdempotencyStore, StoredResponse } from '../idempotency-store.js';

export interface IdempotencyRow {
  state: 'pending' | 'completed';
  fingerprint: string;
  lease_until: string | null;
  response: string | null;
}

/**
 * The table both SQLite idempotency stores keep their records in. Its stores are used by one
 * process at a time, so a claim still pending when one opens belongs to a process that died
 * mid-request: it is dropped, and the retry runs the command again (the pipeline then finds
 * the events it may already have stored). `keepMarkers` spares the pending rows without a
 * lease: those the embedded store writes with a command's events (see
 * sqlite-embedded-idempotency-store.ts).
 */
export function openIdempotencyTable(db: Database, options: { keepMarkers: boolean }): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS idempotency_keys (
      scope       TEXT NOT NULL,
      key         TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      state       TEXT NOT NULL CHECK (state IN ('pending', 'completed')),
      lease_until TEXT,
      response    TEXT,
      created_at  TEXT NOT NULL,
      PRIMARY KEY (scope, key)
    ) WITHOUT ROWID;
    DELETE FROM idempotency_keys
      WHERE state = 'pending' ${options.keepMarkers ? 'AND lease_until IS NOT NULL' : ''};
  `);
}

export const SELECT_IDEMPOTENCY_ROW =
  'SELECT state, fingerprint, lease_until, response FROM idempotency_keys WHERE scope = ? AND key = ?';

export const toIdempotencyRecord = (row: IdempotencyRow): IdempotencyRecord =>
  row.state === 'completed'
    ? {
        state: 'completed',
        fingerprint: row.fingerprint,
        response: JSON.parse(row.response ?? 'null') as StoredResponse,
      }
    : { state: 'pending', fingerprint: row.fingerprint, leaseUntil: row.lease_until ?? '' };

/**
 * The port on a SQLite file, each call a transaction of its own: for idempotency records kept
 * apart from the events (on EventStoreDB). Beside the embedded event store, the embedded store
 * (sqlite-embedded-idempotency-store.ts) commits them with the events instead.
 */
export function createSqliteIdempotencyStore(db: Database): IdempotencyStore {
  openIdempotencyTable(db, { keepMarkers: false });

  const select = db.prepare<[string, string], IdempotencyRow>(SELECT_IDEMPOTENCY_ROW);
  const insert = db.prepare(
    `INSERT INTO idempotency_keys (scope, key, fingerprint, state, lease_until, created_at)
     VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (scope, key) DO NOTHING`,
  );
  const takeOver = db.prepare(
    `UPDATE idempotency_keys SET lease_until = ?
     WHERE scope = ? AND key = ? AND state = 'pending' AND fingerprint = ? AND lease_until < ?`,
  );
  // The first answer stored stays: of a claimant that was taken over and the request that took
  // it over, whichever finishes second changes nothing.
  const completeStatement = db.prepare(
    `UPDATE idempotency_keys SET state = 'completed', lease_until = NULL, response = ?
     WHERE scope = ? AND key = ? AND state = 'pending'`,
  );
  const remove = db.prepare(
    `DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND state = 'pending'`,
  );

  const toRecord = toIdempotencyRecord;

  const claim = db.transaction(
    (scope: string, key: string, fingerprint: string, leaseUntil: string, now: string) => {
      if (insert.run(scope, key, fingerprint, leaseUntil, now).changes === 1) {
        return { claimed: true } as const;
      }
      if (takeOver.run(leaseUntil, scope, key, fingerprint, now).changes === 1) {
        return { claimed: true } as const;
      }
      const row = select.get(scope, key);
      if (!row) throw new Error('idempotency record vanished during claim');
      return { claimed: false, record: toRecord(row) } as const;
    },
  );

  return {
    async claim({ scope, key }, fingerprint, leaseUntil, now) {
      return claim.immediate(scope, key, fingerprint, leaseUntil.toISOString(), now.toISOString());
    },
    async complete({ scope, key }, response) {
      completeStatement.run(JSON.stringify(response), scope, key);
    },
    async release({ scope, key }) {
      remove.run(scope, key);
    },
    async get({ scope, key }) {
      const row = select.get(scope, key);
      return row ? toRecord(row) : undefined;
    },
  };
}
