import {
  auditAccessDecider,
  auditAccessEventSchemas,
  auditAccessStream,
  type RecordAuditAccess,
} from '../../domain/audit/audit-access.js';
import type { CommandContext } from '../command-context.js';
import type { CommandHandler } from '../command-handler.js';

export type RecordAccess = (
  context: CommandContext,
  command: RecordAuditAccess,
) => Promise<{ readonly streamId: string; readonly position: bigint }>;

export interface AuditCommands {
  readonly recordAccess: RecordAccess;
}

/**
 * An access stream gains an event per audit request and its decider needs no state, so it is
 * appended reading only the stream's last event (for the revision and the hash to chain to).
 */
export function createAuditCommands(deps: {
  readonly handle: CommandHandler;
  readonly clock: () => Date;
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
  };
}
