/**
 * The members of the log feed, projection generations and reactors, as plain records: what each
 * is, where it is, how it is doing. The feed (`log-feed.ts`) moves them; these helpers need
 * nothing of its loop.
 */
import type { Logger } from 'pino';
import { liftableRefusalOf } from '../../domain/shared/errors.js';
import { StoreUnavailableError, type LogFilter } from '../../stores/event-store.js';
import { handlesEventType, type Projection } from '../projection.js';
import type { Reactor } from '../reactor.js';
import { EventHandlingError, messageOf } from './projection-batch.js';

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

export interface MemberBase {
  readonly name: string;
  readonly checkpointId: string;
  readonly handles: (type: string) => boolean;
  readonly filter: readonly string[] | 'all';
  position: bigint | undefined;
  state: ProjectionState;
  /** It has reached the head since it joined: from then on, writes wait when it falls behind. */
  caughtUp: boolean;
  lastError: ProjectionError | undefined;
  eventsProcessed: number;
  readonly startedAt: string;
  failures: number;
  /** Not served before this time: backing off after a failure. */
  retryAt: number;
  retryDelayMs: number;
  removed: boolean;
}

export interface ProjectionMember extends MemberBase {
  readonly kind: 'projection';
  readonly projection: Projection;
  readonly collection: string;
  readonly onCaughtUp: (() => void) | undefined;
}

export interface ReactorMember extends MemberBase {
  readonly kind: 'reactor';
  readonly reactor: Reactor;
  /** The reaction in hand, while there is one. */
  busy: Promise<void> | undefined;
}

export type Member = ProjectionMember | ReactorMember;

/** What every member starts as: not yet at a position (its checkpoint is loaded on its first cycle). */
export function memberBase(
  name: string,
  checkpointId: string,
  types: Reactor['eventTypes'] | 'all',
  now: Date,
): MemberBase {
  return {
    name,
    checkpointId,
    handles: handlesEventType({ eventTypes: types }),
    filter: types,
    position: undefined,
    state: 'starting',
    caughtUp: false,
    lastError: undefined,
    eventsProcessed: 0,
    startedAt: now.toISOString(),
    failures: 0,
    retryAt: 0,
    retryDelayMs: 0,
    removed: false,
  };
}

export function statusOf(member: Member): MemberStatus {
  return {
    name: member.name,
    position: member.position ?? 0n,
    state: member.state,
    lastError: member.lastError,
    eventsProcessed: member.eventsProcessed,
    startedAt: member.startedAt,
  };
}

/** The log filter that reads what any of `group` handles. */
export function unionFilter(group: readonly Member[]): LogFilter {
  const types = new Set<string>();
  for (const member of group) {
    if (member.filter === 'all') return {};
    for (const type of member.filter) types.add(type);
  }
  return { eventTypes: [...types] };
}

export function errorOf(error: unknown, now: Date): ProjectionError {
  const event = error instanceof EventHandlingError ? error.event : undefined;
  return {
    message: messageOf(error),
    ...(event
      ? { eventId: event.id, eventType: event.type, position: event.position.toString() }
      : {}),
    at: now.toISOString(),
  };
}

/** What a member's checkpoint document says besides its position. */
export function checkpointBody(member: Member, position: bigint) {
  return member.kind === 'projection'
    ? {
        projection: member.projection.name,
        version: member.projection.version,
        position: `${position}`,
      }
    : { reactor: member.reactor.name, position: `${position}` };
}

/**
 * What a member's batch coming out well or badly does to it: a failure backs off (doubling the
 * delay) and stops it for good after `maxAttempts`; an outage only pauses it; a success moves
 * its position and clears its failures.
 */
export function memberOutcomes(deps: {
  readonly logger: Logger;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly clock: () => Date;
  /** Told of every failed batch (metrics count them; `failures` resets on a success). */
  readonly onFailure?: (member: Member) => void;
}) {
  const { logger, maxAttempts, retryBaseMs, retryMaxMs, clock } = deps;

  function failed(member: Member, error: unknown): void {
    member.lastError = errorOf(error, clock());
    member.failures += 1;
    deps.onFailure?.(member);
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

  return {
    failed,
    succeeded(member: Member, position: bigint, handled: number, atHead: boolean): void {
      member.position = position;
      member.eventsProcessed += handled;
      member.failures = 0;
      member.lastError = undefined;
      member.state = atHead ? 'live' : 'catching_up';
      if (atHead) member.caughtUp = true;
      if (atHead && member.kind === 'projection') member.onCaughtUp?.();
    },
    /**
     * A reaction that failed: an outage pauses the reactor, and so does a refusal another
     * command can lift (a posting into a closed period waits for its reopening, retried with
     * backoff up to `retryMaxMs`, visible in its status and logs); anything else counts as a
     * failure.
     */
    settleFailure(member: Member, error: unknown): void {
      const liftable = liftableRefusalOf(error);
      if (liftable !== undefined) {
        member.lastError = errorOf(error, clock());
        member.failures += 1;
        member.state = 'paused';
        member.retryDelayMs = Math.min(
          retryMaxMs,
          retryBaseMs * 2 ** Math.min(member.failures - 1, 20),
        );
        member.retryAt = clock().getTime() + member.retryDelayMs;
        logger.warn(
          { [member.kind]: member.name, ...member.lastError, retryInMs: member.retryDelayMs },
          `${member.kind} waits: refused until ${liftable.until}`,
        );
        return;
      }
      if (!(error instanceof StoreUnavailableError)) {
        failed(member, error);
        return;
      }
      member.lastError = errorOf(error, clock());
      member.state = 'paused';
      member.retryDelayMs = retryBaseMs;
      member.retryAt = clock().getTime() + retryBaseMs;
    },
  };
}
