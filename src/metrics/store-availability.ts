/**
 * `store_up`: each store pinged on a timer, so a scrape reports the last answer without calling
 * a store itself (a scrape during an outage would otherwise wait for the ping's timeout).
 */
import type { ServiceMetrics } from './service-metrics.js';

export function watchStores(
  metrics: Pick<ServiceMetrics, 'storeUp'>,
  stores: Readonly<Record<'event_store' | 'read_models', { ping(): Promise<void> }>>,
  intervalMs: number,
): { stop(): void } {
  const pinging = new Set<string>();
  const check = () => {
    for (const [name, store] of Object.entries(stores)) {
      // A ping slower than the interval must not pile up behind itself.
      if (pinging.has(name)) continue;
      pinging.add(name);
      store
        .ping()
        .then(
          () => metrics.storeUp.set({ store: name }, 1),
          () => metrics.storeUp.set({ store: name }, 0),
        )
        .finally(() => pinging.delete(name));
    }
  };
  check();
  const timer = setInterval(check, intervalMs);
  // Never keeps the process alive on its own.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
