/**
 * The service's Prometheus metrics (README, "Operating"): one registry per service instance,
 * passed to whatever records into it, never prom-client's global one, so the many services a
 * test process starts do not share (or collide in) one set of counters.
 *
 * Every label takes a bounded set of values, fixed by the code: a route template, a command or
 * event type, an outcome, a projection's name. Never an id, a raw path or a caller's value, so
 * the number of series does not grow with the data.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Buckets for work that usually takes milliseconds: a request, a command. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** A store call is often below a millisecond on the embedded store. */
const STORE_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5,
];

export type IdempotencyOutcome = 'first' | 'replayed' | 'key_reused' | 'in_progress';
export type EventStoreOperation = 'append' | 'read_stream' | 'read_all' | 'head_position';

export interface ServiceMetrics {
  readonly registry: Registry;
  /** The process's runtime metrics, shown beside the service's in one scrape. */
  readonly process: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly commands: Counter<'type' | 'outcome'>;
  readonly commandDuration: Histogram<'type' | 'outcome'>;
  readonly eventsAppended: Counter<'type'>;
  readonly eventStoreDuration: Histogram<'operation' | 'outcome'>;
  readonly idempotencyRequests: Counter<'outcome'>;
  readonly storeUp: Gauge<'store'>;
  /** For modules' own metrics (`ModuleContext.metrics`). */
  counter<Label extends string>(spec: {
    readonly name: string;
    readonly help: string;
    readonly labelNames: readonly Label[];
  }): Counter<Label>;
  /** Runs `prepare` at the start of every scrape, before any metric is collected. */
  beforeScrape(prepare: () => void): void;
  /** The scrape: the process's metrics, then the service's, as Prometheus text. */
  scrape(): Promise<string>;
  readonly contentType: string;
}

/**
 * `process_*` and `nodejs_*`: one set per process, since that is what they describe. main.ts
 * makes it once; prom-client's collectors (an event-loop delay monitor, a GC observer) cannot be
 * stopped, so making one per service would leave them running in a process that starts many.
 */
export function createProcessMetrics(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function createServiceMetrics(
  options: { readonly process?: Registry } = {},
): ServiceMetrics {
  const registry = new Registry();
  const process = options.process ?? createProcessMetrics();
  const registers = [registry];
  const preparations: (() => void)[] = [];
  return {
    registry,
    process,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route template (unmatched when no route matched) and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: REQUEST_BUCKETS,
      registers,
    }),
    commands: new Counter({
      name: 'commands_total',
      help: 'Commands run by the command handler, by command type and outcome (accepted, replayed, refused, conflict, failed)',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    commandDuration: new Histogram({
      name: 'command_duration_seconds',
      help: 'Time a command took in the command handler (locks, load, decide, append), by type and outcome',
      labelNames: ['type', 'outcome'],
      buckets: REQUEST_BUCKETS,
      registers,
    }),
    eventsAppended: new Counter({
      name: 'events_appended_total',
      help: 'Events in appends the event store acknowledged, by event type',
      labelNames: ['type'],
      registers,
    }),
    eventStoreDuration: new Histogram({
      name: 'event_store_operation_duration_seconds',
      help: 'Event store calls by operation (append, read_stream, read_all, head_position) and outcome (ok, error)',
      labelNames: ['operation', 'outcome'],
      buckets: STORE_BUCKETS,
      registers,
    }),
    idempotencyRequests: new Counter({
      name: 'idempotency_requests_total',
      help: 'Writes sent with an Idempotency-Key, by outcome: first, replayed (answered from the stored answer), key_reused (422), in_progress (409)',
      labelNames: ['outcome'],
      registers,
    }),
    storeUp: new Gauge({
      name: 'store_up',
      help: 'Whether a store answered its last ping or call: 1 reachable, 0 not (store: event_store, read_models)',
      labelNames: ['store'],
      registers,
    }),
    counter(spec) {
      const existing = registry.getSingleMetric(spec.name);
      if (existing) return existing as Counter<(typeof spec.labelNames)[number]>;
      return new Counter({ ...spec, labelNames: [...spec.labelNames], registers });
    },
    beforeScrape(prepare) {
      preparations.push(prepare);
    },
    async scrape() {
      for (const prepare of preparations) prepare();
      return `${await process.metrics()}\n${await registry.metrics()}`;
    },
    contentType: registry.contentType,
  };
}
