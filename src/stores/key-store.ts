/**
 * Where each data subject's (a person's) data key is kept, so their personal data in the
 * immutable event log can be made unreadable by destroying one key (crypto-shredding). A store
 * only ever sees keys wrapped by the master key, never a plain one. Subjects are strings such as
 * `employee-E1` or `customer-C1`.
 *
 * Adapters: SQLite (a file of its own, `keys.db`, embedded) and MongoDB (collection
 * `personal_keys`, shared by every instance). One contract suite
 * (`test/stores/key-store.contract.ts`) defines the behaviour both must show.
 *
 * A subject's record only ever moves forward: none, then active, then erased, and erased is for
 * good. No operation writes a key over an existing record, so once erased, a subject can never
 * have a key again.
 */
export interface ActiveKey {
  readonly subject: string;
  readonly state: 'active';
  /** The data key, encrypted with the master key (the vault's format; opaque to stores). */
  readonly wrapped: Uint8Array;
  readonly createdAt: string;
}

/** A tombstone: the subject's key was destroyed, or refused before one was ever made. */
export interface ErasedKey {
  readonly subject: string;
  readonly state: 'erased';
  readonly erasedAt: string;
}

export type StoredKey = ActiveKey | ErasedKey;

export interface KeyStore {
  /**
   * Stores `wrapped` unless the subject already has a key or a tombstone, and answers what is
   * stored now: of racing creators exactly one wins and all get the winner's key (or the
   * tombstone).
   */
  createIfAbsent(subject: string, wrapped: Uint8Array, createdAt: string): Promise<StoredKey>;
  find(subject: string): Promise<StoredKey | undefined>;
  /**
   * Destroys the subject's key for good, leaving a tombstone; also for a subject that never had
   * a key, so none can be made later. Idempotent: a later call answers the tombstone there is,
   * with its first `erasedAt`.
   */
  destroy(subject: string, erasedAt: string): Promise<ErasedKey>;
  /** Closes what the store opened itself (never a handle it was given). */
  close(): Promise<void>;
}
