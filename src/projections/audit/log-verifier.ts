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
 * blessed. They live in the read-model store (`audit_log_digests`); the digest and position a
 * run reports are meant to be kept outside the system too, where nobody with access to the
 * stores can rewrite them.
 */
import type { Logger } from 'pino';
import { yieldToEventLoop } from '../../wait-until.js';
import { recordOfStream } from '../../domain/audit/record-ref.js';
import {
  checkLink,
  EMPTY_LOG_DIGEST,
  foldDigest,
  type LinkProblem,
  type StreamTip,
} from './log-integrity.js';
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

export const DIGESTS_COLLECTION = 'audit_log_digests';

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
  };
  readonly startedAt: string;
  readonly durationMs: number;
}

interface DigestCheckpoint {
  readonly position: string;
  readonly events: number;
  readonly digest: string;
  readonly verifiedAt: string;
  readonly recheckedAt: string;
  /** How often the segment ending here was re-checked: orders re-checks when clocks tie. */
  readonly rechecks: number;
}

export interface LogVerifierDeps {
  readonly eventStore: EventStore;
  readonly readModels: ReadModelStore;
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

const MAX_LISTED_STREAMS = 1000;

export interface LogVerifier {
  /** One verification at a time: a second caller waits for the first to finish. */
  verify(mode: VerificationMode, signal?: AbortSignal): Promise<VerificationReport>;
}

export function createLogVerifier(deps: LogVerifierDeps): LogVerifier {
  const clock = deps.clock ?? (() => new Date());
  const checkpointEvery = deps.checkpointEvery ?? 10_000;
  const readBatch = deps.readBatch ?? 1000;
  const recheckSegments = deps.recheckSegments ?? 1;
  const progressEvery = deps.progressEvery ?? 100_000;
  const { eventStore, readModels } = deps;
  let queue: Promise<unknown> = Promise.resolve();

  /**
   * Each checkpoint document's write position is a version: the store's guard only lets a
   * write with a higher one through, so a re-check counts up from the version it loaded.
   */
  const versions = new Map<string, bigint>();

  async function loadCheckpoints(): Promise<DigestCheckpoint[]> {
    await readModels.ensureCollection(DIGESTS_COLLECTION);
    const found: DigestCheckpoint[] = [];
    for (let cursor: string | undefined; ;) {
      const page = await readModels.find(DIGESTS_COLLECTION, { limit: 1000, cursor });
      for (const document of page.documents) {
        versions.set(document.id, document.position);
        const body = document.body as unknown as DigestCheckpoint;
        found.push({ ...body, rechecks: body.rechecks ?? 0 });
      }
      if (!page.nextCursor) return found.sort((a, b) => a.position.localeCompare(b.position));
      cursor = page.nextCursor;
    }
  }

  async function saveCheckpoints(checkpoints: readonly DigestCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) return;
    const writes = checkpoints.map((checkpoint) => {
      const version = (versions.get(checkpoint.position) ?? 0n) + 1n;
      versions.set(checkpoint.position, version);
      return {
        id: checkpoint.position,
        position: version,
        body: checkpoint as unknown as Record<string, unknown>,
      };
    });
    await readModels.writeBatch(DIGESTS_COLLECTION, writes);
  }

  /**
   * The log after `after` in order, one page in memory at a time. An event the store cannot
   * read back is handed over as such, and reading goes on after it.
   */
  async function* readLog(after: bigint, signal: AbortSignal | undefined): AsyncGenerator<LogItem> {
    for (let position = after; ;) {
      await yieldToEventLoop();
      signal?.throwIfAborted();
      let events: RecordedEvent[];
      let unreadable: UnreadableEventError | undefined;
      try {
        events = await eventStore.readAll({ after: position, maxCount: readBatch });
      } catch (error) {
        if (!(error instanceof UnreadableEventError)) throw error;
        // One at a time up to the unreadable event, so every readable one is still checked.
        events = [];
        for (;;) {
          try {
            const [next] = await eventStore.readAll({
              after: events.at(-1)?.position ?? position,
              maxCount: 1,
            });
            if (!next) break;
            events.push(next);
          } catch (single) {
            if (!(single instanceof UnreadableEventError)) throw single;
            unreadable = single;
            break;
          }
        }
      }
      for (const event of events) yield { event };
      if (unreadable) {
        yield { unreadable };
        position = unreadable.event.position;
        continue;
      }
      if (events.length < readBatch) return;
      position = events.at(-1)!.position;
    }
  }

  /** A stream's stored event before `event`, if it is there. */
  async function readPrevious(event: RecordedEvent): Promise<LogItem | undefined> {
    try {
      const [previous] = await eventStore.readStream(event.streamId, {
        fromRevision: event.revision - 1n,
        maxCount: 1,
      });
      return previous && previous.revision === event.revision - 1n
        ? { event: previous }
        : undefined;
    } catch (error) {
      if (error instanceof UnreadableEventError) return { unreadable: error };
      throw error;
    }
  }

  async function run(mode: VerificationMode, signal?: AbortSignal): Promise<VerificationReport> {
    const started = clock();
    const startedMs = performance.now();
    const log = deps.logger.child({ verification: mode });
    const saved = await loadCheckpoints();
    const latest = saved.at(-1);
    const incremental = mode === 'incremental' && latest !== undefined;

    const tips = new Map<string, StreamTip>();
    const broken = new Map<string, BrokenStream>();
    const mismatched: CheckpointMismatch[] = [];
    let compared = 0;
    let eventsChecked = 0;
    let eventsRechecked = 0;
    let digest = incremental ? latest.digest : EMPTY_LOG_DIGEST;
    let count = incremental ? latest.events : 0;
    let lastPosition = incremental ? decodePosition(latest.position) : 0n;
    const fromPosition = lastPosition;
    const fresh: DigestCheckpoint[] = [];
    const now = () => clock().toISOString();

    const noteBroken = (event: EventLocation, problems: readonly LinkProblem[]) => {
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
    const compare: Compare = (checkpoint, from, digestNow, eventsNow) => {
      compared += 1;
      if (checkpoint.digest === digestNow && checkpoint.events === eventsNow) return true;
      mismatched.push({
        fromPosition: from,
        toPosition: decodePosition(checkpoint.position).toString(),
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
    let segmentStart: DigestCheckpoint | undefined;
    let segmentDigest = EMPTY_LOG_DIGEST;
    let segmentCount = 0;
    const passCheckpointsBefore = (position: bigint | undefined) => {
      while (
        pending.length > 0 &&
        (position === undefined || decodePosition(pending[0]!.position) < position)
      ) {
        const checkpoint = pending.shift()!;
        const from = segmentStart ? decodePosition(segmentStart.position).toString() : '0';
        compare(checkpoint, from, segmentDigest, segmentCount);
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
      if (count % checkpointEvery === 0) {
        fresh.push(checkpointAt(event.position, digest, count, now()));
      }
      if (eventsChecked % progressEvery === 0) {
        log.info({ eventsChecked, position: event.position.toString() }, 'verification progress');
      }
    };

    for await (const item of readLog(lastPosition, signal)) {
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
        const previous = await readPrevious(event);
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
    }
    passCheckpointsBefore(undefined);
    if (incremental) eventsRechecked += await recheckOldest(saved, signal, compare, noteBroken);

    const status = broken.size === 0 && mismatched.length === 0 ? 'intact' : 'tampered';
    if (status === 'intact') {
      if (eventsChecked > 0 && count % checkpointEvery !== 0) {
        fresh.push(checkpointAt(lastPosition, digest, count, now()));
      }
      const known = new Set(saved.map((checkpoint) => checkpoint.position));
      await saveCheckpoints(fresh.filter((checkpoint) => !known.has(checkpoint.position)));
    } else {
      log.warn(
        { brokenStreams: broken.size, checkpointMismatches: mismatched.length },
        'the log fails verification',
      );
    }
    const report: VerificationReport = {
      mode: incremental ? 'incremental' : 'full',
      status,
      fromPosition: fromPosition.toString(),
      toPosition: lastPosition.toString(),
      eventsChecked,
      streamsChecked: tips.size,
      eventsRechecked,
      digest: { position: lastPosition.toString(), events: count, value: digest },
      brokenStreams: [...broken.values()].slice(0, MAX_LISTED_STREAMS),
      brokenStreamCount: broken.size,
      checkpoints: { compared, mismatched },
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - startedMs),
    };
    log.info(
      { status, eventsChecked, eventsRechecked, durationMs: report.durationMs },
      'verification finished',
    );
    return report;
  }

  /** Re-reads the segments re-checked longest ago and compares each one's digest. */
  async function recheckOldest(
    saved: readonly DigestCheckpoint[],
    signal: AbortSignal | undefined,
    compare: Compare,
    noteBroken: (event: EventLocation, problems: readonly LinkProblem[]) => void,
  ): Promise<number> {
    const segments = saved.map((checkpoint, index) => ({ checkpoint, before: saved[index - 1] }));
    // Least recently re-checked first; when the clock did not move, the least re-checked.
    segments.sort(
      (a, b) =>
        a.checkpoint.recheckedAt.localeCompare(b.checkpoint.recheckedAt) ||
        a.checkpoint.rechecks - b.checkpoint.rechecks,
    );
    let read = 0;
    const rechecked: DigestCheckpoint[] = [];
    for (const { checkpoint, before } of segments.slice(0, recheckSegments)) {
      let digest = before?.digest ?? EMPTY_LOG_DIGEST;
      let count = before?.events ?? 0;
      const end = decodePosition(checkpoint.position);
      for await (const item of readLog(before ? decodePosition(before.position) : 0n, signal)) {
        const location = 'event' in item ? item.event : item.unreadable.event;
        if (location.position > end) break;
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
      const from = before ? decodePosition(before.position).toString() : '0';
      if (compare(checkpoint, from, digest, count)) {
        rechecked.push({
          ...checkpoint,
          recheckedAt: clock().toISOString(),
          rechecks: checkpoint.rechecks + 1,
        });
      }
    }
    await saveCheckpoints(rechecked);
    return read;
  }

  return {
    verify(mode, signal) {
      const result = queue.then(() => run(mode, signal));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

type Compare = (
  checkpoint: DigestCheckpoint,
  from: string,
  digestNow: string,
  eventsNow: number,
) => boolean;

/** Where an event is and what it is: all a report names, readable or not. */
type EventLocation = Pick<RecordedEvent, 'position' | 'streamId' | 'revision' | 'id' | 'type'>;

type LogItem = { readonly event: RecordedEvent } | { readonly unreadable: UnreadableEventError };

/** What an unreadable event's content hash and tip hash are folded as. */
const UNREADABLE = 'unreadable';

function unreadableProblem(error: UnreadableEventError): LinkProblem {
  return { kind: 'unreadable', detail: error.message };
}

/** What can be judged of an event without its stream's earlier events. */
function isContentProblem(problem: LinkProblem): boolean {
  return problem.kind === 'content-altered' || problem.kind === 'unsealed';
}

function checkpointAt(
  position: bigint,
  digest: string,
  events: number,
  at: string,
): DigestCheckpoint {
  return {
    position: encodePosition(position),
    events,
    digest,
    verifiedAt: at,
    recheckedAt: at,
    rechecks: 0,
  };
}
