import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { monitorAvailability } from './stores/availability-monitor.js';
import type { EventStore } from './stores/event-store.js';
import { createEsdbEventStore } from './stores/eventstoredb/esdb-event-store.js';
import type { BootstrapKeyStore } from './stores/bootstrap-key-store.js';
import type { IdempotencyStore } from './stores/idempotency-store.js';
import type { KeyStore } from './stores/key-store.js';
import type { LeaseStore } from './stores/lease-store.js';
import { createMongoBootstrapKeyStore } from './stores/mongodb/mongo-bootstrap-key-store.js';
import { createMongoIdempotencyStore } from './stores/mongodb/mongo-idempotency-store.js';
import { createMongoKeyStore } from './stores/mongodb/mongo-key-store.js';
import { createMongoLeaseStore } from './stores/mongodb/mongo-lease-store.js';
import { createMongoReadModelStore } from './stores/mongodb/mongo-read-model-store.js';
import type { ReadModelStore } from './stores/read-model-store.js';
import { openSqliteDatabase, type SqliteDatabase } from './stores/sqlite/database.js';
import { createEmbeddedIdempotency } from './stores/sqlite/sqlite-embedded-idempotency-store.js';
import {
  createSqliteEventStore,
  type CommitCompanion,
} from './stores/sqlite/sqlite-event-store.js';
import { createSqliteIdempotencyStore } from './stores/sqlite/sqlite-idempotency-store.js';
import { openSqliteKeyStore } from './stores/sqlite/sqlite-key-store.js';
import { createSqliteLeaseStore } from './stores/sqlite/sqlite-lease-store.js';
import {
  createSqliteReadModelStore,
  openSqliteReadModelDatabase,
} from './stores/sqlite/sqlite-read-model-store.js';

/** The adapters the configuration picks; shared by the service and the operator CLI. */
export type EventStoreKind = 'sqlite' | 'eventstoredb';
export type ReadModelStoreKind = 'sqlite' | 'mongodb';

/** The embedded stores' files under DATA_DIR: the log (with idempotency records), read models. */
export const EVENT_STORE_FILE = 'backoffice.db';
export const READ_MODELS_FILE = 'readmodels.db';
/** The personal data keys, wrapped, in a file of their own: back it up apart from the log. */
export const KEYS_FILE = 'keys.db';

/** The files the configuration keeps its event log and read models in: none for a URL. */
export function embeddedStoreFiles(
  config: Pick<Config, 'dataDir' | 'eventStoreUrl' | 'mongoUrl'>,
): string[] {
  return [
    ...(config.eventStoreUrl === undefined ? [join(config.dataDir, EVENT_STORE_FILE)] : []),
    ...(config.mongoUrl === undefined ? [join(config.dataDir, READ_MODELS_FILE)] : []),
  ];
}

/**
 * Whether the service keeps anything in DATA_DIR's stores: the embedded log or read models, or
 * idempotency records (in `backoffice.db` unless MongoDB keeps them). Only with both stores
 * reached by URL does it keep none, and then any number of instances may share nothing local.
 */
export function usesEmbeddedStores(config: Pick<Config, 'eventStoreUrl' | 'mongoUrl'>): boolean {
  return config.eventStoreUrl === undefined || config.mongoUrl === undefined;
}

export interface StoreOptions {
  /** Refuse to create the embedded files (the operator CLI works on an existing service's). */
  readonly mustExist?: boolean;
}

/**
 * Every store, placed as the configuration says (README, "What lives where"):
 *
 * - events: EventStoreDB with EVENTSTORE_URL, else `backoffice.db`;
 * - read models and leases: MongoDB with MONGODB_URL, else `readmodels.db`;
 * - idempotency records: MongoDB with MONGODB_URL, so a retry reaching another instance is
 *   answered the same, else `backoffice.db`, beside the events of the one process using it;
 *   with the events there too, they are committed in the events' group commits
 *   (sqlite-embedded-idempotency-store.ts), else each in a transaction of its own.
 *
 * `backoffice.db` is opened only if something is kept in it: with both URLs set, the service
 * opens no local file at all.
 */
export function openStores(
  config: Config,
  logger: Logger,
  clock: () => Date,
  options: StoreOptions = {},
): {
  events: ReturnType<typeof openEventStore>;
  readModels: ReturnType<typeof openReadModelStore>;
  /**
   * Opened on first use: the operator CLI never needs it, and the embedded one drops pending
   * claims when it opens, which must not happen to a running service's claims.
   */
  idempotency(): IdempotencyStore;
  /**
   * The personal data keys: MongoDB's `personal_keys` with MONGODB_URL, else `keys.db`. Opened
   * on first use, so a service whose modules keep no personal data opens no key file.
   */
  keys(): KeyStore;
  close(): Promise<void>;
} {
  let local: SqliteDatabase | undefined;
  const localDatabase = () =>
    (local ??= openSqliteDatabase(join(config.dataDir, EVENT_STORE_FILE), options));
  const readModels = openReadModelStore(config, options);
  const embedded =
    config.eventStoreUrl === undefined && readModels.idempotency === undefined
      ? createEmbeddedIdempotency(localDatabase())
      : undefined;
  const events = openEventStore(config, localDatabase, logger, clock, embedded?.companion);
  let idempotency: IdempotencyStore | undefined;
  let keys: KeyStore | undefined;
  return {
    events,
    readModels,
    keys: () =>
      (keys ??= readModels.keys ?? openSqliteKeyStore(join(config.dataDir, KEYS_FILE), options)),
    idempotency: () =>
      (idempotency ??=
        readModels.idempotency ??
        embedded?.store() ??
        createSqliteIdempotencyStore(localDatabase())),
    async close() {
      await keys?.close();
      await readModels.close();
      await events.close();
      local?.close();
    },
  };
}

/**
 * Read models go to MongoDB when MONGODB_URL is set, else to a SQLite file of their own beside
 * the event log, so projection writes never wait on the log's write lock. The leases that decide
 * who runs each projection live beside them, where every instance (and the CLI) sees them.
 */
export function openReadModelStore(
  config: Config,
  options: StoreOptions = {},
): {
  store: ReadModelStore;
  kind: ReadModelStoreKind;
  leases: LeaseStore;
  /** Idempotency records, when they go to the same database: only MongoDB is shared. */
  idempotency: IdempotencyStore | undefined;
  /** The bootstrap admin key, when it is shared: only MongoDB is. */
  bootstrapKeys: BootstrapKeyStore | undefined;
  /** The personal data keys, when they go to the same database: only MongoDB's are shared. */
  keys: KeyStore | undefined;
  close(): Promise<void>;
} {
  if (config.mongoUrl === undefined) {
    const db = openSqliteReadModelDatabase(join(config.dataDir, READ_MODELS_FILE), options);
    const store = createSqliteReadModelStore(db);
    return {
      store,
      kind: 'sqlite',
      leases: createSqliteLeaseStore(db),
      idempotency: undefined,
      bootstrapKeys: undefined,
      keys: undefined,
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
    idempotency: createMongoIdempotencyStore(db),
    bootstrapKeys: createMongoBootstrapKeyStore(db),
    keys: createMongoKeyStore(db),
    async close() {
      await store.close();
      await client.close();
    },
  };
}

/**
 * The event store the configuration names: EventStoreDB when EVENTSTORE_URL is set, else the
 * embedded SQLite file, which `localDatabase` opens (its caller owns and closes it), committing
 * the `companion`'s writes with its own.
 */
export function openEventStore(
  config: Config,
  localDatabase: () => SqliteDatabase,
  logger: Logger,
  clock: () => Date,
  companion?: CommitCompanion,
): { store: EventStore; kind: EventStoreKind; close(): Promise<void> } {
  if (config.eventStoreUrl === undefined) {
    const store = createSqliteEventStore(localDatabase(), { now: clock, companion });
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
