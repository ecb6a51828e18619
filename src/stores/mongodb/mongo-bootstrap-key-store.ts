import type { Db } from 'mongodb';
import type { BootstrapKeyStore, StoredBootstrapKey } from '../bootstrap-key-store.js';
import { compareAndSetCollection } from './mongo-compare-and-set.js';

const KEY_ID = 'bootstrap-admin-key';

/**
 * The bootstrap key in MongoDB (collection `service_settings`), beside the read models every
 * instance shares. Written once: creating it is an insert of a fixed id, which of racing
 * instances exactly one wins, on FerretDB 1.24 as on MongoDB.
 */
export function createMongoBootstrapKeyStore(db: Db): BootstrapKeyStore {
  const settings = compareAndSetCollection<StoredBootstrapKey>(db, 'service_settings');
  return {
    async loadOrCreate(candidate) {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const stored = await settings.read(KEY_ID);
        if (stored)
          return { key: { id: stored.id, secretSha256: stored.secretSha256 }, created: false };
        if (await settings.create(KEY_ID, { ...candidate }))
          return { key: candidate, created: true };
      }
      throw new Error('The bootstrap key could be neither read nor stored');
    },
  };
}
