import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { monitorAvailability } from './availability-monitor.js';
import type { EventStore } from './event-store.js';
import { createEsdbEventStore } from './eventstoredb/esdb-event-store.js';
import type { LeaseStore } from './lease-store.js';
import { createMongoLeaseStore } from './mongodb/mongo-lease-store.js';
import { createMongoReadModelStore } from './mongodb/mongo-read-model-store.js';
import type { ReadModelStore } from './read-model-store.js';
import type { SqliteDatabase } from './sqlite/database.js';
import { createSqliteEventStore } from './sqlite/sqlite-event-store.js';
import { createSqliteLeaseStore } from './sqlite/sqlite-lease-store.js';
import {
  createSqliteReadModelStore,
  openSqliteReadModelDatabase,
} from './sqlite/sqlite-read-model-store.js';

/** The adapters the configuration picks; shared by the service and the operator CLI. */
export type EventStoreKind = 'sqlite' | 'eventstoredb';
export type ReadModelStoreKind = 'sqlite' | 'mongodb';

/**
 * Read models go to MongoDB when MONGODB_URL is set, else to a SQLite file of their own beside
 * the event log, so projection writes never wait on the log's write lock. The leases that decide
 * who runs each projection live beside them, where every instance (and the CLI) sees them.
 */
export function openReadModelStore(config: Config): {
  store: ReadModelStore;
  kind: ReadModelStoreKind;
  leases: LeaseStore;
  close(): Promise<void>;
} {
  if (config.mongoUrl === undefined) {
    const db = openSqliteReadModelDatabase(join(config.dataDir, 'readmodels.db'));
    const store = createSqliteReadModelStore(db);
    return {
      store,
      kind: 'sqlite',
      leases: createSqliteLeaseStore(db),
      async close() {
        await store.close();
        db.close();
      },
    };
  }
  const client = new MongoClient(config.mongoUrl, {
    serverSelectionTimeoutMS: config.mongoConnectTimeoutMs,
  });
  const db = client.db(config.mongoDatabase);
  const store = createMongoReadModelStore(db);
  return {
    store,
    kind: 'mongodb',
    leases: createMongoLeaseStore(db),
    async close() {
      await store.close();
      await client.close();
    },
  };
}

/**
 * The event store the configuration names: EventStoreDB when EVENTSTORE_URL is set, else the
 * embedded SQLite file. Idempotency records stay in the local SQLite file either way.
 */
export function openEventStore(
  config: Config,
  db: SqliteDatabase,
  logger: Logger,
  clock: () => Date,
): { store: EventStore; kind: EventStoreKind; close(): Promise<void> } {
  if (config.eventStoreUrl === undefined) {
    const store = createSqliteEventStore(db, { now: clock });
    return { store, kind: 'sqlite', close: () => store.close() };
  }
  const client = EventStoreDBClient.connectionString(config.eventStoreUrl);
  const store = createEsdbEventStore(client, {
    onSubscriptionDropped: (error, resumeAfter) =>
      logger.warn(
        { err: error, resumeAfter: resumeAfter.toString() },
        'EventStoreDB subscription dropped; resubscribing',
      ),
  });
  const monitor = monitorAvailability({
    ping: () => store.ping(),
    intervalMs: config.eventStoreHealthIntervalMs,
    onUnavailable: (error) =>
      logger.error({ err: error }, 'EventStoreDB unreachable; writes answer 503 until it is back'),
    onAvailableAgain: (downForMs) => logger.info({ downForMs }, 'EventStoreDB reachable again'),
  });
  return {
    store,
    kind: 'eventstoredb',
    async close() {
      monitor.stop();
      await store.close();
      await client.dispose();
    },
  };
}
