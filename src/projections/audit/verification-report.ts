/** What a verification answers: the shape `GET /v1/audit/verify` returns. */
import type { CheckpointReference } from '../../domain/audit/digest-checkpoint.js';
import type { MissingCheckpoint } from './checkpoint-evidence.js';
import type { LinkProblem } from './log-integrity.js';

export type VerificationMode = 'full' | 'incremental';

export interface BrokenStream {
  readonly stream: string;
  readonly entityType: string;
  readonly entityId: string;
  /** The first event found wrong. */
  readonly position: string;
  readonly revision: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly problems: readonly LinkProblem[];
}

export interface CheckpointMismatch {
  /** The events after `fromPosition` up to `toPosition` are not what was verified. */
  readonly fromPosition: string;
  readonly toPosition: string;
  readonly verifiedAt: string;
  readonly eventsThen: number;
  readonly eventsNow: number;
  readonly digestThen: string;
  readonly digestNow: string;
}

/** A checkpoint event of the log, as a report names it. */
export interface LoggedCheckpoint {
  readonly stream: string;
  readonly revision: string;
  /** The last log position it covers. */
  readonly position: string;
  readonly events: number;
  readonly digest: string;
  readonly verifiedAt: string;
}

export interface VerificationReport {
  readonly mode: VerificationMode;
  readonly status: 'intact' | 'tampered';
  /** Exclusive: the run read events after this position. */
  readonly fromPosition: string;
  /** The last position read. */
  readonly toPosition: string;
  readonly eventsChecked: number;
  readonly streamsChecked: number;
  /** Old events re-read by an incremental run (previous events of streams, rechecked segments). */
  readonly eventsRechecked: number;
  /** The running digest of the whole log up to `toPosition`, and how many events it covers. */
  readonly digest: { readonly position: string; readonly events: number; readonly value: string };
  readonly brokenStreams: readonly BrokenStream[];
  /** All broken streams; `brokenStreams` lists at most the first 1000. */
  readonly brokenStreamCount: number;
  readonly checkpoints: {
    readonly compared: number;
    readonly mismatched: readonly CheckpointMismatch[];
    /** Checkpoint events in the log when the run started. */
    readonly found: number;
    /** Checkpoints from the read models of versions before they were events: used only while the log has none. */
    readonly legacy: number;
    /** Checkpoint events this run appended. */
    readonly saved: number;
    /** The newest checkpoint in the log when the run ended: the one it appended, or the newest found. */
    readonly latest: LoggedCheckpoint | null;
    /** Checkpoints that the log's verification records name, but the log does not hold as named. */
    readonly missing: readonly MissingCheckpoint[];
  };
  readonly startedAt: string;
  readonly durationMs: number;
}

/** What a verification's access record names: the checkpoint a later run must find. */
export function checkpointToRecord(report: VerificationReport): CheckpointReference | undefined {
  const latest = report.checkpoints.latest;
  return latest
    ? { revision: latest.revision, position: latest.position, digest: latest.digest }
    : undefined;
}
