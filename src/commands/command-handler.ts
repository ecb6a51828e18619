/**
 * The one command handler: for any decider, load the stream, fold, read the facts, decide,
 * append with the expected revision, and run again on fresh state when another writer won the
 * race. Every module's commands go through it, and through its middleware (metrics, wake-ups).
 */
import type { Decider, DomainCommand, DomainEvent } from '../domain/shared/decider.js';
import type { EventSchemas } from '../domain/shared/event-schemas.js';
import {
  isWrongExpectedVersion,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
} from '../stores/event-store.js';
import type { CommandContext } from './command-context.js';
import { GENESIS_HASH } from './hash-chain.js';
import type { IdGenerator } from './ids.js';
import type { KeyedLock, LockRequest } from './keyed-lock.js';
import { foldRecorded } from './read-state.js';
import { sealEvent } from './seal-event.js';

export interface CommandSpec<
  State,
  Command extends DomainCommand,
  Event extends DomainEvent,
  Facts = undefined,
> {
  readonly streamId: string;
  readonly decider: Decider<State, Command, Event, Facts>;
  /** Validate what is appended and decode what is read back. */
  readonly schemas: EventSchemas;
  readonly command: Command;
  /** Read-only facts from other streams, loaded under the locks and again on every retry. */
  readonly facts?: (state: State) => Promise<Facts>;
  /** Locks beyond the command's own stream, e.g. its period's, shared (see `streamLock`). */
  readonly locks?: readonly LockRequest[];
  /**
   * `full` (the default) folds the stream's whole history. `last-event` is for append-only
   * logs whose decider needs no state (audit access): only the last event is read, for the
   * revision to expect and the hash to chain to, and the state is the initial one.
   */
  readonly history?: 'full' | 'last-event';
  /**
   * Runs once the events are stored (and on a replay of them), still under the locks: refuses
   * what a rule spanning streams says does not count after all, because another instance broke
   * the rule meanwhile (a period closed while this posting was in flight; see the ledger's
   * late writes).
   */
  readonly verify?: (result: CommandResult<State>) => Promise<void>;
}

export interface CommandResult<State> {
  readonly streamId: string;
  /** Revision of the stream's last event after the command. */
  readonly revision: bigint;
  /** Global position of the command's last event. */
  readonly position: bigint;
  readonly events: readonly RecordedEvent[];
  /**
   * The stream's events after the command, so callers can render it without a re-read (with
   * `history: 'last-event'`, only the events that were read and appended).
   */
  readonly stream: readonly RecordedEvent[];
  readonly state: State;
  /** True when the events were already stored by an earlier attempt with the same key. */
  readonly replayed: boolean;
}

export type CommandHandler = <
  State,
  Command extends DomainCommand,
  Event extends DomainEvent,
  Facts = undefined,
>(
  context: CommandContext,
  spec: CommandSpec<State, Command, Event, Facts>,
) => Promise<CommandResult<State>>;

/** What a middleware is told about the command it wraps. */
export interface CommandCall {
  readonly commandType: string;
  readonly streamId: string;
  readonly context: CommandContext;
}

/**
 * The seam around every command: runs before (code ahead of `next()`) and after (what it does
 * with `next()`'s result or error). It must return or rethrow what `next()` gave.
 */
export type CommandMiddleware = <Result extends CommandResult<unknown>>(
  call: CommandCall,
  next: () => Promise<Result>,
) => Promise<Result>;

export interface CommandHandlerDeps {
  readonly eventStore: EventStore;
  readonly clock: () => Date;
  readonly ids: IdGenerator;
  readonly locks: KeyedLock;
  /** How many times a command that lost a race is run again on fresh state. */
  readonly maxAttempts: number;
  /** Outermost first. */
  readonly middleware?: readonly CommandMiddleware[];
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

export function createCommandHandler(deps: CommandHandlerDeps): CommandHandler {
  const middleware = deps.middleware ?? [];
  return function handle<State, Command extends DomainCommand, Event extends DomainEvent, Facts>(
    context: CommandContext,
    spec: CommandSpec<State, Command, Event, Facts>,
  ): Promise<CommandResult<State>> {
    const call: CommandCall = { commandType: spec.command.type, streamId: spec.streamId, context };
    const run = middleware.reduceRight<() => Promise<CommandResult<State>>>(
      (next, wrap) => () => wrap(call, next),
      () => runWithRetries(deps, context, spec),
    );
    return run();
  };
}

async function runWithRetries<
  State,
  Command extends DomainCommand,
  Event extends DomainEvent,
  Facts,
>(
  deps: CommandHandlerDeps,
  context: CommandContext,
  spec: CommandSpec<State, Command, Event, Facts>,
): Promise<CommandResult<State>> {
  // Commands on one stream run one at a time in this process, so they never race each other
  // for a revision; expected revisions still guard against other instances.
  const release = await deps.locks.acquire([
    ...(spec.locks ?? []),
    streamLock(spec.streamId, 'exclusive'),
  ]);
  try {
    for (let attempt = 1; ; attempt += 1) {
      let result: CommandResult<State>;
      try {
        result = await attemptOnce(deps, context, spec);
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
        continue;
      }
      if (spec.verify && result.events.length > 0) await spec.verify(result);
      return result;
    }
  } finally {
    release();
  }
}

async function readHistory(
  deps: CommandHandlerDeps,
  context: CommandContext,
  spec: { readonly streamId: string; readonly history?: 'full' | 'last-event' },
): Promise<{ events: RecordedEvent[]; revision: bigint }> {
  // A replay is found by its derived event ids anywhere in the stream, so a keyed command
  // always reads the whole of it.
  if (spec.history === 'last-event' && context.idempotencyKey === undefined) {
    const events = await deps.eventStore.readStream(spec.streamId, {
      direction: 'backwards',
      maxCount: 1,
    });
    return { events, revision: events.at(-1)?.revision ?? -1n };
  }
  const events = await deps.eventStore.readStream(spec.streamId);
  return { events, revision: BigInt(events.length - 1) };
}

async function attemptOnce<State, Command extends DomainCommand, Event extends DomainEvent, Facts>(
  deps: CommandHandlerDeps,
  context: CommandContext,
  spec: CommandSpec<State, Command, Event, Facts>,
): Promise<CommandResult<State>> {
  const { events: recorded, revision: currentRevision } = await readHistory(deps, context, spec);
  const fold = (events: readonly RecordedEvent[]) =>
    spec.history === 'last-event'
      ? spec.decider.initialState
      : foldRecorded(spec.decider, spec.schemas, events);

  const replay = context.idempotencyKey
    ? findReplay(deps.ids, context, spec, recorded, fold)
    : undefined;
  if (replay) return replay;

  if (context.expectedRevision !== undefined && context.expectedRevision !== currentRevision) {
    throw new PreconditionFailedError(spec.streamId, context.expectedRevision, currentRevision);
  }

  const state = fold(recorded);
  const facts = (spec.facts ? await spec.facts(state) : undefined) as Facts;
  const decided = spec.decider.decide(spec.command, state, facts);
  if (decided.length === 0) {
    return {
      streamId: spec.streamId,
      revision: currentRevision,
      position: recorded.at(-1)?.position ?? 0n,
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
    expectedRevision: currentRevision < 0n ? 'no_stream' : currentRevision,
  });

  // The appended events as the store now holds them: read back so the caller sees exactly
  // what was committed (positions included) rather than a reconstruction.
  const firstNew = result.nextExpectedRevision - BigInt(toAppend.length) + 1n;
  const appended = await deps.eventStore.readStream(spec.streamId, {
    fromRevision: firstNew,
    maxCount: toAppend.length,
  });
  const stream = [...recorded, ...appended];
  return {
    streamId: spec.streamId,
    revision: result.nextExpectedRevision,
    position: result.position,
    events: appended,
    stream,
    state: fold(stream),
    replayed: false,
  };
}

/**
 * An earlier attempt with the same Idempotency-Key may have stored its events and then died
 * before answering. Its event ids are derived from the key, so finding the first one in the
 * stream means the command already happened: answer from what was stored, write nothing.
 */
function findReplay<State>(
  ids: IdGenerator,
  context: CommandContext,
  spec: { readonly streamId: string },
  recorded: readonly RecordedEvent[],
  fold: (events: readonly RecordedEvent[]) => State,
): CommandResult<State> | undefined {
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
    state: fold(recorded.slice(0, end)),
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

function backoff(attempt: number): Promise<void> {
  // Jitter spreads racing retries apart so they stop colliding on the same revision.
  const ms = Math.min(50, 2 ** attempt) * Math.random();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
