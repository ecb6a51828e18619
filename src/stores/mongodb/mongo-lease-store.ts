import type { Db } from 'mongodb';
import type { LeaseStore } from '../lease-store.js';
import { compareAndSetCollection } from './mongo-compare-and-set.js';

interface Lease {
  /** Empty once released. */
  holder: string;
  expiresAt: number;
}

/** A lease that keeps changing under a caller this often is given up on for this attempt. */
const MAX_ATTEMPTS = 5;

/**
 * Leases in MongoDB (collection `leases`), one document per lease, shared by every instance of
 * the service. Taking, renewing and releasing are compare-and-set transitions
 * (`mongo-compare-and-set.ts`), so of several instances racing for an expired lease exactly one
 * gets it, on FerretDB 1.24 as on MongoDB.
 */
export function createMongoLeaseStore(db: Db): LeaseStore {
  const leases = compareAndSetCollection<Lease>(db, 'leases');
  return {
    async acquire({ name, holder, ttlMs, now }) {
      const next = { holder, expiresAt: now.getTime() + ttlMs };
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const current = await leases.read(name);
        if (current === null) {
          if (await leases.create(name, next)) return true;
          continue;
        }
        if (current.holder !== holder && current.expiresAt > now.getTime()) return false;
        if (await leases.transition(current, next)) return true;
      }
      return false;
    },

    async release(name, holder) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const current = await leases.read(name);
        if (current === null || current.holder !== holder) return;
        if (await leases.transition(current, { holder: '', expiresAt: 0 })) return;
      }
    },
  };
}
