import type { EventStore } from '../stores/event-store.js';
import type { ReadModelStore } from '../stores/read-model-store.js';
import type { ProjectionManager } from './projection-manager.js';
import type { ReactorRunner } from './reactor-runner.js';

/**
 * `/readyz`: each check by name, ready only when every one is `ok`: both stores answer, every
 * projection serves (not still on its first build, not failed) and no reactor has failed. After
 * a store outage, projections and reactors are `paused`, then `catching_up` until they reach the
 * log's head again: not ready until then, since queries would answer from behind.
 */
export function readinessChecks(deps: {
  readonly eventStore: EventStore;
  readonly readModels: ReadModelStore;
  readonly projections: ProjectionManager;
  readonly reactors: () => readonly ReactorRunner[];
}): () => Promise<Record<string, string>> {
  const reachable = (ping: () => Promise<void>) =>
    ping().then(
      () => 'ok',
      () => 'unreachable',
    );
  return async () => ({
    eventStore: await reachable(() => deps.eventStore.ping()),
    readModels: await reachable(() => deps.readModels.ping()),
    ...(await deps.projections.readiness().catch(() => ({ projections: 'unknown' }))),
    ...Object.fromEntries(
      deps.reactors().map((reactor) => {
        const { name, state } = reactor.status();
        const honest = state === 'failed' || state === 'paused' || state === 'catching_up';
        return [`reactor:${name}`, honest ? state : 'ok'];
      }),
    ),
  });
}
