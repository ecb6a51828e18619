/**
 * The read-model store on MongoDB (and wire-compatible servers such as FerretDB 1.24) through
 * the official driver. A collection `rm_<name>` holds `{ _id, pos, deleted, j, d }`:
 *
 * - `j` is the body as JSON text, the exact document that `load` and `find` return;
 * - `d` is what queries and indexes see: the body's objects and scalars, with every array
 *   replaced by an empty object and keys that are not identifiers left out. The port's field
 *   paths only walk objects, so nothing they can name is lost, and a path ending at an array
 *   then behaves as it does on SQLite (it equals nothing, not even null). It also keeps bodies
 *   within what FerretDB 1.24 stores (no arrays inside arrays) and away from `$` and `.` keys.
 *
 * Only single-document atomic operations are used: no multi-document transactions and no change
 * streams, which FerretDB 1.24 lacks and a standalone MongoDB does not offer.
 */
import {
  MongoBulkWriteError,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Db,
  type Document,
  type Filter,
  type Sort,
} from 'mongodb';
import {
  assertCollectionName,
  assertIndexSpec,
  decodeCursor,
  decodePosition,
  encodeCursor,
  encodePosition,
  normaliseCondition,
  pageSize,
  type DocumentWrite,
  type FindOptions,
  type JsonObject,
  type ReadModelDocument,
  type ReadModelStore,
  type SortKey,
  type StoredDocumentState,
  type Where,
  type WriteBatchResult,
} from '../read-model-store.js';
import { DUPLICATE_KEY, guard } from './mongo-errors.js';

interface StoredDocument {
  _id: string;
  pos: string;
  deleted: boolean;
  j: string | null;
  d: Document | null;
}

const COLLECTION_PREFIX = 'rm_';
const NAMESPACE_NOT_FOUND = 26;
export interface MongoReadModelStoreOptions {
  /** Ids per query when loading many documents. */
  readonly loadChunkSize?: number;
}

export function createMongoReadModelStore(
  db: Db,
  options: MongoReadModelStoreOptions = {},
): ReadModelStore {
  const loadChunk = options.loadChunkSize ?? 1000;
  const collectionOf = (name: string) => {
    assertCollectionName(name);
    return db.collection<StoredDocument>(`${COLLECTION_PREFIX}${name}`);
  };

  /** Upserts guarded by position; returns the writes refused by a duplicate key. */
  async function bulkUpsert(
    collection: ReturnType<typeof collectionOf>,
    writes: readonly DocumentWrite[],
  ): Promise<{ written: number; duplicates: DocumentWrite[] }> {
    const operations: AnyBulkWriteOperation<StoredDocument>[] = writes.map((write) => {
      const pos = encodePosition(write.position);
      return {
        replaceOne: {
          filter: { _id: write.id, pos: { $lt: pos } },
          replacement:
            write.body === null
              ? { pos, deleted: true, j: null, d: null }
              : { pos, deleted: false, j: JSON.stringify(write.body), d: queryable(write.body) },
          upsert: true,
        },
      };
    });
    try {
      const result = await collection.bulkWrite(operations, { ordered: false });
      return { written: result.matchedCount + result.upsertedCount, duplicates: [] };
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors)
        ? error.writeErrors
        : [error.writeErrors];
      if (writeErrors.some((writeError) => writeError.code !== DUPLICATE_KEY)) throw error;
      const written = error.result.matchedCount + error.result.upsertedCount;
      const duplicates = writeErrors.map((writeError) => writes[writeError.index]!);
      if (written + duplicates.length < writes.length) {
        // FerretDB stops at the first error even when asked not to: what came after it never
        // ran. Running it now is safe whatever did run, thanks to the position guard.
        const first = Math.min(...writeErrors.map((writeError) => writeError.index));
        const rest = await bulkUpsert(collection, writes.slice(first + 1));
        return { written: written + rest.written, duplicates: [...duplicates, ...rest.duplicates] };
      }
      return { written, duplicates };
    }
  }

  const store: ReadModelStore = {
    async ensureCollection(name, indexes = []) {
      for (const index of indexes) assertIndexSpec(index);
      const collection = collectionOf(name);
      await guard(async () => {
        const existing = await db
          .listCollections({ name: collection.collectionName }, { nameOnly: true })
          .toArray();
        if (existing.length === 0) {
          try {
            await db.createCollection(collection.collectionName);
          } catch (error) {
            // Another instance created it first.
            if (!(error instanceof MongoServerError && error.codeName === 'NamespaceExists')) {
              throw error;
            }
          }
        }
        for (const index of indexes) {
          await collection.createIndex(
            Object.fromEntries(
              index.fields.map((key) => [`d.${key.field}`, key.direction === 'asc' ? 1 : -1]),
            ),
            { name: index.name },
          );
        }
      });
    },

    async listIndexes(name) {
      const collection = collectionOf(name);
      return guard(async () => {
        try {
          const indexes = await collection.listIndexes().toArray();
          return indexes.map((index) => String(index.name)).filter((index) => index !== '_id_');
        } catch (error) {
          if (isNamespaceNotFound(error)) return [];
          throw error;
        }
      });
    },

    async listCollections() {
      return guard(async () => {
        const collections = await db.listCollections({}, { nameOnly: true }).toArray();
        return collections
          .map((collection) => collection.name)
          .filter((name) => name.startsWith(COLLECTION_PREFIX))
          .map((name) => name.slice(COLLECTION_PREFIX.length))
          .sort();
      });
    },

    async dropCollection(name) {
      const collection = collectionOf(name);
      await guard(async () => {
        try {
          await collection.drop();
        } catch (error) {
          if (!isNamespaceNotFound(error)) throw error;
        }
      });
    },

    async load(name, ids) {
      const collection = collectionOf(name);
      const found = new Map<string, StoredDocumentState>();
      await guard(async () => {
        for (let start = 0; start < ids.length; start += loadChunk) {
          const chunk = ids.slice(start, start + loadChunk);
          const documents = await collection.find({ _id: { $in: chunk } }).toArray();
          for (const document of documents) {
            found.set(document._id, {
              id: document._id,
              position: decodePosition(document.pos),
              body: document.j === null ? null : (JSON.parse(document.j) as JsonObject),
            });
          }
        }
      });
      return found;
    },

    async writeBatch(name, writes) {
      const collection = collectionOf(name);
      if (writes.length === 0) return { written: 0, skipped: 0 };
      // Unordered bulk writes run in any order, so a batch that writes one id twice keeps only
      // the later write: the position guard would refuse the earlier one anyway.
      const latest = new Map<string, DocumentWrite>();
      for (const write of writes) {
        const kept = latest.get(write.id);
        if (!kept || kept.position < write.position) latest.set(write.id, write);
      }
      return guard(async () => {
        const first = await bulkUpsert(collection, [...latest.values()]);
        // A duplicate key means the document existed when the upsert looked: either its
        // position was not below ours (a real skip) or another writer inserted it in between.
        // Once more tells the two apart; a second duplicate is a real skip.
        const second =
          first.duplicates.length > 0
            ? await bulkUpsert(collection, first.duplicates)
            : { written: 0, duplicates: [] };
        const written = first.written + second.written;
        return { written, skipped: writes.length - written };
      });
    },

    async writeBatches(batches) {
      // No multi-document transactions on FerretDB: collection by collection, in order.
      const results: WriteBatchResult[] = [];
      for (const { collection, writes } of batches) {
        results.push(await store.writeBatch(collection, writes));
      }
      return results;
    },

    async find(name, options: FindOptions = {}) {
      const collection = collectionOf(name);
      const limit = pageSize(options.limit);
      const sort = options.sort ?? [];
      const conditions: Filter<StoredDocument>[] = [{ deleted: false }, filterOf(options.where)];
      if (options.cursor !== undefined) {
        conditions.push(keyset(sort, decodeCursor(options.cursor, sort)));
      }
      const order: Sort = [
        ...sort.map((key): [string, 1 | -1] => [
          `d.${key.field}`,
          key.direction === 'asc' ? 1 : -1,
        ]),
        ['_id', 1],
      ];
      const documents = await guard(() =>
        collection
          .find({ $and: conditions })
          .sort(order)
          .limit(limit + 1)
          .toArray(),
      );
      const page = documents.slice(0, limit).map(toDocument);
      const nextCursor = documents.length > limit ? encodeCursor(page.at(-1)!, sort) : undefined;
      return { documents: page, nextCursor };
    },

    async count(name, where) {
      const collection = collectionOf(name);
      return guard(() =>
        collection.countDocuments({ $and: [{ deleted: false }, filterOf(where)] }),
      );
    },

    async ping() {
      await guard(() => db.command({ ping: 1 }));
    },

    async close() {
      // The client belongs to the composition root, which closes it.
    },
  };
  return store;
}

function toDocument(stored: StoredDocument): ReadModelDocument {
  return {
    id: stored._id,
    position: decodePosition(stored.pos),
    body: stored.j === null ? {} : (JSON.parse(stored.j) as JsonObject),
  };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The part of a body queries can reach (see the header). */
function queryable(value: JsonObject): Document {
  const copy: Document = {};
  for (const [key, field] of Object.entries(value)) {
    if (!IDENTIFIER.test(key) || field === undefined) continue;
    if (Array.isArray(field)) copy[key] = {};
    else if (field !== null && typeof field === 'object')
      copy[key] = queryable(field as JsonObject);
    else copy[key] = field;
  }
  return copy;
}

function filterOf(where: Where | undefined): Filter<StoredDocument> {
  const filter: Document = {};
  for (const [field, condition] of Object.entries(where ?? {})) {
    const normalised = normaliseCondition(field, condition);
    const operators: Document = {};
    if (normalised.eq !== undefined) operators.$eq = normalised.eq;
    if (normalised.in !== undefined) operators.$in = [...normalised.in];
    for (const range of normalised.ranges) operators[`$${range.op}`] = range.value;
    filter[`d.${field}`] = operators;
  }
  return filter as Filter<StoredDocument>;
}

/** Documents strictly after the cursor in (sort..., _id) order. */
function keyset(
  sort: readonly SortKey[],
  after: { values: readonly (string | number)[]; id: string },
): Filter<StoredDocument> {
  const alternatives: Document[] = [];
  for (let i = 0; i <= sort.length; i += 1) {
    const alternative: Document = {};
    for (let j = 0; j < i; j += 1) alternative[`d.${sort[j]!.field}`] = after.values[j];
    if (i < sort.length) {
      alternative[`d.${sort[i]!.field}`] = {
        [sort[i]!.direction === 'asc' ? '$gt' : '$lt']: after.values[i],
      };
    } else {
      alternative._id = { $gt: after.id };
    }
    alternatives.push(alternative);
  }
  if (sort.length === 0) return { $or: alternatives } as Filter<StoredDocument>;
  // Implied by the alternatives; stated alone so the planner bounds the index scan with it.
  const first = sort[0]!;
  return {
    $and: [
      { [`d.${first.field}`]: { [first.direction === 'asc' ? '$gte' : '$lte']: after.values[0] } },
      { $or: alternatives },
    ],
  } as Filter<StoredDocument>;
}

function isNamespaceNotFound(error: unknown): boolean {
  return (
    error instanceof MongoServerError &&
    (error.code === NAMESPACE_NOT_FOUND || error.codeName === 'NamespaceNotFound')
  );
}
