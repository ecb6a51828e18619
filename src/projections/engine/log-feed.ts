/**
 * One reader of the log for every projection generation and reactor an instance runs.
 *
 * Each member has a position (its checkpoint). A cycle takes the members that are behind the
 * head, lowest first, reads one batch after the lowest position and hands it to every member
 * that batch reaches; the members it does not reach (they are further on) get the next read of
 * the same cycle. So members at one position share every read, a rebuild starting from zero
 * costs the live members nothing but its own reads, and once it has caught up it shares theirs.
 *
 * The documents of every projection a batch reached, and their checkpoints, are written in one
 * `writeBatches` call: one transaction on SQLite, one bulk call per collection on MongoDB, with
 * the checkpoints last. Why that converges when killed at any point: every stored document
 * carries the position of the last event applied to it, the store refuses a write that is not
 * after it, and a checkpoint is never stored before the documents it covers. An event is
 * therefore applied to each document exactly once, whatever the batch boundaries were.
 *
 * Reactors take their part of a batch once the projections' part is committed, and work
 * through it on their own (a reaction appends commands, which is slower than a projection), so
 * a reactor never holds the projections back; it rejoins the reads when it is done. Its
 * reactions keep log order within a stream and run side by side across streams, so the
 * commands they append share group commits.
 *
 * A member whose `evolve` or reaction keeps failing stops, visibly, and is never skipped past;
 * the others go on. A store outage pauses every member until the store is back.
 *
 * Writes can outrun the feed: on one machine the commands and the projections share the CPU,
 * and a command costs less than applying its events to every read model. `admit` is the
 * back-pressure: a write first waits while a member that has caught up is further behind than
 * a bound, measured in time (see `head-timeline.ts`), so the read models stay within that bound
 * of the log under any load, at the cost of the writes' rate. Members catching up (a rebuild),
 * failed, paused by an outage or retrying a batch do not hold writes back
 * (`write-admission.ts`).
 *
 * One file because the cycle, the outage back-off, the wake-ups and the members joining and
 * leaving all share the feed's state (its members, the cycle in flight, the sleeper to wake);
 * the member bookkeeping, reactions and write admission are in their own files.
 */
import type { Logger } from 'pino';
import { yieldToEventLoop } from '../../wait-until.js';
import {
  StoreUnavailableError,
  type EventStore,
  type RecordedEvent,
} from '../../stores/event-store.js';
import type { ReadModelStore } from '../../stores/read-model-store.js';
import { collectionFor, type Projection } from '../projection.js';
import type { Reactor } from '../reactor.js';
import {
  CHECKPOINTS_COLLECTION,
  errorOf,
  memberBase,
  memberOutcomes,
  statusOf,
  unionFilter,
  type FeedMember,
  type Member,
  type ProjectionMember,
  type ProjectionStatus,
  type ReactorMember,
} from './feed-members.js';
import { batchDelivery } from './batch-delivery.js';
import { createWriteAdmission, type Admission } from './write-admission.js';

export {
  CHECKPOINTS_COLLECTION,
  type FeedMember,
  type MemberStatus,
  type ProjectionError,
  type ProjectionState,
  type ProjectionStatus,
} from './feed-members.js';

export interface LogFeedOptions {
  readonly eventStore: EventStore;
  readonly readModels: ReadModelStore;
  readonly logger: Logger;
  readonly batchSize?: number;
  /** How often a feed with nothing to do looks for new events (`wake()` looks at once). */
  readonly pollIntervalMs?: number;
  /** Attempts at a batch a member fails on (evolve, reaction, unexpected error) before it stops. */
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** Reactions of one reactor in flight at once, each on a stream of its own. */
  readonly reactionConcurrency?: number;
  readonly clock?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface LogFeed {
  addProjection(
    projection: Projection,
    options?: {
      /** The projection's versioned collection by default. */
      readonly collection?: string;
      /** Called each time it reaches the head of the log. */
      readonly onCaughtUp?: () => void;
    },
  ): FeedMember<ProjectionStatus>;
  /** The reactor's checkpoint is `reactor:<name>`. */
  addReactor(reactor: Reactor): FeedMember;
  start(): void;
  /** Lets the batch in hand finish, then stops every member. */
  stop(): Promise<void>;
  /** New events were written (up to `position`, when known): look for them now. */
  wake(position?: bigint): void;
  /**
   * Milliseconds since this instance first knew of the oldest event that some member which has
   * caught up (and is not failed, paused or retrying) has not applied yet; 0 when none is behind.
   */
  stalenessMs(): number;
  /**
   * Resolves once `stalenessMs()` is at most `maxStalenessMs`, or after `maxWaitMs` whatever it
   * is: how long it waited and whether it gave up.
   */
  admit(maxStalenessMs: number, maxWaitMs: number): Promise<Admission>;
  /**
   * For a feed that has not been started: runs until every member has reached the head of the
   * log or failed for good, then throws if one has failed.
   */
  catchUp(): Promise<void>;
  /** What metrics read, from memory only: a scrape must cost no store call. */
  observed(): FeedObservation;
}

export interface FeedObservation {
  /** The highest head of the log this instance has seen (its appends, its reads of the head). */
  readonly head: bigint;
  /** Milliseconds since this instance first knew of an event after `position` (see `stalenessAt`). */
  stalenessMs(position: bigint): number;
  /** Batches that failed, since the feed was made, of the member of that kind and name. */
  failures(kind: Member['kind'], name: string): number;
}

export function createLogFeed(options: LogFeedOptions): LogFeed {
  const { eventStore, readModels } = options;
  const logger = options.logger.child({ component: 'log-feed' });
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryBaseMs = options.retryBaseMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 10_000;
  const reactionConcurrency = options.reactionConcurrency ?? 16;
  const clock = options.clock ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));

  const failureCounts = new Map<string, number>();
  const failureKey = (kind: Member['kind'], name: string) => `${kind}:${name}`;
  const { failed, succeeded, settleFailure } = memberOutcomes({
    logger,
    maxAttempts,
    retryBaseMs,
    retryMaxMs,
    clock,
    onFailure: (member) => {
      const key = failureKey(member.kind, member.name);
      failureCounts.set(key, (failureCounts.get(key) ?? 0) + 1);
    },
  });
  let seenHead = 0n;
  const { project, react } = batchDelivery({
    readModels,
    outcomes: { failed, succeeded, settleFailure },
    reactionConcurrency,
    stopping: () => stopping,
  });
  const members = new Set<Member>();
  let running: Promise<void> | undefined;
  let cycling: Promise<boolean> | undefined;
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let endOutageSleep: (() => void) | undefined;
  let wokenMeanwhile = false;
  let checkpointsReady = false;
  const admission = createWriteAdmission({
    members: () => members,
    now: () => clock().getTime(),
    stopping: () => stopping,
  });
  const progressed = () => admission.progressed();

  function join<M extends Member>(member: M): M {
    members.add(member);
    wake();
    return member;
  }

  async function leave(member: Member): Promise<void> {
    member.removed = true;
    members.delete(member);
    progressed();
    await cycling;
    if (member.kind === 'reactor') await member.busy;
    if (member.state !== 'failed') member.state = 'stopped';
  }

  /** Loads the checkpoints (and creates the collections) of members that have just joined. */
  async function prepare(joined: readonly Member[]): Promise<void> {
    if (!checkpointsReady) {
      await readModels.ensureCollection(CHECKPOINTS_COLLECTION);
      checkpointsReady = true;
    }
    const fresh = joined.filter((member) => member.position === undefined);
    if (fresh.length === 0) return;
    for (const member of fresh) {
      if (member.kind === 'projection') {
        await readModels.ensureCollection(member.collection, member.projection.indexes ?? []);
      }
    }
    const saved = await readModels.load(
      CHECKPOINTS_COLLECTION,
      fresh.map((member) => member.checkpointId),
    );
    for (const member of fresh) member.position = saved.get(member.checkpointId)?.position ?? 0n;
  }

  function startReaction(
    member: ReactorMember,
    events: readonly RecordedEvent[],
    end: bigint,
    atHead: boolean,
  ): void {
    const after = member.position!;
    const relevant = events.filter((event) => event.position > after && member.handles(event.type));
    if (member.state !== 'live') member.state = 'catching_up';
    member.busy = react(member, relevant, end, atHead).finally(() => {
      member.busy = undefined;
      progressed();
      wake();
    });
  }

  /**
   * One pass over every member that is behind: true when some are still behind after it (a
   * long catch-up). Not for a reaction in hand (its end wakes the feed) nor a member backing
   * off (the next poll looks again): spinning on those would only burn the CPU they need.
   */
  async function cycle(): Promise<boolean> {
    const now = clock().getTime();
    const ready = [...members].filter(
      (member) =>
        member.state !== 'failed' &&
        member.retryAt <= now &&
        !(member.kind === 'reactor' && member.busy !== undefined),
    );
    let behind = false;
    if (ready.length === 0) return behind;
    await prepare(ready);
    // Taken before the reads: a short read has then seen every matching event up to here, so
    // a checkpoint may move past events its member does not handle.
    const head = await eventStore.headPosition();
    admission.saw(head);
    if (head > seenHead) seenHead = head;
    let pending = ready
      .filter((member) => member.position! < head)
      .sort((a, b) => (a.position! < b.position! ? -1 : a.position! > b.position! ? 1 : 0));
    for (const member of ready) {
      if (member.position! >= head && member.state !== 'live') {
        if (member.state === 'paused') member.lastError = undefined;
        member.state = 'live';
        member.caughtUp = true;
        if (member.kind === 'projection') member.onCaughtUp?.();
      }
    }
    while (pending.length > 0 && !stopping) {
      const after = pending[0]!.position!;
      const events = await eventStore.readAll({
        after,
        maxCount: batchSize,
        filter: unionFilter(pending),
      });
      const atHead = events.length < batchSize;
      const last = events.at(-1)?.position ?? after;
      const end = atHead && head > last ? head : last;
      const reached = pending.filter((member) => member.position! < end && !member.removed);
      pending = pending.filter((member) => member.position! >= end);
      for (const member of reached) if (member.state !== 'live') member.state = 'catching_up';
      await project(
        reached.filter((member): member is ProjectionMember => member.kind === 'projection'),
        events,
        end,
        atHead,
      );
      progressed();
      for (const member of reached) {
        if (member.kind === 'reactor' && !member.removed)
          startReaction(member, events, end, atHead);
      }
      if (!atHead) behind = true;
    }
    return behind;
  }

  function runCycle(): Promise<boolean> {
    const current = cycle().finally(() => {
      if (cycling === current) cycling = undefined;
    });
    cycling = current;
    return current;
  }

  function pause(error: unknown): void {
    for (const member of members) {
      if (member.state === 'failed') continue;
      member.state = 'paused';
      member.lastError = errorOf(error, clock());
    }
    progressed();
  }

  async function loop(): Promise<void> {
    let outageSince: number | undefined;
    for (let delay = retryBaseMs; !stopping;) {
      let behind: boolean;
      try {
        behind = await runCycle();
        if (outageSince !== undefined) {
          logger.info(
            { downForMs: Date.now() - outageSince },
            'log feed resumed: stores reachable',
          );
          outageSince = undefined;
        }
        delay = retryBaseMs;
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) {
          logger.error({ err: error }, 'log feed cycle failed');
        } else if (outageSince === undefined) {
          outageSince = Date.now();
          logger.warn({ err: error }, 'log feed paused: store unavailable');
        }
        pause(error);
        await outageSleep(delay);
        delay = Math.min(retryMaxMs, delay * 2);
        continue;
      }
      if (behind) await yieldToEventLoop();
      else await idle(pollIntervalMs);
    }
  }

  function idle(ms: number): Promise<void> {
    // Woken while a cycle ran: its reads may have missed what the wake was for.
    if (wokenMeanwhile) {
      wokenMeanwhile = false;
      return yieldToEventLoop();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wakeUp = undefined;
    });
  }

  /**
   * The back-off between attempts while a store is down. A write acknowledged meanwhile proves
   * the stores are back: it ends the wait, so what it wrote is read at once rather than after
   * the rest of a back-off that may have grown to `retryMaxMs`.
   */
  function outageSleep(ms: number): Promise<void> {
    const ended = new Promise<void>((resolve) => {
      endOutageSleep = resolve;
    });
    // Through the injected sleep, as every wait of the feed's.
    return Promise.race([sleep(ms), ended]).finally(() => {
      endOutageSleep = undefined;
    });
  }

  function wake(position?: bigint): void {
    if (position !== undefined) {
      admission.saw(position);
      if (position > seenHead) seenHead = position;
      endOutageSleep?.();
    }
    if (wakeUp) wakeUp();
    else wokenMeanwhile = true;
  }

  return {
    addProjection(projection, given = {}) {
      const collection = given.collection ?? collectionFor(projection);
      const member = join<ProjectionMember>({
        ...memberBase(projection.name, collection, projection.eventTypes, clock()),
        kind: 'projection',
        projection,
        collection,
        onCaughtUp: given.onCaughtUp,
      });
      return {
        status: () => ({
          ...statusOf(member),
          version: projection.version,
          collection,
        }),
        remove: () => leave(member),
      };
    },

    addReactor(reactor) {
      const member = join<ReactorMember>({
        ...memberBase(reactor.name, `reactor:${reactor.name}`, reactor.eventTypes, clock()),
        kind: 'reactor',
        reactor,
        busy: undefined,
      });
      return { status: () => statusOf(member), remove: () => leave(member) };
    },

    start() {
      if (running) return;
      stopping = false;
      running = loop().finally(() => {
        running = undefined;
      });
    },

    async stop() {
      stopping = true;
      progressed();
      wake();
      await running;
      await cycling;
      for (const member of members) {
        if (member.kind === 'reactor') await member.busy;
        if (member.state !== 'failed') member.state = 'stopped';
      }
    },

    wake,
    stalenessMs: admission.stalenessMs,
    admit: admission.admit,

    observed() {
      return {
        head: seenHead,
        stalenessMs: admission.stalenessAt,
        failures: (kind, name) => failureCounts.get(failureKey(kind, name)) ?? 0,
      };
    },

    async catchUp() {
      if (running) throw new Error('catchUp() is for a feed that has not been started');
      stopping = false;
      let outageDelay = retryBaseMs;
      for (;;) {
        let behind: boolean;
        try {
          behind = await runCycle();
          outageDelay = retryBaseMs;
        } catch (error) {
          if (!(error instanceof StoreUnavailableError)) throw error;
          pause(error);
          await sleep(outageDelay);
          outageDelay = Math.min(retryMaxMs, outageDelay * 2);
          continue;
        }
        if (behind) {
          await yieldToEventLoop();
          continue;
        }
        const busy = [...members].flatMap((member) =>
          member.kind === 'reactor' && member.busy ? [member.busy] : [],
        );
        const waiting = [...members].filter(
          (member) => member.state !== 'failed' && member.retryAt > clock().getTime(),
        );
        if (busy.length > 0) {
          await Promise.all(busy);
        } else if (waiting.length > 0) {
          // Through the injected sleep, so a test's retries need not wait in real time.
          await sleep(Math.max(...waiting.map((member) => member.retryDelayMs)));
          for (const member of waiting) member.retryAt = 0;
        } else {
          const broken = [...members].find((member) => member.state === 'failed');
          if (broken) throw new Error(broken.lastError?.message ?? `${broken.name} failed`);
          return;
        }
      }
    },
  };
}
