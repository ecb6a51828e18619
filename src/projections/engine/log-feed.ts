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
 * A member whose `evolve` or reaction keeps failing stops, visibly (status carries the event and
 * the error), and is never skipped past; the others go on. A store outage pauses every member
 * until the store is back.
 */
import type { Logger } from 'pino';
import { yieldToEventLoop } from '../../wait-until.js';
import {
  StoreUnavailableError,
  type EventStore,
  type LogFilter,
  type RecordedEvent,
} from '../../stores/event-store.js';
import type { CollectionWrites, ReadModelStore } from '../../stores/read-model-store.js';
import { collectionFor, handlesEventType, type Projection } from '../projection.js';
import type { Reactor } from '../reactor.js';
import {
  documentIdsOf,
  messageOf,
  ProjectionEventError,
  projectEvents,
} from './projection-batch.js';

export const CHECKPOINTS_COLLECTION = 'projection_checkpoints';

export type ProjectionState = 'starting' | 'catching_up' | 'live' | 'paused' | 'failed' | 'stopped';

export interface ProjectionError {
  readonly message: string;
  /** The event that failed, when the failure was in `evolve` or a reaction. */
  readonly eventId?: string;
  readonly eventType?: string;
  readonly position?: string;
  readonly at: string;
}

export interface MemberStatus {
  readonly name: string;
  /** Every event up to here has been applied (a projection) or reacted to (a reactor). */
  readonly position: bigint;
  readonly state: ProjectionState;
  readonly lastError: ProjectionError | undefined;
  /** Events handled since the member joined: with `startedAt`, its throughput. */
  readonly eventsProcessed: number;
  readonly startedAt: string;
}

export interface ProjectionStatus extends MemberStatus {
  readonly version: number;
  readonly collection: string;
}

export interface FeedMember<Status extends MemberStatus = MemberStatus> {
  status(): Status;
  /** Leaves the feed once the batch in hand is committed (or the reaction in hand is done). */
  remove(): Promise<void>;
}

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
  /** New events were written: look for them now. */
  wake(): void;
  /**
   * For a feed that has not been started: runs until every member has reached the head of the
   * log or failed for good, then throws if one has failed.
   */
  catchUp(): Promise<void>;
}

interface MemberBase {
  readonly name: string;
  readonly checkpointId: string;
  readonly handles: (type: string) => boolean;
  readonly filter: readonly string[] | 'all';
  position: bigint | undefined;
  state: ProjectionState;
  lastError: ProjectionError | undefined;
  eventsProcessed: number;
  readonly startedAt: string;
  failures: number;
  /** Not served before this time: backing off after a failure. */
  retryAt: number;
  retryDelayMs: number;
  removed: boolean;
}

interface ProjectionMember extends MemberBase {
  readonly kind: 'projection';
  readonly projection: Projection;
  readonly collection: string;
  readonly onCaughtUp: (() => void) | undefined;
}

interface ReactorMember extends MemberBase {
  readonly kind: 'reactor';
  readonly reactor: Reactor;
  /** The reaction in hand, while there is one. */
  busy: Promise<void> | undefined;
}

type Member = ProjectionMember | ReactorMember;

/** `react` threw on this event. */
class ReactionError extends Error {
  override readonly name = 'ReactionError';
  constructor(
    readonly event: RecordedEvent,
    options: { cause: unknown },
  ) {
    super(
      `reaction failed on ${event.type} ${event.id} at position ${event.position}: ${messageOf(options.cause)}`,
      options,
    );
  }
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

  const members = new Set<Member>();
  let running: Promise<void> | undefined;
  let cycling: Promise<boolean> | undefined;
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let wokenMeanwhile = false;
  let checkpointsReady = false;

  function base(name: string, checkpointId: string, types: Reactor['eventTypes'] | 'all') {
    return {
      name,
      checkpointId,
      handles: handlesEventType({ eventTypes: types }),
      filter: types,
      position: undefined,
      state: 'starting' as ProjectionState,
      lastError: undefined,
      eventsProcessed: 0,
      startedAt: clock().toISOString(),
      failures: 0,
      retryAt: 0,
      retryDelayMs: 0,
      removed: false,
    };
  }

  function statusOf(member: Member): MemberStatus {
    return {
      name: member.name,
      position: member.position ?? 0n,
      state: member.state,
      lastError: member.lastError,
      eventsProcessed: member.eventsProcessed,
      startedAt: member.startedAt,
    };
  }

  function join<M extends Member>(member: M): M {
    members.add(member);
    wake();
    return member;
  }

  async function leave(member: Member): Promise<void> {
    member.removed = true;
    members.delete(member);
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

  function unionFilter(group: readonly Member[]): LogFilter {
    const types = new Set<string>();
    for (const member of group) {
      if (member.filter === 'all') return {};
      for (const type of member.filter) types.add(type);
    }
    return { eventTypes: [...types] };
  }

  function errorOf(error: unknown): ProjectionError {
    const event =
      error instanceof ProjectionEventError || error instanceof ReactionError
        ? error.event
        : undefined;
    return {
      message: messageOf(error),
      ...(event
        ? { eventId: event.id, eventType: event.type, position: event.position.toString() }
        : {}),
      at: clock().toISOString(),
    };
  }

  /** The member failed at its batch: back off and retry, or stop for good. */
  function failed(member: Member, error: unknown): void {
    member.lastError = errorOf(error);
    member.failures += 1;
    const context = { [member.kind]: member.name, ...member.lastError };
    logger.error(
      { err: error, attempt: member.failures, maxAttempts, ...context },
      `${member.kind} batch failed`,
    );
    if (member.failures >= maxAttempts) {
      member.state = 'failed';
      logger.error(
        { ...context, checkpoint: `${member.position ?? ''}` },
        `${member.kind} stopped: the same batch kept failing; fix the cause and restart`,
      );
      return;
    }
    member.retryDelayMs = Math.min(retryMaxMs, retryBaseMs * 2 ** (member.failures - 1));
    member.retryAt = clock().getTime() + member.retryDelayMs;
  }

  function succeeded(member: Member, position: bigint, handled: number, atHead: boolean): void {
    member.position = position;
    member.eventsProcessed += handled;
    member.failures = 0;
    member.lastError = undefined;
    member.state = atHead ? 'live' : 'catching_up';
    if (atHead && member.kind === 'projection') member.onCaughtUp?.();
  }

  function checkpointBody(member: Member, position: bigint) {
    return member.kind === 'projection'
      ? {
          projection: member.projection.name,
          version: member.projection.version,
          position: `${position}`,
        }
      : { reactor: member.reactor.name, position: `${position}` };
  }

  /** The projections' part of a batch: every document and checkpoint in one call. */
  async function project(
    group: readonly ProjectionMember[],
    events: readonly RecordedEvent[],
    end: bigint,
    atHead: boolean,
  ): Promise<void> {
    const batches: CollectionWrites[] = [];
    const applied: { member: ProjectionMember; handled: number }[] = [];
    for (const member of group) {
      const after = member.position!;
      const relevant = events.filter(
        (event) => event.position > after && member.handles(event.type),
      );
      try {
        if (relevant.length > 0) {
          const ids = documentIdsOf(member.projection, relevant);
          const stored = await readModels.load(member.collection, ids);
          const writes = projectEvents(member.projection, relevant, stored);
          if (writes.length > 0) batches.push({ collection: member.collection, writes });
        }
        applied.push({ member, handled: relevant.length });
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        failed(member, error);
      }
    }
    if (applied.length === 0) return;
    const checkpoints = applied.map(({ member }) => ({
      id: member.checkpointId,
      position: end,
      body: checkpointBody(member, end),
    }));
    try {
      await readModels.writeBatches([
        ...batches,
        { collection: CHECKPOINTS_COLLECTION, writes: checkpoints },
      ]);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      for (const { member } of applied) failed(member, error);
      return;
    }
    for (const { member, handled } of applied) succeeded(member, end, handled, atHead);
  }

  async function saveReactorCheckpoint(member: ReactorMember, position: bigint): Promise<void> {
    await readModels.writeBatch(CHECKPOINTS_COLLECTION, [
      { id: member.checkpointId, position, body: checkpointBody(member, position) },
    ]);
    member.position = position;
  }

  /**
   * Runs the reactions of `events`: in log order within a stream, streams side by side (up to
   * `reactionConcurrency` at once), so the commands they append share group commits instead of
   * waiting for one fsync each. Resolves once all have settled; the first failure is kept and
   * the reactions after it in its stream are not started.
   */
  async function runReactions(
    member: ReactorMember,
    events: readonly RecordedEvent[],
  ): Promise<{ done: boolean[]; failure: unknown }> {
    const done = events.map(() => false);
    let failure: unknown;
    let running = 0;
    const queue: (() => void)[] = [];
    const slot = () =>
      running < reactionConcurrency
        ? ((running += 1), Promise.resolve())
        : new Promise<void>((resolve) => queue.push(() => ((running += 1), resolve())));
    const free = () => {
      running -= 1;
      queue.shift()?.();
    };
    const streams = new Map<string, Promise<void>>();
    const reactions = events.map((event, index) => {
      const previous = streams.get(event.streamId) ?? Promise.resolve();
      const reaction = previous.then(async () => {
        if (failure !== undefined || stopping || member.removed) return;
        await slot();
        try {
          if (failure !== undefined) return;
          await member.reactor.react(event);
          done[index] = true;
        } catch (error) {
          failure ??=
            error instanceof StoreUnavailableError
              ? error
              : new ReactionError(event, { cause: error });
        } finally {
          free();
        }
      });
      streams.set(event.streamId, reaction);
      return reaction;
    });
    await Promise.all(reactions);
    return { done, failure };
  }

  /**
   * The reactor's part of a batch. Its checkpoint moves once the part is done, or, when a
   * reaction failed or the feed stopped, to the last event before which all were done: the
   * rest come again, and reactions are idempotent.
   */
  async function react(
    member: ReactorMember,
    events: readonly RecordedEvent[],
    end: bigint,
    atHead: boolean,
  ): Promise<void> {
    const { done, failure } = await runReactions(member, events);
    const handled = done.filter(Boolean).length;
    const prefix = done.indexOf(false) === -1 ? done.length : done.indexOf(false);
    const complete = prefix === events.length && !stopping && !member.removed;
    const reached = complete ? end : prefix > 0 ? events[prefix - 1]!.position : member.position!;
    try {
      if (reached > member.position!) await saveReactorCheckpoint(member, reached);
    } catch (error) {
      member.eventsProcessed += handled;
      settleFailure(member, error);
      return;
    }
    if (failure !== undefined) {
      member.eventsProcessed += handled;
      settleFailure(member, failure);
    } else if (complete) {
      succeeded(member, end, handled, atHead);
    } else {
      member.eventsProcessed += handled;
    }
  }

  function settleFailure(member: ReactorMember, error: unknown): void {
    if (error instanceof StoreUnavailableError) {
      member.lastError = errorOf(error);
      member.state = 'paused';
      member.retryDelayMs = retryBaseMs;
      member.retryAt = clock().getTime() + retryBaseMs;
    } else {
      failed(member, error);
    }
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
    let pending = ready
      .filter((member) => member.position! < head)
      .sort((a, b) => (a.position! < b.position! ? -1 : a.position! > b.position! ? 1 : 0));
    for (const member of ready) {
      if (member.position! >= head && member.state !== 'live') {
        if (member.state === 'paused') member.lastError = undefined;
        member.state = 'live';
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
      member.lastError = errorOf(error);
    }
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
        await sleep(delay);
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

  function wake(): void {
    if (wakeUp) wakeUp();
    else wokenMeanwhile = true;
  }

  return {
    addProjection(projection, given = {}) {
      const collection = given.collection ?? collectionFor(projection);
      const member = join<ProjectionMember>({
        ...base(projection.name, collection, projection.eventTypes),
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
        ...base(reactor.name, `reactor:${reactor.name}`, reactor.eventTypes),
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
      wake();
      await running;
      await cycling;
      for (const member of members) {
        if (member.kind === 'reactor') await member.busy;
        if (member.state !== 'failed') member.state = 'stopped';
      }
    },

    wake,

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
