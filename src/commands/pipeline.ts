import type { z } from 'zod';
import {
  isWrongExpectedVersion,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
} from '../stores/event-store.js';
import { GENESIS_HASH, eventHash } from './hash-chain.js';
import type { IdGenerator } from './ids.js';
import type { KeyedLock, LockRequest } from './keyed-lock.js';

/** A domain event before it is stored: what deciders return and evolvers consume. */
export interface DomainEvent {
  readonly type: string;
  readonly data: object;
}

/** One zod schema per event type; they validate what is appended and what is read back. */
export type EventSchemas = Readonly<Record<string, z.ZodType>>;

/** Version of the event data shape; bump per type when a schema changes incompatibly. */
export const SCHEMA_VERSION = 1;

/** Who asked, on whose behalf and within which request: becomes every event's metadata. */
export interface CommandContext {
  readonly actor: string;
  readonly onBehalfOf?: string;
  readonly correlationId: string;
  /** What caused this command: the request id for HTTP, the source event id for reactors. */
  readonly causationId: string;
  readonly requestId: string;
  readonly idempotencyKey?: string;
  /** Business time, when the caller knows it; defaults to the recording time. */
  readonly occurredAt?: string;
  /**
   * From If-Match: the revision of the command's stream the caller last saw. A mismatch is a
   * precondition failure and is never retried. It travels with the context so that every
   * command honours it without each handler having to pass it on.
   */
  readonly expectedRevision?: bigint;
}

export interface CommandSpec<S, E extends DomainEvent, F> {
  readonly streamId: string;
  readonly schemas: EventSchemas;
  readonly initialState: S;
  readonly evolve: (state: S, event: E) => S;
  /** Read-only facts from other streams, loaded under the locks and again on every retry. */
  readonly loadFacts?: (state: S) => Promise<F>;
  readonly decide: (state: S, facts: F) => readonly E[];
  readonly locks?: readonly LockRequest[];
}

export interface CommandResult<S> {
  readonly streamId: string;
  /** Revision of the stream's last event after the command. */
  readonly revision: bigint;
  /** Global position of the command's last event. */
  readonly position: bigint;
  readonly events: readonly RecordedEvent[];
  /** Every event of the stream after the command, so callers can render it without a re-read. */
  readonly stream: readonly RecordedEvent[];
  readonly state: S;
  /** True when the events were already stored by an earlier attempt with the same key. */
  readonly replayed: boolean;
}

export interface PipelineDeps {
  readonly eventStore: EventStore;
  readonly clock: () => Date;
  readonly ids: IdGenerator;
  readonly locks: KeyedLock;
  /** How many times a command that lost a race is run again on fresh state. */
  readonly maxAttempts: number;
}

/** If-Match named a revision the stream is no longer at (HTTP 412). */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';

  constructor(
    readonly streamId: string,
    readonly expected: bigint,
    readonly actual: bigint,
  ) {
    super(`Stream ${streamId} is at revision ${actual}, not ${expected}`);
  }
}

/** The race could not be won within maxAttempts (HTTP 503: try again). */
export class ConcurrencyExhaustedError extends Error {
  override readonly name = 'ConcurrencyExhaustedError';

  constructor(
    readonly streamId: string,
    readonly attempts: number,
  ) {
    super(`Gave up on ${streamId} after ${attempts} concurrent-write conflicts`);
  }
}

/**
 * The lock every command holds on its own stream. A command that depends on another stream's
 * state not changing under it (a posting and its period's close) takes that stream's lock shared.
 */
export function streamLock(streamId: string, mode: LockRequest['mode']): LockRequest {
  return { key: `stream:${streamId}`, mode };
}

export type CommandHandler = <S, E extends DomainEvent, F = undefined>(
  context: CommandContext,
  spec: CommandSpec<S, E, F>,
) => Promise<CommandResult<S>>;

/** Load the stream, fold, decide, append with the expected revision; retry a lost race. */
export function createCommandHandler(deps: PipelineDeps): CommandHandler {
  return async function handle<S, E extends DomainEvent, F>(
    context: CommandContext,
    spec: CommandSpec<S, E, F>,
  ): Promise<CommandResult<S>> {
    // Commands on one stream run one at a time in this process, so they never race each other
    // for a revision; expected revisions still guard against other instances.
    const release = await deps.locks.acquire([
      ...(spec.locks ?? []),
      streamLock(spec.streamId, 'exclusive'),
    ]);
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await attemptOnce(deps, context, spec);
        } catch (error) {
          if (!isWrongExpectedVersion(error)) throw error;
          if (context.expectedRevision !== undefined) {
            const actual = error.actual === 'no_stream' ? -1n : error.actual;
            throw new PreconditionFailedError(spec.streamId, context.expectedRevision, actual);
          }
          if (attempt >= deps.maxAttempts) {
            throw new ConcurrencyExhaustedError(spec.streamId, attempt);
          }
          await backoff(attempt);
        }
      }
    } finally {
      release();
    }
  };
}

async function attemptOnce<S, E extends DomainEvent, F>(
  deps: PipelineDeps,
  context: CommandContext,
  spec: CommandSpec<S, E, F>,
): Promise<CommandResult<S>> {
  const recorded = await deps.eventStore.readStream(spec.streamId);
  const currentRevision = recorded.length - 1;

  const replay = context.idempotencyKey ? findReplay(deps.ids, context, spec, recorded) : undefined;
  if (replay) return replay;

  if (
    context.expectedRevision !== undefined &&
    context.expectedRevision !== BigInt(currentRevision)
  ) {
    throw new PreconditionFailedError(
      spec.streamId,
      context.expectedRevision,
      BigInt(currentRevision),
    );
  }

  const state = fold(spec, recorded);
  const facts = (spec.loadFacts ? await spec.loadFacts(state) : undefined) as F;
  const decided = spec.decide(state, facts);
  if (decided.length === 0) {
    const last = recorded.at(-1);
    return {
      streamId: spec.streamId,
      revision: BigInt(currentRevision),
      position: last?.position ?? 0n,
      events: [],
      stream: recorded,
      state,
      replayed: false,
    };
  }

  const recordedAt = deps.clock().toISOString();
  let prevHash = (recorded.at(-1)?.metadata.hash as string | undefined) ?? GENESIS_HASH;
  const toAppend: EventToAppend[] = decided.map((event, index) => {
    const schema = spec.schemas[event.type];
    if (!schema) throw new Error(`No schema registered for event type ${event.type}`);
    const sealed = sealEvent({
      id: context.idempotencyKey
        ? idempotentEventId(deps.ids, context, spec.streamId, index)
        : deps.ids.random(),
      type: event.type,
      data: schema.parse(event.data) as Record<string, unknown>,
      context,
      recordedAt,
      prevHash,
    });
    prevHash = sealed.metadata.hash as string;
    return sealed;
  });

  const result = await deps.eventStore.append(spec.streamId, toAppend, {
    expectedRevision: currentRevision < 0 ? 'no_stream' : BigInt(currentRevision),
  });

  // The appended events as the store now holds them: read back so the caller sees exactly
  // what was committed (positions included) rather than a reconstruction.
  const firstNew = result.nextExpectedRevision - BigInt(toAppend.length) + 1n;
  const appended = await deps.eventStore.readStream(spec.streamId, {
    fromRevision: firstNew,
    maxCount: toAppend.length,
  });
  return {
    streamId: spec.streamId,
    revision: result.nextExpectedRevision,
    position: result.position,
    events: appended,
    stream: [...recorded, ...appended],
    state: fold(spec, [...recorded, ...appended]),
    replayed: false,
  };
}

/**
 * An event ready to append: its metadata says who, on whose behalf, within which request and
 * when, and its hash chains it to the stream's previous event (`prevHash`).
 */
export function sealEvent(input: {
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly context: CommandContext;
  readonly recordedAt: string;
  readonly prevHash: string;
}): EventToAppend {
  const { id, type, data, context, recordedAt, prevHash } = input;
  const metadata: Record<string, unknown> = {
    actor: context.actor,
    onBehalfOf: context.onBehalfOf,
    correlationId: context.correlationId,
    causationId: context.causationId,
    requestId: context.requestId,
    idempotencyKey: context.idempotencyKey,
    occurredAt: context.occurredAt ?? recordedAt,
    recordedAt,
    schemaVersion: SCHEMA_VERSION,
    prevHash,
  };
  for (const key of Object.keys(metadata)) if (metadata[key] === undefined) delete metadata[key];
  metadata.hash = eventHash({ id, type, data, metadata });
  return { id, type, data, metadata };
}

/**
 * An earlier attempt with the same Idempotency-Key may have stored its events and then died
 * before answering. Its event ids are derived from the key, so finding the first one in the
 * stream means the command already happened: answer from what was stored, write nothing.
 */
function findReplay<S, E extends DomainEvent, F>(
  ids: IdGenerator,
  context: CommandContext,
  spec: CommandSpec<S, E, F>,
  recorded: readonly RecordedEvent[],
): CommandResult<S> | undefined {
  const firstId = idempotentEventId(ids, context, spec.streamId, 0);
  const start = recorded.findIndex((event) => event.id === firstId);
  if (start < 0) return undefined;
  let end = start + 1;
  while (
    end < recorded.length &&
    recorded[end]!.id === idempotentEventId(ids, context, spec.streamId, end - start)
  ) {
    end += 1;
  }
  const events = recorded.slice(start, end);
  const last = events.at(-1)!;
  return {
    streamId: spec.streamId,
    revision: last.revision,
    position: last.position,
    events,
    stream: recorded.slice(0, end),
    state: fold(spec, recorded.slice(0, end)),
    replayed: true,
  };
}

function idempotentEventId(
  ids: IdGenerator,
  context: CommandContext,
  streamId: string,
  index: number,
): string {
  return ids.derived('event', context.actor, context.idempotencyKey ?? '', streamId, String(index));
}

function fold<S, E extends DomainEvent, F>(
  spec: CommandSpec<S, E, F>,
  recorded: readonly RecordedEvent[],
): S {
  return recorded.reduce(
    (state, event) => spec.evolve(state, toDomainEvent<E>(spec.schemas, event)),
    spec.initialState,
  );
}

export function toDomainEvent<E extends DomainEvent>(
  schemas: EventSchemas,
  event: RecordedEvent,
): E {
  const schema = schemas[event.type];
  if (!schema) throw new Error(`Stream ${event.streamId} holds unknown event type ${event.type}`);
  return { type: event.type, data: schema.parse(event.data) } as unknown as E;
}

function backoff(attempt: number): Promise<void> {
  // Jitter spreads racing retries apart so they stop colliding on the same revision.
  const ms = Math.min(50, 2 ** attempt) * Math.random();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
