/**
 * Runs every projection of the service, one collection generation at a time, and tells queries
 * which collection to read. The parts are in `engine/`: the registry of generations and its
 * pure planner, the lease keeper, the generation keeper (what a lease holder does at a tick),
 * the log feed that reads the log once for every generation this instance runs, and the
 * reporter. What is left here is the tick loop and what queries ask: which collection, how far.
 *
 * Only the holder of a projection's lease runs it. A rebuild builds a new generation into a
 * fresh collection while the active one keeps serving and following the log; once the new one
 * has reached the head, queries switch to it and the old collection is dropped after a delay,
 * so a query that had already picked it finishes undisturbed. A changed projection version
 * rebuilds the same way: until the switch, queries read the previous version's documents.
 *
 * One file because what remains shares one state, the controllers of this instance's
 * projections: the tick that moves them, and the answers queries, readiness and status read
 * from them. Splitting those would pass that state through every part.
 */
import type { Logger } from 'pino';
import type { EventStore } from '../stores/event-store.js';
import type { LeaseStore } from '../stores/lease-store.js';
import type { ReadModelStore } from '../stores/read-model-store.js';
import { waitUntil } from '../wait-until.js';
import { planRebuildRequest, type RegistryBody } from './engine/generation-planner.js';
import { createLeaseKeeper, type LeaseKeeper } from './engine/lease-keeper.js';
import {
  CHECKPOINTS_COLLECTION,
  createLogFeed,
  type LogFeed,
  type ProjectionState,
} from './engine/log-feed.js';
import { loadRegistry, loadRuntimeStatus, prepareRegistry } from './engine/projection-registry.js';
import { projectionReport, type ProjectionReport } from './engine/projection-reporter.js';
import { generationKeeper, newController, type Controller } from './engine/generation-keeper.js';
import type { ProjectionStatus } from './engine/log-feed.js';
import type { Projection } from './projection.js';

export { REGISTRY_COLLECTION, STATUS_COLLECTION } from './engine/projection-registry.js';
export { generationCollection, type BuildReason } from './engine/generation-planner.js';
export type { BuildReport, ProjectionReport } from './engine/projection-reporter.js';

/** The read model a query needs has no caught-up generation yet. */
export class ReadModelUnavailableError extends Error {
  override readonly name = 'ReadModelUnavailableError';
}

export class UnknownProjectionError extends Error {
  override readonly name = 'UnknownProjectionError';
}

export interface ProjectionManagerOptions {
  readonly projections: readonly Projection[];
  readonly eventStore: EventStore;
  readonly readModels: ReadModelStore;
  /** Decides which instance runs each projection (`projection:<name>`). */
  readonly leases: LeaseStore;
  readonly logger: Logger;
  /** Names this process in leases and status. */
  readonly instanceId: string;
  /**
   * The reader of the log the generations join; shared with the reactors by the read side. One
   * of its own (started and stopped with the manager) when not given.
   */
  readonly feed?: LogFeed;
  readonly leaseTtlMs?: number;
  /** How often leases are renewed and the registry is looked at. */
  readonly tickIntervalMs?: number;
  /** How long a replaced collection is kept for queries already reading it. */
  readonly dropDelayMs?: number;
  /** For the feed of its own. */
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly clock?: () => Date;
}

export interface ProjectionManager {
  /** Takes part: looks at the registry now, then on every tick; runs what it holds the lease of. */
  start(): Promise<void>;
  /** Stops the generations it runs and gives up the leases. */
  stop(): Promise<void>;
  /** New events were written: look for them now. */
  wake(): void;
  /** The collection queries of `name` read; throws ReadModelUnavailableError before the first build. */
  collection(name: string): Promise<string>;
  /** Every named projection (all by default) has applied the log up to `position`. */
  reached(position: bigint, names?: readonly string[]): Promise<boolean>;
  /** Waits, bounded, until `reached(position, names)`; true if it was. */
  awaitPosition(
    position: bigint,
    names: readonly string[] | undefined,
    timeoutMs: number,
  ): Promise<boolean>;
  /**
   * Waits, bounded, until the named projections that are following the log have reached its
   * head as it is now. Never fails: a projection that is behind is simply read as it is.
   */
  awaitFresh(
    names: readonly string[] | undefined,
    timeoutMs: number,
    /** The head of the log by default. */
    position?: bigint,
  ): Promise<void>;
  status(): Promise<ProjectionReport[]>;
  /** Per projection: `ok` when it serves queries, else `building` or `failed`. */
  /**
   * Per projection: `ok` when it serves current data; `building` on its first build; `failed`;
   * `paused` while a store is down; `catching_up` after an outage until it reaches the head.
   */
  readiness(): Promise<Record<string, ProjectionReadiness>>;
  /** Asks for a rebuild; the instance holding the lease starts it at its next tick. */
  requestRebuild(name: string): Promise<ProjectionReport>;
  names(): readonly string[];
  /** The projections whose documents events of `type` change. */
  handling(type: string): readonly string[];
  /** Each projection as this instance runs it, from memory only: what metrics read. */
  sample(): ProjectionSample[];
}

export interface ProjectionSample {
  readonly name: string;
  /** This instance holds its lease: the generations below run here. */
  readonly runningHere: boolean;
  /** The generation queries read, when it runs here. */
  readonly live: ProjectionStatus | undefined;
  /** A build running here, and the position it must reach before the switch. */
  readonly build: (ProjectionStatus & { readonly targetPosition: bigint }) | undefined;
}

export type ProjectionReadiness = 'ok' | 'building' | 'failed' | 'paused' | 'catching_up';

export function createProjectionManager(options: ProjectionManagerOptions): ProjectionManager {
  const { eventStore, readModels, instanceId } = options;
  const logger = options.logger.child({ component: 'projections' });
  const tickIntervalMs = options.tickIntervalMs ?? 1000;
  const dropDelayMs = options.dropDelayMs ?? 30_000;
  const clock = options.clock ?? (() => new Date());
  const ownFeed = options.feed === undefined;
  const feed =
    options.feed ??
    createLogFeed({
      eventStore,
      readModels,
      logger: options.logger,
      batchSize: options.batchSize,
      pollIntervalMs: options.pollIntervalMs,
      maxAttempts: options.maxAttempts,
      retryBaseMs: options.retryBaseMs,
      clock,
    });
  const keeper: LeaseKeeper = createLeaseKeeper({
    leases: options.leases,
    holder: instanceId,
    ttlMs: options.leaseTtlMs ?? 15_000,
    clock,
  });
  const leaseOf = (controller: Controller) => `projection:${controller.projection.name}`;
  const holding = (controller: Controller) => keeper.holds(leaseOf(controller));

  const controllers = new Map<string, Controller>(
    options.projections.map((projection) => [projection.name, newController(projection)]),
  );

  const { update, facts, leave, tickOne } = generationKeeper({
    eventStore,
    readModels,
    feed,
    keeper,
    logger,
    instanceId,
    dropDelayMs,
    clock,
    leaseOf,
    // A build that has caught up is switched to at once rather than at the next tick.
    buildCaughtUp: () => scheduleTick(),
  });

  let prepared = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let tickAgain = false;
  let stopped = true;

  async function prepare(): Promise<void> {
    if (prepared) return;
    await prepareRegistry(readModels);
    await readModels.ensureCollection(CHECKPOINTS_COLLECTION);
    prepared = true;
  }

  async function tick(): Promise<void> {
    try {
      await prepare();
    } catch (error) {
      logger.warn({ err: error }, 'read-model store not ready for projections; retrying');
      return;
    }
    for (const controller of controllers.values()) await tickOne(controller);
  }

  function runTick(): Promise<void> {
    if (ticking) {
      tickAgain = true;
      return ticking;
    }
    ticking = tick().finally(() => {
      ticking = undefined;
      if (tickAgain && !stopped) {
        tickAgain = false;
        void runTick();
      }
    });
    return ticking;
  }

  function scheduleTick(): void {
    if (!stopped) void runTick();
  }

  function loop(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void runTick().finally(() => {
        if (!stopped) loop();
      });
    }, tickIntervalMs);
  }

  function controllerOf(name: string): Controller {
    const controller = controllers.get(name);
    if (!controller) throw new UnknownProjectionError(`There is no projection named ${name}`);
    return controller;
  }

  async function registryOf(controller: Controller): Promise<RegistryBody | undefined> {
    if (!holding(controller) || !controller.registry) {
      controller.registry = await loadRegistry(readModels, controller.projection.name);
    }
    return controller.registry?.body;
  }

  async function checkpoint(collection: string): Promise<bigint> {
    const stored = (await readModels.load(CHECKPOINTS_COLLECTION, [collection])).get(collection);
    return stored?.body ? stored.position : 0n;
  }

  /** Where the active collection is; undefined when there is none. */
  async function activePosition(controller: Controller): Promise<bigint | undefined> {
    if (holding(controller) && controller.live) {
      if (controller.registry?.body.active?.collection === controller.live.collection) {
        return controller.live.member.status().position;
      }
    }
    const registry = await registryOf(controller);
    if (!registry?.active) return undefined;
    return checkpoint(registry.active.collection);
  }

  function wake(): void {
    feed.wake();
  }

  function awaitPosition(
    position: bigint,
    names: readonly string[] | undefined,
    timeoutMs: number,
  ): Promise<boolean> {
    return waitUntil(
      async () => {
        if (await reached(position, names)) return true;
        wake();
        return false;
      },
      { timeoutMs },
    );
  }

  async function reached(position: bigint, names?: readonly string[]): Promise<boolean> {
    for (const name of names ?? [...controllers.keys()]) {
      const current = await activePosition(controllerOf(name));
      if (current === undefined || current < position) return false;
    }
    return true;
  }

  /**
   * Worth waiting for before a query: a first build (nothing to read until it is done) or an
   * active collection that follows the log. Not one frozen at a previous version while its
   * successor builds, nor a failed one: those will not move.
   */
  async function worthWaitingFor(controller: Controller): Promise<boolean> {
    const registry = await registryOf(controller);
    if (!registry?.active) return true;
    if (registry.active.version !== controller.projection.version) return false;
    return (await runtimeState(controller)) !== 'failed';
  }

  async function runtimeState(controller: Controller): Promise<ProjectionState | undefined> {
    if (holding(controller)) return controller.live?.member.status().state;
    return (await loadRuntimeStatus(readModels, controller.projection.name))?.state;
  }

  async function report(controller: Controller, head: bigint): Promise<ProjectionReport> {
    const { projection } = controller;
    const registry = await registryOf(controller);
    const here = holding(controller);
    const runtime = here ? undefined : await loadRuntimeStatus(readModels, projection.name);
    const building = registry?.building;
    return projectionReport({
      name: projection.name,
      version: projection.version,
      registry,
      position: (await activePosition(controller)) ?? 0n,
      head,
      here: here
        ? { live: controller.live?.member.status(), build: controller.build?.member.status() }
        : undefined,
      runtime,
      buildCheckpoint: building && !here ? await checkpoint(building.collection) : 0n,
      holder: here ? instanceId : (runtime?.holder ?? null),
      now: clock(),
    });
  }

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      if (ownFeed) feed.start();
      loop();
      await runTick();
    },

    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ticking;
      for (const controller of controllers.values()) {
        await leave(controller);
        controller.statusWritten = undefined;
        await keeper.release(leaseOf(controller));
      }
      if (ownFeed) await feed.stop();
    },

    wake,

    async collection(name) {
      const controller = controllerOf(name);
      const registry = await registryOf(controller);
      if (!registry?.active) {
        const progress = registry?.building
          ? ` (building since ${registry.building.startedAt})`
          : '';
        throw new ReadModelUnavailableError(
          `The ${name} read model is not built yet${progress}; retry shortly`,
        );
      }
      return registry.active.collection;
    },

    reached,

    awaitPosition,

    async awaitFresh(names, timeoutMs, position) {
      const wanted: string[] = [];
      for (const name of names ?? [...controllers.keys()]) {
        if (await worthWaitingFor(controllerOf(name))) wanted.push(name);
      }
      if (wanted.length === 0) return;
      const head = position ?? (await eventStore.headPosition());
      await awaitPosition(head, wanted, timeoutMs);
    },

    async readiness() {
      const checks: Record<string, ProjectionReadiness> = {};
      for (const controller of controllers.values()) {
        const registry = await registryOf(controller);
        if (registry?.active) {
          const state = await runtimeState(controller);
          checks[controller.projection.name] =
            state === 'failed' || state === 'paused' || state === 'catching_up' ? state : 'ok';
        } else {
          const build = holding(controller)
            ? controller.build?.member.status().state
            : (await loadRuntimeStatus(readModels, controller.projection.name))?.build?.state;
          checks[controller.projection.name] = build === 'failed' ? 'failed' : 'building';
        }
      }
      return checks;
    },

    async status() {
      await prepare();
      const head = await eventStore.headPosition();
      const reports: ProjectionReport[] = [];
      for (const controller of controllers.values()) reports.push(await report(controller, head));
      return reports;
    },

    async requestRebuild(name) {
      const controller = controllerOf(name);
      await prepare();
      await update(controller, (current) =>
        planRebuildRequest(current, facts(controller), clock().toISOString()),
      );
      if (holding(controller)) await runTick();
      return report(controller, await eventStore.headPosition());
    },

    names() {
      return [...controllers.keys()];
    },

    sample() {
      return [...controllers.values()].map((controller) => {
        const runningHere = holding(controller);
        const target = controller.registry?.body.building?.targetPosition;
        const build = runningHere ? controller.build?.member.status() : undefined;
        return {
          name: controller.projection.name,
          runningHere,
          live: runningHere ? controller.live?.member.status() : undefined,
          // Written by the planner as a decimal; anything else (an edited registry) reads as 0.
          build: build && {
            ...build,
            targetPosition: target !== undefined && /^\d+$/.test(target) ? BigInt(target) : 0n,
          },
        };
      });
    },

    handling(type) {
      return options.projections
        .filter(
          (projection) => projection.eventTypes === 'all' || projection.eventTypes.includes(type),
        )
        .map((projection) => projection.name);
    },
  };
}
