import { join } from 'node:path';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createCommandHandler, type CommandHandler } from './commands/pipeline.js';
import { uuidGenerator, type IdGenerator } from './commands/ids.js';
import { createKeyedLock } from './commands/keyed-lock.js';
import { createLedgerCommands } from './commands/ledger/ledger-commands.js';
import { createReceivablesCommands } from './commands/receivables/receivables-commands.js';
import { createApiKeyAuthenticator } from './http/api-keys.js';
import { createApp } from './http/app.js';
import { ledgerRoutes } from './http/ledger/ledger-routes.js';
import { receivablesRoutes } from './http/receivables/receivables-routes.js';
import { createReceivablesQueries } from './projections/receivables/receivables-queries.js';
import { projectionAdminRoutes } from './http/admin/projection-routes.js';
import { allProjections } from './projections/all-projections.js';
import { createLedgerQueries } from './projections/ledger/ledger-queries.js';
import {
  createProjectionManager,
  type ProjectionManager,
} from './projections/projection-manager.js';
import type { EventStore } from './stores/event-store.js';
import type { ReadModelStore } from './stores/read-model-store.js';
import { openSqliteDatabase } from './stores/sqlite/database.js';
import {
  openEventStore,
  openReadModelStore,
  type EventStoreKind,
  type ReadModelStoreKind,
} from './stores/open-stores.js';
import { createSqliteIdempotencyStore } from './stores/sqlite/sqlite-idempotency-store.js';
import { packageVersion } from './version.js';

export interface Service {
  readonly app: Express;
  readonly eventStore: EventStore;
  /** Which event store adapter the configuration chose. */
  readonly eventStoreKind: EventStoreKind;
  readonly readModels: ReadModelStore;
  readonly readModelsKind: ReadModelStoreKind;
  readonly projections: ProjectionManager;
  /** The bootstrap admin secret, only on the start that created it. */
  readonly generatedAdminKey?: string;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  readonly clock?: () => Date;
  readonly ids?: IdGenerator;
  /** Names this process in projection leases; `config.instanceId` by default. */
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
    projections: allProjections,
    eventStore,
    readModels: readModelStore.store,
    logger,
    instanceId: overrides.instanceId ?? config.instanceId,
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
  const receivables = createReceivablesCommands({ handle, eventStore });
  const today = () => clock().toISOString().slice(0, 10);
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
      ...receivablesRoutes({
        commands: receivables,
        queries: createReceivablesQueries({
          readModels: readModelStore.store,
          collection: (name) => projections.collection(name),
        }),
        ids,
        today,
      }),
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
