/**
 * What the holder of a projection's lease does at each tick: take or renew the lease, let the
 * generation planner say what to build, join and leave the log feed accordingly, switch to a
 * build that has caught up, drop replaced collections, and store its status for the other
 * instances. The manager (`projection-manager.ts`) runs it for every projection and answers
 * the queries.
 */
import type { Logger } from 'pino';
import type { EventStore } from '../../stores/event-store.js';
import type { ReadModelStore } from '../../stores/read-model-store.js';
import type { Projection } from '../projection.js';
import {
  dueForDrop,
  liveCollection,
  planBuild,
  planSwitch,
  withoutDropped,
  type RegistryBody,
} from './generation-planner.js';
import type { LeaseKeeper } from './lease-keeper.js';
import {
  CHECKPOINTS_COLLECTION,
  type FeedMember,
  type LogFeed,
  type ProjectionStatus,
} from './log-feed.js';
import {
  loadRegistry,
  storedStatusRevision,
  updateRegistry,
  writeRuntimeStatus,
  type Registry,
  type RuntimeStatus,
} from './projection-registry.js';

const STATUS_HEARTBEAT_MS = 5_000;
const MAX_POSITION = 0xffff_ffff_ffff_ffffn;

export interface Running {
  readonly member: FeedMember<ProjectionStatus>;
  readonly collection: string;
}

export interface Controller {
  readonly projection: Projection;
  registry: Registry | undefined;
  live: Running | undefined;
  build: Running | undefined;
  statusRevision: bigint | undefined;
  /** When looking after the projection started failing, if it is failing. */
  failingSince: number | undefined;
  statusWritten: { readonly fingerprint: string; readonly at: number } | undefined;
}

export function newController(projection: Projection): Controller {
  return {
    projection,
    registry: undefined,
    live: undefined,
    build: undefined,
    statusRevision: undefined,
    failingSince: undefined,
    statusWritten: undefined,
  };
}

export function generationKeeper(deps: {
  readonly eventStore: EventStore;
  readonly readModels: ReadModelStore;
  readonly feed: LogFeed;
  readonly keeper: LeaseKeeper;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly dropDelayMs: number;
  readonly clock: () => Date;
  readonly leaseOf: (controller: Controller) => string;
  /** A build has reached the head: look at it now rather than at the next tick. */
  readonly buildCaughtUp: () => void;
}) {
  const { eventStore, readModels, feed, keeper, logger, instanceId, dropDelayMs, clock } = deps;
  const holding = (controller: Controller) => keeper.holds(deps.leaseOf(controller));

  async function update(
    controller: Controller,
    change: (current: RegistryBody | undefined) => RegistryBody | undefined,
  ): Promise<Registry | undefined> {
    try {
      controller.registry = await updateRegistry(readModels, controller.projection.name, change);
      return controller.registry;
    } catch (error) {
      controller.registry = undefined;
      throw error;
    }
  }

  function facts(controller: Controller) {
    return {
      name: controller.projection.name,
      version: controller.projection.version,
      buildFailed: controller.build?.member.status().state === 'failed',
    };
  }

  function join(controller: Controller, collection: string, isBuild: boolean): Running {
    const member = feed.addProjection(controller.projection, {
      collection,
      onCaughtUp: isBuild ? deps.buildCaughtUp : undefined,
    });
    return { member, collection };
  }

  async function leave(controller: Controller): Promise<void> {
    const running = [controller.live, controller.build];
    controller.live = undefined;
    controller.build = undefined;
    await Promise.all(running.map((entry) => entry?.member.remove()));
  }

  async function tickHeld(controller: Controller): Promise<void> {
    const { projection } = controller;
    const wasHolding = holding(controller);
    if (!(await keeper.hold(deps.leaseOf(controller)))) {
      if (wasHolding) {
        logger.warn({ projection: projection.name }, 'projection lease lost; stopping it here');
        await leave(controller);
      }
      controller.registry = await loadRegistry(readModels, projection.name);
      return;
    }
    if (!wasHolding)
      logger.info({ projection: projection.name, instanceId }, 'running projection here');

    const head = await eventStore.headPosition();
    await update(controller, (current) =>
      planBuild(current, facts(controller), head, clock().toISOString()),
    );
    await reconcile(controller, controller.registry!.body);
    await switchIfCaughtUp(controller);
    await dropRetired(controller);
    await writeStatus(controller);
  }

  async function reconcile(controller: Controller, registry: RegistryBody): Promise<void> {
    const live = liveCollection(registry, controller.projection.version);
    if (controller.live && controller.live.collection !== live) {
      await controller.live.member.remove();
      controller.live = undefined;
    }
    if (!controller.live && live) controller.live = join(controller, live, false);
    const building = registry.building;
    if (controller.build && controller.build.collection !== building?.collection) {
      await controller.build.member.remove();
      controller.build = undefined;
    }
    if (!controller.build && building) {
      logger.info(
        {
          projection: controller.projection.name,
          collection: building.collection,
          reason: building.reason,
        },
        'building projection into a new collection',
      );
      controller.build = join(controller, building.collection, true);
    }
  }

  async function switchIfCaughtUp(controller: Controller): Promise<void> {
    const build = controller.build;
    if (!build || build.member.status().state !== 'live') return;
    const updated = await update(controller, (current) =>
      planSwitch(current, build.collection, clock().toISOString()),
    );
    if (updated?.body.active?.collection !== build.collection) return;
    const previous = controller.live;
    controller.live = build;
    controller.build = undefined;
    await previous?.member.remove();
    const status = build.member.status();
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
    const due = dueForDrop(controller.registry?.body, clock().getTime(), dropDelayMs);
    if (due.length === 0) return;
    for (const collection of due) {
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
    const dropped = new Set(due);
    await update(controller, (current) => withoutDropped(current, dropped));
  }

  async function writeStatus(controller: Controller): Promise<void> {
    const name = controller.projection.name;
    controller.statusRevision ??= await storedStatusRevision(readModels, name);
    const live = controller.live?.member.status();
    const build = controller.build?.member.status();
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
    const written = await writeRuntimeStatus(readModels, name, revision, {
      ...status,
      at: new Date(now).toISOString(),
    });
    controller.statusWritten = written ? { fingerprint, at: now } : undefined;
    // Another holder wrote in between (a lease handover): read its revision next time.
    controller.statusRevision = written ? revision : undefined;
  }

  /** One tick of one projection; a failure is logged once per outage, not once per tick. */
  async function tickOne(controller: Controller): Promise<void> {
    try {
      await tickHeld(controller);
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
      // A store that is down for minutes must not flood the log; the feed logs its own pause.
      if (controller.failingSince === undefined) {
        controller.failingSince = Date.now();
        logger.warn(
          { err: error, projection: controller.projection.name },
          'projection housekeeping failed; retrying at every tick',
        );
      }
    }
  }

  return { update, facts, leave, tickOne };
}
