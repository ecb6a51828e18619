/**
 * A digest checkpoint is evidence, not derived data: a verification that found the log intact
 * states that the running digest of the log up to a position was a given value, so that a later
 * verification can prove nothing up to there has changed since. Evidence has to survive what
 * derived data may suffer (read models deleted, rebuilt), so checkpoints are events of the log
 * itself, in one stream of their own, sealed and hash-chained like every other stream: removing
 * or altering one in the middle breaks that chain, and every later checkpoint's digest covers the
 * earlier checkpoint events too.
 *
 * What a chain cannot show is its last events removed. The verifications' own access records
 * show it: each names the newest checkpoint it left behind (`checkpointReference`), so the log
 * itself says how many checkpoints must exist.
 */
import { z } from 'zod';
import type { Decider } from '../shared/decider.js';

export const AUDIT_DIGEST_ENTITY_TYPE = 'auditDigest';

/** One stream for the digest of the one global log: its revisions number the checkpoints. */
export const AUDIT_DIGEST_STREAM = `${AUDIT_DIGEST_ENTITY_TYPE}-log`;

/** Positions go past 2^53 on EventStoreDB, so they travel as decimal strings. */
const decimal = z.string().regex(/^(0|[1-9]\d{0,19})$/, 'must be a non-negative integer');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lowercase hex');

export const auditDigestEventSchemas = {
  AuditDigestCheckpointed: z
    .strictObject({
      position: decimal.describe(
        'The last log position the digest covers (a decimal string); the checkpoint event itself lands after it.',
      ),
      events: z
        .number()
        .int()
        .nonnegative()
        .describe('Events of the log up to and including `position`.'),
      // How the digest is computed is log-integrity.ts's.
      digest: sha256.describe('The running digest of the log up to `position`, SHA-256 in hex.'),
      mode: z
        .enum(['full', 'incremental'])
        .describe('The kind of verification that found the log intact up to here.'),
    })
    .describe(
      'A verification found the log intact up to a position. Appended every `AUDIT_CHECKPOINT_EVERY` events and at the end of what it read, all in one append after it has finished reading, so each event lands after the position it covers. One stream for the one global log: its revisions number the checkpoints, and its chain shows one removed or altered. The actor, correlation and request ids are those of the verify request (`system:audit-verifier` for a verification run without one).',
    ),
} as const;

/** The stream each event type is appended to. */
export const auditDigestEventStreams = {
  AuditDigestCheckpointed: AUDIT_DIGEST_STREAM,
} as const satisfies Record<keyof typeof auditDigestEventSchemas, string>;

/** How an access record names a checkpoint: by revision, with what it must say. */
export const checkpointReference = z.strictObject({
  revision: decimal.describe(`Revision of the checkpoint event in \`${AUDIT_DIGEST_STREAM}\`.`),
  position: decimal.describe('The position the checkpoint covers.'),
  digest: sha256.describe('The digest it states.'),
});

export type CheckpointReference = z.infer<typeof checkpointReference>;

export type AuditDigestEvent = {
  readonly type: 'AuditDigestCheckpointed';
  readonly data: z.infer<(typeof auditDigestEventSchemas)['AuditDigestCheckpointed']>;
};

/** A checkpoint as the verifier computes and compares it. */
export interface DigestCheckpointFact {
  readonly position: bigint;
  readonly events: number;
  readonly digest: string;
}

export interface RecordDigestCheckpoints {
  readonly type: 'RecordDigestCheckpoints';
  readonly mode: 'full' | 'incremental';
  /** In log order: the stream's revisions then follow the positions they cover. */
  readonly checkpoints: readonly DigestCheckpointFact[];
}

/** Nothing refuses a checkpoint: only a run that found the log intact asks for one. */
export function decideDigestCheckpoints(command: RecordDigestCheckpoints): AuditDigestEvent[] {
  return command.checkpoints.map((checkpoint) => ({
    type: 'AuditDigestCheckpointed',
    data: {
      position: checkpoint.position.toString(),
      events: checkpoint.events,
      digest: checkpoint.digest,
      mode: command.mode,
    },
  }));
}

/** The checkpoint a stored event states, or undefined when it is not a well-formed one. */
export function checkpointOfEvent(event: {
  readonly type: string;
  readonly data: unknown;
}): DigestCheckpointFact | undefined {
  if (event.type !== 'AuditDigestCheckpointed') return undefined;
  const parsed = auditDigestEventSchemas.AuditDigestCheckpointed.safeParse(event.data);
  if (!parsed.success) return undefined;
  const { position, events, digest } = parsed.data;
  return { position: BigInt(position), events, digest };
}

/** The checkpoint stream only grows: its decider needs no state. */
export const digestCheckpointDecider: Decider<null, RecordDigestCheckpoints, AuditDigestEvent> = {
  initialState: null,
  evolve: (state) => state,
  decide: decideDigestCheckpoints,
};
