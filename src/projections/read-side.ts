/**
 * Everything that follows the log in one instance: the projections (through their manager), the
 * reactors, and what queries need of them (consistency waits, readiness). One log feed reads the
 * log for all of them. The composition root hands it the modules' projections and reactors and
 * starts it once they exist.
 */
import type { Logger } from 'pino';
import type { EventStore } from '../stores/event-store.js';
import type { LeaseStore } from '../stores/lease-store.js';
import type { ReadModelStore } from '../stores/read-model-store.js';
import { createLogFeed, type FeedObservation, type LogFeed } from './engine/log-feed.js';
import type { Projection } from './projection.js';
import {
  createProjectionManager,
  type ProjectionManager,
  type ProjectionSample,
} from './projection-manager.js';
import type { Reactor } from './reactor.js';
import {
  createReactorRunner,
  type ReactorReport,
  type ReactorRunner,
  type ReactorStatus,
} from './reactor-runner.js';
import { createReadConsistency, type ReadConsistency } from './read-consistency.js';
import { readinessChecks } from './readiness.js';

export interface ReadSideSettings {
  readonly instanceId: string;
  readonly batchSize: number;
  readonly leaseTtlMs: number;
  readonly tickIntervalMs: number;
  readonly dropDelayMs: number;
  /** Writes wait while a live read model is further behind the log than this; 0: never. */
  readonly maxLagMs: number;
  /** The longest one write waits for that; it then goes ahead. */
  readonly maxLagWaitMs: number;
}

export interface ReadSide {
  readonly projections: ProjectionManager;
  readonly consistency: ReadConsistency;
  /** The reactors' runners, once `runReactors` has been given them. */
  readonly reactors: () => readonly ReactorRunner[];
  runReactors(reactors: readonly Reactor[]): void;
  /** Every reactor's position, lag and state, wherever it runs. */
  reactorReports(): Promise<ReactorReport[]>;
  readiness(): Promise<Record<string, string>>;
  /** New events (up to `position`): look for them now rather than at the next poll. */
  wake(position?: bigint): void;
  /**
   * Before a write: waits (up to `maxLagWaitMs`) while a read model or reactor this instance
   * runs is more than `maxLagMs` behind the log, so a sustained load cannot leave them behind.
   */
  admitWrite(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Everything metrics show of the read side, from memory only (no store call). */
  observed(): ReadSideObservation;
}

export interface ReadSideObservation extends FeedObservation {
  readonly projections: readonly ProjectionSample[];
  readonly reactors: readonly ReactorStatus[];
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
  const feed = createLogFeed({ eventStore, readModels, logger, batchSize: settings.batchSize });
  const projections = createProjectionManager({
    feed,
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
          feed,
          readModels,
          leases,
          logger,
          instanceId: settings.instanceId,
          leaseTtlMs: settings.leaseTtlMs,
        }),
      );
    },
    async reactorReports() {
      const head = await eventStore.headPosition();
      return Promise.all(runners.map((runner) => runner.report(head)));
    },
    readiness: readinessChecks({ eventStore, readModels, projections, reactors }),
    wake(position) {
      feed.wake(position);
    },
    admitWrite: writePacing(feed, settings, logger),
    observed() {
      return {
        ...feed.observed(),
        projections: projections.sample(),
        reactors: runners.map((runner) => runner.status()),
      };
    },
    async start() {
      feed.start();
      for (const runner of runners) runner.start();
      await projections.start().catch((error: unknown) => {
        logger.error({ err: error }, 'projections could not start; retrying on their next tick');
      });
    },
    async stop() {
      for (const runner of runners) await runner.stop();
      await projections.stop();
      await feed.stop();
    },
  };
}

/**
 * `admitWrite`, with a log line at most every ten seconds while writes are being held back, and
 * a warning when one had to go ahead regardless (a read model slower than the bound allows).
 */
function writePacing(
  feed: Pick<LogFeed, 'admit' | 'stalenessMs'>,
  settings: Pick<ReadSideSettings, 'maxLagMs' | 'maxLagWaitMs'>,
  logger: Logger,
): () => Promise<void> {
  const reportEveryMs = 10_000;
  let held = 0;
  let timedOut = 0;
  let longestWaitMs = 0;
  let reportedAt = 0;
  return async () => {
    if (settings.maxLagMs <= 0) return;
    const admission = await feed.admit(settings.maxLagMs, settings.maxLagWaitMs);
    if (admission.waitedMs === 0) return;
    held += 1;
    if (admission.timedOut) timedOut += 1;
    longestWaitMs = Math.max(longestWaitMs, admission.waitedMs);
    const now = performance.now();
    if (now - reportedAt < reportEveryMs) return;
    const fields = {
      writesHeld: held,
      writesAdmittedBehind: timedOut,
      longestWaitMs: Math.round(longestWaitMs),
      lagMs: Math.round(feed.stalenessMs()),
      maxLagMs: settings.maxLagMs,
    };
    if (timedOut > 0) {
      logger.warn(fields, 'writes went ahead while read models were behind READ_MODEL_MAX_LAG_MS');
    } else {
      logger.info(fields, 'writes held back: the read models were catching up');
    }
    reportedAt = now;
    held = 0;
    timedOut = 0;
    longestWaitMs = 0;
  };
}
