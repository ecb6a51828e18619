import type { RecordedEvent } from '../stores/event-store.js';

/**
 * A reactor (process manager) turns events into further commands: an invoice issued becomes a
 * journal entry posted. The engine (`reactor-runner.ts`, through the log feed) hands it the
 * events of its types at least once, in log order within each stream and several streams at a
 * time: after a crash, the events since the last checkpoint come again, so `react` must be
 * idempotent (derive the ids of what it writes from the event it reacts to), and a reaction may
 * rely on the earlier events of its own stream having been reacted to, not on other streams'.
 */
export interface Reactor {
  /** Lower case letters, digits and `_`. */
  readonly name: string;
  readonly eventTypes: readonly string[];
  /**
   * The event types its reactions append: a query of a read model built from them waits for
   * the reactor first (`?consistentWith=`), and one built from none of them does not.
   */
  readonly emits: readonly string[];
  react(event: RecordedEvent): Promise<void>;
}
