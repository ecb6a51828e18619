import { Binary, type Db } from 'mongodb';
import { StoreUnavailableError } from '../event-store.js';
import type { KeyStore, StoredKey } from '../key-store.js';
import { guard, isDuplicateKey } from './mongo-errors.js';

/** A key (`wrapped`, `createdAt`) or a tombstone (`erasedAt`), by subject. */
interface KeyDocument {
  _id: string;
  wrapped?: Binary;
  createdAt?: string;
  erasedAt?: string;
}

/** Each round makes progress unless another caller moved the record meanwhile; a few suffice. */
const MAX_ATTEMPTS = 5;

/**
 * Wrapped data keys in MongoDB (collection `personal_keys`, one document per subject), shared by
 * every instance of the service.
 *
 * Built from what is atomic on FerretDB 1.24 as on MongoDB (see `mongo-compare-and-set.ts`):
 * an insert that collides on `_id` is refused. A key is only ever written by the insert that
 * creates the subject's document, and nothing deletes a document, so once a subject has a
 * tombstone no key can come back. A destroy turns an existing key into a tombstone with an
 * update, which on FerretDB is not atomic against another update; the only other update is a
 * racing destroy writing a tombstone too, so the worst outcome is that two destroys racing on
 * one key answer `erasedAt`s a few milliseconds apart (the later write is the one kept); the key
 * is gone either way. A create racing a destroy ends with the tombstone first (the create is refused and answers
 * it), or with the key inserted first and then destroyed (its creator may have sealed a value
 * with it, which is then as unreadable as the rest of the subject's data).
 *
 * `$unset` removes the key from the document; the bytes may linger in the server's storage, its
 * journal and a replica set's oplog for their retention, and in backups: those need bounded
 * retention for an erasure to become final there.
 */
export function createMongoKeyStore(db: Db): KeyStore {
  const keys = db.collection<KeyDocument>('personal_keys');
  let closed = false;

  function ensureOpen(): void {
    if (closed) throw new StoreUnavailableError('The key store is closed');
  }

  async function find(subject: string): Promise<StoredKey | undefined> {
    const document = await guard(() => keys.findOne({ _id: subject }));
    return document === null ? undefined : toStoredKey(document);
  }

  async function insert(document: KeyDocument): Promise<boolean> {
    try {
      await guard(() => keys.insertOne(document));
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  return {
    async createIfAbsent(subject, wrapped, createdAt) {
      ensureOpen();
      if (await insert({ _id: subject, wrapped: new Binary(wrapped), createdAt })) {
        return { subject, state: 'active', wrapped: new Uint8Array(wrapped), createdAt };
      }
      const stored = await find(subject);
      if (!stored) throw new Error(`The key record of ${subject} is in the way but cannot be read`);
      return stored;
    },

    async find(subject) {
      ensureOpen();
      return find(subject);
    },

    async destroy(subject, erasedAt) {
      ensureOpen();
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const stored = await find(subject);
        if (stored?.state === 'erased') return stored;
        if (stored === undefined) {
          // A tombstone before any key: a create arriving later is refused by it.
          if (await insert({ _id: subject, erasedAt }))
            return { subject, state: 'erased', erasedAt };
          continue;
        }
        // The filter keeps a tombstone's first erasedAt; the next round reads the result.
        await guard(() =>
          keys.updateOne(
            { _id: subject, erasedAt: { $exists: false } },
            { $set: { erasedAt }, $unset: { wrapped: '', createdAt: '' } },
          ),
        );
      }
      throw new StoreUnavailableError(`The key of ${subject} kept changing; destroy it again`);
    },

    async close() {
      closed = true;
    },
  };
}

function toStoredKey(document: KeyDocument): StoredKey {
  const { _id: subject, wrapped, createdAt, erasedAt } = document;
  if (erasedAt !== undefined) return { subject, state: 'erased', erasedAt };
  if (!(wrapped instanceof Binary) || createdAt === undefined) {
    throw new Error(`The key record of ${subject} is neither a key nor a tombstone`);
  }
  // A copy as a plain Uint8Array, as every adapter answers.
  const bytes = new Uint8Array(wrapped.buffer.subarray(0, wrapped.length()));
  return { subject, state: 'active', wrapped: bytes, createdAt };
}
