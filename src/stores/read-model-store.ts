/**
 * The read-model store port: named collections of JSON documents that projections write and
 * queries read. Adapters: SQLite (embedded) and MongoDB. One contract suite
 * (`test/stores/read-model-store.contract.ts`) defines the behaviour both must show.
 *
 * Only operations that MongoDB 6+ and FerretDB 1.24 both support are assumed: no
 * multi-document transactions and no change streams. A batch is therefore not atomic across
 * documents; what makes it safe to repeat is the position guard on every write.
 */
import type { JsonObject } from './event-store.js';

export type { JsonObject };

export type Scalar = string | number | boolean | null;

export interface ReadModelDocument {
  readonly id: string;
  /** Global log position of the last event that changed the document. */
  readonly position: bigint;
  readonly body: JsonObject;
}

/** A document as `load` sees it: a deleted one keeps its position, with a null body. */
export interface StoredDocumentState {
  readonly id: string;
  readonly position: bigint;
  readonly body: JsonObject | null;
}

export interface DocumentWrite {
  readonly id: string;
  /** Global log position of the event behind the write: the guard compares against it. */
  readonly position: bigint;
  /** The new document, or null to delete it (a tombstone keeps the position for the guard). */
  readonly body: JsonObject | null;
}

export interface CollectionWrites {
  readonly collection: string;
  readonly writes: readonly DocumentWrite[];
}

export interface WriteBatchResult {
  /** Writes that changed a document (or created or deleted one). */
  readonly written: number;
  /** Writes refused by the position guard: the document already held that position or later. */
  readonly skipped: number;
}

export interface SortKey {
  /** A top-level field or a dotted path into the body, e.g. `balance` or `totals.EUR`. */
  readonly field: string;
  readonly direction: 'asc' | 'desc';
}

export interface IndexSpec {
  /** Unique within the collection: lower case letters, digits and `_`. */
  readonly name: string;
  readonly fields: readonly SortKey[];
}

/**
 * A condition on one field. A bare value means equality. Equality with null matches a missing
 * field too. Ranges compare only values of the bound's own type (numbers with numbers, strings
 * with strings, byte-wise), so `{ gt: 5 }` never matches a string.
 */
export type FieldCondition =
  | Scalar
  | {
      readonly eq?: Scalar;
      readonly in?: readonly Scalar[];
      readonly gt?: string | number;
      readonly gte?: string | number;
      readonly lt?: string | number;
      readonly lte?: string | number;
    };

export type Where = Readonly<Record<string, FieldCondition>>;

export interface FindOptions {
  readonly where?: Where;
  /**
   * Sort keys; the document id is always the last, ascending tie-breaker. Sort fields must hold
   * a string or number in every document the query returns: a page boundary on a missing value
   * cannot be expressed, and is refused rather than silently skipping documents.
   */
  readonly sort?: readonly SortKey[];
  /** Page size; 100 by default. */
  readonly limit?: number;
  /** `nextCursor` of the previous page, for the same where and sort. */
  readonly cursor?: string;
}

export interface FindResult {
  readonly documents: ReadModelDocument[];
  /** Present when more documents may follow. */
  readonly nextCursor: string | undefined;
}

export interface ReadModelStore {
  /** Creates the collection if needed, and each declared index (idempotent). */
  ensureCollection(collection: string, indexes?: readonly IndexSpec[]): Promise<void>;
  /** Names of the indexes that exist on the collection, declared ones included. */
  listIndexes(collection: string): Promise<string[]>;
  /** Names of the collections that exist. */
  listCollections(): Promise<string[]>;
  dropCollection(collection: string): Promise<void>;
  /**
   * The stored state of each of `ids` that was ever written, by id: deleted documents are there
   * with a null body, so a projection knows which events they have already seen.
   */
  load(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocumentState>>;
  /**
   * Applies every write in one bulk operation. A write carrying position p changes its document
   * only if the stored document's position is below p (or there is none), so applying a batch
   * again, in whole or in part, changes nothing.
   */
  writeBatch(collection: string, writes: readonly DocumentWrite[]): Promise<WriteBatchResult>;
  /**
   * `writeBatch` for several collections at once, with the same guard: in one transaction where
   * the store has them (SQLite), else one bulk call per collection, applied in the order given
   * (MongoDB), so a caller that puts its checkpoints last never has a checkpoint ahead of the
   * documents it covers. One result per batch, in order.
   */
  writeBatches(batches: readonly CollectionWrites[]): Promise<WriteBatchResult[]>;
  find(collection: string, options?: FindOptions): Promise<FindResult>;
  count(collection: string, where?: Where): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A query the store cannot run as given: a caller's mistake, not an outage. */
export class InvalidQueryError extends Error {
  override readonly name = 'InvalidQueryError';
}

const COLLECTION_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const INDEX_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function assertCollectionName(name: string): void {
  if (!COLLECTION_NAME.test(name)) {
    throw new InvalidQueryError(
      `Invalid collection name ${JSON.stringify(name)}: use lower case letters, digits and _`,
    );
  }
}

export function assertFieldPath(field: string): void {
  if (!FIELD_PATH.test(field)) {
    throw new InvalidQueryError(`Invalid field path ${JSON.stringify(field)}`);
  }
}

export function assertIndexSpec(index: IndexSpec): void {
  if (!INDEX_NAME.test(index.name)) {
    throw new InvalidQueryError(`Invalid index name ${JSON.stringify(index.name)}`);
  }
  if (index.fields.length === 0) {
    throw new InvalidQueryError(`Index ${index.name} has no fields`);
  }
  for (const key of index.fields) assertFieldPath(key.field);
}

/**
 * Positions are kept as 20-digit zero-padded decimal strings: exact for every unsigned 64-bit
 * value, and ordered the same way as text in both stores.
 */
export function encodePosition(position: bigint): string {
  if (position < 0n || position > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`Position out of range: ${position}`);
  }
  return position.toString().padStart(20, '0');
}

export function decodePosition(stored: string): bigint {
  return BigInt(stored);
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidQueryError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
}

/** The value at a dotted path of a body, or undefined. */
export function valueAt(body: JsonObject, field: string): unknown {
  let value: unknown = body;
  for (const part of field.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as JsonObject)[part];
  }
  return value;
}

/**
 * A cursor names the last document of a page by its sort values and id. It is opaque to
 * callers; a malformed or mismatched one is refused.
 */
export interface CursorPosition {
  readonly values: readonly (string | number)[];
  readonly id: string;
}

export function encodeCursor(document: ReadModelDocument, sort: readonly SortKey[]): string {
  const values = sort.map((key) => {
    const value = valueAt(document.body, key.field);
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new InvalidQueryError(
        `Cannot page on ${key.field}: document ${document.id} has no string or number there`,
      );
    }
    return value;
  });
  return Buffer.from(JSON.stringify([values, document.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, sort: readonly SortKey[]): CursorPosition {
  const invalid = () => new InvalidQueryError('Invalid cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [values, id] = parsed as [unknown, unknown];
  if (typeof id !== 'string' || !Array.isArray(values) || values.length !== sort.length) {
    throw invalid();
  }
  if (!values.every((value) => typeof value === 'string' || typeof value === 'number')) {
    throw invalid();
  }
  return { values: values as (string | number)[], id };
}

/** The conditions of one field, normalised; throws on anything the port does not define. */
export interface NormalisedCondition {
  readonly eq?: Scalar;
  readonly in?: readonly Scalar[];
  readonly ranges: readonly {
    readonly op: 'gt' | 'gte' | 'lt' | 'lte';
    readonly value: string | number;
  }[];
}

export function normaliseCondition(field: string, condition: FieldCondition): NormalisedCondition {
  assertFieldPath(field);
  if (condition === null || typeof condition !== 'object') {
    assertScalar(field, condition);
    return { eq: condition, ranges: [] };
  }
  const ranges: { op: 'gt' | 'gte' | 'lt' | 'lte'; value: string | number }[] = [];
  let eq: Scalar | undefined;
  let inList: readonly Scalar[] | undefined;
  for (const [op, value] of Object.entries(condition)) {
    if (value === undefined) continue;
    if (op === 'eq') {
      assertScalar(field, value);
      eq = value as Scalar;
    } else if (op === 'in') {
      if (!Array.isArray(value)) throw new InvalidQueryError(`${field}: in takes a list`);
      for (const item of value) assertScalar(field, item);
      inList = value as Scalar[];
    } else if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') {
      if (typeof value !== 'string' && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw new InvalidQueryError(`${field}: ${op} takes a string or a finite number`);
      }
      ranges.push({ op, value });
    } else {
      throw new InvalidQueryError(`${field}: unknown operator ${op}`);
    }
  }
  return { ...(eq !== undefined ? { eq } : {}), ...(inList ? { in: inList } : {}), ranges };
}

function assertScalar(field: string, value: unknown): void {
  const ok =
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value));
  if (!ok) throw new InvalidQueryError(`${field}: only strings, finite numbers, booleans or null`);
}
