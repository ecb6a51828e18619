/**
 * Runs every projection of the service, one collection generation at a time, and tells queries
 * which collection to read.
 *
 * Durable state lives in the read-model store, so every instance of the service (and the CLI)
 * sees the same thing:
 *
 * - `projection_registry`: per projection, the generation queries read (`active`), the one
 *   being built (`building`), a pending rebuild request, and replaced collections awaiting
 *   their drop. Updated by compare-and-set: the document's position is a revision counter and
 *   the store's position guard refuses a write based on a stale read.
 * - `projection_status`: what the instance running the projection last saw (state, last error,
 *   build progress), so any instance can report it.
 * - `projection_checkpoints`: each collection's position (written by the runner).
 *
 * Only the holder of a projection's lease runs it. A rebuild builds a new generation into a
 * fresh collection while the active one keeps serving and following the log; once the new one
 * has reached the head, queries switch to it and the old collection is dropped after a delay,
 * so a query that had already picked it finishes undisturbed. A changed projection version
 * rebuilds the same way: until the switch, queries read the previous version's documents.
 *
 * One file for now, though it holds five parts (registry, leases, generation planning, runners,
 * status reports): issue 13 splits it along those lines when one reader of the log comes to
 * feed every projection, and splitting it first would only be undone there.
 */
import type { Logger } from 'pino';
import type { EventStore } from '../stores/event-store.js';
import type { LeaseStore } from '../stores/lease-store.js';
import type { ReadModelStore } from '../stores/read-model-store.js';
import { waitUntil } from '../wait-until.js';
import type { Projection } from './projection.js';
import {
  CHECKPOINTS_COLLECTION,
  createProjectionRunner,
  type ProjectionError,
  type ProjectionRunner,
  type ProjectionState,
} from './projection-runner.js';

export const REGISTRY_COLLECTION = 'projection_registry';
export const STATUS_COLLECTION = 'projection_status';

interface Generation {
  readonly collection: string;
  readonly version: number;
  readonly generation: number;
}

export type BuildReason = 'first_build' | 'version_change' | 'requested';

interface Build extends Generation {
  readonly reason: BuildReason;
  readonly startedAt: string;
  /** The head of the log when the build started: progress is measured against it. */
  readonly targetPosition: string;
}

interface RegistryBody {
  readonly name: string;
  readonly active: Generation | null;
  readonly building: Build | null;
  readonly rebuildRequestedAt: string | null;
  readonly lastGeneration: number;
  readonly switchedAt: string | null;
  readonly retired: readonly { readonly collection: string; readonly at: string }[];
}

interface Registry {
  readonly revision: bigint;
  readonly body: RegistryBody;
}

interface RuntimeStatus {
  readonly holder: string;
  readonly state: ProjectionState;
  readonly lastError: ProjectionError | null;
  readonly build: {
    readonly state: ProjectionState;
    readonly position: string;
    readonly eventsProcessed: number;
    readonly startedAt: string;
    readonly lastError: ProjectionError | null;
  } | null;
  readonly at: string;
}

export interface BuildReport {
  readonly collection: string;
  readonly version: number;
  readonly reason: BuildReason;
  readonly state: ProjectionState;
  readonly startedAt: string;
  readonly position: string;
  readonly targetPosition: string;
  /** position / targetPosition, 0-100: exact on SQLite, where positions count events. */
  readonly percent: number;
  readonly eventsProcessed: number;
  readonly eventsPerSecond: number;
  readonly lastError: ProjectionError | null;
}

export interface ProjectionReport {
  readonly name: string;
  /** The version this code defines. */
  readonly version: number;
  /** What queries read: null until the first build has caught up. */
  readonly collection: string | null;
  readonly activeVersion: number | null;
  readonly position: string;
  /** Events in the log after `position`, counted up to `LAG_COUNT_LIMIT`. */
  readonly lag: number;
  readonly lagIsLowerBound: boolean;
  readonly state: ProjectionState | 'not_running';
  readonly lastError: ProjectionError | null;
  readonly rebuild: BuildReport | null;
  readonly rebuildRequested: boolean;
  readonly lastSwitchAt: string | null;
  /** The instance running it, as it last reported; null when none has. */
  readonly runningOn: string | null;
}

/** The read model a query needs has no caught-up generation yet. */
export class ReadModelUnavailableError extends Error {
  override readonly name = 'ReadModelUnavailableError';
}

export class UnknownProjectionError extends Error {
  override readonly name = 'UnknownProjectionError';
}

export const LAG_COUNT_LIMIT = 10_000;
const STATUS_HEARTBEAT_MS = 5_000;

export interface ProjectionManagerOptions {
  readonly projections: readonly Projection[];
  readonly eventStore: EventStore;
  readonly readModels: ReadModelStore;
  /** Decides which instance runs each projection (`projection:<name>`). */
  readonly leases: LeaseStore;
  readonly logger: Logger;
  /** Names this process in leases and status. */
  readonly instanceId: string;
  readonly leaseTtlMs?: number;
  /** How often leases are renewed and the registry is looked at. */
  readonly tickIntervalMs?: number;
  /** How long a replaced collection is kept for queries already reading it. */
  readonly dropDelayMs?: number;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly clock?: () => Date;
}

export interface ProjectionManager {
  /** Takes part: looks at the registry now, then on every tick; runs what it holds the lease of. */
  start(): Promise<void>;
  /** Stops the runners and gives up the leases. */
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
  readiness(): Promise<Record<string, 'ok' | 'building' | 'failed'>>;
  /** Asks for a rebuild; the instance holding the lease starts it at its next tick. */
  requestRebuild(name: string): Promise<ProjectionReport>;
  names(): readonly string[];
}

const MAX_POSITION = 0xffff_ffff_ffff_ffffn;

export function generationCollection(name: string, version: number, generation: number): string {
  return `${name}_v${version}_${generation}`;
}

export function createProjectionManager(options: ProjectionManagerOptions): ProjectionManager {
  const { eventStore, readModels, leases, instanceId } = options;
  const logger = options.logger.child({ component: 'projections' });
  const leaseTtlMs = options.leaseTtlMs ?? 15_000;
  const tickIntervalMs = options.tickIntervalMs ?? 1000;
  const dropDelayMs = options.dropDelayMs ?? 30_000;
  const clock = options.clock ?? (() => new Date());

  interface Controller {
    readonly projection: Projection;
    registry: Registry | undefined;
    holding: boolean;
    live: { runner: ProjectionRunner; collection: string } | undefined;
    build: { runner: ProjectionRunner; collection: string } | undefined;
    statusRevision: bigint | undefined;
    /** When leases and the registry last started failing to be looked after, if they are. */
    failingSince: number | undefined;
    leaseRenewedAt: number | undefined;
    statusWritten: { readonly fingerprint: string; readonly at: number } | undefined;
  }
  const controllers = new Map<string, Controller>(
    options.projections.map((projection) => [
      projection.name,
      {
        projection,
        registry: undefined,
        holding: false,
        live: undefined,
        build: undefined,
        statusRevision: undefined,
        failingSince: undefined,
        leaseRenewedAt: undefined,
        statusWritten: undefined,
      },
    ]),
  );

  let prepared = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let tickAgain = false;
  let stopped = true;

  async function prepare(): Promise<void> {
    if (prepared) return;
    await readModels.ensureCollection(REGISTRY_COLLECTION);
    await readModels.ensureCollection(STATUS_COLLECTION);
    await readModels.ensureCollection(CHECKPOINTS_COLLECTION);
    prepared = true;
  }

  async function loadRegistry(name: string): Promise<Registry | undefined> {
    const stored = (await readModels.load(REGISTRY_COLLECTION, [name])).get(name);
    if (!stored?.body) return undefined;
    return { revision: stored.position, body: stored.body as unknown as RegistryBody };
  }

  /**
   * Applies `change` to the registry by compare-and-set, re-reading and retrying when another
   * writer got there first. `change` returns undefined when there is nothing to do.
   */
  async function updateRegistry(
    controller: Controller,
    change: (current: RegistryBody | undefined) => RegistryBody | undefined,
  ): Promise<Registry | undefined> {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const current = await loadRegistry(controller.projection.name);
      controller.registry = current;
      const next = change(current?.body);
      if (!next) return current;
      const revision = (current?.revision ?? 0n) + 1n;
      const result = await readModels.writeBatch(REGISTRY_COLLECTION, [
        { id: controller.projection.name, position: revision, body: { ...next } },
      ]);
      if (result.written === 1) {
        controller.registry = { revision, body: next };
        return controller.registry;
      }
    }
    throw new Error(`Registry of ${controller.projection.name} keeps changing under this writer`);
  }

  function newBuild(
    projection: Projection,
    body: RegistryBody,
    reason: BuildReason,
    target: bigint,
  ) {
    const generation = body.lastGeneration + 1;
    return {
      generation,
      build: {
        collection: generationCollection(projection.name, projection.version, generation),
        version: projection.version,
        generation,
        reason,
        startedAt: clock().toISOString(),
        targetPosition: target.toString(),
      } satisfies Build,
    };
  }

  function runnerFor(controller: Controller, collection: string, isBuild: boolean) {
    return createProjectionRunner({
      projection: controller.projection,
      eventStore,
      readModels,
      logger: options.logger,
      collection,
      batchSize: options.batchSize,
      pollIntervalMs: options.pollIntervalMs,
      maxAttempts: options.maxAttempts,
      retryBaseMs: options.retryBaseMs,
      clock,
      // A build that has caught up is switched to at once rather than at the next tick.
      onCaughtUp: isBuild ? () => scheduleTick() : undefined,
    });
  }

  async function stopRunners(controller: Controller): Promise<void> {
    const runners = [controller.live?.runner, controller.build?.runner];
    controller.live = undefined;
    controller.build = undefined;
    await Promise.all(runners.map((runner) => runner?.stop()));
  }

  async function tickOne(controller: Controller): Promise<void> {
    const { projection } = controller;
    const now = clock().getTime();
    // A held lease is renewed a third of the way through its life, not at every tick.
    const renewalDue =
      !controller.holding ||
      controller.leaseRenewedAt === undefined ||
      now - controller.leaseRenewedAt >= leaseTtlMs / 3;
    const leased = renewalDue
      ? await leases.acquire({
          name: `projection:${projection.name}`,
          holder: instanceId,
          ttlMs: leaseTtlMs,
          now: new Date(now),
        })
      : true;
    if (renewalDue && leased) controller.leaseRenewedAt = now;
    if (!leased) {
      if (controller.holding) {
        logger.warn({ projection: projection.name }, 'projection lease lost; stopping it here');
        controller.holding = false;
        controller.leaseRenewedAt = undefined;
        await stopRunners(controller);
      }
      controller.registry = await loadRegistry(projection.name);
      return;
    }
    if (!controller.holding) {
      logger.info({ projection: projection.name, instanceId }, 'running projection here');
      controller.holding = true;
    }

    const head = await eventStore.headPosition();
    // Decide what should be built.
    await updateRegistry(controller, (current) => {
      const body: RegistryBody = current ?? {
        name: projection.name,
        active: null,
        building: null,
        rebuildRequestedAt: null,
        lastGeneration: 0,
        switchedAt: null,
        retired: [],
      };
      const buildIsCurrent = body.building !== null && body.building.version === projection.version;
      let reason: BuildReason | undefined;
      if (!buildIsCurrent) {
        if (body.active === null) reason = 'first_build';
        else if (body.active.version !== projection.version) reason = 'version_change';
        else if (body.rebuildRequestedAt !== null) reason = 'requested';
      } else if (body.rebuildRequestedAt !== null && buildIsFailed(controller)) {
        reason = 'requested';
      }
      if (reason === undefined) {
        if (body.rebuildRequestedAt !== null && buildIsCurrent) {
          // A rebuild is already under way: the request is answered by it.
          return { ...body, rebuildRequestedAt: null };
        }
        return current === undefined ? body : undefined;
      }
      const { generation, build } = newBuild(projection, body, reason, head);
      const retired = body.building
        ? [...body.retired, { collection: body.building.collection, at: clock().toISOString() }]
        : body.retired;
      return {
        ...body,
        building: build,
        lastGeneration: generation,
        rebuildRequestedAt: null,
        retired,
      };
    });

    const registry = controller.registry!.body;
    await reconcileRunners(controller, registry);
    await switchIfCaughtUp(controller);
    await dropRetired(controller);
    await writeStatus(controller);
  }

  function buildIsFailed(controller: Controller): boolean {
    return controller.build?.runner.status().state === 'failed';
  }

  async function reconcileRunners(controller: Controller, registry: RegistryBody) {
    const { projection } = controller;
    const liveCollection =
      registry.active && registry.active.version === projection.version
        ? registry.active.collection
        : undefined;
    if (controller.live && controller.live.collection !== liveCollection) {
      await controller.live.runner.stop();
      controller.live = undefined;
    }
    if (!controller.live && liveCollection) {
      controller.live = {
        runner: runnerFor(controller, liveCollection, false),
        collection: liveCollection,
      };
      controller.live.runner.start();
    }
    const buildCollection = registry.building?.collection;
    if (controller.build && controller.build.collection !== buildCollection) {
      await controller.build.runner.stop();
      controller.build = undefined;
    }
    if (!controller.build && buildCollection) {
      logger.info(
        {
          projection: projection.name,
          collection: buildCollection,
          reason: registry.building!.reason,
        },
        'building projection into a new collection',
      );
      controller.build = {
        runner: runnerFor(controller, buildCollection, true),
        collection: buildCollection,
      };
      controller.build.runner.start();
    }
  }

  async function switchIfCaughtUp(controller: Controller): Promise<void> {
    const build = controller.build;
    if (!build || build.runner.status().state !== 'live') return;
    const updated = await updateRegistry(controller, (current) => {
      if (!current?.building || current.building.collection !== build.collection) return undefined;
      const now = clock().toISOString();
      const {
        reason: _reason,
        startedAt: _startedAt,
        targetPosition: _target,
        ...generation
      } = current.building;
      return {
        ...current,
        active: generation,
        building: null,
        switchedAt: now,
        retired: current.active
          ? [...current.retired, { collection: current.active.collection, at: now }]
          : current.retired,
      };
    });
    if (updated?.body.active?.collection !== build.collection) return;
    const previous = controller.live;
    controller.live = build;
    controller.build = undefined;
    await previous?.runner.stop();
    const status = build.runner.status();
    logger.info(
      {
        projection: controller.projection.name,
        collection: build.collection,
        position: status.position.toString(),
        eventsProcessed: status.eventsProcessed,
      },
      'projection switched to its new collection',
    );
  }

  async function dropRetired(controller: Controller): Promise<void> {
    const registry = controller.registry?.body;
    if (!registry || registry.retired.length === 0) return;
    const due = registry.retired.filter(
      (entry) => clock().getTime() - Date.parse(entry.at) >= dropDelayMs,
    );
    if (due.length === 0) return;
    for (const { collection } of due) {
      await readModels.dropCollection(collection);
      // A collection name is never reused, so its checkpoint can be tombstoned for good.
      await readModels.writeBatch(CHECKPOINTS_COLLECTION, [
        { id: collection, position: MAX_POSITION, body: null },
      ]);
      logger.info(
        { projection: controller.projection.name, collection },
        'dropped replaced collection',
      );
    }
    const dropped = new Set(due.map((entry) => entry.collection));
    await updateRegistry(controller, (current) =>
      current && current.retired.some((entry) => dropped.has(entry.collection))
        ? { ...current, retired: current.retired.filter((entry) => !dropped.has(entry.collection)) }
        : undefined,
    );
  }

  async function writeStatus(controller: Controller): Promise<void> {
    const name = controller.projection.name;
    if (controller.statusRevision === undefined) {
      const stored = (await readModels.load(STATUS_COLLECTION, [name])).get(name);
      controller.statusRevision = stored?.position ?? 0n;
    }
    const live = controller.live?.runner.status();
    const build = controller.build?.runner.status();
    const status: Omit<RuntimeStatus, 'at'> = {
      holder: instanceId,
      state: live?.state ?? 'starting',
      lastError: live?.lastError ?? null,
      build: build
        ? {
            state: build.state,
            position: build.position.toString(),
            eventsProcessed: build.eventsProcessed,
            startedAt: build.startedAt,
            lastError: build.lastError ?? null,
          }
        : null,
    };
    // Written when something changed, and every few seconds as a sign of life; not every tick.
    const fingerprint = JSON.stringify(status);
    const now = clock().getTime();
    if (
      fingerprint === controller.statusWritten?.fingerprint &&
      now - controller.statusWritten.at < STATUS_HEARTBEAT_MS
    ) {
      return;
    }
    const revision = controller.statusRevision + 1n;
    const result = await readModels.writeBatch(STATUS_COLLECTION, [
      { id: name, position: revision, body: { ...status, at: new Date(now).toISOString() } },
    ]);
    controller.statusWritten = result.written === 1 ? { fingerprint, at: now } : undefined;
    // Another holder wrote in between (a lease handover): read its revision next time.
    controller.statusRevision = result.written === 1 ? revision : undefined;
  }

  async function tick(): Promise<void> {
    try {
      await prepare();
    } catch (error) {
      logger.warn({ err: error }, 'read-model store not ready for projections; retrying');
      return;
    }
    for (const controller of controllers.values()) {
      try {
        await tickOne(controller);
        if (controller.failingSince !== undefined) {
          logger.info(
            {
              projection: controller.projection.name,
              failedForMs: Date.now() - controller.failingSince,
            },
            'projection housekeeping works again',
          );
          controller.failingSince = undefined;
        }
      } catch (error) {
        // Once per outage, not once per tick: a store that is down for minutes must not flood
        // the log. The runners log their own pause and resume.
        if (controller.failingSince === undefined) {
          controller.failingSince = Date.now();
          logger.warn(
            { err: error, projection: controller.projection.name },
            'projection housekeeping failed; retrying at every tick',
          );
        }
      }
    }
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
    if (!controller.holding || !controller.registry) {
      controller.registry = await loadRegistry(controller.projection.name);
    }
    return controller.registry?.body;
  }

  async function checkpoint(collection: string): Promise<bigint> {
    const stored = (await readModels.load(CHECKPOINTS_COLLECTION, [collection])).get(collection);
    return stored?.body ? stored.position : 0n;
  }

  /** Where the active collection is; undefined when there is none. */
  async function activePosition(controller: Controller): Promise<bigint | undefined> {
    if (controller.holding && controller.live) {
      const registry = controller.registry?.body;
      if (registry?.active?.collection === controller.live.collection) {
        return controller.live.runner.status().position;
      }
    }
    const registry = await registryOf(controller);
    if (!registry?.active) return undefined;
    return checkpoint(registry.active.collection);
  }

  function wake(): void {
    for (const controller of controllers.values()) {
      controller.live?.runner.wake();
      controller.build?.runner.wake();
    }
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
    if (controller.holding) return controller.live?.runner.status().state;
    return (await loadRuntime(controller.projection.name))?.state;
  }

  async function loadRuntime(name: string): Promise<RuntimeStatus | undefined> {
    const stored = (await readModels.load(STATUS_COLLECTION, [name])).get(name);
    return (stored?.body ?? undefined) as RuntimeStatus | undefined;
  }

  async function lagCounts(positions: readonly bigint[]): Promise<Map<bigint, number>> {
    const lowest = positions.reduce((min, p) => (p < min ? p : min), positions[0] ?? 0n);
    const seen: bigint[] = [];
    for (let after = lowest; seen.length < LAG_COUNT_LIMIT;) {
      const page = await eventStore.readAll({
        after,
        maxCount: Math.min(1000, LAG_COUNT_LIMIT - seen.length),
      });
      for (const event of page) seen.push(event.position);
      if (page.length < 1000) break;
      after = page.at(-1)!.position;
    }
    return new Map(
      positions.map((position) => [position, seen.filter((p) => p > position).length]),
    );
  }

  async function report(
    controller: Controller,
    lag: (position: bigint) => number,
  ): Promise<ProjectionReport> {
    const { projection } = controller;
    const registry = await registryOf(controller);
    const runtime: RuntimeStatus | undefined = controller.holding
      ? undefined
      : await loadRuntime(projection.name);
    const position = (await activePosition(controller)) ?? 0n;
    const liveStatus = controller.holding ? controller.live?.runner.status() : undefined;
    const buildStatus = controller.holding ? controller.build?.runner.status() : undefined;
    let rebuild: BuildReport | null = null;
    if (registry?.building) {
      const building = registry.building;
      const target = BigInt(building.targetPosition);
      const buildPosition = buildStatus
        ? buildStatus.position
        : await checkpoint(building.collection);
      const processed = buildStatus?.eventsProcessed ?? runtime?.build?.eventsProcessed ?? 0;
      const since = buildStatus?.startedAt ?? runtime?.build?.startedAt ?? building.startedAt;
      const seconds = Math.max(0.001, (clock().getTime() - Date.parse(since)) / 1000);
      rebuild = {
        collection: building.collection,
        version: building.version,
        reason: building.reason,
        state: buildStatus?.state ?? runtime?.build?.state ?? 'starting',
        startedAt: building.startedAt,
        position: buildPosition.toString(),
        targetPosition: building.targetPosition,
        percent:
          target === 0n || buildPosition >= target
            ? 100
            : Math.floor(Number((buildPosition * 10_000n) / target)) / 100,
        eventsProcessed: processed,
        eventsPerSecond: Math.round(processed / seconds),
        lastError: buildStatus?.lastError ?? runtime?.build?.lastError ?? null,
      };
    }
    const count = lag(position);
    return {
      name: projection.name,
      version: projection.version,
      collection: registry?.active?.collection ?? null,
      activeVersion: registry?.active?.version ?? null,
      position: position.toString(),
      lag: count,
      lagIsLowerBound: count >= LAG_COUNT_LIMIT,
      state: liveStatus?.state ?? runtime?.state ?? 'not_running',
      lastError: liveStatus?.lastError ?? runtime?.lastError ?? null,
      rebuild,
      rebuildRequested: (registry?.rebuildRequestedAt ?? null) !== null,
      lastSwitchAt: registry?.switchedAt ?? null,
      runningOn: controller.holding ? instanceId : (runtime?.holder ?? null),
    };
  }

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      loop();
      await runTick();
    },

    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ticking;
      for (const controller of controllers.values()) {
        await stopRunners(controller);
        controller.leaseRenewedAt = undefined;
        controller.statusWritten = undefined;
        if (controller.holding) {
          controller.holding = false;
          await leases
            .release(`projection:${controller.projection.name}`, instanceId)
            .catch(() => undefined);
        }
      }
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
      const checks: Record<string, 'ok' | 'building' | 'failed'> = {};
      for (const controller of controllers.values()) {
        const registry = await registryOf(controller);
        if (registry?.active) {
          const state = await runtimeState(controller);
          checks[controller.projection.name] = state === 'failed' ? 'failed' : 'ok';
        } else {
          const build = controller.holding
            ? controller.build?.runner.status().state
            : (await loadRuntime(controller.projection.name))?.build?.state;
          checks[controller.projection.name] = build === 'failed' ? 'failed' : 'building';
        }
      }
      return checks;
    },

    async status() {
      await prepare();
      const positions: bigint[] = [];
      for (const controller of controllers.values()) {
        positions.push((await activePosition(controller)) ?? 0n);
      }
      const counts = await lagCounts(positions);
      const reports: ProjectionReport[] = [];
      for (const controller of controllers.values()) {
        reports.push(await report(controller, (position) => counts.get(position) ?? 0));
      }
      return reports;
    },

    async requestRebuild(name) {
      const controller = controllerOf(name);
      await prepare();
      await updateRegistry(controller, (current) => {
        const base: RegistryBody = current ?? {
          name,
          active: null,
          building: null,
          rebuildRequestedAt: null,
          lastGeneration: 0,
          switchedAt: null,
          retired: [],
        };
        const alreadyBuilding =
          base.building !== null &&
          base.building.version === controller.projection.version &&
          !buildIsFailed(controller);
        if (alreadyBuilding || base.rebuildRequestedAt !== null) return undefined;
        return { ...base, rebuildRequestedAt: clock().toISOString() };
      });
      if (controller.holding) await runTick();
      const counts = await lagCounts([(await activePosition(controller)) ?? 0n]);
      return report(controller, (position) => counts.get(position) ?? 0);
    },

    names() {
      return [...controllers.keys()];
    },
  };
}
