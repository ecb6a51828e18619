/**
 * The read-model store on SQLite: one table per collection (`rm_<name>`), the body as JSON text,
 * queried and indexed through `json_extract`. Deleted documents stay as tombstones so the
 * position guard still holds for them.
 */
import type { Statement } from 'better-sqlite3';
import {
  assertCollectionName,
  assertIndexSpec,
  decodeCursor,
  decodePosition,
  encodeCursor,
  encodePosition,
  normaliseCondition,
  pageSize,
  type CollectionWrites,
  type FindOptions,
  type JsonObject,
  type ReadModelDocument,
  type ReadModelStore,
  type Scalar,
  type SortKey,
  type StoredDocumentState,
  type Where,
  type WriteBatchResult,
} from '../read-model-store.js';
import {
  applySchema,
  openSqliteDatabase,
  type SqliteDatabase,
  type SqliteOptions,
} from './database.js';

const TABLE_PREFIX = 'rm_';

interface Row {
  readonly id: string;
  readonly position: string;
  readonly body: string;
}

interface StateRow {
  readonly id: string;
  readonly position: string;
  readonly body: string | null;
}

export interface SqliteReadModelStoreOptions {
  /** Ids per query when loading many documents (SQLite allows 32766 bound parameters). */
  readonly loadChunkSize?: number;
}

export function createSqliteReadModelStore(
  db: SqliteDatabase,
  options: SqliteReadModelStoreOptions = {},
): ReadModelStore {
  const loadChunk = options.loadChunkSize ?? 500;
  const known = new Set<string>();

  const table = (collection: string) => {
    assertCollectionName(collection);
    return `${TABLE_PREFIX}${collection}`;
  };

  /** Every operation may meet a collection that was never ensured: it simply is empty. */
  function ensureTable(collection: string): string {
    const name = table(collection);
    if (!known.has(name)) {
      db.exec(`CREATE TABLE IF NOT EXISTS ${name} (
        id TEXT PRIMARY KEY,
        position TEXT NOT NULL,
        deleted INTEGER NOT NULL,
        body TEXT
      ) STRICT`);
      known.add(name);
    }
    return name;
  }

  const upsertStatements = new Map<string, Statement<[string, string, number, string | null]>>();
  function upsert(name: string) {
    let statement = upsertStatements.get(name);
    if (!statement) {
      statement = db.prepare<[string, string, number, string | null]>(
        `INSERT INTO ${name} (id, position, deleted, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET
           position = excluded.position, deleted = excluded.deleted, body = excluded.body
         WHERE ${name}.position < excluded.position`,
      );
      upsertStatements.set(name, statement);
    }
    return statement;
  }

  // Every collection of a call in one transaction: documents and the checkpoints that cover
  // them are committed together or not at all.
  const writeAll = db.transaction((batches: readonly CollectionWrites[]): WriteBatchResult[] =>
    batches.map(({ collection, writes }) => {
      const statement = upsert(ensureTable(collection));
      let written = 0;
      for (const write of writes) {
        written += statement.run(
          write.id,
          encodePosition(write.position),
          write.body === null ? 1 : 0,
          write.body === null ? null : JSON.stringify(write.body),
        ).changes;
      }
      return { written, skipped: writes.length - written };
    }),
  );

  return {
    async ensureCollection(collection, indexes = []) {
      for (const index of indexes) assertIndexSpec(index);
      const name = table(collection);
      known.delete(name);
      ensureTable(collection);
      applySchema(
        db,
        indexes.map(
          (index) =>
            `CREATE INDEX IF NOT EXISTS ${name}__${index.name} ON ${name} (${index.fields
              .map((key) => `${extract(key.field)} ${key.direction === 'asc' ? 'ASC' : 'DESC'}`)
              .join(', ')}) WHERE deleted = 0`,
        ),
      );
    },

    async listIndexes(collection) {
      const name = ensureTable(collection);
      const rows = db.prepare(`PRAGMA index_list(${name})`).all() as { name: string }[];
      return rows
        .map((row) => row.name)
        .filter((index) => index.startsWith(`${name}__`))
        .map((index) => index.slice(name.length + 2));
    },

    async listCollections() {
      const rows = db
        .prepare(
          `SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'rm\\_%' ESCAPE '\\'`,
        )
        .all() as { name: string }[];
      return rows.map((row) => row.name.slice(TABLE_PREFIX.length)).sort();
    },

    async dropCollection(collection) {
      const name = table(collection);
      db.exec(`DROP TABLE IF EXISTS ${name}`);
      known.delete(name);
      upsertStatements.delete(name);
    },

    async load(collection, ids) {
      const name = ensureTable(collection);
      const found = new Map<string, StoredDocumentState>();
      for (let start = 0; start < ids.length; start += loadChunk) {
        const chunk = ids.slice(start, start + loadChunk);
        const rows = db
          .prepare(
            `SELECT id, position, body FROM ${name} WHERE id IN (${chunk.map(() => '?').join(', ')})`,
          )
          .all(...chunk) as StateRow[];
        for (const row of rows) {
          found.set(row.id, {
            id: row.id,
            position: decodePosition(row.position),
            body: row.body === null ? null : (JSON.parse(row.body) as JsonObject),
          });
        }
      }
      return found;
    },

    async writeBatch(collection, writes) {
      return writeAll([{ collection, writes }])[0]!;
    },

    async writeBatches(batches) {
      return writeAll(batches);
    },

    async find(collection, options: FindOptions = {}) {
      const name = ensureTable(collection);
      const limit = pageSize(options.limit);
      const sort = options.sort ?? [];
      const where = whereClause(options.where);
      const clauses = ['deleted = 0', ...where.clauses];
      const params = [...where.params];
      if (options.cursor !== undefined) {
        const after = keyset(sort, decodeCursor(options.cursor, sort));
        clauses.push(after.clause);
        params.push(...after.params);
      }
      const orderBy = [
        ...sort.map((key) => `${extract(key.field)} ${key.direction === 'asc' ? 'ASC' : 'DESC'}`),
        'id ASC',
      ].join(', ');
      const rows = db
        .prepare(
          `SELECT id, position, body FROM ${name} WHERE ${clauses.join(' AND ')}
           ORDER BY ${orderBy} LIMIT ?`,
        )
        .all(...params, limit + 1) as Row[];
      const documents = rows.slice(0, limit).map(toDocument);
      const nextCursor = rows.length > limit ? encodeCursor(documents.at(-1)!, sort) : undefined;
      return { documents, nextCursor };
    },

    async count(collection, filter) {
      const name = ensureTable(collection);
      const where = whereClause(filter);
      const row = db
        .prepare(
          `SELECT count(*) AS n FROM ${name} WHERE ${['deleted = 0', ...where.clauses].join(' AND ')}`,
        )
        .get(...where.params) as { n: number };
      return row.n;
    },

    async ping() {
      db.prepare('SELECT 1').get();
    },

    async close() {
      // The database handle belongs to the composition root, which closes it.
    },
  };
}

function toDocument(row: Row): ReadModelDocument {
  return {
    id: row.id,
    position: decodePosition(row.position),
    body: JSON.parse(row.body) as JsonObject,
  };
}

/** The field paths are checked against a strict pattern first, so they are safe in SQL text. */
function extract(field: string): string {
  return `json_extract(body, '$.${field}')`;
}

function jsonType(field: string): string {
  return `json_type(body, '$.${field}')`;
}

type SqlValue = string | number | null;

/**
 * One comparison with the port's semantics: booleans by JSON type (SQLite would read them as
 * 1 and 0), null as missing-or-null, ranges only within the bound's own type.
 */
function equals(field: string, value: Scalar): { clause: string; params: SqlValue[] } {
  if (value === null) return { clause: `${extract(field)} IS NULL`, params: [] };
  if (typeof value === 'boolean') {
    return { clause: `${jsonType(field)} = '${value ? 'true' : 'false'}'`, params: [] };
  }
  if (typeof value === 'number') {
    return {
      clause: `(${jsonType(field)} IN ('integer', 'real') AND ${extract(field)} = ?)`,
      params: [value],
    };
  }
  return { clause: `(${jsonType(field)} = 'text' AND ${extract(field)} = ?)`, params: [value] };
}

const RANGE_OPERATORS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function whereClause(where: Where | undefined): { clauses: string[]; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  for (const [field, condition] of Object.entries(where ?? {})) {
    const normalised = normaliseCondition(field, condition);
    if (normalised.eq !== undefined) {
      const eq = equals(field, normalised.eq);
      clauses.push(eq.clause);
      params.push(...eq.params);
    }
    if (normalised.in !== undefined) {
      if (normalised.in.length === 0) {
        clauses.push('0');
      } else {
        const alternatives = normalised.in.map((value) => equals(field, value));
        clauses.push(`(${alternatives.map((alternative) => alternative.clause).join(' OR ')})`);
        for (const alternative of alternatives) params.push(...alternative.params);
      }
    }
    for (const range of normalised.ranges) {
      const type = typeof range.value === 'number' ? `IN ('integer', 'real')` : `= 'text'`;
      clauses.push(
        `(${jsonType(field)} ${type} AND ${extract(field)} ${RANGE_OPERATORS[range.op]} ?)`,
      );
      params.push(range.value);
    }
  }
  return { clauses, params };
}

/** Documents strictly after the cursor in (sort..., id) order. */
function keyset(
  sort: readonly SortKey[],
  after: { values: readonly (string | number)[]; id: string },
): { clause: string; params: SqlValue[] } {
  const alternatives: string[] = [];
  const params: SqlValue[] = [];
  for (let i = 0; i <= sort.length; i += 1) {
    const parts: string[] = [];
    for (let j = 0; j < i; j += 1) {
      parts.push(`${extract(sort[j]!.field)} = ?`);
      params.push(after.values[j]!);
    }
    if (i < sort.length) {
      parts.push(`${extract(sort[i]!.field)} ${sort[i]!.direction === 'asc' ? '>' : '<'} ?`);
      params.push(after.values[i]!);
    } else {
      parts.push('id > ?');
      params.push(after.id);
    }
    alternatives.push(`(${parts.join(' AND ')})`);
  }
  if (sort.length === 0) return { clause: `(${alternatives.join(' OR ')})`, params };
  // Implied by the alternatives, but a plain range on the first key lets SQLite start the
  // index scan at the cursor instead of filtering every earlier row.
  const first = sort[0]!;
  return {
    clause: `(${extract(first.field)} ${first.direction === 'asc' ? '>=' : '<='} ? AND (${alternatives.join(' OR ')}))`,
    params: [after.values[0]!, ...params],
  };
}

/**
 * The read models' own SQLite file. Commits need not wait for the disk (`synchronous=NORMAL`):
 * a power loss can only drop the last batches, together with the checkpoints written after
 * them, and the projections apply those again.
 */
export function openSqliteReadModelDatabase(
  filePath: string,
  options: Pick<SqliteOptions, 'mustExist'> = {},
): SqliteDatabase {
  return openSqliteDatabase(filePath, { ...options, synchronous: 'normal' });
}
