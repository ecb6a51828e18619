import { join } from 'node:path';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createCommandHandler, type CommandHandler } from './commands/pipeline.js';
import { uuidGenerator, type IdGenerator } from './commands/ids.js';
import { createKeyedLock } from './commands/keyed-lock.js';
import { createAuditAccessLog, type RecordAccess } from './commands/audit/audit-access-log.js';
import { createDigestCheckpointLog } from './commands/audit/digest-checkpoint-log.js';
import { auditRoutes } from './http/audit/audit-routes.js';
import { createAuditQueries } from './projections/audit/audit-queries.js';
import { createLogVerifier } from './projections/audit/log-verifier.js';
import { createLedgerCommands } from './commands/ledger/ledger-commands.js';
import { waitUntil } from './wait-until.js';
import { createReceivablesCommands } from './commands/receivables/receivables-commands.js';
import { openChartOfAccounts } from './commands/ledger/chart-of-accounts.js';
import { createReactorRunner, type ReactorRunner } from './projections/reactor-runner.js';
import { createLedgerPostingsReactor } from './projections/receivables/ledger-postings-reactor.js';
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
  readonly reactors: readonly ReactorRunner[];
  /** Resolves once the chart of accounts is open and the projections have started. */
  readonly started: Promise<void>;
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

/** Receivables post to the configured codes in the base currency, `<code>-XXX` in currency XXX. */
export function postingAccountCodes(config: Config) {
  return (currency: string) =>
    currency === config.baseCurrency
      ? { receivable: config.receivableAccount, cash: config.cashAccount }
      : {
          receivable: `${config.receivableAccount}-${currency}`,
          cash: `${config.cashAccount}-${currency}`,
        };
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

  const locks = createKeyedLock();
  const handleCommand = createCommandHandler({
    eventStore,
    clock,
    ids,
    locks,
    maxAttempts: config.commandMaxAttempts,
  });
  const reactors: ReactorRunner[] = [];

  /**
   * Read models reflect `position` once the reactors have reacted to every event up to it and
   * the projections have applied what they wrote in response: an invoice read with its
   * position also shows its ledger posting. `strict`: a projection that will not move counts as
   * not reached (consistentWith); otherwise it is skipped (the freshness courtesy).
   */
  async function awaitConsistency(
    position: bigint,
    readModels: readonly string[] | undefined,
    timeoutMs: number,
    strict: boolean,
  ): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const remaining = () => Math.max(0, deadline - performance.now());
    let target = position;
    if (reactors.length > 0) {
      const reacted = await waitUntil(
        async () => {
          for (const reactor of reactors) {
            // A failed reactor will not move: the failure shows in /readyz and the logs.
            if (reactor.status().state === 'failed') continue;
            if (!(await reactor.reached(position))) {
              reactor.wake();
              return false;
            }
          }
          return true;
        },
        { timeoutMs: remaining() },
      );
      if (!reacted && strict) return false;
      if (strict && reactors.some((reactor) => reactor.status().state === 'failed')) return false;
      // What the reactors wrote in response lies before the head as it is now.
      if (reacted) target = await eventStore.headPosition();
    }
    if (strict) return projections.awaitPosition(target, readModels, remaining());
    await projections.awaitFresh(readModels, remaining(), target);
    return true;
  }
  // New events: projections and reactors look for them now rather than at their next poll.
  const handle: CommandHandler = async (context, spec) => {
    const result = await handleCommand(context, spec);
    projections.wake();
    for (const reactor of reactors) reactor.wake();
    return result;
  };
  const ledger = createLedgerCommands({ handle, eventStore });
  const receivables = createReceivablesCommands({
    handle,
    eventStore,
    postingAccounts: postingAccountCodes(config),
  });
  const today = () => clock().toISOString().slice(0, 10);
  const recordAuditAccess = createAuditAccessLog({
    eventStore,
    clock,
    ids,
    locks,
    maxAttempts: config.commandMaxAttempts,
  });
  const recordAccess: RecordAccess = async (context, command) => {
    const recorded = await recordAuditAccess(context, command);
    // As after any write: the next query waits for everyone to have seen this event.
    projections.wake();
    for (const reactor of reactors) reactor.wake();
    return recorded;
  };
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
      ...Object.fromEntries(
        reactors.map((reactor) => {
          const { name, state } = reactor.status();
          return [`reactor:${name}`, state === 'failed' ? 'failed' : 'ok'];
        }),
      ),
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
      ...auditRoutes({
        queries: createAuditQueries({
          readModels: readModelStore.store,
          collection: (name) => projections.collection(name),
        }),
        eventStore,
        verifier: createLogVerifier({
          eventStore,
          readModels: readModelStore.store,
          recordCheckpoints: createDigestCheckpointLog({
            eventStore,
            clock,
            ids,
            locks,
            maxAttempts: config.commandMaxAttempts,
          }),
          logger,
          clock,
          checkpointEvery: config.auditCheckpointEvery,
          recheckSegments: config.auditRecheckSegments,
        }),
        recordAccess,
        awaitPosition: (position, readModels) =>
          awaitConsistency(position, readModels, config.consistencyWaitMs, true),
      }),
      ...projectionAdminRoutes({
        projections,
        reactors: () => reactors.map((reactor) => reactor.status()),
      }),
    ],
    bodyLimitBytes: config.bodyLimitBytes,
    version: packageVersion(),
    awaitPosition: (position, readModels) =>
      awaitConsistency(position, readModels, config.consistencyWaitMs, true),
    awaitFresh: async (readModels) => {
      await awaitConsistency(
        await eventStore.headPosition(),
        readModels,
        config.readFreshnessWaitMs,
        false,
      );
    },
  });

  const postings = createReactorRunner({
    reactor: createLedgerPostingsReactor({
      ledger,
      eventStore,
      postingAccounts: postingAccountCodes(config),
    }),
    eventStore,
    readModels: readModelStore.store,
    logger,
    instanceId: overrides.instanceId ?? config.instanceId,
    leaseTtlMs: config.projectionLeaseTtlMs,
  });
  reactors.push(postings);

  const started = (async () => {
    // Before anything can be invoiced, the accounts postings book to must be open.
    try {
      const opened = await openChartOfAccounts(ledger, config.chartOfAccounts);
      if (opened.length > 0) logger.info({ accounts: opened }, 'opened chart of accounts');
    } catch (error) {
      logger.error(
        { err: error },
        'could not open the chart of accounts; open the accounts by hand',
      );
    }
    postings.start();
    await projections.start().catch((error: unknown) => {
      logger.error({ err: error }, 'projections could not start; retrying on their next tick');
    });
  })();

  return {
    app,
    eventStore,
    eventStoreKind: events.kind,
    readModels: readModelStore.store,
    readModelsKind: readModelStore.kind,
    projections,
    reactors,
    generatedAdminKey,
    started,
    async close() {
      await started;
      await postings.stop();
      await projections.stop();
      await readModelStore.close();
      await events.close();
      db.close();
    },
  };
}
