/**
 * Runs one reactor's part of a batch: in log order within a stream, streams side by side (up to
 * `concurrency` at once), so the commands the reactions append share group commits instead of
 * waiting for one fsync each.
 */
import { StoreUnavailableError, type RecordedEvent } from '../../stores/event-store.js';
import { EventHandlingError } from './projection-batch.js';

/**
 * Resolves once every reaction has settled, with which were done. The first failure is kept (a
 * store outage as it is, anything else as an EventHandlingError naming the event), and no reaction
 * starts after it, nor once `stopped()` says so.
 */
export async function runReactions(
  events: readonly RecordedEvent[],
  react: (event: RecordedEvent) => Promise<void>,
  options: { readonly concurrency: number; readonly stopped: () => boolean },
): Promise<{ done: boolean[]; failure: unknown }> {
  const done = events.map(() => false);
  let failure: unknown;
  let running = 0;
  const queue: (() => void)[] = [];
  const slot = () =>
    running < options.concurrency
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
      if (failure !== undefined || options.stopped()) return;
      await slot();
      try {
        if (failure !== undefined) return;
        await react(event);
        done[index] = true;
      } catch (error) {
        failure ??=
          error instanceof StoreUnavailableError
            ? error
            : new EventHandlingError(event, 'reaction', { cause: error });
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
