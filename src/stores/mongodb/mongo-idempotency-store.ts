import type { Db } from 'mongodb';
import type {
  IdempotencyKeyRef,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from '../idempotency-store.js';
import { compareAndSetCollection, type Stored } from './mongo-compare-and-set.js';

type KeyState =
  | { state: 'pending'; fingerprint: string; leaseUntil: number }
  /** The response as JSON text: bodies may hold keys with dots or a leading `$`. */
  | { state: 'completed'; fingerprint: string; response: string }
  /** A released claim, free to be claimed again; kept so epochs never restart. */
  | { state: 'released' };

/** A record that keeps changing under a caller this often is a fault, not a race to retry. */
const MAX_ATTEMPTS = 5;

/**
 * Idempotency records in MongoDB (collection `idempotency_keys`), shared by every instance, so a
 * retry that reaches another instance gets the first answer. Unlike the embedded store, opening
 * it drops nothing: a pending claim may belong to a live instance, and one whose claimant died is
 * taken over once its lease expires. Each change is a compare-and-set transition
 * (`mongo-compare-and-set.ts`), so of racing requests exactly one claims or takes over a key.
 */
export function createMongoIdempotencyStore(db: Db): IdempotencyStore {
  const records = compareAndSetCollection<KeyState>(db, 'idempotency_keys');
  // JSON keeps (scope, key) apart whatever characters either holds.
  const idOf = ({ scope, key }: IdempotencyKeyRef) => JSON.stringify([scope, key]);

  /** Moves a pending record on; does nothing once it is completed or released. */
  async function settle(ref: IdempotencyKeyRef, next: (fingerprint: string) => KeyState) {
    const id = idOf(ref);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = await records.read(id);
      if (current?.state !== 'pending') return;
      if (await records.transition(current, next(current.fingerprint))) return;
    }
    throw new Error(`idempotency record ${id} kept changing while being settled`);
  }

  return {
    async claim(ref, fingerprint, leaseUntil, now) {
      const id = idOf(ref);
      const pending: KeyState = { state: 'pending', fingerprint, leaseUntil: leaseUntil.getTime() };
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        if (await records.create(id, pending)) return { claimed: true };
        const current = await records.read(id);
        if (current === null) continue;
        const free =
          current.state === 'released' ||
          (current.state === 'pending' &&
            current.fingerprint === fingerprint &&
            current.leaseUntil < now.getTime());
        if (!free) return { claimed: false, record: toRecord(current)! };
        if (await records.transition(current, pending)) return { claimed: true };
      }
      throw new Error(`idempotency record ${id} kept changing while being claimed`);
    },

    async complete(ref, response) {
      await settle(ref, (fingerprint) => ({
        state: 'completed',
        fingerprint,
        response: JSON.stringify(response),
      }));
    },

    async release(ref) {
      await settle(ref, () => ({ state: 'released' }));
    },

    async get(ref) {
      const current = await records.read(idOf(ref));
      return current === null ? undefined : toRecord(current);
    },
  };
}

function toRecord(stored: Stored<KeyState>): IdempotencyRecord | undefined {
  switch (stored.state) {
    case 'pending':
      return {
        state: 'pending',
        fingerprint: stored.fingerprint,
        leaseUntil: new Date(stored.leaseUntil).toISOString(),
      };
    case 'completed':
      return {
        state: 'completed',
        fingerprint: stored.fingerprint,
        response: JSON.parse(stored.response) as StoredResponse,
      };
    case 'released':
      return undefined;
  }
}
