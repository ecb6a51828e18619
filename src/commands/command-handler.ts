/**
 * The one command handler: for any decider, load the stream, fold, read the facts, decide,
 * append with the expected revision, and run again on fresh state when another writer won the
 * race. Every module's commands go through it, and through its middleware (metrics, wake-ups).
 * One file because its steps (fold, decide, append, retry, find an Idempotency-Key's replay) are
 * one attempt loop over one command's state, and its types are what every module imports.
 */
import type { Decider, DomainCommand, DomainEvent } from '../domain/shared/decider.js';
import type { EventSchemas } from '../domain/shared/event-schemas.js';
import { refuseInvalid } from '../domain/shared/errors.js';
import {
  isWrongExpectedVersion,
  type EventStore,
  type ExpectedRevision,
  type EventToAppend,
  type RecordedEvent,
} from '../stores/event-store.js';
import type { PersonalDataCodec } from './personal-data/personal-fields.js';
import type { CommandContext } from './command-context.js';
import { GENESIS_HASH } from './hash-chain.js';
import type { IdGenerator } from './ids.js';
import type { KeyedLock, LockRequest } from './keyed-lock.js';
import { foldRecorded } from './read-state.js';
import { sealEvent } from './seal-event.js';
import {
  createStateCache,
  type LoadOptions,
  type StateCache,
  type StreamState,
} from './state-cache.js';

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
  /** The stream's state after the command (for a replay, right after the events it found). */
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
  /**
   * Where folded states are kept between commands (share it with the readers of facts); by
   * default one of its own, over `eventStore`, of `DEFAULT_STATE_CACHE_STREAMS` streams.
   */
  readonly stateCache?: StateCache;
  /**
   * Seals the personal fields of each event before it is hashed and appended. Give the state
   * cache, and this handler's `eventStore`, stream reads that open them (`openingStreamReads`).
   */
  readonly personalData?: Pick<PersonalDataCodec, 'seal'>;
  /** The `schemaVersion` of each event type whose module names one (see `sealEvent`). */
  readonly schemaVersions?: Readonly<Record<string, number>>;
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

export function createCommandHandler(handlerDeps: CommandHandlerDeps): CommandHandler {
  const deps: Deps = {
    ...handlerDeps,
    stateCache: handlerDeps.stateCache ?? createStateCache({ eventStore: handlerDeps.eventStore }),
  };
  const middleware = deps.middleware ?? [];
  return function handle<State, Command extends DomainCommand, Event extends DomainEvent, Facts>(
    context: CommandContext,
    spec: CommandSpec<State, Command, Event, Facts>,
  ): Promise<CommandResult<State>> {
    refuseIfOccurredInFuture(context, deps.clock());
    const call: CommandCall = { commandType: spec.command.type, streamId: spec.streamId, context };
    const run = middleware.reduceRight<() => Promise<CommandResult<State>>>(
      (next, wrap) => () => wrap(call, next),
      () => runWithRetries(deps, context, spec),
    );
    return run();
  };
}

type Deps = CommandHandlerDeps & { readonly stateCache: StateCache };

/** How far ahead of this server's clock a writer's business time may be: their clock's drift. */
export const OCCURRED_AT_SKEW_MS = 5 * 60_000;

/** A business time is when something happened: never later than now, give or take a skew. */
function refuseIfOccurredInFuture(context: CommandContext, now: Date): void {
  if (context.occurredAt === undefined) return;
  const at = Date.parse(context.occurredAt);
  if (Number.isNaN(at) || at > now.getTime() + OCCURRED_AT_SKEW_MS) {
    refuseInvalid('InvalidOccurredAt', [
      {
        path: 'occurredAt',
        message: `must be a UTC time not after now (${now.toISOString()}), give or take ${OCCURRED_AT_SKEW_MS / 60_000} minutes`,
      },
    ]);
  }
}

async function runWithRetries<
  State,
  Command extends DomainCommand,
  Event extends DomainEvent,
  Facts,
>(
  deps: Deps,
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
        // The next attempt's tail read brings the cached state up to the other writer's events;
        // a stream found behind what was cached (restored from a backup) is read whole again.
        const expected = revisionOf(error.expected);
        if (expected !== undefined && revisionOf(error.actual)! < expected) {
          deps.stateCache.forget(spec.streamId);
        }
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

async function attemptOnce<State, Command extends DomainCommand, Event extends DomainEvent, Facts>(
  deps: Deps,
  context: CommandContext,
  spec: CommandSpec<State, Command, Event, Facts>,
): Promise<CommandResult<State>> {
  const options: LoadOptions = {
    foldless: spec.history === 'last-event',
    // A replay is found by its derived event ids anywhere in the stream.
    needKeyed: context.idempotencyKey !== undefined,
  };
  const current = await deps.stateCache.load(spec.streamId, spec.decider, spec.schemas, options);

  const replay = context.idempotencyKey
    ? await findReplay(deps, context, spec, current)
    : undefined;
  if (replay) return replay;

  if (context.expectedRevision !== undefined && context.expectedRevision !== current.revision) {
    throw new PreconditionFailedError(spec.streamId, context.expectedRevision, current.revision);
  }

  const { state } = current;
  const facts = (spec.facts ? await spec.facts(state) : undefined) as Facts;
  const decided = spec.decider.decide(spec.command, state, facts);
  if (decided.length === 0) {
    return {
      streamId: spec.streamId,
      revision: current.revision,
      position: current.last?.position ?? 0n,
      events: [],
      state,
      replayed: false,
    };
  }

  const recordedAt = deps.clock().toISOString();
  const checked = decided.map((event, index) => {
    const schema = spec.schemas[event.type];
    if (!schema) throw new Error(`No schema registered for event type ${event.type}`);
    return {
      id: context.idempotencyKey
        ? idempotentEventId(deps.ids, context, spec.streamId, index)
        : deps.ids.random(),
      type: event.type,
      data: schema.parse(event.data) as Record<string, unknown>,
    };
  });
  // Personal fields are sealed before hashing: the chain covers what is stored, so it still
  // verifies once a person's key is destroyed.
  const personalData = deps.personalData;
  const stored = personalData
    ? await Promise.all(
        checked.map(async (event) => ({ ...event, data: await personalData.seal(event) })),
      )
    : checked;
  let prevHash = (current.last?.metadata.hash as string | undefined) ?? GENESIS_HASH;
  const toAppend: EventToAppend[] = stored.map((event) => {
    const schemaVersion = deps.schemaVersions?.[event.type];
    const sealed = sealEvent({ ...event, context, recordedAt, prevHash, schemaVersion });
    prevHash = sealed.metadata.hash as string;
    return sealed;
  });

  const result = await deps.eventStore.append(spec.streamId, toAppend, {
    expectedRevision: current.revision < 0n ? 'no_stream' : current.revision,
  });

  // The appended events as the store now holds them: read back so the caller sees exactly
  // what was committed (positions included) rather than a reconstruction, and so the cached
  // state is a fold of stored events only.
  const firstNew = result.nextExpectedRevision - BigInt(toAppend.length) + 1n;
  const appended = await deps.eventStore.readStream(spec.streamId, {
    fromRevision: firstNew,
    maxCount: toAppend.length,
  });
  const after =
    deps.stateCache.advance(
      spec.streamId,
      spec.decider,
      spec.schemas,
      current,
      appended,
      options,
    ) ??
    // The store answered with events that do not follow what was folded (an append it found
    // already stored): fold the stream as it is.
    (await reloaded(deps, spec, options));
  return {
    streamId: spec.streamId,
    revision: result.nextExpectedRevision,
    position: result.position,
    events: appended,
    state: after.state,
    replayed: false,
  };
}

function reloaded<State, Command extends DomainCommand, Event extends DomainEvent, Facts>(
  deps: Deps,
  spec: CommandSpec<State, Command, Event, Facts>,
  options: LoadOptions,
): Promise<StreamState<State>> {
  deps.stateCache.forget(spec.streamId);
  return deps.stateCache.load(spec.streamId, spec.decider, spec.schemas, options);
}

/**
 * An earlier attempt with the same Idempotency-Key may have stored its events and then died
 * before answering. Its event ids are derived from the key, so finding the first one in the
 * stream means the command already happened: answer from what was stored, write nothing.
 */
async function findReplay<State, Command extends DomainCommand, Event extends DomainEvent, Facts>(
  deps: Deps,
  context: CommandContext,
  spec: CommandSpec<State, Command, Event, Facts>,
  current: StreamState<State>,
): Promise<CommandResult<State> | undefined> {
  const keyed = current.keyed;
  if (!keyed) throw new Error(`No index of keyed events for ${spec.streamId}`);
  const first = keyed.get(idempotentEventId(deps.ids, context, spec.streamId, 0));
  if (!first) return undefined;
  let end = first.revision;
  for (let index = 1; ; index += 1) {
    const next = keyed.get(idempotentEventId(deps.ids, context, spec.streamId, index));
    if (next?.revision !== end + 1n) break;
    end = next.revision;
  }
  const events = await deps.eventStore.readStream(spec.streamId, {
    fromRevision: first.revision,
    maxCount: Number(end - first.revision + 1n),
  });
  const last = events.at(-1);
  if (!last) throw new Error(`Events of ${spec.streamId} vanished from the store`);
  // Found at the stream's end, as after a crash between append and answer, the state is the
  // current one; further back (a retry long after), the stream is folded up to it.
  const state =
    end === current.revision || spec.history === 'last-event'
      ? current.state
      : foldRecorded(
          spec.decider,
          spec.schemas,
          await deps.eventStore.readStream(spec.streamId, { maxCount: Number(end + 1n) }),
        );
  return {
    streamId: spec.streamId,
    revision: last.revision,
    position: last.position,
    events,
    state,
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

function revisionOf(revision: ExpectedRevision): bigint | undefined {
  return typeof revision === 'bigint' ? revision : revision === 'no_stream' ? -1n : undefined;
}

function backoff(attempt: number): Promise<void> {
  // Jitter spreads racing retries apart so they stop colliding on the same revision.
  const ms = Math.min(50, 2 ** attempt) * Math.random();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
