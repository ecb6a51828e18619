/**
 * Reading the stored log for a verification. A verification must judge every event it can and
 * report the ones it cannot, so an event the store cannot read back does not stop the reading:
 * it is handed over as such, and reading goes on after it.
 */
import {
  UnreadableEventError,
  type EventStore,
  type RecordedEvent,
} from '../../stores/event-store.js';
import { yieldToEventLoop } from '../../wait-until.js';

export type LogItem =
  { readonly event: RecordedEvent } | { readonly unreadable: UnreadableEventError };

/** The log after `after` in order, one page of `readBatch` in memory at a time. */
export async function* readLog(
  eventStore: EventStore,
  after: bigint,
  readBatch: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<LogItem> {
  for (let position = after; ;) {
    // The embedded stores answer synchronously: without this, a long run starves HTTP.
    await yieldToEventLoop();
    signal?.throwIfAborted();
    let events: RecordedEvent[];
    let unreadable: UnreadableEventError | undefined;
    try {
      events = await eventStore.readAll({ after: position, maxCount: readBatch });
    } catch (error) {
      if (!(error instanceof UnreadableEventError)) throw error;
      // One at a time up to the unreadable event, so every readable one is still checked.
      events = [];
      for (;;) {
        try {
          const [next] = await eventStore.readAll({
            after: events.at(-1)?.position ?? position,
            maxCount: 1,
          });
          if (!next) break;
          events.push(next);
        } catch (single) {
          if (!(single instanceof UnreadableEventError)) throw single;
          unreadable = single;
          break;
        }
      }
    }
    for (const event of events) yield { event };
    if (unreadable) {
      yield { unreadable };
      position = unreadable.event.position;
      continue;
    }
    if (events.length < readBatch) return;
    position = events.at(-1)!.position;
  }
}

/** A stream's stored event before `event`, if it is there. */
export async function readPrevious(
  eventStore: EventStore,
  event: RecordedEvent,
): Promise<LogItem | undefined> {
  try {
    const [previous] = await eventStore.readStream(event.streamId, {
      fromRevision: event.revision - 1n,
      maxCount: 1,
    });
    return previous && previous.revision === event.revision - 1n ? { event: previous } : undefined;
  } catch (error) {
    if (error instanceof UnreadableEventError) return { unreadable: error };
    throw error;
  }
}
