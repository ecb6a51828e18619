/**
 * Appends to a stream whose events need no state to decide on: audit access records and digest
 * checkpoints. The command pipeline folds a stream's whole history before every write; these
 * streams only grow, so this reads just the last event, for the revision to expect and the hash
 * to chain to, and reads it again when another instance appended first.
 */
import { GENESIS_HASH } from '../hash-chain.js';
import {
  isWrongExpectedVersion,
  type AppendResult,
  type EventStore,
} from '../../stores/event-store.js';
import type { IdGenerator } from '../ids.js';
import type { KeyedLock } from '../keyed-lock.js';
import { sealEvent, streamLock, type CommandContext } from '../pipeline.js';

export interface AppendAtTipDeps {
  readonly eventStore: EventStore;
  readonly ids: IdGenerator;
  readonly locks: KeyedLock;
  /** Appends that lose a race with another instance are tried again this many times. */
  readonly maxAttempts: number;
}

export async function appendAtTip(
  deps: AppendAtTipDeps,
  streamId: string,
  events: readonly { readonly type: string; readonly data: Record<string, unknown> }[],
  context: CommandContext,
  recordedAt: string,
): Promise<AppendResult> {
  const ids = events.map(() => deps.ids.random());
  const release = await deps.locks.acquire([streamLock(streamId, 'exclusive')]);
  try {
    for (let attempt = 1; ; attempt += 1) {
      const [last] = await deps.eventStore.readStream(streamId, {
        direction: 'backwards',
        maxCount: 1,
      });
      let prevHash = (last?.metadata.hash as string | undefined) ?? GENESIS_HASH;
      const sealed = events.map((event, index) => {
        const next = sealEvent({ id: ids[index]!, ...event, context, recordedAt, prevHash });
        prevHash = next.metadata.hash as string;
        return next;
      });
      try {
        return await deps.eventStore.append(streamId, sealed, {
          expectedRevision: last ? last.revision : 'no_stream',
        });
      } catch (error) {
        if (!isWrongExpectedVersion(error) || attempt >= deps.maxAttempts) throw error;
      }
    }
  } finally {
    release();
  }
}
