/**
 * Appends `AuditTrailAccessed` events. Not through the command pipeline: that folds a stream's
 * whole history before every write, and an access stream gains an event per audit request.
 * Access needs no state, so this reads only the stream's last event, for the revision to expect
 * and the hash to chain to.
 */
import {
  auditAccessEventSchemas,
  auditAccessStream,
  decideAuditAccess,
  type RecordAuditAccess,
} from '../../domain/audit/audit-access.js';
import { GENESIS_HASH } from '../hash-chain.js';
import { isWrongExpectedVersion, type EventStore } from '../../stores/event-store.js';
import type { IdGenerator } from '../ids.js';
import type { KeyedLock } from '../keyed-lock.js';
import { sealEvent, streamLock, type CommandContext } from '../pipeline.js';

export interface AuditAccessLogDeps {
  readonly eventStore: EventStore;
  readonly clock: () => Date;
  readonly ids: IdGenerator;
  readonly locks: KeyedLock;
  /** Appends that lose a race with another instance are tried again this many times. */
  readonly maxAttempts: number;
}

export type RecordAccess = (
  context: CommandContext,
  command: RecordAuditAccess,
) => Promise<{ readonly streamId: string; readonly position: bigint }>;

export function createAuditAccessLog(deps: AuditAccessLogDeps): RecordAccess {
  return async (context, command) => {
    const now = deps.clock();
    const streamId = auditAccessStream(now);
    const [event] = decideAuditAccess(command);
    const data = auditAccessEventSchemas.AuditTrailAccessed.parse(event!.data);
    const release = await deps.locks.acquire([streamLock(streamId, 'exclusive')]);
    try {
      for (let attempt = 1; ; attempt += 1) {
        const [last] = await deps.eventStore.readStream(streamId, {
          direction: 'backwards',
          maxCount: 1,
        });
        const sealed = sealEvent({
          id: deps.ids.random(),
          type: event!.type,
          data,
          context,
          recordedAt: now.toISOString(),
          prevHash: (last?.metadata.hash as string | undefined) ?? GENESIS_HASH,
        });
        try {
          const result = await deps.eventStore.append(streamId, [sealed], {
            expectedRevision: last ? last.revision : 'no_stream',
          });
          return { streamId, position: result.position };
        } catch (error) {
          if (!isWrongExpectedVersion(error) || attempt >= deps.maxAttempts) throw error;
        }
      }
    } finally {
      release();
    }
  };
}
