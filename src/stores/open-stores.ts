import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { monitorAvailability } from './availability-monitor.js';
import type { EventStore } from './event-store.js';
import { createEsdbEventStore } from './eventstoredb/esdb-event-store.js';
import { createMongoReadModelStore } from './mongodb/mongo-read-model-store.js';
import type { ReadModelStore } from './read-model-store.js';
import type { SqliteDatabase } from './sqlite/database.js';
import { createSqliteEventStore } from './sqlite/sqlite-event-store.js';
import {
  createSqliteReadModelStore,
  openSqliteReadModelDatabase,
} from './sqlite/sqlite-read-model-store.js';

/** The adapters the configuration picks; shared by the service and the operator CLI. */
export type EventStoreKind = 'sqlite' | 'eventstoredb';
export type ReadModelStoreKind = 'sqlite' | 'mongodb';

/** The embedded stores' files under DATA_DIR: the log (with idempotency records), read models. */
export const EVENT_STORE_FILE = 'backoffice.db';
export const READ_MODELS_FILE = 'readmodels.db';

/** The files the configuration keeps its stores in: none for a store it reaches by URL. */
export function embeddedStoreFiles(
  config: Pick<Config, 'dataDir' | 'eventStoreUrl' | 'mongoUrl'>,
): string[] {
  return [
    ...(config.eventStoreUrl === undefined ? [join(config.dataDir, EVENT_STORE_FILE)] : []),
    ...(config.mongoUrl === undefined ? [join(config.dataDir, READ_MODELS_FILE)] : []),
  ];
}

/**
 * Read models go to MongoDB when MONGODB_URL is set, else to a SQLite file of their own beside
 * the event log, so projection writes never wait on the log's write lock.
 */
export function openReadModelStore(
  config: Config,
  options: { readonly mustExist?: boolean } = {},
): {
  store: ReadModelStore;
  kind: ReadModelStoreKind;
  close(): Promise<void>;
} {
  if (config.mongoUrl === undefined) {
    const db = openSqliteReadModelDatabase(join(config.dataDir, READ_MODELS_FILE), options);
    const store = createSqliteReadModelStore(db);
    return {
      store,
      kind: 'sqlite',
      async close() {
        await store.close();
        db.close();
      },
    };
  }
  const client = new MongoClient(config.mongoUrl, {
    serverSelectionTimeoutMS: config.mongoConnectTimeoutMs,
  });
  const store = createMongoReadModelStore(client.db(config.mongoDatabase));
  return {
    store,
    kind: 'mongodb',
    async close() {
      await store.close();
      await client.close();
    },
  };
}

/**
 * The event store the configuration names: EventStoreDB when EVENTSTORE_URL is set, else the
 * embedded SQLite file `db` (which only then is needed). Idempotency records stay in the local
 * SQLite file either way.
 */
export function openEventStore(
  config: Config,
  db: SqliteDatabase | undefined,
  logger: Logger,
  clock: () => Date,
): { store: EventStore; kind: EventStoreKind; close(): Promise<void> } {
  if (config.eventStoreUrl === undefined) {
    if (db === undefined) throw new Error('The embedded event store needs its SQLite file');
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
