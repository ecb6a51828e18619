import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createCommandHandler } from './commands/command-handler.js';
import { afterWrites } from './commands/command-middleware.js';
import { uuidGenerator, type IdGenerator } from './commands/ids.js';
import { createKeyedLock } from './commands/keyed-lock.js';
import { resolveMasterKey } from './commands/personal-data/master-key.js';
import {
  createPersonalDataCodec,
  openingStreamReads,
} from './commands/personal-data/personal-fields.js';
import { createPersonalDataVault, type PersonalDataVault } from './commands/personal-data/vault.js';
import { cachedStateReader } from './commands/read-state.js';
import { createStateCache } from './commands/state-cache.js';
import type { Config } from './config.js';
import { projectionAdminRoutes } from './http/admin/projection-routes.js';
import { createApiKeyAuthenticator } from './http/api-keys.js';
import { createApp } from './http/app.js';
import { meRoute } from './http/console/me-route.js';
import type { AnyModule } from './http/module.js';
import {
  composeModules,
  controlAccounts,
  personalFieldsOf,
  projectionsOf,
  schemaVersionsOf,
} from './module-host.js';
import { modules as serviceModules } from './modules.js';
import type { ProjectionManager } from './projections/projection-manager.js';
import type { ReactorRunner } from './projections/reactor-runner.js';
import { createReadSide } from './projections/read-side.js';
import type { EventStore } from './stores/event-store.js';
import type { KeyStore } from './stores/key-store.js';
import {
  openStores,
  usesEmbeddedStores,
  type EventStoreKind,
  type ReadModelStoreKind,
} from './open-stores.js';
import type { ReadModelStore } from './stores/read-model-store.js';
import { lockDataDir } from './stores/sqlite/data-dir-lock.js';
import { packageVersion } from './version.js';
import { commandMetrics } from './metrics/command-metrics.js';
import { meteredEventStore } from './metrics/event-store-metrics.js';
import { httpMetrics, metricsEndpoint } from './metrics/http-metrics.js';
import { registerReadSideMetrics } from './metrics/read-side-metrics.js';
import { createServiceMetrics } from './metrics/service-metrics.js';
import { watchStores } from './metrics/store-availability.js';

export interface Service {
  readonly app: Express;
  readonly eventStore: EventStore;
  /** Which event store adapter the configuration chose. */
  readonly eventStoreKind: EventStoreKind;
  readonly readModels: ReadModelStore;
  readonly readModelsKind: ReadModelStoreKind;
  readonly projections: ProjectionManager;
  readonly reactors: readonly ReactorRunner[];
  /** Resolves once every module has started (the chart is open) and the projections run. */
  readonly started: Promise<void>;
  /** The bootstrap admin secret, only on the start that created it (known once `started`). */
  readonly generatedAdminKey: string | undefined;
  close(): Promise<void>;
}

export interface ServiceOverrides {
  /**
   * Test seam: wraps the read-model store the configuration opened, for the whole service. Tests
   * hold a projection's writes back with it, to show what queries answer while it lags.
   */
  readonly wrapReadModels?: (store: ReadModelStore) => ReadModelStore;
  /**
   * Test seam: wraps the event store the configuration opened. Tests delay one instance's
   * appends with it, to make writes of two instances race in a chosen order.
   */
  readonly wrapEventStore?: (store: EventStore) => EventStore;
  readonly clock?: () => Date;
  readonly ids?: IdGenerator;
  /** Names this process in projection leases; `config.instanceId` by default. */
  readonly instanceId?: string;
  /** The modules to run; `src/modules.ts` by default. */
  readonly modules?: readonly AnyModule[];
  /**
   * The process's runtime metrics (`createProcessMetrics`), one per process: main.ts makes it,
   * and tests share one per test file. A service made without one makes its own.
   */
  readonly processMetrics?: Registry;
}

/** The composition root: the one place that picks adapters and wires the modules to them. */
export function createService(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Service {
  // DATA_DIR is this process's before any store opens: a second service on it stops here
  // (DataDirInUseError), and `close` gives it back. On EventStoreDB with MongoDB nothing is
  // kept there, and any number of instances may run.
  const lock = usesEmbeddedStores(config) ? lockDataDir(config.dataDir) : { release() {} };
  try {
    return wireService(config, logger, overrides, () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}

function wireService(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides,
  /** Runs last in `close`. */
  closed: () => void,
): Service {
  const clock = overrides.clock ?? (() => new Date());
  const ids = overrides.ids ?? uuidGenerator;
  const modules = overrides.modules ?? serviceModules;

  // Two subledgers cannot both agree with one account: such a configuration stops here, before
  // any store is opened.
  controlAccounts(modules, config);
  const stores = openStores(config, logger, clock);
  const metrics = createServiceMetrics({ process: overrides.processMetrics });
  const eventStore = meteredEventStore(
    overrides.wrapEventStore?.(stores.events.store) ?? stores.events.store,
    metrics,
  );
  const readModels = overrides.wrapReadModels?.(stores.readModels.store) ?? stores.readModels.store;
  const keys = createApiKeyAuthenticator(config, stores.readModels.bootstrapKeys);
  const readSide = createReadSide({
    eventStore,
    readModels,
    leases: stores.readModels.leases,
    logger,
    projections: projectionsOf(modules),
    settings: {
      instanceId: overrides.instanceId ?? config.instanceId,
      batchSize: config.projectionBatchSize,
      leaseTtlMs: config.projectionLeaseTtlMs,
      tickIntervalMs: config.projectionTickMs,
      dropDelayMs: config.projectionDropDelayMs,
      maxLagMs: config.readModelMaxLagMs,
      maxLagWaitMs: config.readModelMaxLagWaitMs,
    },
  });
  const awaitPosition = (position: bigint, names: readonly string[] | undefined) =>
    readSide.consistency.awaitPosition(position, names, config.consistencyWaitMs);
  const personalFields = personalFieldsOf(modules);
  const personalData = personalDataVault(config, logger, clock, stores.keys, personalFields);
  const codec = createPersonalDataCodec(personalData, personalFields);
  // The commands fold streams with their personal fields opened; the projections, reading the
  // log, keep them sealed.
  const commandReads = openingStreamReads(eventStore, codec);
  const stateCache = createStateCache({
    eventStore: commandReads,
    maxStreams: config.commandStateCacheStreams,
  });
  const handle = createCommandHandler({
    eventStore: commandReads,
    personalData: codec,
    schemaVersions: schemaVersionsOf(modules),
    clock,
    ids,
    locks: createKeyedLock(),
    maxAttempts: config.commandMaxAttempts,
    middleware: [commandMetrics(metrics), afterWrites((result) => readSide.wake(result.position))],
    stateCache,
  });

  const composed = composeModules(modules, {
    config,
    eventStore,
    readModels,
    handle,
    readState: cachedStateReader(stateCache),
    ids,
    clock,
    today: () => clock().toISOString().slice(0, 10),
    logger,
    collection: (name) => readSide.projections.collection(name),
    awaitPosition,
    personalData,
    metrics,
  });
  readSide.runReactors(composed.reactors);
  registerReadSideMetrics(metrics, () => readSide.observed());
  const storeWatch = watchStores(
    metrics,
    { event_store: eventStore, read_models: readModels },
    config.storeHealthIntervalMs,
  );

  const app = createApp({
    logger,
    authenticate: keys.authenticate,
    ids,
    readiness: () => readSide.readiness(),
    idempotency: {
      store: stores.idempotency(),
      clock,
      leaseMs: config.idempotencyLeaseMs,
      waitMs: config.idempotencyWaitMs,
      observe: (outcome) => metrics.idempotencyRequests.inc({ outcome }),
    },
    routes: [
      ...composed.routes,
      ...projectionAdminRoutes({
        projections: readSide.projections,
        reactors: () => readSide.reactorReports(),
      }),
      meRoute,
    ],
    bodyLimitBytes: config.bodyLimitBytes,
    version: packageVersion(),
    awaitPosition,
    awaitFresh: (names) => readSide.consistency.awaitFresh(names, config.readFreshnessWaitMs),
    admitWrite: () => readSide.admitWrite(),
    personalData,
    metrics: {
      record: httpMetrics(metrics),
      endpoint: metricsEndpoint(metrics, config.metricsToken),
    },
  });

  // Modules start first: the chart of accounts is open before anything can post to it.
  const started = keys.ready.then(() => composed.start()).then(() => readSide.start());
  return {
    app,
    eventStore,
    eventStoreKind: stores.events.kind,
    readModels,
    readModelsKind: stores.readModels.kind,
    projections: readSide.projections,
    reactors: readSide.reactors(),
    get generatedAdminKey() {
      return keys.generatedAdminKey();
    },
    started,
    async close() {
      try {
        await started.catch(() => undefined);
        storeWatch.stop();
        await readSide.stop();
        await stores.close();
      } finally {
        closed();
      }
    },
  };
}

/**
 * The vault over the configured key store. Its master key is resolved at start when some module
 * keeps personal data, so a missing MASTER_KEY (required with MONGODB_URL) stops the service at
 * once; the key store itself opens on first use.
 */
function personalDataVault(
  config: Config,
  logger: Logger,
  clock: () => Date,
  keys: () => KeyStore,
  personalFields: Readonly<Record<string, unknown>>,
): PersonalDataVault {
  let vault: PersonalDataVault | undefined;
  const open = (): PersonalDataVault => {
    if (vault) return vault;
    const master = resolveMasterKey({
      configured: config.masterKey,
      dataDir: config.dataDir,
      generateIfUnset: config.mongoUrl === undefined,
    });
    if (master.created) {
      logger.warn(
        { file: `${config.dataDir}/master-key` },
        'made a master key for personal data: back it up apart from DATA_DIR; without it the personal data cannot be read',
      );
    }
    vault = createPersonalDataVault({ keys: keys(), masterKey: master.key, clock });
    return vault;
  };
  if (Object.keys(personalFields).length > 0) open();
  return {
    seal: (subject, binding, value) => open().seal(subject, binding, value),
    open: (sealed) => open().open(sealed),
    erase: (subject) => open().erase(subject),
    status: (subject) => open().status(subject),
  };
}
