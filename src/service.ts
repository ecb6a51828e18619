import { join } from 'node:path';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createCommandHandler } from './commands/pipeline.js';
import { uuidGenerator, type IdGenerator } from './commands/ids.js';
import { createKeyedLock } from './commands/keyed-lock.js';
import { createLedgerCommands } from './commands/ledger/ledger-commands.js';
import { createApiKeyAuthenticator } from './http/api-keys.js';
import { createApp } from './http/app.js';
import { ledgerRoutes } from './http/ledger/ledger-routes.js';
import { createLedgerQueries } from './projections/ledger/event-store-queries.js';
import type { EventStore } from './stores/event-store.js';
import { EventStoreDBClient } from '@eventstore/db-client';
import { monitorAvailability } from './stores/availability-monitor.js';
import { createEsdbEventStore } from './stores/eventstoredb/esdb-event-store.js';
import { openSqliteDatabase, type SqliteDatabase } from './stores/sqlite/database.js';
import { createSqliteEventStore } from './stores/sqlite/sqlite-event-store.js';
import { createSqliteIdempotencyStore } from './stores/sqlite/sqlite-idempotency-store.js';
import { packageVersion } from './version.js';
import { waitUntil } from './wait-until.js';

export interface Service {
  readonly app: Express;
  readonly eventStore: EventStore;
  /** Which event store adapter the configuration chose. */
  readonly eventStoreKind: 'sqlite' | 'eventstoredb';
  /** The bootstrap admin secret, only on the start that created it. */
  readonly generatedAdminKey?: string;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  readonly clock?: () => Date;
  readonly ids?: IdGenerator;
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

  const handle = createCommandHandler({
    eventStore,
    clock,
    ids,
    locks: createKeyedLock(),
    maxAttempts: config.commandMaxAttempts,
  });
  const ledger = createLedgerCommands({ handle, eventStore });

  const app = createApp({
    logger,
    authenticate,
    ids,
    eventStore,
    idempotency: {
      store: idempotencyStore,
      clock,
      leaseMs: config.idempotencyLeaseMs,
      waitMs: config.idempotencyWaitMs,
    },
    routes: [...ledgerRoutes({ commands: ledger, queries: createLedgerQueries(eventStore), ids })],
    bodyLimitBytes: config.bodyLimitBytes,
    version: packageVersion(),
    // Queries read the event store itself, so a position is visible once the log holds it.
    awaitPosition: (position) =>
      waitUntil(async () => (await eventStore.headPosition()) >= position, {
        timeoutMs: config.consistencyWaitMs,
      }),
  });

  return {
    app,
    eventStore,
    eventStoreKind: events.kind,
    generatedAdminKey,
    async close() {
      await events.close();
      db.close();
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
