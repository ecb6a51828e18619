/**
 * Projections and reactors as gauges, filled at scrape time from what the read side keeps in
 * memory (its members' positions and states, the head it last saw, when it saw each head).
 * Nothing here reads an event, a checkpoint or a registry document: a scrape costs the same
 * whatever the size of the log and however far behind anything is.
 *
 * Each instance shows what runs here. A projection whose lease another instance holds is
 * `not_running` here, with no position: sum or max over instances (`max by (projection)`) in
 * queries and alerts.
 */
import { Counter, Gauge } from 'prom-client';
import { lagBetween } from '../projections/engine/projection-reporter.js';
import type { ReadSideObservation } from '../projections/read-side.js';
import type { ServiceMetrics } from './service-metrics.js';

export const PROJECTION_STATES = [
  'starting',
  'catching_up',
  'live',
  'paused',
  'failed',
  'stopped',
  'not_running',
] as const;
export const REACTOR_STATES = [
  'standby',
  'catching_up',
  'live',
  'paused',
  'failed',
  'stopped',
] as const;

export function registerReadSideMetrics(
  metrics: Pick<ServiceMetrics, 'registry' | 'beforeScrape'>,
  observe: () => ReadSideObservation,
): void {
  // One observation per scrape, shared by every gauge below, so they agree with each other
  // (the head is the same one in every lag); taken afresh when a scrape starts.
  let taken: ReadSideObservation | undefined;
  metrics.beforeScrape(() => {
    taken = undefined;
  });
  const observation = () => (taken ??= observe());
  const registers = [metrics.registry];
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    fill: (set: (labels: Record<string, string>, value: number) => void) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        fill((labels, value) => this.set(labels, value));
      },
    });

  gauge('log_head_position', 'The highest position of the log this instance has seen', [], (set) =>
    set({}, Number(observation().head)),
  );

  const projectionsHere = () => {
    const { projections, head, stalenessMs } = observation();
    return projections.flatMap((sample) =>
      sample.live ? [{ name: sample.name, live: sample.live, head, stalenessMs }] : [],
    );
  };
  gauge(
    'projection_position',
    'Position of the log up to which the projection queries read has applied every event',
    ['projection'],
    (set) => {
      for (const { name, live } of projectionsHere()) {
        set({ projection: name }, Number(live.position));
      }
    },
  );
  gauge(
    'projection_lag_events',
    'Log head minus the projection position: events behind on the embedded store; on EventStoreDB a distance in commit positions, 0 exactly when caught up',
    ['projection'],
    (set) => {
      for (const { name, live, head } of projectionsHere()) {
        set({ projection: name }, lagBetween(live.position, head));
      }
    },
  );
  gauge(
    'projection_lag_seconds',
    'Seconds since this instance first knew of an event the projection has not applied yet; 0 when caught up',
    ['projection'],
    (set) => {
      for (const { name, live, stalenessMs } of projectionsHere()) {
        set({ projection: name }, stalenessMs(live.position) / 1000);
      }
    },
  );
  gauge(
    'projection_state',
    'One series per state, 1 for the state the projection is in on this instance (not_running: another instance holds its lease)',
    ['projection', 'state'],
    (set) => {
      for (const sample of observation().projections) {
        const state = !sample.runningHere
          ? 'not_running'
          : (sample.live?.state ?? sample.build?.state ?? 'starting');
        for (const each of PROJECTION_STATES) {
          set({ projection: sample.name, state: each }, each === state ? 1 : 0);
        }
      }
    },
  );
  gauge(
    'projection_rebuild_progress_ratio',
    'A rebuild running on this instance: its position over the position it must reach, 0 to 1',
    ['projection'],
    (set) => {
      for (const { name, build } of observation().projections) {
        if (!build) continue;
        const target = build.targetPosition;
        const ratio =
          target === 0n || build.position >= target
            ? 1
            : Number((build.position * 10_000n) / target) / 10_000;
        set({ projection: name }, ratio);
      }
    },
  );
  new Counter({
    name: 'projection_failures_total',
    help: 'Batches a projection failed to apply on this instance (each is retried; it stops after several in a row)',
    labelNames: ['projection'],
    registers,
    collect() {
      this.reset();
      const { projections, failures } = observation();
      for (const { name } of projections) {
        this.inc({ projection: name }, failures('projection', name));
      }
    },
  });

  gauge(
    'reactor_position',
    'Position up to which the reactor has reacted to every event, where it runs here',
    ['reactor'],
    (set) => {
      for (const reactor of observation().reactors) {
        if (reactor.state !== 'standby' && reactor.state !== 'stopped') {
          set({ reactor: reactor.name }, Number(reactor.position));
        }
      }
    },
  );
  gauge(
    'reactor_lag_events',
    'Log head minus the reactor position (as projection_lag_events)',
    ['reactor'],
    (set) => {
      const { reactors, head } = observation();
      for (const reactor of reactors) {
        if (reactor.state !== 'standby' && reactor.state !== 'stopped') {
          set({ reactor: reactor.name }, lagBetween(reactor.position, head));
        }
      }
    },
  );
  gauge(
    'reactor_lag_seconds',
    'Seconds since this instance first knew of an event the reactor has not reacted to yet',
    ['reactor'],
    (set) => {
      const { reactors, stalenessMs } = observation();
      for (const reactor of reactors) {
        if (reactor.state !== 'standby' && reactor.state !== 'stopped') {
          set({ reactor: reactor.name }, stalenessMs(reactor.position) / 1000);
        }
      }
    },
  );
  gauge(
    'reactor_state',
    'One series per state, 1 for the state the reactor is in on this instance (standby: another instance runs it)',
    ['reactor', 'state'],
    (set) => {
      for (const reactor of observation().reactors) {
        for (const each of REACTOR_STATES) {
          set({ reactor: reactor.name, state: each }, each === reactor.state ? 1 : 0);
        }
      }
    },
  );
  new Counter({
    name: 'reactor_failures_total',
    help: 'Reactions that failed on this instance (each is retried; the reactor stops after several in a row)',
    labelNames: ['reactor'],
    registers,
    collect() {
      this.reset();
      const { reactors, failures } = observation();
      for (const { name } of reactors) this.inc({ reactor: name }, failures('reactor', name));
    },
  });
}
