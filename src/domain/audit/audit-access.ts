/**
 * Reading the audit trail is itself on the record: every query, history, export and
 * verification appends an `AuditTrailAccessed` event saying who asked for what and how much
 * they got. The events go to one stream per UTC day, `auditAccess-<YYYY-MM-DD>`, so each stream
 * stays short and the access log of a day is one record's history.
 */
import { z } from 'zod';
import type { Decider } from '../shared/decider.js';
import { checkpointReference, type CheckpointReference } from './digest-checkpoint.js';

export const auditOperations = ['events', 'history', 'export', 'verify'] as const;
export type AuditOperation = (typeof auditOperations)[number];

export const auditAccessEventSchemas = {
  AuditTrailAccessed: z
    .strictObject({
      operation: z.enum(auditOperations).describe('What was read.'),
      filters: z
        .record(z.string(), z.string())
        .describe('The filters and options as the caller gave them (validated), by name.'),
      rowCount: z
        .number()
        .int()
        .nonnegative()
        .describe('Rows returned: events, history entries, exported rows, or events verified.'),
      completed: z
        .boolean()
        .describe('False when an export ended early because the client went away.'),
      outcome: z
        .enum(['intact', 'tampered'])
        .optional()
        .describe('Verification only: what it found.'),
      // A later verification that finds the checkpoint stream without it knows checkpoints were
      // removed; records written before checkpoints were events have none, and promise none.
      checkpoint: checkpointReference
        .optional()
        .describe(
          'Verification only: the newest digest checkpoint in the log when it ended (the one it appended, or the newest it found). Absent on records written before digest checkpoints were events.',
        ),
    })
    .describe(
      'Someone read the audit trail: a query, a history, an export or a verification. The actor, `onBehalfOf`, correlation and request ids are those of the audit request. One stream per UTC day keeps each access stream short: the appender reads only its last event.',
    ),
} as const;

export type AuditAccessEvent = {
  readonly type: 'AuditTrailAccessed';
  readonly data: z.infer<(typeof auditAccessEventSchemas)['AuditTrailAccessed']>;
};

export interface RecordAuditAccess {
  readonly type: 'RecordAuditAccess';
  readonly operation: AuditOperation;
  readonly filters: Readonly<Record<string, string | undefined>>;
  readonly rowCount: number;
  readonly completed: boolean;
  readonly outcome?: 'intact' | 'tampered';
  readonly checkpoint?: CheckpointReference;
}

export const AUDIT_ACCESS_ENTITY_TYPE = 'auditAccess';

/** The stream an access at `instant` is recorded in. */
export function auditAccessStream(instant: Date): string {
  return `${AUDIT_ACCESS_ENTITY_TYPE}-${instant.toISOString().slice(0, 10)}`;
}

/** The stream each event type is appended to, with a placeholder for the UTC day. */
export const auditAccessEventStreams = {
  AuditTrailAccessed: `${AUDIT_ACCESS_ENTITY_TYPE}-<YYYY-MM-DD>`,
} as const satisfies Record<keyof typeof auditAccessEventSchemas, string>;

/** Access is always recorded: there is no state that refuses it. Absent filters are left out. */
export function decideAuditAccess(command: RecordAuditAccess): AuditAccessEvent[] {
  const filters: Record<string, string> = {};
  for (const [name, value] of Object.entries(command.filters)) {
    if (value !== undefined) filters[name] = value;
  }
  return [
    {
      type: 'AuditTrailAccessed',
      data: {
        operation: command.operation,
        filters,
        rowCount: command.rowCount,
        completed: command.completed,
        ...(command.outcome ? { outcome: command.outcome } : {}),
        ...(command.checkpoint ? { checkpoint: command.checkpoint } : {}),
      },
    },
  ];
}

/** Access has no state: the log of a day only grows. */
export const auditAccessDecider: Decider<null, RecordAuditAccess, AuditAccessEvent> = {
  initialState: null,
  evolve: (state) => state,
  decide: decideAuditAccess,
};
