/**
 * What the log feed does with one batch: the projections' part (documents and checkpoints of
 * all of them in one `writeBatches` call, checkpoints last) and a reactor's part (its reactions,
 * then its checkpoint). How members come out of it is `memberOutcomes`' business.
 */
import { yieldToEventLoop } from '../../wait-until.js';
import { StoreUnavailableError, type RecordedEvent } from '../../stores/event-store.js';
import type { CollectionWrites, ReadModelStore } from '../../stores/read-model-store.js';
import {
  checkpointBody,
  CHECKPOINTS_COLLECTION,
  type memberOutcomes,
  type ProjectionMember,
  type ReactorMember,
} from './feed-members.js';
import { documentIdsOf, projectEvents } from './projection-batch.js';
import { runReactions } from './reactions.js';

export function batchDelivery(deps: {
  readonly readModels: ReadModelStore;
  readonly outcomes: ReturnType<typeof memberOutcomes>;
  readonly reactionConcurrency: number;
  /** The feed is stopping: no reaction starts any more. */
  readonly stopping: () => boolean;
}) {
  const { readModels, reactionConcurrency } = deps;
  const { failed, succeeded, settleFailure } = deps.outcomes;

  /** The projections' part of a batch: every document and checkpoint in one call. */
  async function project(
    group: readonly ProjectionMember[],
    events: readonly RecordedEvent[],
    end: bigint,
    atHead: boolean,
  ): Promise<void> {
    const batches: CollectionWrites[] = [];
    const applied: { member: ProjectionMember; handled: number }[] = [];
    for (const member of group) {
      const after = member.position!;
      const relevant = events.filter(
        (event) => event.position > after && member.handles(event.type),
      );
      try {
        if (relevant.length > 0) {
          const ids = documentIdsOf(member.projection, relevant);
          const stored = await readModels.load(member.collection, ids);
          const writes = projectEvents(member.projection, relevant, stored);
          if (writes.length > 0) batches.push({ collection: member.collection, writes });
        }
        applied.push({ member, handled: relevant.length });
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        failed(member, error);
      }
      // The embedded stores answer synchronously: without this, a batch for seven projections
      // would hold every HTTP request for as long as all of them take.
      await yieldToEventLoop();
    }
    if (applied.length === 0) return;
    const checkpoints = applied.map(({ member }) => ({
      id: member.checkpointId,
      position: end,
      body: checkpointBody(member, end),
    }));
    try {
      await readModels.writeBatches([
        ...batches,
        { collection: CHECKPOINTS_COLLECTION, writes: checkpoints },
      ]);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      for (const { member } of applied) failed(member, error);
      return;
    }
    for (const { member, handled } of applied) succeeded(member, end, handled, atHead);
  }

  async function saveReactorCheckpoint(member: ReactorMember, position: bigint): Promise<void> {
    await readModels.writeBatch(CHECKPOINTS_COLLECTION, [
      { id: member.checkpointId, position, body: checkpointBody(member, position) },
    ]);
    member.position = position;
  }

  /**
   * The reactor's part of a batch. Its checkpoint moves once the part is done, or, when a
   * reaction failed or the feed stopped, to the last event before which all were done: the
   * rest come again, and reactions are idempotent.
   */
  async function react(
    member: ReactorMember,
    events: readonly RecordedEvent[],
    end: bigint,
    atHead: boolean,
  ): Promise<void> {
    const { done, failure } = await runReactions(events, (event) => member.reactor.react(event), {
      concurrency: reactionConcurrency,
      stopped: () => deps.stopping() || member.removed,
    });
    const handled = done.filter(Boolean).length;
    const prefix = done.indexOf(false) === -1 ? done.length : done.indexOf(false);
    const complete = prefix === events.length && !deps.stopping() && !member.removed;
    const reached = complete ? end : prefix > 0 ? events[prefix - 1]!.position : member.position!;
    try {
      if (reached > member.position!) await saveReactorCheckpoint(member, reached);
    } catch (error) {
      member.eventsProcessed += handled;
      settleFailure(member, error);
      return;
    }
    if (failure !== undefined) {
      member.eventsProcessed += handled;
      settleFailure(member, failure);
    } else if (complete) {
      succeeded(member, end, handled, atHead);
    } else {
      member.eventsProcessed += handled;
    }
  }

  return { project, react };
}
