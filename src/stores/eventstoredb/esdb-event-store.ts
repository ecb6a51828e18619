import type { EventStoreDBClient } from '@eventstore/db-client';
import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
} from '@eventstore/db-client';
import {
  StoreUnavailableError,
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type LogFilter,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.js';
import {
  assertExpectation,
  isServiceEvent,
  matches,
  positionOf,
  serverFilter,
  toRecorded,
  translate,
} from './esdb-events.js';

/**
 * The event store port on EventStoreDB / KurrentDB through the official gRPC client.
 *
 * Positions are commit positions: EventStoreDB gives an event a prepare position that differs
 * only inside explicit transactions, which this service never uses. System events (types and
 * streams starting with `$`) are not the service's and are never returned.
 */
export interface EsdbEventStoreOptions {
  /** Events per page when scanning `$all` in the adapter. */
  readonly pageSize?: number;
  /**
   * A filtered `$all` read runs as a filtered catch-up subscription up to the log's head. A
   * server that sends neither caught-up markers nor filter checkpoints past the last match would
   * leave it waiting: after this long without progress the rest is scanned here instead.
   */
  readonly filteredReadIdleMs?: number;
  /** Backoff bounds when a live subscription's connection drops. */
  readonly resubscribeMinMs?: number;
  readonly resubscribeMaxMs?: number;
  /** Told about each dropped subscription, so the service can log it. */
  readonly onSubscriptionDropped?: (error: unknown, resumeAfter: bigint) => void;
}

export function createEsdbEventStore(
  client: EventStoreDBClient,
  options: EsdbEventStoreOptions = {},
): EventStore {
  const pageSize = options.pageSize ?? 500;
  const idleMs = options.filteredReadIdleMs ?? 2_000;
  const subscriptions = new Set<Subscription>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new StoreUnavailableError('The EventStoreDB event store is closed');
  }

  async function lastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    const [last] = await readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last;
  }

  async function readStream(
    streamId: string,
    readOptions: ReadStreamOptions = {},
  ): Promise<RecordedEvent[]> {
    assertOpen();
    const direction = readOptions.direction ?? 'forwards';
    if (readOptions.maxCount === 0) return [];
    const events: RecordedEvent[] = [];
    try {
      const read = client.readStream(streamId, {
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        fromRevision: readOptions.fromRevision ?? (direction === 'forwards' ? START : END),
        maxCount: readOptions.maxCount ?? Number.MAX_SAFE_INTEGER,
      });
      for await (const resolved of read) {
        if (resolved.event) events.push(toRecorded(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw translate(error);
    }
    return events;
  }

  /** Unfiltered `$all` pages after a position, system events dropped, filter applied here. */
  async function scanAll(
    after: bigint,
    maxCount: number,
    filter: LogFilter | undefined,
    until?: bigint,
  ): Promise<RecordedEvent[]> {
    const found: RecordedEvent[] = [];
    let cursor = after;
    for (;;) {
      const page: RecordedEvent[] = [];
      try {
        const read = client.readAll({
          direction: FORWARDS,
          fromPosition: cursor === 0n ? START : { commit: cursor, prepare: cursor },
          // The read starts at `cursor` inclusive: one more to make up for it.
          maxCount: pageSize + 1,
        });
        for await (const resolved of read) {
          if (resolved.event) page.push(toRecorded(resolved.event, resolved.commitPosition));
        }
      } catch (error) {
        throw translate(error);
      }
      const fresh = page.filter((event) => event.position > cursor);
      for (const event of fresh) {
        if (until !== undefined && event.position > until) return found;
        if (isServiceEvent(event) && matches(event, filter)) {
          found.push(event);
          if (found.length >= maxCount) return found;
        }
      }
      if (fresh.length === 0) return found;
      cursor = fresh.at(-1)!.position;
    }
  }

  /**
   * A filtered read through a filtered subscription, so the server does the filtering; it ends
   * at the head position taken when it starts.
   */
  async function filteredRead(
    after: bigint,
    maxCount: number,
    filter: LogFilter,
  ): Promise<RecordedEvent[]> {
    const head = await headPosition();
    if (head <= after) return [];
    const found: RecordedEvent[] = [];
    let progress = after;
    let lastProgressAt = Date.now();
    const subscription = client.subscribeToAll({
      fromPosition: after === 0n ? START : { commit: after, prepare: after },
      filter: serverFilter(filter, {
        checkpointReached: (_subscription, position) => {
          if (position.commit > progress) {
            progress = position.commit;
            lastProgressAt = Date.now();
          }
          if (progress >= head) void subscription.unsubscribe();
        },
      }),
    });
    let caughtUp = false;
    // Ending the call still delivers what it has already received, then ends the loop below.
    subscription.on('caughtUp', () => {
      caughtUp = true;
      void subscription.unsubscribe();
    });
    const idle = setInterval(
      () => {
        if (Date.now() - lastProgressAt >= idleMs) void subscription.unsubscribe();
      },
      Math.max(10, Math.min(idleMs, 250)),
    );
    try {
      for await (const resolved of subscription as AsyncIterable<AllStreamResolvedEvent>) {
        const event = resolved.event && toRecorded(resolved.event, resolved.commitPosition);
        if (event) {
          progress = event.position;
          lastProgressAt = Date.now();
          if (event.position > head) break;
          if (isServiceEvent(event) && matches(event, filter)) {
            found.push(event);
            if (found.length >= maxCount) break;
          }
        }
        if (progress >= head) break;
      }
    } catch (error) {
      throw translate(error);
    } finally {
      clearInterval(idle);
      await subscription.unsubscribe().catch(() => undefined);
    }
    if (found.length < maxCount && progress < head && !caughtUp) {
      // The subscription stalled before reaching the head: finish the range by scanning.
      found.push(...(await scanAll(progress, maxCount - found.length, filter, head)));
    }
    return found;
  }

  async function headPosition(): Promise<bigint> {
    assertOpen();
    try {
      let head = 0n;
      // Read to the end rather than returning from inside the loop: a read left early keeps its
      // gRPC call open with unread data, and the client's dispose() then waits for it forever.
      for await (const resolved of client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
      })) {
        if (resolved.event) head = positionOf(resolved.event, resolved.commitPosition);
      }
      return head;
    } catch (error) {
      throw translate(error);
    }
  }

  return {
    async append(streamId, events, { expectedRevision }): Promise<AppendResult> {
      assertOpen();
      if (events.length === 0) {
        const last = await lastEvent(streamId);
        assertExpectation(streamId, expectedRevision, last?.revision);
        return {
          nextExpectedRevision: last?.revision ?? -1n,
          position: last?.position ?? (await headPosition()),
        };
      }
      try {
        const result = await client.appendToStream(
          streamId,
          events.map((event) =>
            jsonEvent({
              id: event.id,
              type: event.type,
              data: event.data,
              metadata: event.metadata,
            }),
          ),
          { expectedRevision: expectedRevision as AppendExpectedRevision },
        );
        if (result.position) {
          return {
            nextExpectedRevision: result.nextExpectedRevision,
            position: result.position.commit,
          };
        }
        // An idempotent retry may come back without a position: find it on the stored event.
        const [stored] = await readStream(streamId, {
          fromRevision: result.nextExpectedRevision,
          maxCount: 1,
        });
        if (!stored)
          throw new Error(
            `Event ${result.nextExpectedRevision} of ${streamId} not found after append`,
          );
        return { nextExpectedRevision: result.nextExpectedRevision, position: stored.position };
      } catch (error) {
        if (error instanceof EsdbWrongExpectedVersionError) {
          throw new WrongExpectedVersionError(
            streamId,
            expectedRevision,
            typeof error.actualVersion === 'bigint' ? error.actualVersion : 'no_stream',
          );
        }
        throw translate(error);
      }
    },

    readStream,

    async readAll(readOptions: ReadAllOptions = {}) {
      assertOpen();
      const after = readOptions.after ?? 0n;
      const maxCount = readOptions.maxCount ?? 1000;
      if (maxCount <= 0) return [];
      const filter = readOptions.filter;
      if (filter && (filter.eventTypes?.length || filter.streamPrefixes?.length)) {
        return filteredRead(after, maxCount, filter);
      }
      return scanAll(after, maxCount, undefined);
    },

    subscribeToAll(subscribeOptions: SubscribeOptions = {}): Subscription {
      assertOpen();
      const subscription = liveSubscription(client, subscribeOptions, options, () =>
        subscriptions.delete(subscription),
      );
      subscriptions.add(subscription);
      return subscription;
    },

    headPosition,

    async ping() {
      await headPosition();
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
    },
  };
}

/**
 * Catch-up then live, pulled by the consumer. A dropped connection is retried with backoff
 * from the last delivered position, so the consumer sees no gap and no duplicate.
 */
function liveSubscription(
  client: EventStoreDBClient,
  { after = 0n, filter }: SubscribeOptions,
  options: EsdbEventStoreOptions,
  onClose: () => void,
): Subscription {
  const minBackoff = options.resubscribeMinMs ?? 100;
  const maxBackoff = options.resubscribeMaxMs ?? 5_000;
  let delivered = after;
  let closed = false;
  let current: AllStreamSubscription | undefined;
  let iterator: AsyncIterator<AllStreamResolvedEvent> | undefined;
  let wakeClose: (() => void) | undefined;
  const closedSignal = new Promise<void>((resolve) => (wakeClose = resolve));

  function open(): void {
    current = client.subscribeToAll({
      fromPosition: delivered === 0n ? START : { commit: delivered, prepare: delivered },
      ...(filter && (filter.eventTypes?.length || filter.streamPrefixes?.length)
        ? { filter: serverFilter(filter) }
        : {}),
    });
    iterator = (current as AsyncIterable<AllStreamResolvedEvent>)[Symbol.asyncIterator]();
  }

  async function next(): Promise<IteratorResult<RecordedEvent>> {
    for (let backoff = minBackoff; !closed;) {
      if (!iterator) open();
      try {
        const step = await Promise.race([
          iterator!.next(),
          closedSignal.then(() => ({ done: true, value: undefined }) as const),
        ]);
        if (closed || step.done) {
          if (closed) break;
          // The server ended the subscription without an error: reconnect like a drop.
          throw new StoreUnavailableError('EventStoreDB ended the subscription');
        }
        backoff = minBackoff;
        const resolved = step.value;
        if (!resolved.event) continue;
        const event = toRecorded(resolved.event, resolved.commitPosition);
        if (event.position <= delivered) continue;
        if (!isServiceEvent(event) || !matches(event, filter)) {
          continue;
        }
        delivered = event.position;
        return { done: false, value: event };
      } catch (error) {
        if (closed) break;
        options.onSubscriptionDropped?.(error, delivered);
        await current?.unsubscribe().catch(() => undefined);
        iterator = undefined;
        await Promise.race([new Promise((resolve) => setTimeout(resolve, backoff)), closedSignal]);
        backoff = Math.min(maxBackoff, backoff * 2);
      }
    }
    return { done: true, value: undefined };
  }

  const subscription: Subscription = {
    [Symbol.asyncIterator]() {
      return {
        next,
        async return() {
          await subscription.close();
          return { done: true, value: undefined };
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      wakeClose?.();
      onClose();
      await current?.unsubscribe().catch(() => undefined);
    },
  };
  return subscription;
}
