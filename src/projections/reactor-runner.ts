/**
 * Runs one reactor: reads the log after its checkpoint, hands each event of its types to
 * `react` in order, and moves the checkpoint past it. Only the holder of the reactor's lease runs
 * it, so with several instances each event is reacted to by one of them (and again only after a
 * crash between the reaction and its checkpoint, which the reactor's idempotence absorbs).
 *
 * An event whose reaction keeps failing stops the reactor, visibly (status and logs carry the
 * event and the error); it is never skipped. A store outage pauses it until the store is back.
 */
import type { Logger } from 'pino';
import { yieldToEventLoop } from '../wait-until.js';
import {
  StoreUnavailableError,
  type EventStore,
  type RecordedEvent,
} from '../stores/event-store.js';
import type { LeaseStore } from '../stores/lease-store.js';
import type { ReadModelStore } from '../stores/read-model-store.js';
import { CHECKPOINTS_COLLECTION, type ProjectionError } from './projection-runner.js';
import type { Reactor } from './reactor.js';

export type ReactorState = 'standby' | 'catching_up' | 'live' | 'paused' | 'failed' | 'stopped';

export interface ReactorStatus {
  readonly name: string;
  readonly position: bigint;
  readonly state: ReactorState;
  readonly lastError: ProjectionError | undefined;
  readonly eventsProcessed: number;
}

export interface ReactorRunner {
  start(): void;
  stop(): Promise<void>;
  wake(): void;
  status(): ReactorStatus;
  /** Every event up to `position` has been reacted to (here or on the instance running it). */
  reached(position: bigint): Promise<boolean>;
}

export interface ReactorRunnerOptions {
  readonly reactor: Reactor;
  readonly eventStore: EventStore;
  /** Holds its checkpoint. */
  readonly readModels: ReadModelStore;
  /** Decides which instance runs the reactor (`reactor:<name>`). */
  readonly leases: LeaseStore;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  readonly leaseTtlMs?: number;
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly clock?: () => Date;
}

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

export function createReactorRunner(options: ReactorRunnerOptions): ReactorRunner {
  const { reactor, eventStore, readModels, leases, instanceId } = options;
  const logger = options.logger.child({ reactor: reactor.name });
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const leaseTtlMs = options.leaseTtlMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryBaseMs = options.retryBaseMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 10_000;
  const clock = options.clock ?? (() => new Date());
  const checkpointId = `reactor:${reactor.name}`;
  const leaseName = `reactor:${reactor.name}`;
  const types = new Set(reactor.eventTypes);

  let position: bigint | undefined;
  let state: ReactorState = 'standby';
  let lastError: ProjectionError | undefined;
  let eventsProcessed = 0;
  let running: Promise<void> | undefined;
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let leaseRenewedAt: number | undefined;

  async function holdLease(): Promise<boolean> {
    const now = clock().getTime();
    if (leaseRenewedAt !== undefined && now - leaseRenewedAt < leaseTtlMs / 3) return true;
    const held = await leases.acquire({
      name: leaseName,
      holder: instanceId,
      ttlMs: leaseTtlMs,
      now: new Date(now),
    });
    if (held && leaseRenewedAt === undefined) logger.info({ instanceId }, 'running reactor here');
    leaseRenewedAt = held ? now : undefined;
    if (!held) position = undefined; // another instance moves it: read it again when back
    return held;
  }

  async function saveCheckpoint(next: bigint): Promise<void> {
    await readModels.writeBatch(CHECKPOINTS_COLLECTION, [
      { id: checkpointId, position: next, body: { reactor: reactor.name, position: `${next}` } },
    ]);
    position = next;
  }

  /** One batch; true when the head was reached. */
  async function step(): Promise<boolean> {
    if (position === undefined) {
      await readModels.ensureCollection(CHECKPOINTS_COLLECTION);
      position =
        (await readModels.load(CHECKPOINTS_COLLECTION, [checkpointId])).get(checkpointId)
          ?.position ?? 0n;
    }
    const after = position;
    const head = await eventStore.headPosition();
    const events = await eventStore.readAll({
      after,
      maxCount: batchSize,
      filter: { eventTypes: reactor.eventTypes },
    });
    for (const event of events) {
      if (stopping) return false;
      if (!types.has(event.type)) continue;
      try {
        await reactor.react(event);
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        throw new ReactionError(event, { cause: error });
      }
      eventsProcessed += 1;
      await saveCheckpoint(event.position);
    }
    const reachedHead = events.length < batchSize;
    const last = events.at(-1)?.position ?? after;
    const next = reachedHead && head > last ? head : last;
    if (next > (position ?? 0n)) await saveCheckpoint(next);
    return reachedHead;
  }

  function idle(ms: number): Promise<void> {
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

  async function loop(): Promise<void> {
    let failures = 0;
    let delay = retryBaseMs;
    while (!stopping) {
      try {
        if (!(await holdLease())) {
          state = 'standby';
          await idle(Math.max(pollIntervalMs, leaseTtlMs / 3));
          continue;
        }
        if (state !== 'live') state = 'catching_up';
        const reachedHead = await step();
        if (lastError) logger.info('reactor resumed');
        failures = 0;
        delay = retryBaseMs;
        lastError = undefined;
        if (reachedHead) {
          state = 'live';
          await idle(pollIntervalMs);
        } else {
          await yieldToEventLoop();
        }
      } catch (error) {
        const event = error instanceof ReactionError ? error.event : undefined;
        lastError = {
          message: messageOf(error),
          ...(event
            ? { eventId: event.id, eventType: event.type, position: `${event.position}` }
            : {}),
          at: clock().toISOString(),
        };
        if (error instanceof StoreUnavailableError) {
          if (state !== 'paused') logger.warn({ err: error }, 'reactor paused: store unavailable');
          state = 'paused';
        } else {
          failures += 1;
          logger.error(
            { err: error, attempt: failures, maxAttempts, ...lastError },
            'reaction failed',
          );
          if (failures >= maxAttempts) {
            state = 'failed';
            logger.error(
              { ...lastError, checkpoint: `${position ?? ''}` },
              'reactor stopped: the same event kept failing; fix the cause and restart',
            );
            return;
          }
        }
        await idle(delay);
        delay = Math.min(retryMaxMs, delay * 2);
      }
    }
  }

  return {
    start() {
      if (running) return;
      stopping = false;
      running = loop().finally(() => {
        running = undefined;
        if (state !== 'failed') state = 'stopped';
      });
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await running;
      if (leaseRenewedAt !== undefined) {
        leaseRenewedAt = undefined;
        await leases.release(leaseName, instanceId).catch(() => undefined);
      }
    },
    wake() {
      // Not while backing off after a failure: new writes must not hurry the retries.
      if (!lastError) wakeUp?.();
    },
    status() {
      return { name: reactor.name, position: position ?? 0n, state, lastError, eventsProcessed };
    },
    async reached(target) {
      if (leaseRenewedAt !== undefined && position !== undefined && position >= target) return true;
      const stored = (await readModels.load(CHECKPOINTS_COLLECTION, [checkpointId])).get(
        checkpointId,
      );
      return (stored?.position ?? 0n) >= target;
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
