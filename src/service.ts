import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createCommandHandler, type CommandHandler } from './commands/pipeline.js';
import { uuidGenerator, type IdGenerator } from './commands/ids.js';
import { createKeyedLock } from './commands/keyed-lock.js';
import { createLedgerCommands } from './commands/ledger/ledger-commands.js';
import { createApiKeyAuthenticator } from './http/api-keys.js';
import { createApp } from './http/app.js';
import { ledgerRoutes } from './http/ledger/ledger-routes.js';
import { projectionAdminRoutes } from './http/admin/projection-routes.js';
import { ledgerProjections } from './projections/ledger/ledger-projections.js';
import { createLedgerQueries } from './projections/ledger/ledger-queries.js';
import {
  createProjectionManager,
  type ProjectionManager,
} from './projections/projection-manager.js';
import type { EventStore } from './stores/event-store.js';
import type { ReadModelStore } from './stores/read-model-store.js';
import { EventStoreDBClient } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import { createMongoReadModelStore } from './stores/mongodb/mongo-read-model-store.js';
import { createSqliteReadModelStore } from './stores/sqlite/sqlite-read-model-store.js';
import { monitorAvailability } from './stores/availability-monitor.js';
import { createEsdbEventStore } from './stores/eventstoredb/esdb-event-store.js';
import { openSqliteDatabase, type SqliteDatabase } from './stores/sqlite/database.js';
import { createSqliteEventStore } from './stores/sqlite/sqlite-event-store.js';
import { createSqliteIdempotencyStore } from './stores/sqlite/sqlite-idempotency-store.js';
import { packageVersion } from './version.js';

export interface Service {
  readonly app: Express;
  readonly eventStore: EventStore;
  /** Which event store adapter the configuration chose. */
  readonly eventStoreKind: 'sqlite' | 'eventstoredb';
  readonly readModels: ReadModelStore;
  readonly readModelsKind: 'sqlite' | 'mongodb';
  readonly projections: ProjectionManager;
  /** The bootstrap admin secret, only on the start that created it. */
  readonly generatedAdminKey?: string;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  readonly clock?: () => Date;
  readonly ids?: IdGenerator;
  /** Names this process in projection leases; random by default. */
  readonly instanceId?: string;
}

/** The composition root: the one place that picks adapters and wires every dependency. */
export function createService(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Service {
  const clock = overrides.clock ?? (() => new Date());
  const ids = overrides.ids ?? uuidGenerator;

  const db = openSqliteDatabase(join(config.dataDir, 'backoffice.db'));
  const events = openEventStore(config, db, logger, clock);
  const eventStore = events.store;
  const idempotencyStore = createSqliteIdempotencyStore(db);
  const { authenticate, generatedAdminKey } = createApiKeyAuthenticator(config);

  const readModelStore = openReadModelStore(config);
  const projections = createProjectionManager({
    projections: ledgerProjections,
    eventStore,
    readModels: readModelStore.store,
    logger,
    instanceId: overrides.instanceId ?? `${hostname()}:${process.pid}:${ids.random().slice(0, 8)}`,
    batchSize: config.projectionBatchSize,
    leaseTtlMs: config.projectionLeaseTtlMs,
    tickIntervalMs: config.projectionTickMs,
    dropDelayMs: config.projectionDropDelayMs,
  });

  const handleCommand = createCommandHandler({
    eventStore,
    clock,
    ids,
    locks: createKeyedLock(),
    maxAttempts: config.commandMaxAttempts,
  });
  // New events: projections look for them now rather than at their next poll.
  const handle: CommandHandler = async (context, spec) => {
    const result = await handleCommand(context, spec);
    projections.wake();
    return result;
  };
  const ledger = createLedgerCommands({ handle, eventStore });
  const ledgerQueries = createLedgerQueries({
    readModels: readModelStore.store,
    collection: (name) => projections.collection(name),
  });

  const app = createApp({
    logger,
    authenticate,
    ids,
    readiness: async () => ({
      eventStore: await eventStore.ping().then(
        () => 'ok',
        () => 'unreachable',
      ),
      readModels: await readModelStore.store.ping().then(
        () => 'ok',
        () => 'unreachable',
      ),
      ...(await projections.readiness().catch(() => ({ projections: 'unknown' }))),
    }),
    idempotency: {
      store: idempotencyStore,
      clock,
      leaseMs: config.idempotencyLeaseMs,
      waitMs: config.idempotencyWaitMs,
    },
    routes: [
      ...ledgerRoutes({ commands: ledger, queries: ledgerQueries, ids }),
      ...projectionAdminRoutes({ projections }),
    ],
    bodyLimitBytes: config.bodyLimitBytes,
    version: packageVersion(),
    awaitPosition: (position, readModels) =>
      projections.awaitPosition(position, readModels, config.consistencyWaitMs),
    awaitFresh: (readModels) => projections.awaitFresh(readModels, config.readFreshnessWaitMs),
  });

  const started = projections.start().catch((error: unknown) => {
    logger.error({ err: error }, 'projections could not start; retrying on their next tick');
  });

  return {
    app,
    eventStore,
    eventStoreKind: events.kind,
    readModels: readModelStore.store,
    readModelsKind: readModelStore.kind,
    projections,
    generatedAdminKey,
    async close() {
      await started;
      await projections.stop();
      await readModelStore.close();
      await events.close();
      db.close();
    },
  };
}

/**
 * Read models go to MongoDB when MONGODB_URL is set, else to a SQLite file of their own beside
 * the event log, so projection writes never wait on the log's write lock.
 */
function openReadModelStore(config: Config): {
  store: ReadModelStore;
  kind: Service['readModelsKind'];
  close(): Promise<void>;
} {
  if (config.mongoUrl === undefined) {
    const db = openSqliteDatabase(join(config.dataDir, 'readmodels.db'));
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
 * embedded SQLite file. Idempotency records stay in the local SQLite file either way.
 */
function openEventStore(
  config: Config,
  db: SqliteDatabase,
  logger: Logger,
  clock: () => Date,
): { store: EventStore; kind: Service['eventStoreKind']; close(): Promise<void> } {
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
