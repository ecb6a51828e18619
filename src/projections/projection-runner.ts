/**
 * Runs one projection: reads the global log from its checkpoint in batches, loads the documents
 * each batch touches, applies `evolve`, writes them in one guarded bulk call, then saves the
 * checkpoint.
 *
 * Why it converges when killed at any point: every stored document carries the position of the
 * last event applied to it. On restart the engine re-reads from the older checkpoint, but
 * applies an event to a document only if the event is after the document's position, and the
 * store refuses writes that are not after it. An event is therefore applied to each document
 * exactly once, whatever the batch boundaries were before the crash.
 */
import type { Logger } from 'pino';
import { yieldToEventLoop } from '../wait-until.js';
import {
  StoreUnavailableError,
  type EventStore,
  type RecordedEvent,
} from '../stores/event-store.js';
import type { DocumentWrite, JsonObject, ReadModelStore } from '../stores/read-model-store.js';
import { collectionFor, handlesEventType, logFilterFor, type Projection } from './projection.js';

export const CHECKPOINTS_COLLECTION = 'projection_checkpoints';

export type ProjectionState = 'starting' | 'catching_up' | 'live' | 'paused' | 'failed' | 'stopped';

export interface ProjectionError {
  readonly message: string;
  /** The event that failed, when the failure was in `evolve`. */
  readonly eventId?: string;
  readonly eventType?: string;
  readonly position?: string;
  readonly at: string;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  readonly collection: string;
  /** Every event up to here is in the documents. */
  readonly position: bigint;
  readonly state: ProjectionState;
  readonly lastError: ProjectionError | undefined;
  /** Events this runner has applied since it was created: with `startedAt`, its throughput. */
  readonly eventsProcessed: number;
  readonly startedAt: string;
}

export interface ProjectionRunnerOptions {
  readonly projection: Projection;
  readonly eventStore: EventStore;
  readonly readModels: ReadModelStore;
  readonly logger: Logger;
  /** Where the documents go; the projection's versioned collection by default. */
  readonly collection?: string;
  readonly batchSize?: number;
  /** How often a caught-up projection looks for new events (`wake()` looks at once). */
  readonly pollIntervalMs?: number;
  /** Attempts at a batch whose `evolve` (or an unexpected store error) fails, before stopping. */
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly clock?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called each time the runner reaches the head of the log. */
  readonly onCaughtUp?: () => void;
}

export interface ProjectionRunner {
  start(): void;
  /** Lets the current batch finish, then stops. */
  stop(): Promise<void>;
  /** Looks for new events now instead of at the next poll. */
  wake(): void;
  status(): ProjectionStatus;
  /** Processes batches until the projection has reached the head of the log, then returns. */
  catchUp(): Promise<void>;
}

/** `evolve` threw on this event. */
export class ProjectionEventError extends Error {
  override readonly name = 'ProjectionEventError';
  constructor(
    readonly event: RecordedEvent,
    options: { cause: unknown },
  ) {
    super(
      `evolve failed on ${event.type} ${event.id} at position ${event.position}: ${messageOf(options.cause)}`,
      options,
    );
  }
}

export function createProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  const { projection, eventStore, readModels } = options;
  const collection = options.collection ?? collectionFor(projection);
  const logger = options.logger.child({ projection: projection.name, collection });
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const maxAttempts = options.maxAttempts ?? 5;
  const retryBaseMs = options.retryBaseMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 10_000;
  const clock = options.clock ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const handles = handlesEventType(projection);

  let position: bigint | undefined;
  let state: ProjectionState = 'starting';
  let lastError: ProjectionError | undefined;
  let running: Promise<void> | undefined;
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let prepared = false;
  let eventsProcessed = 0;
  const startedAt = clock().toISOString();

  async function prepare(): Promise<void> {
    if (prepared) return;
    await readModels.ensureCollection(collection, projection.indexes ?? []);
    await readModels.ensureCollection(CHECKPOINTS_COLLECTION);
    const saved = (await readModels.load(CHECKPOINTS_COLLECTION, [collection])).get(collection);
    position = saved?.position ?? 0n;
    prepared = true;
  }

  /** One batch. True when the log's head was reached. */
  async function step(): Promise<boolean> {
    await prepare();
    const after = position!;
    // Taken before the read: a short read has then seen every matching event up to here, so
    // the checkpoint may move past events this projection does not handle.
    const head = await eventStore.headPosition();
    const events = await eventStore.readAll({
      after,
      maxCount: batchSize,
      filter: logFilterFor(projection),
    });
    const relevant = events.filter((event) => handles(event.type));
    if (relevant.length > 0) await apply(relevant);
    eventsProcessed += relevant.length;
    const reachedHead = events.length < batchSize;
    const last = events.at(-1)?.position ?? after;
    const next = reachedHead && head > last ? head : last;
    if (next > after) {
      await readModels.writeBatch(CHECKPOINTS_COLLECTION, [
        {
          id: collection,
          position: next,
          body: { projection: projection.name, version: projection.version, position: `${next}` },
        },
      ]);
      position = next;
    }
    return reachedHead;
  }

  async function apply(events: readonly RecordedEvent[]): Promise<void> {
    const touchedBy = events.map((event) => ({
      event,
      ids: [...new Set(projection.documentIds(event))],
    }));
    const ids = [...new Set(touchedBy.flatMap(({ ids: eventIds }) => eventIds))];
    const stored = await readModels.load(collection, ids);
    const current = new Map<string, { position: bigint; body: JsonObject | null }>();
    for (const [id, document] of stored) current.set(id, document);
    const changed = new Set<string>();
    for (const { event, ids: eventIds } of touchedBy) {
      for (const id of eventIds) {
        const document = current.get(id);
        // Already in the stored document: a batch replayed after a crash.
        if (document && event.position <= document.position) continue;
        let body: JsonObject | null;
        try {
          body = projection.evolve(document?.body ?? null, event, id);
        } catch (error) {
          throw new ProjectionEventError(event, { cause: error });
        }
        current.set(id, { position: event.position, body });
        changed.add(id);
      }
    }
    const writes: DocumentWrite[] = [...changed].map((id) => {
      const document = current.get(id)!;
      return { id, position: document.position, body: document.body };
    });
    if (writes.length > 0) await readModels.writeBatch(collection, writes);
  }

  function recordError(error: unknown): ProjectionError {
    const event = error instanceof ProjectionEventError ? error.event : undefined;
    return {
      message: messageOf(error),
      ...(event
        ? { eventId: event.id, eventType: event.type, position: event.position.toString() }
        : {}),
      at: clock().toISOString(),
    };
  }

  /** Steps until the head, riding out outages and retrying failures; false if it failed for good. */
  async function runToHead(): Promise<boolean> {
    let failures = 0;
    let outageSince: number | undefined;
    for (let delay = retryBaseMs; !stopping;) {
      try {
        if (state !== 'paused' && state !== 'live') state = 'catching_up';
        const reachedHead = await step();
        if (outageSince !== undefined) {
          logger.info(
            { downForMs: Date.now() - outageSince },
            'projection resumed: stores reachable again',
          );
          outageSince = undefined;
        }
        failures = 0;
        delay = retryBaseMs;
        lastError = undefined;
        if (reachedHead) {
          state = 'live';
          options.onCaughtUp?.();
          return true;
        }
        state = 'catching_up';
        await yieldToEventLoop();
      } catch (error) {
        lastError = recordError(error);
        if (error instanceof StoreUnavailableError) {
          // An outage pauses the projection for as long as it lasts; nothing is skipped.
          if (outageSince === undefined) {
            outageSince = Date.now();
            logger.warn(
              { err: error, position: `${position ?? ''}` },
              'projection paused: store unavailable',
            );
          }
          state = 'paused';
        } else {
          failures += 1;
          logger.error(
            { err: error, attempt: failures, maxAttempts, ...lastError },
            'projection batch failed',
          );
          if (failures >= maxAttempts) {
            state = 'failed';
            logger.error(
              { ...lastError, checkpoint: `${position ?? ''}` },
              'projection stopped: the same batch kept failing; fix the projection and restart',
            );
            return false;
          }
        }
        await sleep(delay);
        delay = Math.min(retryMaxMs, delay * 2);
      }
    }
    return false;
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      const ok = await runToHead();
      if (!ok) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollIntervalMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
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
    },
    wake() {
      wakeUp?.();
    },
    status() {
      return {
        name: projection.name,
        version: projection.version,
        collection,
        position: position ?? 0n,
        state,
        lastError,
        eventsProcessed,
        startedAt,
      };
    },
    async catchUp() {
      if (running) throw new Error('catchUp() is for a runner that has not been started');
      const ok = await runToHead();
      if (!ok) throw new Error(lastError?.message ?? 'projection stopped');
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
