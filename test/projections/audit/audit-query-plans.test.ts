import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  auditDocument,
  auditEventsProjection,
} from '../../../src/projections/audit/audit-projection.js';
import {
  createAuditQueries,
  type AuditFilter,
} from '../../../src/projections/audit/audit-queries.js';
import { openSqliteDatabase, type SqliteDatabase } from '../../../src/stores/sqlite/database.js';
import { createSqliteReadModelStore } from '../../../src/stores/sqlite/sqlite-read-model-store.js';

/**
 * Every filter of the audit trail is an index range read in log order on SQLite: the plan names
 * one of the audit indexes and never sorts the matching rows (only ties on the id, which
 * positions never have). That is what keeps a page fast however many million events match.
 */
let dir: string;
let db: SqliteDatabase;
const statements: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-plans-'));
  db = openSqliteDatabase(join(dir, 'readmodels.db'));
  const prepare = db.prepare.bind(db);
  // Records the SQL the adapter runs, so its plan can be asked for.
  db.prepare = ((sql: string) => {
    statements.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
  statements.length = 0;
});

const COLLECTION = 'audit_events_v1_1';

describe('audit query plans on SQLite', () => {
  it('read an index in log order for every filter, with and without a cursor', async () => {
    const store = createSqliteReadModelStore(db);
    await store.ensureCollection(COLLECTION, auditEventsProjection.indexes);
    await store.writeBatch(
      COLLECTION,
      Array.from({ length: 50 }, (_, i) => {
        const position = BigInt(i + 1);
        return {
          id: String(position).padStart(20, '0'),
          position,
          body: auditDocument({
            id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            type: i % 2 ? 'InvoiceIssued' : 'PaymentReceived',
            streamId: `invoice-INV-${i % 5}`,
            revision: BigInt(Math.floor(i / 5)),
            position,
            data: { n: i },
            metadata: { actor: `key-${i % 3}`, correlationId: `c-${i % 7}` },
            recordedAt: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
          }) as unknown as Record<string, unknown>,
        };
      }),
    );
    const queries = createAuditQueries({ readModels: store, collection: async () => COLLECTION });
    const filters: [AuditFilter, RegExp][] = [
      [{}, /by_position/],
      [{ stream: 'invoice-INV-1' }, /by_stream/],
      [{ entityType: 'invoice' }, /by_entity_type|by_stream/],
      [{ entityId: 'INV-1' }, /by_entity_id/],
      [{ entityType: 'invoice', entityId: 'INV-1' }, /by_stream|by_entity/],
      [{ actor: 'key-1' }, /by_actor/],
      [{ type: 'InvoiceIssued' }, /by_type/],
      [{ correlationId: 'c-3' }, /by_correlation_id/],
      [{ actor: 'key-1', from: '2026-11-01T00:10:00.000Z' }, /by_actor/],
      [{ actor: 'key-1', type: 'InvoiceIssued' }, /by_actor|by_type/],
    ];
    for (const [filter, index] of filters) {
      const first = await queries.listEvents(filter, { limit: 2 });
      expect(first.nextCursor, JSON.stringify(filter)).not.toBeNull();
      for (const cursor of [undefined, first.nextCursor!]) {
        statements.length = 0;
        await queries.listEvents(filter, { limit: 2, cursor });
        const sql = statements.find((statement) => statement.includes(`rm_${COLLECTION}`))!;
        const plan = planOf(sql);
        const label = `${JSON.stringify(filter)} ${cursor ? 'next page' : 'first page'}:\n${plan}`;
        expect(plan, label).toMatch(new RegExp(`rm_${COLLECTION}__${index.source}`));
        expect(plan, label).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
      }
    }
  });

  it('read a time window alone through the recordedAt index, sorting only the window', async () => {
    const store = createSqliteReadModelStore(db);
    await store.ensureCollection(COLLECTION, auditEventsProjection.indexes);
    const queries = createAuditQueries({ readModels: store, collection: async () => COLLECTION });
    await queries.listEvents(
      { from: '2026-11-01T00:10:00.000Z', to: '2026-11-01T00:20:00.000Z' },
      { limit: 2 },
    );
    const sql = statements.find((statement) => statement.includes(`rm_${COLLECTION}`))!;
    expect(planOf(sql)).toMatch(
      new RegExp(`SEARCH rm_${COLLECTION} USING INDEX rm_${COLLECTION}__by_recorded_at`),
    );
  });
});

/** The plan of a captured statement; the parameter values do not change it. */
function planOf(sql: string): string {
  const placeholders = (sql.match(/\?/g) ?? []).length;
  const rows = db
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...Array.from({ length: placeholders }, () => 'x')) as { detail: string }[];
  return rows.map((row) => row.detail).join('\n');
}
