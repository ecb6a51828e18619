import { StoreUnavailableError, type EventStore } from '../stores/event-store.js';
import { waitUntil } from '../wait-until.js';
import type { ProjectionManager } from './projection-manager.js';
import type { ReactorRunner } from './reactor-runner.js';

/**
 * `consistentWith` beyond the log's head: no write has answered that position, so no wait can
 * reach it (a caller's mistake, not an outage). Positions only grow, and a write answers only
 * once its event is in the log, so a position any write answered is never beyond the head.
 */
export class PositionBeyondHeadError extends Error {
  override readonly name = 'PositionBeyondHeadError';

  constructor(
    readonly position: bigint,
    readonly head: bigint,
  ) {
    super(`Position ${position} is beyond the head of the log (${head}): no write has answered it`);
  }
}

/**
 * What a query without `consistentWith` knows of its answer's freshness: `checked`, its read
 * models were given a moment to reach the log's head; `head-unchecked`, the event store could
 * not be reached to learn the head, so the answer is what the read models hold, maybe behind.
 */
export type Freshness = 'checked' | 'head-unchecked';

export interface ReadConsistency {
  /**
   * `?consistentWith=`: true once every reactor whose reactions feed the named read models has
   * reacted to every event up to `position`, and the read models hold what they wrote in
   * response, so an invoice read with its own position also shows its ledger posting; false
   * when that takes longer than `timeoutMs`. Reactors that feed none of them are not waited for.
   * A failed reactor or projection counts as not reached. A position beyond the log's head is
   * a `PositionBeyondHeadError`.
   */
  awaitPosition(
    position: bigint,
    readModels: readonly string[] | undefined,
    timeoutMs: number,
  ): Promise<boolean>;
  /**
   * Before a query without it: waits up to `timeoutMs` for the named read models to reach the
   * log's head as it is now (then for what the reactors that feed them add), so a caller usually
   * reads its own writes without asking. Never fails; what is failed or frozen is skipped and
   * read as it is.
   */
  awaitFresh(readModels: readonly string[] | undefined, timeoutMs: number): Promise<Freshness>;
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

  /** Waits, bounded, until every reactor of `reactors` that can move has reacted up to `position`. */
  function awaitReactors(
    reactors: readonly ReactorRunner[],
    position: bigint,
    timeoutMs: number,
  ): Promise<boolean> {
    return waitUntil(
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
      { timeoutMs },
    );
  }

  async function awaitConsistency(
    position: bigint,
    readModels: readonly string[] | undefined,
    timeoutMs: number,
  ): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const remaining = () => Math.max(0, deadline - performance.now());
    // With the event store down the position cannot be checked against the head; the read
    // models can still show that they hold it.
    const head = await headOrUnknown();
    if (head !== undefined && position > head) throw new PositionBeyondHeadError(position, head);
    const reactors = feeding(readModels);
    let target = position;
    if (reactors.length > 0) {
      if (!(await awaitReactors(reactors, position, remaining()))) return false;
      if (reactors.some((reactor) => reactor.status().state === 'failed')) return false;
      // What the reactors wrote in response lies before the head as it is now.
      target = (await headOrUnknown()) ?? position;
    }
    return projections.awaitPosition(target, readModels, remaining());
  }

  /**
   * The caller's own writes first: the read models reach the head as it was when the query came,
   * and only then, with what is left of the bound, what reactors add in response. A reactor
   * with a backlog (after a restart) must not spend the whole bound while the read models that
   * hold the caller's write were ready long before.
   */
  async function awaitFreshness(
    readModels: readonly string[] | undefined,
    timeoutMs: number,
  ): Promise<Freshness> {
    const deadline = performance.now() + timeoutMs;
    const remaining = () => Math.max(0, deadline - performance.now());
    const head = await headOrUnknown();
    // The event store is down: answer from the read models at once, and say so.
    if (head === undefined) return 'head-unchecked';
    await projections.awaitFresh(readModels, remaining(), head);
    const reactors = feeding(readModels);
    if (reactors.length === 0 || remaining() === 0) return 'checked';
    if (!(await awaitReactors(reactors, head, remaining()))) return 'checked';
    const after = await headOrUnknown();
    if (after === undefined) return 'head-unchecked';
    if (after > head) await projections.awaitFresh(readModels, remaining(), after);
    return 'checked';
  }

  /** The log's head, or undefined while the event store cannot be reached. */
  async function headOrUnknown(): Promise<bigint | undefined> {
    try {
      return await eventStore.headPosition();
    } catch (error) {
      if (error instanceof StoreUnavailableError) return undefined;
      throw error;
    }
  }

  return {
    awaitPosition: awaitConsistency,
    awaitFresh: awaitFreshness,
  };
}
