/**
 * Appends `AuditTrailAccessed` events. Not through the command pipeline: access needs no state,
 * and an access stream gains an event per audit request (see append-at-tip.ts).
 */
import {
  auditAccessEventSchemas,
  auditAccessStream,
  decideAuditAccess,
  type RecordAuditAccess,
} from '../../domain/audit/audit-access.js';
import type { EventStore } from '../../stores/event-store.js';
import type { IdGenerator } from '../ids.js';
import type { KeyedLock } from '../keyed-lock.js';
import type { CommandContext } from '../pipeline.js';
import { appendAtTip } from './append-at-tip.js';

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
    const result = await appendAtTip(
      deps,
      streamId,
      [{ type: event!.type, data }],
      context,
      now.toISOString(),
    );
    return { streamId, position: result.position };
  };
}
