/**
 * The test server's storage: one in-memory transaction log (`$all`) and an index of streams over
 * it, with EventStoreDB's rules for appends (expected revision and idempotency). It knows nothing
 * of gRPC.
 */

/** An event as a client proposes it. */
export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  /** EventStoreDB keeps only this flag of the content type: `application/json` or not. */
  readonly isJson: boolean;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export interface RecordedEvent extends ProposedEvent {
  readonly streamId: string;
  readonly revision: bigint;
  /** Log position: commit and prepare position are both this (no explicit transactions here). */
  readonly position: bigint;
  /** .NET ticks (100 ns) since the Unix epoch, as EventStoreDB reports `created`. */
  readonly created: bigint;
}

/** As the client sends it; a bigint is the revision of the last event the writer has seen. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/** -1n stands for "no stream", as in EventStoreDB itself. */
export const NO_STREAM = -1n;

export type AppendResult =
  | {
      readonly outcome: 'written' | 'idempotent';
      /** Revision of the last event written (or found, for an idempotent retry). */
      readonly revision: bigint;
      /** Position of that event; absent when nothing was written. */
      readonly position: bigint | undefined;
    }
  | { readonly outcome: 'wrong_expected_version'; readonly currentRevision: bigint };

/**
 * Sizes used to advance the log position. A real log position is a byte offset in the
 * transaction log, so consecutive events are never 1 apart; the test server imitates that.
 */
const RECORD_HEADER_SIZE = 96n;
const EPOCH_RECORD_SIZE = 130n;

export class EventLog {
  /** Every event in log order: what `$all` reads. */
  readonly events: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  /** Positions of records that are not events (epochs): valid places to read `$all` from. */
  private readonly epochs: bigint[] = [];
  private head: bigint;
  private readonly listeners = new Set<() => void>();

  /** `firstPosition` lets a test start the log far out, past what a JS number holds exactly. */
  constructor(firstPosition = 0n) {
    this.head = firstPosition;
  }

  /** The position after the last record: where the next one will be written. */
  get headPosition(): bigint {
    return this.head;
  }

  /** Events of one stream, by revision; empty if the stream does not exist. */
  stream(streamId: string): readonly RecordedEvent[] {
    return this.streams.get(streamId) ?? [];
  }

  /** A node writes an epoch record to its log each time it starts. */
  writeEpoch(): bigint {
    const position = this.head;
    this.epochs.push(position);
    this.head += EPOCH_RECORD_SIZE;
    return position;
  }

  /** Whether a record (event or epoch) starts at `position`, or it is the end of the log. */
  isRecordBoundary(position: bigint): boolean {
    if (position === this.head || this.epochs.includes(position)) return true;
    return this.events[this.firstIndexFrom(position)]?.position === position;
  }

  /** Index in `events` of the first event at or after `position`. */
  firstIndexFrom(position: bigint): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.events[middle]!.position < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Called after every write, synchronously, in write order. Returns the way to stop. */
  onWrite(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Appends atomically, or not at all, following EventStoreDB's expected-revision rules. */
  append(
    streamId: string,
    expected: ExpectedRevision,
    proposed: readonly ProposedEvent[],
  ): AppendResult {
    const stream = this.streams.get(streamId) ?? [];
    const current = BigInt(stream.length) - 1n;
    const decision = checkWrite(stream, expected, proposed);
    if (decision === 'wrong_expected_version') {
      return { outcome: 'wrong_expected_version', currentRevision: current };
    }
    if (decision !== 'write') {
      return { outcome: 'idempotent', revision: decision.revision, position: decision.position };
    }
    if (proposed.length === 0)
      return { outcome: 'written', revision: current, position: undefined };

    const created = BigInt(Date.now()) * 10_000n;
    for (const event of proposed) {
      const recorded: RecordedEvent = {
        ...event,
        streamId,
        revision: BigInt(stream.length),
        position: this.head,
        created,
      };
      stream.push(recorded);
      this.events.push(recorded);
      this.head += recordSize(recorded);
    }
    this.streams.set(streamId, stream);
    for (const listener of [...this.listeners]) listener();
    const last = stream.at(-1)!;
    return { outcome: 'written', revision: last.revision, position: last.position };
  }
}

/**
 * EventStoreDB's commit check (the index writer's `CheckCommit`): write, refuse, or recognise a
 * retry of an earlier write, which is answered as that write was and writes nothing.
 */
function checkWrite(
  stream: readonly RecordedEvent[],
  expected: ExpectedRevision,
  proposed: readonly ProposedEvent[],
): 'write' | 'wrong_expected_version' | RecordedEvent {
  const current = BigInt(stream.length) - 1n;
  const ids = proposed.map((event) => event.id);

  if (expected === 'stream_exists' && current === NO_STREAM) return 'wrong_expected_version';

  if (expected === 'any' || expected === 'stream_exists') {
    // A real server looks the first id up in a cache of recently written event ids; this one
    // searches the stream. Not there: a new write. There: the whole batch must follow it.
    const first = stream.findIndex((event) => event.id === ids[0]);
    if (ids.length === 0 || first === -1) return 'write';
    return matchesFrom(stream, first, ids) ?? 'wrong_expected_version';
  }

  const expectedRevision = expected === 'no_stream' ? NO_STREAM : expected;
  if (expectedRevision === current) return 'write';
  if (expectedRevision > current || ids.length === 0) return 'wrong_expected_version';
  // The writer saw an older revision: a retry if the batch is exactly what followed it.
  return matchesFrom(stream, Number(expectedRevision + 1n), ids) ?? 'wrong_expected_version';
}

/** The last of the stored events that match `ids` one for one from `start`, if all do. */
function matchesFrom(
  stream: readonly RecordedEvent[],
  start: number,
  ids: readonly string[],
): RecordedEvent | undefined {
  const stored = stream.slice(start, start + ids.length);
  const same = stored.length === ids.length && stored.every((event, i) => event.id === ids[i]);
  return same ? stored.at(-1) : undefined;
}

function recordSize(event: RecordedEvent): bigint {
  const text = Buffer.byteLength(event.streamId) + Buffer.byteLength(event.type);
  return RECORD_HEADER_SIZE + BigInt(text + event.data.length + event.metadata.length);
}
