import {
  auditAccessDecider,
  auditAccessEventSchemas,
  auditAccessStream,
  type RecordAuditAccess,
} from '../../domain/audit/audit-access.js';
import {
  AUDIT_DIGEST_STREAM,
  auditDigestEventSchemas,
  digestCheckpointDecider,
  type RecordDigestCheckpoints,
} from '../../domain/audit/digest-checkpoint.js';
import type { CommandContext } from '../command-context.js';
import type { CommandHandler } from '../command-handler.js';

export type RecordAccess = (
  context: CommandContext,
  command: RecordAuditAccess,
) => Promise<{ readonly streamId: string; readonly position: bigint }>;

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

export interface AuditCommands {
  readonly recordAccess: RecordAccess;
  readonly recordCheckpoints: RecordCheckpoints;
}

/**
 * Access records and digest checkpoints go to append-only streams whose deciders need no state,
 * so they are appended reading only the stream's last event (for the revision and the hash to
 * chain to), however long the stream grows.
 */
export function createAuditCommands(deps: {
  readonly handle: CommandHandler;
  readonly clock: () => Date;
  readonly ids: { random(): string };
}): AuditCommands {
  return {
    async recordAccess(context, command) {
      const result = await deps.handle(context, {
        streamId: auditAccessStream(deps.clock()),
        decider: auditAccessDecider,
        schemas: auditAccessEventSchemas,
        command,
        history: 'last-event',
      });
      return { streamId: result.streamId, position: result.position };
    },

    async recordCheckpoints(context, command) {
      const run = deps.ids.random();
      const result = await deps.handle(
        // Checkpoints are never a replay of an earlier request, whatever keys it carried.
        context
          ? { ...context, idempotencyKey: undefined, expectedRevision: undefined }
          : { actor: AUDIT_VERIFIER_ACTOR, correlationId: run, causationId: run, requestId: run },
        {
          streamId: AUDIT_DIGEST_STREAM,
          decider: digestCheckpointDecider,
          schemas: auditDigestEventSchemas,
          command,
          history: 'last-event',
        },
      );
      const last = result.events.at(-1);
      if (!last) return undefined;
      return {
        streamId: result.streamId,
        revision: result.revision,
        position: result.position,
        recordedAt: String(last.metadata.recordedAt),
      };
    },
  };
}
