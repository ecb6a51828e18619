/**
 * Folded stream states, kept per stream at the revision they were folded to, so a command (or a
 * read of another record's state for facts) reads only the events stored after that revision:
 * one tail read, which is also what notices another writer's events. Bounded by stream count,
 * least recently used first out.
 *
 * Every entry is a fold of events as the store returned them, never of events that were only
 * about to be appended, so an entry is always a true state of its stream at its revision; a
 * stale one costs a longer tail read, never a wrong answer. States are never mutated: evolving
 * one returns a new one (see `AppendOnlyList` for collections that grow with the stream).
 */
import type { DomainEvent } from '../domain/shared/decider.js';
import { appendOnlyList, type AppendOnlyList } from '../domain/shared/append-only-list.js';
import { decodeEvent, type EventSchemas } from '../domain/shared/event-schemas.js';
import type { EventStore, RecordedEvent } from '../stores/event-store.js';
import type { Evolver } from './read-state.js';

/** Streams kept when the deps do not say. */
export const DEFAULT_STATE_CACHE_STREAMS = 10_000;

/** Where a keyed event is in its stream. */
export interface KeyedEvent {
  readonly id: string;
  readonly revision: bigint;
}

/** A stream's state as of one of its stored revisions. */
export interface StreamState<State> {
  /** Revision of the stream's last event folded in; -1n for a stream with no events. */
  readonly revision: bigint;
  readonly state: State;
  /** The stream's last event: its hash is what the next event chains to. */
  readonly last: RecordedEvent | undefined;
  /**
   * The stream's events appended under an Idempotency-Key, by id: how a retried command finds
   * the events an earlier attempt stored without reading the stream again. Undefined when only
   * the stream's end was read (`history: 'last-event'`).
   */
  readonly keyed: AppendOnlyList<KeyedEvent> | undefined;
}

export interface LoadOptions {
  /** Do not fold: the state stays the initial one (append-only logs whose decider needs none). */
  readonly foldless?: boolean;
  /** The `keyed` index must be known: a command with an Idempotency-Key is about to run. */
  readonly needKeyed?: boolean;
}

export interface StateCache {
  /** The stream's state now: the cached one brought up to date by a tail read, or a full read. */
  load<State, Event extends DomainEvent>(
    streamId: string,
    evolver: Evolver<State, Event>,
    schemas: EventSchemas,
    options?: LoadOptions,
  ): Promise<StreamState<State>>;
  /**
   * `from` with `appended` (stored events that directly follow it) folded in, kept as the
   * stream's entry. Undefined when `appended` does not directly follow `from`.
   */
  advance<State, Event extends DomainEvent>(
    streamId: string,
    evolver: Evolver<State, Event>,
    schemas: EventSchemas,
    from: StreamState<State>,
    appended: readonly RecordedEvent[],
    options?: LoadOptions,
  ): StreamState<State> | undefined;
  /** Drops what is cached for the stream: its next load reads it whole. */
  forget(streamId: string): void;
  /** How many streams are cached. */
  readonly size: number;
}

type AnyEvolver = Evolver<unknown, DomainEvent>;

export function createStateCache(deps: {
  readonly eventStore: EventStore;
  /** At most this many streams are kept; 0 keeps none. */
  readonly maxStreams?: number;
}): StateCache {
  const maxStreams = deps.maxStreams ?? DEFAULT_STATE_CACHE_STREAMS;
  // One stream may be folded by more than one decider (a journal entry's and its late writes'),
  // so each stream's entry holds one state per evolver. Map order is the LRU order.
  const streams = new Map<string, Map<AnyEvolver, StreamState<unknown>>>();

  function cached<State>(streamId: string, evolver: object): StreamState<State> | undefined {
    const byEvolver = streams.get(streamId);
    const entry = byEvolver?.get(evolver as AnyEvolver);
    if (!byEvolver || !entry) return undefined;
    streams.delete(streamId);
    streams.set(streamId, byEvolver);
    return entry as StreamState<State>;
  }

  function keep(streamId: string, evolver: object, entry: StreamState<unknown>): void {
    if (maxStreams <= 0) return;
    const byEvolver = streams.get(streamId) ?? new Map<AnyEvolver, StreamState<unknown>>();
    const current = byEvolver.get(evolver as AnyEvolver);
    // Two folds of one stream may finish out of order (a facts read beside a command): keep the
    // further one. Either is true at its revision; the further one saves a longer tail read.
    if (current && current.revision > entry.revision) return;
    byEvolver.set(evolver as AnyEvolver, entry);
    streams.delete(streamId);
    streams.set(streamId, byEvolver);
    while (streams.size > maxStreams) {
      const oldest = streams.keys().next().value as string;
      streams.delete(oldest);
    }
  }

  function fold<State, Event extends DomainEvent>(
    evolver: Evolver<State, Event>,
    schemas: EventSchemas,
    from: StreamState<State>,
    events: readonly RecordedEvent[],
    options: LoadOptions,
  ): StreamState<State> | undefined {
    let { state, keyed, revision, last } = from;
    for (const event of events) {
      if (event.revision !== revision + 1n) return undefined;
      if (!options.foldless) state = evolver.evolve(state, decodeEvent<Event>(schemas, event));
      if (keyed && event.metadata.idempotencyKey !== undefined) {
        keyed = keyed.append({ id: event.id, revision: event.revision });
      }
      revision = event.revision;
      last = event;
    }
    return { revision, state, last, keyed };
  }

  const empty = <State>(initialState: State): StreamState<State> => ({
    revision: -1n,
    state: initialState,
    last: undefined,
    keyed: appendOnlyList((event: KeyedEvent) => event.id),
  });

  async function readWhole<State, Event extends DomainEvent>(
    streamId: string,
    evolver: Evolver<State, Event>,
    schemas: EventSchemas,
    options: LoadOptions,
  ): Promise<StreamState<State>> {
    const events = await deps.eventStore.readStream(streamId);
    const entry = fold(evolver, schemas, empty(evolver.initialState), events, options);
    if (!entry) throw new Error(`Stream ${streamId} read back with a gap in its revisions`);
    return entry;
  }

  async function load<State, Event extends DomainEvent>(
    streamId: string,
    evolver: Evolver<State, Event>,
    schemas: EventSchemas,
    options: LoadOptions = {},
  ): Promise<StreamState<State>> {
    const hit = cached<State>(streamId, evolver);
    let entry: StreamState<State> | undefined;
    if (hit && (hit.keyed || !options.needKeyed)) {
      const tail = await deps.eventStore.readStream(streamId, { fromRevision: hit.revision + 1n });
      if (tail.length === 0) return hit;
      entry = fold(evolver, schemas, hit, tail, options);
    } else if (options.foldless && !options.needKeyed) {
      // The stream's end is all such a command needs, however long the stream is.
      const [last] = await deps.eventStore.readStream(streamId, {
        direction: 'backwards',
        maxCount: 1,
      });
      entry = {
        revision: last?.revision ?? -1n,
        state: evolver.initialState,
        last,
        keyed: undefined,
      };
    }
    entry ??= await readWhole(streamId, evolver, schemas, options);
    keep(streamId, evolver, entry);
    return entry;
  }

  return {
    load,

    advance(streamId, evolver, schemas, from, appended, options = {}) {
      const entry = fold(evolver, schemas, from, appended, options);
      if (entry) keep(streamId, evolver, entry);
      return entry;
    },

    forget(streamId) {
      streams.delete(streamId);
    },

    get size() {
      return streams.size;
    },
  };
}
