import { openSqliteDatabase, type SqliteDatabase } from '../../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../../src/stores/sqlite/sqlite-event-store.js';
import { createSqliteLeaseStore } from '../../src/stores/sqlite/sqlite-lease-store.js';
import { createSqliteReadModelStore } from '../../src/stores/sqlite/sqlite-read-model-store.js';

/**
 * An event log, read models and leases on in-memory SQLite, for tests of the projection engine.
 * The handles are pushed onto `opened`, for the test to close after it.
 */
export function inMemoryStores(opened: SqliteDatabase[]) {
  const eventsDb = openSqliteDatabase(':memory:');
  const modelsDb = openSqliteDatabase(':memory:');
  opened.push(eventsDb, modelsDb);
  return {
    eventStore: createSqliteEventStore(eventsDb),
    readModels: createSqliteReadModelStore(modelsDb),
    leases: createSqliteLeaseStore(modelsDb),
  };
}
