/**
 * The shape every module's business rules take: one value per kind of record, so a generic
 * command handler can load, fold, decide and append for any of them.
 *
 * - `decide` is pure: given the command, the record's current state and the facts the command
 *   depends on from other records, it returns the events to append or throws a `DomainError`.
 * - `evolve` is pure and total over the module's events: an event it does not care about leaves
 *   the state as it is.
 */
export interface DomainEvent {
  readonly type: string;
  readonly data: object;
}

export interface DomainCommand {
  readonly type: string;
}

export interface Decider<
  State,
  Command extends DomainCommand,
  Event extends DomainEvent,
  Facts = undefined,
> {
  readonly initialState: State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State, facts: Facts) => readonly Event[];
}

/** The state after `events`, from the decider's initial state. */
export function foldEvents<State, Event extends DomainEvent>(
  decider: Pick<Decider<State, DomainCommand, Event, never>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
