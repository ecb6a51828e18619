/**
 * Where a verification finds its digest checkpoints, and how it knows how many there must be.
 *
 * Checkpoints are evidence, so they are read from the event store only: the checkpoint stream
 * (`auditDigest-log`), whose chain is checked as it is read. The log also says which
 * checkpoints must exist: every verification's access record names the newest one it left
 * (`expectationOf`), and a checkpoint named there but not in the stream, or not as named, was
 * removed or replaced (`unmetExpectations`).
 *
 * The read-model store keeps two things here, neither of them evidence:
 * - when each segment was last re-checked (`audit_log_rechecks`). Losing it changes only which
 *   old segment an incremental run re-reads next;
 * - the checkpoints that versions before checkpoints were events saved there
 *   (`audit_log_digests`). They are read only while the log holds no checkpoint, so an upgraded
 *   deployment keeps what they protect until its first verification has put checkpoints in the
 *   log; their absence is never reported, since read models may be deleted.
 */
import { auditAccessEventSchemas } from '../../domain/audit/audit-access.js';
import {
  AUDIT_DIGEST_STREAM,
  checkpointOfEvent,
  type CheckpointReference,
  type DigestCheckpointFact,
} from '../../domain/audit/digest-checkpoint.js';
import {
  UnreadableEventError,
  type EventStore,
  type RecordedEvent,
} from '../../stores/event-store.js';
import {
  decodePosition,
  encodePosition,
  type ReadModelStore,
} from '../../stores/read-model-store.js';
import { checkLink, UNREADABLE, type LinkProblem, type StreamTip } from './log-integrity.js';

export interface Checkpoint extends DigestCheckpointFact {
  /** When the run that saved it found the log intact. */
  readonly verifiedAt: string;
  /** Its revision in the checkpoint stream; absent for one from the read models of old versions. */
  readonly revision?: bigint;
}

/** Where an event is and what it is: all a report names, readable or not. */
export type EventLocation = Pick<
  RecordedEvent,
  'position' | 'streamId' | 'revision' | 'id' | 'type'
>;

export type NoteBroken = (event: EventLocation, problems: readonly LinkProblem[]) => void;

export function unreadableProblem(error: UnreadableEventError): LinkProblem {
  return { kind: 'unreadable', detail: error.message };
}

export interface CheckpointStreamRead {
  /** In revision order. */
  readonly checkpoints: readonly Checkpoint[];
  /** Where a later read goes on from. */
  readonly next: bigint;
  readonly tip: StreamTip | undefined;
}

const PAGE = 1000;

/**
 * The checkpoint stream from `from.next` on, with every link checked from `from.tip`. An event
 * that is unreadable, or not a well-formed checkpoint, is no checkpoint: the first is reported
 * here, the second shows as a content problem or a checkpoint the log names but lacks.
 */
export async function readCheckpointStream(
  eventStore: EventStore,
  noteBroken: NoteBroken,
  from: Omit<CheckpointStreamRead, 'checkpoints'> = { next: 0n, tip: undefined },
): Promise<CheckpointStreamRead> {
  const checkpoints: Checkpoint[] = [];
  let { next, tip } = from;
  const read = (fromRevision: bigint, maxCount: number) =>
    eventStore.readStream(AUDIT_DIGEST_STREAM, { fromRevision, maxCount });
  for (;;) {
    let events: RecordedEvent[] = [];
    let unreadable: UnreadableEventError | undefined;
    try {
      events = await read(next, PAGE);
    } catch (error) {
      if (!(error instanceof UnreadableEventError)) throw error;
      // One at a time up to the unreadable event, so every readable one still counts.
      for (;;) {
        try {
          const [one] = await read(events.at(-1) ? events.at(-1)!.revision + 1n : next, 1);
          if (!one) break;
          events.push(one);
        } catch (single) {
          if (!(single instanceof UnreadableEventError)) throw single;
          unreadable = single;
          break;
        }
      }
    }
    for (const event of events) {
      const check = checkLink(tip, event);
      noteBroken(event, check.problems);
      tip = check.tip;
      next = event.revision + 1n;
      const checkpoint = checkpointOfEvent(event);
      if (checkpoint) {
        const sealedAt = event.metadata.recordedAt;
        checkpoints.push({
          ...checkpoint,
          revision: event.revision,
          verifiedAt: typeof sealedAt === 'string' ? sealedAt : event.recordedAt,
        });
      }
    }
    if (unreadable) {
      noteBroken(unreadable.event, [unreadableProblem(unreadable)]);
      tip = { revision: unreadable.event.revision, hash: UNREADABLE };
      next = unreadable.event.revision + 1n;
      continue;
    }
    if (events.length < PAGE) return { checkpoints, next, tip };
  }
}

export const LEGACY_DIGESTS_COLLECTION = 'audit_log_digests';

/** Checkpoints as versions before checkpoints were events saved them, in the read models. */
export async function readLegacyCheckpoints(readModels: ReadModelStore): Promise<Checkpoint[]> {
  if (!(await readModels.listCollections()).includes(LEGACY_DIGESTS_COLLECTION)) return [];
  const found: Checkpoint[] = [];
  for (let cursor: string | undefined; ;) {
    const page = await readModels.find(LEGACY_DIGESTS_COLLECTION, { limit: PAGE, cursor });
    for (const { body } of page.documents) {
      const { position, events, digest, verifiedAt } = body;
      if (typeof position !== 'string' || typeof events !== 'number') continue;
      if (typeof digest !== 'string' || typeof verifiedAt !== 'string') continue;
      found.push({ position: decodePosition(position), events, digest, verifiedAt });
    }
    if (!page.nextCursor) return found;
    cursor = page.nextCursor;
  }
}

export const RECHECKS_COLLECTION = 'audit_log_rechecks';

export interface RecheckState {
  readonly recheckedAt: string;
  /** How often the segment was re-checked: orders re-checks when clocks tie. */
  readonly rechecks: number;
}

export interface RecheckSchedule {
  /** The state of each segment that was ever re-checked, by the position it ends at. */
  load(): Promise<Map<bigint, RecheckState>>;
  save(segments: readonly (RecheckState & { readonly position: bigint })[]): Promise<void>;
}

export function createRecheckSchedule(readModels: ReadModelStore): RecheckSchedule {
  // A document's write position is its version: the store's guard lets only a higher one
  // through, so each save counts up from the version last loaded.
  const versions = new Map<string, bigint>();
  return {
    async load() {
      await readModels.ensureCollection(RECHECKS_COLLECTION);
      const states = new Map<bigint, RecheckState>();
      for (let cursor: string | undefined; ;) {
        const page = await readModels.find(RECHECKS_COLLECTION, { limit: PAGE, cursor });
        for (const document of page.documents) {
          versions.set(document.id, document.position);
          const { recheckedAt, rechecks } = document.body;
          if (typeof recheckedAt !== 'string' || typeof rechecks !== 'number') continue;
          states.set(decodePosition(document.id), { recheckedAt, rechecks });
        }
        if (!page.nextCursor) return states;
        cursor = page.nextCursor;
      }
    },
    async save(segments) {
      if (segments.length === 0) return;
      const writes = segments.map(({ position, recheckedAt, rechecks }) => {
        const id = encodePosition(position);
        const version = (versions.get(id) ?? 0n) + 1n;
        versions.set(id, version);
        return { id, position: version, body: { recheckedAt, rechecks } };
      });
      await readModels.writeBatch(RECHECKS_COLLECTION, writes);
    },
  };
}

/** A checkpoint the log says exists, and which event says so. */
export interface CheckpointExpectation extends CheckpointReference {
  readonly namedBy: {
    readonly position: string;
    readonly eventId: string;
    readonly recordedAt: string;
  };
}

/** The checkpoint a verification's access record says it left in the log, if it names one. */
export function expectationOf(event: RecordedEvent): CheckpointExpectation | undefined {
  if (event.type !== 'AuditTrailAccessed') return undefined;
  const parsed = auditAccessEventSchemas.AuditTrailAccessed.safeParse(event.data);
  if (!parsed.success || parsed.data.operation !== 'verify' || !parsed.data.checkpoint) {
    return undefined;
  }
  const sealedAt = event.metadata.recordedAt;
  return {
    ...parsed.data.checkpoint,
    namedBy: {
      position: event.position.toString(),
      eventId: event.id,
      recordedAt: typeof sealedAt === 'string' ? sealedAt : event.recordedAt,
    },
  };
}

export interface MissingCheckpoint extends CheckpointExpectation {
  /** What the checkpoint stream holds at that revision instead, if anything. */
  readonly found: { readonly position: string; readonly digest: string } | null;
  readonly detail: string;
}

/** Each checkpoint the log names that the checkpoint stream does not hold as named. */
export function unmetExpectations(
  expectations: readonly CheckpointExpectation[],
  checkpoints: readonly Checkpoint[],
): MissingCheckpoint[] {
  const byRevision = new Map(checkpoints.map((checkpoint) => [checkpoint.revision, checkpoint]));
  const reported = new Set<string>();
  const missing: MissingCheckpoint[] = [];
  for (const expected of expectations) {
    if (reported.has(expected.revision)) continue;
    const found = byRevision.get(BigInt(expected.revision));
    if (found && found.position === BigInt(expected.position) && found.digest === expected.digest) {
      continue;
    }
    reported.add(expected.revision);
    const named =
      `The verification recorded at position ${expected.namedBy.position} (${expected.namedBy.recordedAt}) ` +
      `left checkpoint ${AUDIT_DIGEST_STREAM}@${expected.revision}, covering the log up to position ` +
      `${expected.position} with digest ${expected.digest}`;
    missing.push({
      ...expected,
      found: found ? { position: found.position.toString(), digest: found.digest } : null,
      detail: found
        ? `${named}; that revision now covers position ${found.position} with digest ${found.digest}: the checkpoint was replaced.`
        : `${named}; the log holds no such checkpoint (${checkpoints.length} in ${AUDIT_DIGEST_STREAM}): checkpoint events were removed.`,
    });
  }
  return missing.sort((a, b) => (BigInt(a.revision) < BigInt(b.revision) ? -1 : 1));
}
