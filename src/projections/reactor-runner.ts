/**
 * Runs one reactor where this instance holds its lease (`reactor:<name>`): while held, the
 * reactor is a member of the log feed, which hands it each event of its types in log order and
 * moves its checkpoint past it. So with several instances each event is reacted to by one of
 * them (and again only after a crash between the reaction and its checkpoint, which the
 * reactor's idempotence absorbs).
 *
 * An event whose reaction keeps failing stops the reactor, visibly (status and logs carry the
 * event and the error); it is never skipped. A store outage pauses it until the store is back.
 */
import type { Logger } from 'pino';
import type { LeaseStore } from '../stores/lease-store.js';
import type { ReadModelStore } from '../stores/read-model-store.js';
import { createLeaseKeeper } from './engine/lease-keeper.js';
import {
  CHECKPOINTS_COLLECTION,
  type FeedMember,
  type LogFeed,
  type ProjectionError,
} from './engine/log-feed.js';
import {
  loadReactorStatus,
  STATUS_COLLECTION,
  storedStatusRevision,
  writeRuntimeStatus,
} from './engine/projection-registry.js';
import { lagBetween } from './engine/projection-reporter.js';
import type { Reactor } from './reactor.js';

export type ReactorState = 'standby' | 'catching_up' | 'live' | 'paused' | 'failed' | 'stopped';

export interface ReactorStatus {
  readonly name: string;
  readonly position: bigint;
  readonly state: ReactorState;
  readonly lastError: ProjectionError | undefined;
  readonly eventsProcessed: number;
}

/** A reactor as an operator sees it: from here when it runs here, else as its holder stored it. */
export interface ReactorReport {
  readonly name: string;
  readonly position: string;
  readonly head: string;
  /** head − position, as for projections. */
  readonly lag: number;
  readonly state: ReactorState;
  readonly lastError: ProjectionError | null;
  readonly eventsProcessed: number;
  /** The instance running it, as it last reported; null when none has. */
  readonly runningOn: string | null;
}

export interface ReactorRunner {
  readonly reactor: Reactor;
  start(): void;
  stop(): Promise<void>;
  wake(): void;
  status(): ReactorStatus;
  report(head: bigint): Promise<ReactorReport>;
  /** Every event up to `position` has been reacted to (here or on the instance running it). */
  reached(position: bigint): Promise<boolean>;
}

export interface ReactorRunnerOptions {
  readonly reactor: Reactor;
  /** The reader of the log it joins while it holds the lease. */
  readonly feed: LogFeed;
  /** Holds its checkpoint. */
  readonly readModels: ReadModelStore;
  readonly leases: LeaseStore;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly leaseTtlMs?: number;
  readonly clock?: () => Date;
}

export function createReactorRunner(options: ReactorRunnerOptions): ReactorRunner {
  const { reactor, feed, readModels, instanceId } = options;
  const logger = options.logger.child({ reactor: reactor.name });
  const leaseTtlMs = options.leaseTtlMs ?? 10_000;
  const checkpointId = `reactor:${reactor.name}`;
  const leaseName = `reactor:${reactor.name}`;
  const clock = options.clock ?? (() => new Date());
  const keeper = createLeaseKeeper({
    leases: options.leases,
    holder: instanceId,
    ttlMs: leaseTtlMs,
    clock,
  });

  let member: FeedMember | undefined;
  let last: ReactorStatus | undefined;
  let statusRevision: bigint | undefined;
  let statusWritten: { readonly fingerprint: string; readonly at: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let looking: Promise<void> | undefined;
  let stopped = true;

  /** Joins the feed when the lease is won, leaves it when the lease is lost. */
  async function look(): Promise<void> {
    try {
      const held = await keeper.hold(leaseName);
      if (held && !member) {
        logger.info({ instanceId }, 'running reactor here');
        member = feed.addReactor(reactor);
      } else if (!held && member) {
        logger.warn('reactor lease lost; stopping it here');
        await leaveFeed();
      }
      if (member) await writeStatus(member);
    } catch (error) {
      logger.warn({ err: error }, 'reactor lease could not be looked after; retrying');
    }
  }

  /** Stored when it changed, and at every look as a sign of life, so other instances see it. */
  async function writeStatus(joined: FeedMember): Promise<void> {
    const { state, lastError, eventsProcessed } = joined.status();
    const status = { holder: instanceId, state, lastError: lastError ?? null, eventsProcessed };
    const fingerprint = JSON.stringify(status);
    const now = clock().getTime();
    if (fingerprint === statusWritten?.fingerprint && now - statusWritten.at < leaseTtlMs / 3) {
      return;
    }
    if (statusRevision === undefined) {
      await readModels.ensureCollection(STATUS_COLLECTION);
      statusRevision = await storedStatusRevision(readModels, checkpointId);
    }
    const revision = statusRevision + 1n;
    const written = await writeRuntimeStatus(readModels, checkpointId, revision, {
      ...status,
      at: new Date(now).toISOString(),
    });
    statusWritten = written ? { fingerprint, at: now } : undefined;
    statusRevision = written ? revision : undefined;
  }

  async function leaveFeed(): Promise<void> {
    const leaving = member;
    member = undefined;
    if (!leaving) return;
    await leaving.remove();
    last = statusOf(leaving);
  }

  function statusOf(joined: FeedMember): ReactorStatus {
    const { name, position, state, lastError, eventsProcessed } = joined.status();
    return {
      name,
      position,
      state: state === 'starting' ? 'catching_up' : state,
      lastError,
      eventsProcessed,
    };
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      looking = look().finally(() => {
        looking = undefined;
        schedule();
      });
    }, leaseTtlMs / 3);
  }

  return {
    reactor,
    start() {
      if (!stopped) return;
      stopped = false;
      looking = look().finally(() => {
        looking = undefined;
        schedule();
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await looking;
      await leaveFeed();
      await keeper.release(leaseName);
    },
    wake() {
      feed.wake();
    },
    status() {
      if (member) return statusOf(member);
      const idle: ReactorState = stopped ? 'stopped' : 'standby';
      if (last) return { ...last, state: last.state === 'failed' ? 'failed' : idle };
      return {
        name: reactor.name,
        position: 0n,
        state: idle,
        lastError: undefined,
        eventsProcessed: 0,
      };
    },
    async report(head) {
      if (member) {
        const { position, state, lastError, eventsProcessed } = statusOf(member);
        return {
          name: reactor.name,
          position: position.toString(),
          head: head.toString(),
          lag: lagBetween(position, head),
          state,
          lastError: lastError ?? null,
          eventsProcessed,
          runningOn: instanceId,
        };
      }
      return storedReactorReport(readModels, reactor.name, head);
    },
    async reached(target) {
      if (member) {
        const { position, state } = member.status();
        if (state !== 'starting' && position >= target) return true;
      }
      const stored = (await readModels.load(CHECKPOINTS_COLLECTION, [checkpointId])).get(
        checkpointId,
      );
      return (stored?.position ?? 0n) >= target;
    },
  };
}

/**
 * A reactor this process does not run, from what its holder stored: its checkpoint and status.
 * `standby` when no instance has reported running it.
 */
export async function storedReactorReport(
  readModels: ReadModelStore,
  name: string,
  head: bigint,
): Promise<ReactorReport> {
  const id = `reactor:${name}`;
  const position = (await readModels.load(CHECKPOINTS_COLLECTION, [id])).get(id)?.position ?? 0n;
  const stored = await loadReactorStatus(readModels, id);
  return {
    name,
    position: position.toString(),
    head: head.toString(),
    lag: lagBetween(position, head),
    state: stored ? (stored.state === 'starting' ? 'catching_up' : stored.state) : 'standby',
    lastError: stored?.lastError ?? null,
    eventsProcessed: stored?.eventsProcessed ?? 0,
    runningOn: stored?.holder ?? null,
  };
}

/** Every reactor that has ever kept a checkpoint in these stores, by name. */
export async function storedReactorNames(readModels: ReadModelStore): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await readModels.find(CHECKPOINTS_COLLECTION, {
      where: { reactor: { gte: '' } },
      ...(cursor ? { cursor } : {}),
    });
    for (const document of page.documents) names.push(String(document.body.reactor));
    cursor = page.nextCursor;
  } while (cursor);
  return names.sort();
}
