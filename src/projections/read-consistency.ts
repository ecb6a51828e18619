import type { EventStore } from '../stores/event-store.js';
import { waitUntil } from '../wait-until.js';
import type { ProjectionManager } from './projection-manager.js';
import type { ReactorRunner } from './reactor-runner.js';

export interface ReadConsistency {
  /**
   * `?consistentWith=`: true once every reactor whose reactions feed the named read models has
   * reacted to every event up to `position`, and the read models hold what they wrote in
   * response, so an invoice read with its own position also shows its ledger posting; false
   * when that takes longer than `timeoutMs`. Reactors that feed none of them are not waited for.
   * A failed reactor or projection counts as not reached.
   */
  awaitPosition(
    position: bigint,
    readModels: readonly string[] | undefined,
    timeoutMs: number,
  ): Promise<boolean>;
  /**
   * Before a query without it: waits up to `timeoutMs` for the named read models to reach the
   * log's head as it is now, so a caller usually reads its own writes without asking. Never
   * fails; what is failed or frozen is skipped and read as it is.
   */
  awaitFresh(readModels: readonly string[] | undefined, timeoutMs: number): Promise<void>;
}

export function createReadConsistency(deps: {
  readonly eventStore: EventStore;
  readonly projections: ProjectionManager;
  readonly reactors: () => readonly ReactorRunner[];
}): ReadConsistency {
  const { eventStore, projections } = deps;

  /** The reactors whose reactions change the named read models (all of them by default). */
  function feeding(readModels: readonly string[] | undefined): readonly ReactorRunner[] {
    return deps
      .reactors()
      .filter(({ reactor }) =>
        reactor.emits.some((type) =>
          projections
            .handling(type)
            .some((name) => readModels === undefined || readModels.includes(name)),
        ),
      );
  }

  async function awaitConsistency(
    position: bigint,
    readModels: readonly string[] | undefined,
    timeoutMs: number,
    strict: boolean,
  ): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const remaining = () => Math.max(0, deadline - performance.now());
    const reactors = feeding(readModels);
    let target = position;
    if (reactors.length > 0) {
      const reacted = await waitUntil(
        async () => {
          for (const reactor of reactors) {
            // A failed reactor will not move: the failure shows in /readyz and the logs.
            if (reactor.status().state === 'failed') continue;
            if (!(await reactor.reached(position))) {
              reactor.wake();
              return false;
            }
          }
          return true;
        },
        { timeoutMs: remaining() },
      );
      if (!reacted && strict) return false;
      if (strict && reactors.some((reactor) => reactor.status().state === 'failed')) return false;
      // What the reactors wrote in response lies before the head as it is now.
      if (reacted) target = await eventStore.headPosition();
    }
    if (strict) return projections.awaitPosition(target, readModels, remaining());
    await projections.awaitFresh(readModels, remaining(), target);
    return true;
  }

  return {
    awaitPosition: (position, readModels, timeoutMs) =>
      awaitConsistency(position, readModels, timeoutMs, true),
    async awaitFresh(readModels, timeoutMs) {
      await awaitConsistency(await eventStore.headPosition(), readModels, timeoutMs, false);
    },
  };
}
