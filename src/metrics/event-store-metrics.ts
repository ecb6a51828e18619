/**
 * The event store port, timed: every adapter gets the same latency histograms and event
 * counts from this one wrapper, put on by the composition root, instead of each adapter
 * recording its own.
 */
import { StoreUnavailableError, type EventStore } from '../stores/event-store.js';
import type { EventStoreOperation, ServiceMetrics } from './service-metrics.js';

export function meteredEventStore(
  store: EventStore,
  metrics: Pick<ServiceMetrics, 'eventStoreDuration' | 'eventsAppended' | 'storeUp'>,
): EventStore {
  async function timed<T>(operation: EventStoreOperation, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await call();
      metrics.eventStoreDuration.observe(
        { operation, outcome: 'ok' },
        (performance.now() - started) / 1000,
      );
      return result;
    } catch (error) {
      metrics.eventStoreDuration.observe(
        { operation, outcome: 'error' },
        (performance.now() - started) / 1000,
      );
      // Known at once rather than at the next ping: the alert on `store_up` fires sooner.
      if (error instanceof StoreUnavailableError) metrics.storeUp.set({ store: 'event_store' }, 0);
      throw error;
    }
  }

  return {
    async append(streamId, events, options) {
      const result = await timed('append', () => store.append(streamId, events, options));
      // An append the store found already stored (same ids) counts again: the port does not
      // say which it was, and such retries are rare.
      for (const event of events) metrics.eventsAppended.inc({ type: event.type });
      return result;
    },
    readStream: (streamId, options) =>
      timed('read_stream', () => store.readStream(streamId, options)),
    readAll: (options) => timed('read_all', () => store.readAll(options)),
    headPosition: () => timed('head_position', () => store.headPosition()),
    subscribeToAll: (options) => store.subscribeToAll(options),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
