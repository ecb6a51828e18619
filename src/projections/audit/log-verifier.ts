/**
 * Tamper verification of the event store itself (never the read models).
 *
 * A full verification reads the global log from the start. Per stream it checks the rules of
 * `checkLink` (revisions without gaps, each `prevHash` naming the stored hash before it, each
 * hash matching its content) and reports the first broken link of every stream. Over the whole
 * log it folds a running digest and compares it with every checkpoint an earlier verification
 * saved: a checkpoint pins everything up to its position, so a change made since (even one that
 * recomputed every hash of a stream, which chains alone cannot catch, or the removal of a
 * stream's last events) shows as a checkpoint whose digest no longer matches.
 *
 * An incremental verification reads only what is new since the latest checkpoint and carries
 * the digest on from it. To still catch changes to old events it also
 * - reads, for every stream the new events extend, the stream's previous event, and checks that
 *   it still hashes to what the new event's `prevHash` names;
 * - re-reads the `recheckSegments` segments (the events between two consecutive checkpoints)
 *   that were re-checked longest ago, and recomputes each one's digest from the checkpoint before
 *   it. Every segment is thereby re-read within as many runs as there are segments.
 *
 * Checkpoints are saved only by a run that found nothing wrong, so a tampered log is never
 * blessed. They are events of the log (checkpoint-evidence.ts): deleting or rebuilding read
 * models cannot remove them, and the log's own verification records say how many there must be.
 * The digest and position a run reports are also meant to be kept outside the system.
 */
import type { Logger } from 'pino';
import type { RecordCheckpoints } from '../../commands/audit/audit-commands.js';
import type { CommandContext } from '../../commands/command-context.js';
import {
  AUDIT_DIGEST_STREAM,
  type DigestCheckpointFact,
} from '../../domain/audit/digest-checkpoint.js';
import { recordOfStream } from '../../domain/audit/record-ref.js';
import type { EventStore } from '../../stores/event-store.js';
import type { ReadModelStore } from '../../stores/read-model-store.js';
import {
  createRecheckSchedule,
  expectationOf,
  readCheckpointStream,
  readLegacyCheckpoints,
  unmetExpectations,
  unreadableProblem,
  type Checkpoint,
  type CheckpointExpectation,
  type EventLocation,
  type NoteBroken,
} from './checkpoint-evidence.js';
import {
  checkLink,
  EMPTY_LOG_DIGEST,
  foldDigest,
  UNREADABLE,
  type LinkProblem,
  type StreamTip,
} from './log-integrity.js';
import { readLog, readPrevious } from './log-reader.js';
import type {
  BrokenStream,
  CheckpointMismatch,
  LoggedCheckpoint,
  VerificationMode,
  VerificationReport,
} from './verification-report.js';

export type * from './verification-report.js';
export { checkpointToRecord } from './verification-report.js';

export interface LogVerifierDeps {
  readonly eventStore: EventStore;
  /** Holds the re-check rotation and old versions' checkpoints only: never evidence. */
  readonly readModels: ReadModelStore;
  /** Appends the checkpoints of a run that found the log intact. */
  readonly recordCheckpoints: RecordCheckpoints;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** A checkpoint is saved every this many events of the log. Default 10 000. */
  readonly checkpointEvery?: number;
  /** Events per read of the log. Default 1000. */
  readonly readBatch?: number;
  /** Old segments an incremental run re-reads. Default 1. */
  readonly recheckSegments?: number;
  /** A progress line is logged every this many events. Default 100 000. */
  readonly progressEvery?: number;
}

const MAX_LISTED = 1000;

export interface LogVerifier {
  /**
   * One verification at a time: a second caller waits for the first to finish. `context` is
   * the request it runs for: the checkpoints it appends are recorded as that request's.
   */
  verify(
    mode: VerificationMode,
    signal?: AbortSignal,
    context?: CommandContext,
  ): Promise<VerificationReport>;
}

export function createLogVerifier(deps: LogVerifierDeps): LogVerifier {
  const clock = deps.clock ?? (() => new Date());
  const checkpointEvery = deps.checkpointEvery ?? 10_000;
  const readBatch = deps.readBatch ?? 1000;
  const recheckSegments = deps.recheckSegments ?? 1;
  const progressEvery = deps.progressEvery ?? 100_000;
  const { eventStore, readModels } = deps;
  const schedule = createRecheckSchedule(readModels);
  let queue: Promise<unknown> = Promise.resolve();

  async function run(
    mode: VerificationMode,
    signal: AbortSignal | undefined,
    context: CommandContext | undefined,
  ): Promise<VerificationReport> {
    const started = clock();
    const startedMs = performance.now();
    const log = deps.logger.child({ verification: mode });
    const broken = new Map<string, BrokenStream>();
    const noteBroken: NoteBroken = (event, problems) => {
      if (problems.length === 0 || broken.has(event.streamId)) return;
      broken.set(event.streamId, {
        stream: event.streamId,
        ...recordOfStream(event.streamId),
        position: event.position.toString(),
        revision: event.revision.toString(),
        eventId: event.id,
        eventType: event.type,
        problems,
      });
    };

    const stream = await readCheckpointStream(eventStore, noteBroken);
    const logged = byPosition(stream.checkpoints);
    // Until the log holds a checkpoint, the ones old versions kept in the read models still pin
    // what they covered: an upgrade neither loses that nor is taken for a removal.
    const legacy = logged.length === 0 ? byPosition(await readLegacyCheckpoints(readModels)) : [];
    const saved = logged.length > 0 ? logged : legacy;
    // Only evidence from the log lets a run skip reading the log.
    const latest = logged.at(-1);
    const incremental = mode === 'incremental' && latest !== undefined;
    const reportMode: VerificationMode = incremental ? 'incremental' : 'full';

    const tips = new Map<string, StreamTip>();
    const mismatched: CheckpointMismatch[] = [];
    const expectations: CheckpointExpectation[] = [];
    let compared = 0;
    let eventsChecked = 0;
    let eventsRechecked = 0;
    let digest = incremental ? latest.digest : EMPTY_LOG_DIGEST;
    let count = incremental ? latest.events : 0;
    let lastPosition = incremental ? latest.position : 0n;
    const fromPosition = lastPosition;
    const fresh: DigestCheckpointFact[] = [];

    const compare: Compare = (checkpoint, from, digestNow, eventsNow) => {
      compared += 1;
      if (checkpoint.digest === digestNow && checkpoint.events === eventsNow) return true;
      mismatched.push({
        fromPosition: from,
        toPosition: checkpoint.position.toString(),
        verifiedAt: checkpoint.verifiedAt,
        eventsThen: checkpoint.events,
        eventsNow,
        digestThen: checkpoint.digest,
        digestNow,
      });
      return false;
    };

    // Each saved checkpoint is compared with the digest of its own segment, folded from the
    // checkpoint before it as saved: a change shows in the segment that holds it, not in every
    // checkpoint after it.
    const pending = incremental ? [] : [...saved];
    let segmentStart: Checkpoint | undefined;
    let segmentDigest = EMPTY_LOG_DIGEST;
    let segmentCount = 0;
    const passCheckpointsBefore = (position: bigint | undefined) => {
      while (pending.length > 0 && (position === undefined || pending[0]!.position < position)) {
        const checkpoint = pending.shift()!;
        compare(checkpoint, (segmentStart?.position ?? 0n).toString(), segmentDigest, segmentCount);
        segmentStart = checkpoint;
        segmentDigest = checkpoint.digest;
        segmentCount = checkpoint.events;
      }
    };

    /** Folds one event, readable or not, into the digests and counts. */
    const fold = (event: EventLocation & { recordedAt: string }, contentHash: string) => {
      digest = foldDigest(digest, event, contentHash);
      segmentDigest = foldDigest(segmentDigest, event, contentHash);
      segmentCount += 1;
      count += 1;
      eventsChecked += 1;
      lastPosition = event.position;
      if (count % checkpointEvery === 0)
        fresh.push({ position: event.position, events: count, digest });
      if (eventsChecked % progressEvery === 0) {
        log.info({ eventsChecked, position: event.position.toString() }, 'verification progress');
      }
    };

    for await (const item of readLog(eventStore, lastPosition, readBatch, signal)) {
      if ('unreadable' in item) {
        const event = item.unreadable.event;
        passCheckpointsBefore(event.position);
        noteBroken(event, [unreadableProblem(item.unreadable)]);
        tips.set(event.streamId, { revision: event.revision, hash: UNREADABLE });
        fold(event, UNREADABLE);
        continue;
      }
      const event = item.event;
      // Incremental: a stream the new events extend is first linked to its stored previous
      // event, whose own content is checked too.
      if (incremental && event.revision > 0n && !tips.has(event.streamId)) {
        const previous = await readPrevious(eventStore, event);
        if (previous) eventsRechecked += 1;
        if (previous && 'unreadable' in previous) {
          noteBroken(previous.unreadable.event, [unreadableProblem(previous.unreadable)]);
          tips.set(event.streamId, { revision: event.revision - 1n, hash: UNREADABLE });
        } else if (previous) {
          const check = checkLink(undefined, previous.event);
          noteBroken(previous.event, check.problems.filter(isContentProblem));
          tips.set(event.streamId, check.tip);
        }
      }
      passCheckpointsBefore(event.position);
      const check = checkLink(tips.get(event.streamId), event);
      noteBroken(event, check.problems);
      tips.set(event.streamId, check.tip);
      fold(event, check.contentHash);
      const expectation = expectationOf(event);
      if (expectation) expectations.push(expectation);
    }
    passCheckpointsBefore(undefined);
    if (incremental) eventsRechecked += await recheckOldest(logged, signal, compare, noteBroken);

    // A record naming a checkpoint past those read at the start can be that of a verification
    // another instance finished meanwhile: its checkpoints are in the stream by now.
    let inLog = stream.checkpoints;
    if (expectations.some((expected) => BigInt(expected.revision) >= stream.next)) {
      const more = await readCheckpointStream(eventStore, noteBroken, stream);
      inLog = [...inLog, ...more.checkpoints];
    }
    const missing = unmetExpectations(expectations, inLog);

    const intact = broken.size === 0 && mismatched.length === 0 && missing.length === 0;
    let newest = loggedCheckpoint(inLog.at(-1));
    let savedCount = 0;
    if (intact) {
      if (eventsChecked > 0 && count % checkpointEvery !== 0) {
        fresh.push({ position: lastPosition, events: count, digest });
      }
      const known = new Set(inLog.map((checkpoint) => checkpoint.position));
      const toSave = fresh.filter((checkpoint) => !known.has(checkpoint.position));
      const recorded = await deps.recordCheckpoints(context, {
        type: 'RecordDigestCheckpoints',
        mode: reportMode,
        checkpoints: toSave,
      });
      if (recorded) {
        savedCount = toSave.length;
        const last = toSave.at(-1)!;
        newest = loggedCheckpoint({
          ...last,
          revision: recorded.revision,
          verifiedAt: recorded.recordedAt,
        });
      }
    } else {
      log.warn(
        {
          brokenStreams: broken.size,
          checkpointMismatches: mismatched.length,
          checkpointsMissing: missing.length,
        },
        'the log fails verification',
      );
    }
    const report: VerificationReport = {
      mode: reportMode,
      status: intact ? 'intact' : 'tampered',
      fromPosition: fromPosition.toString(),
      toPosition: lastPosition.toString(),
      eventsChecked,
      streamsChecked: tips.size,
      eventsRechecked,
      digest: { position: lastPosition.toString(), events: count, value: digest },
      brokenStreams: [...broken.values()].slice(0, MAX_LISTED),
      brokenStreamCount: broken.size,
      checkpoints: {
        compared,
        mismatched,
        found: stream.checkpoints.length,
        legacy: legacy.length,
        saved: savedCount,
        latest: newest,
        missing: missing.slice(0, MAX_LISTED),
      },
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - startedMs),
    };
    log.info(
      { status: report.status, eventsChecked, eventsRechecked, durationMs: report.durationMs },
      'verification finished',
    );
    return report;
  }

  /** Re-reads the segments re-checked longest ago and compares each one's digest. */
  async function recheckOldest(
    saved: readonly Checkpoint[],
    signal: AbortSignal | undefined,
    compare: Compare,
    noteBroken: NoteBroken,
  ): Promise<number> {
    const states = await schedule.load();
    const segments = saved.map((checkpoint, index) => ({
      checkpoint,
      before: saved[index - 1],
      // Never re-checked, or its state lost with the read models: as old as its verification.
      state: states.get(checkpoint.position) ?? { recheckedAt: checkpoint.verifiedAt, rechecks: 0 },
    }));
    // Least recently re-checked first; when the clock did not move, the least re-checked.
    segments.sort(
      (a, b) =>
        a.state.recheckedAt.localeCompare(b.state.recheckedAt) ||
        a.state.rechecks - b.state.rechecks,
    );
    let read = 0;
    const rechecked: { position: bigint; recheckedAt: string; rechecks: number }[] = [];
    for (const { checkpoint, before, state } of segments.slice(0, recheckSegments)) {
      let digest = before?.digest ?? EMPTY_LOG_DIGEST;
      let count = before?.events ?? 0;
      for await (const item of readLog(eventStore, before?.position ?? 0n, readBatch, signal)) {
        const location = 'event' in item ? item.event : item.unreadable.event;
        if (location.position > checkpoint.position) break;
        let contentHash = UNREADABLE;
        if ('event' in item) {
          const check = checkLink(undefined, item.event);
          // Without the stream's earlier events only the event's own content can be judged
          // here; the segment digest covers links, removals and order.
          noteBroken(item.event, check.problems.filter(isContentProblem));
          contentHash = check.contentHash;
        } else {
          noteBroken(location, [unreadableProblem(item.unreadable)]);
        }
        digest = foldDigest(digest, location, contentHash);
        count += 1;
        read += 1;
      }
      if (compare(checkpoint, (before?.position ?? 0n).toString(), digest, count)) {
        rechecked.push({
          position: checkpoint.position,
          recheckedAt: clock().toISOString(),
          rechecks: state.rechecks + 1,
        });
      }
    }
    await schedule.save(rechecked);
    return read;
  }

  return {
    verify(mode, signal, context) {
      const result = queue.then(() => run(mode, signal, context));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

type Compare = (
  checkpoint: Checkpoint,
  from: string,
  digestNow: string,
  eventsNow: number,
) => boolean;

/** What can be judged of an event without its stream's earlier events. */
function isContentProblem(problem: LinkProblem): boolean {
  return problem.kind === 'content-altered' || problem.kind === 'unsealed';
}

/** In log order of what they cover; checkpoints at one position keep their stream order. */
function byPosition(checkpoints: readonly Checkpoint[]): Checkpoint[] {
  return [...checkpoints].sort((a, b) =>
    a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
  );
}

function loggedCheckpoint(checkpoint: Checkpoint | undefined): LoggedCheckpoint | null {
  if (checkpoint?.revision === undefined) return null;
  return {
    stream: AUDIT_DIGEST_STREAM,
    revision: checkpoint.revision.toString(),
    position: checkpoint.position.toString(),
    events: checkpoint.events,
    digest: checkpoint.digest,
    verifiedAt: checkpoint.verifiedAt,
  };
}
