/**
 * Everything that follows the log in one instance: the projections (through their manager), the
 * reactors, and what queries need of them (consistency waits, readiness). The composition root
 * hands it the modules' projections and reactors and starts it once they exist.
 */
import type { Logger } from 'pino';
import type { EventStore } from '../stores/event-store.js';
import type { LeaseStore } from '../stores/lease-store.js';
import type { ReadModelStore } from '../stores/read-model-store.js';
import type { Projection } from './projection.js';
import { createProjectionManager, type ProjectionManager } from './projection-manager.js';
import type { Reactor } from './reactor.js';
import { createReactorRunner, type ReactorRunner } from './reactor-runner.js';
import { createReadConsistency, type ReadConsistency } from './read-consistency.js';
import { readinessChecks } from './readiness.js';

export interface ReadSideSettings {
  readonly instanceId: string;
  readonly batchSize: number;
  readonly leaseTtlMs: number;
  readonly tickIntervalMs: number;
  readonly dropDelayMs: number;
}

export interface ReadSide {
  readonly projections: ProjectionManager;
  readonly consistency: ReadConsistency;
  /** The reactors' runners, once `runReactors` has been given them. */
  readonly reactors: () => readonly ReactorRunner[];
  runReactors(reactors: readonly Reactor[]): void;
  readiness(): Promise<Record<string, string>>;
  /** New events: look for them now rather than at the next poll. */
  wake(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createReadSide(deps: {
  readonly eventStore: EventStore;
  readonly readModels: ReadModelStore;
  readonly leases: LeaseStore;
  readonly logger: Logger;
  readonly projections: readonly Projection[];
  readonly settings: ReadSideSettings;
}): ReadSide {
  const { eventStore, readModels, leases, logger, settings } = deps;
  const projections = createProjectionManager({
    projections: deps.projections,
    eventStore,
    readModels,
    leases,
    logger,
    instanceId: settings.instanceId,
    batchSize: settings.batchSize,
    leaseTtlMs: settings.leaseTtlMs,
    tickIntervalMs: settings.tickIntervalMs,
    dropDelayMs: settings.dropDelayMs,
  });
  let runners: ReactorRunner[] = [];
  const reactors = () => runners;
  return {
    projections,
    consistency: createReadConsistency({ eventStore, projections, reactors }),
    reactors,
    runReactors(given) {
      runners = given.map((reactor) =>
        createReactorRunner({
          reactor,
          eventStore,
          readModels,
          leases,
          logger,
          instanceId: settings.instanceId,
          leaseTtlMs: settings.leaseTtlMs,
        }),
      );
    },
    readiness: readinessChecks({ eventStore, readModels, projections, reactors }),
    wake() {
      projections.wake();
      for (const runner of runners) runner.wake();
    },
    async start() {
      for (const runner of runners) runner.start();
      await projections.start().catch((error: unknown) => {
        logger.error({ err: error }, 'projections could not start; retrying on their next tick');
      });
    },
    async stop() {
      for (const runner of runners) await runner.stop();
      await projections.stop();
    },
  };
}
