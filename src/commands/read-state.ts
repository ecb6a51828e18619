import type { Decider, DomainCommand, DomainEvent } from '../domain/shared/decider.js';
import { decodeEvent, type EventSchemas } from '../domain/shared/event-schemas.js';
import type { RecordedEvent } from '../stores/event-store.js';
import type { StateCache } from './state-cache.js';

/** What folding a stream needs of a decider. */
export type Evolver<State, Event extends DomainEvent> = Pick<
  Decider<State, DomainCommand, Event, never>,
  'initialState' | 'evolve'
>;

/** Folds stored events, each validated against its type's schema, into the decider's state. */
export function foldRecorded<State, Event extends DomainEvent>(
  decider: Evolver<State, Event>,
  schemas: EventSchemas,
  recorded: readonly RecordedEvent[],
): State {
  let state = decider.initialState;
  for (const event of recorded) state = decider.evolve(state, decodeEvent<Event>(schemas, event));
  return state;
}

/**
 * The current state of another record: how a command reads the facts it is decided against.
 * The service's is `cachedStateReader`: through the commands' state cache, one tail read.
 */
export type StateReader = <State, Event extends DomainEvent>(
  streamId: string,
  decider: Evolver<State, Event>,
  schemas: EventSchemas,
) => Promise<State>;

export function cachedStateReader(cache: StateCache): StateReader {
  return async (streamId, decider, schemas) => (await cache.load(streamId, decider, schemas)).state;
}
