/**
 * Appends `AuditDigestCheckpointed` events to the one checkpoint stream, sealed and chained like
 * every event, so that checkpoints are part of the log they vouch for (see
 * domain/audit/digest-checkpoint.ts).
 */
import {
  AUDIT_DIGEST_STREAM,
  auditDigestEventSchemas,
  decideDigestCheckpoints,
  type RecordDigestCheckpoints,
} from '../../domain/audit/digest-checkpoint.js';
import type { EventStore } from '../../stores/event-store.js';
import type { IdGenerator } from '../ids.js';
import type { KeyedLock } from '../keyed-lock.js';
import type { CommandContext } from '../pipeline.js';
import { appendAtTip } from './append-at-tip.js';

export interface DigestCheckpointLogDeps {
  readonly eventStore: EventStore;
  readonly clock: () => Date;
  readonly ids: IdGenerator;
  readonly locks: KeyedLock;
  /** Appends that lose a race with another instance are tried again this many times. */
  readonly maxAttempts: number;
}

export interface RecordedCheckpoints {
  readonly streamId: string;
  /** Revision of the last checkpoint appended; the others precede it one by one. */
  readonly revision: bigint;
  /** Global position of the last checkpoint event. */
  readonly position: bigint;
  readonly recordedAt: string;
}

/**
 * `context`: the request the verification ran for, so the checkpoints are that caller's action
 * like its access record; without one (a verification run in-process) a system actor.
 */
export type RecordCheckpoints = (
  context: CommandContext | undefined,
  command: RecordDigestCheckpoints,
) => Promise<RecordedCheckpoints | undefined>;

export const AUDIT_VERIFIER_ACTOR = 'system:audit-verifier';

export function createDigestCheckpointLog(deps: DigestCheckpointLogDeps): RecordCheckpoints {
  return async (context, command) => {
    const events = decideDigestCheckpoints(command).map((event) => ({
      type: event.type,
      data: auditDigestEventSchemas.AuditDigestCheckpointed.parse(event.data),
    }));
    if (events.length === 0) return undefined;
    const recordedAt = deps.clock().toISOString();
    const run = deps.ids.random();
    const result = await appendAtTip(
      deps,
      AUDIT_DIGEST_STREAM,
      events,
      context ?? {
        actor: AUDIT_VERIFIER_ACTOR,
        correlationId: run,
        causationId: run,
        requestId: run,
      },
      recordedAt,
    );
    return {
      streamId: AUDIT_DIGEST_STREAM,
      revision: result.nextExpectedRevision,
      position: result.position,
      recordedAt,
    };
  };
}
