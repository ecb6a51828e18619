import { expect } from 'vitest';
import type { Decider, DomainCommand, DomainEvent } from '../../../src/domain/shared/decider.js';
import { DomainError, type DomainRefusal } from '../../../src/domain/shared/errors.js';

/** What a refusal must look like; `issues` lists the expected issue paths, in order. */
export interface ExpectedRefusal {
  readonly kind: DomainRefusal['kind'];
  readonly code: string;
  readonly issues?: readonly string[];
  /** Matched against the refusal's message (a string must be contained in it). */
  readonly message?: string | RegExp;
}

/**
 * given(events).when(command).then(expectedEvents) / .thenRefuses(refusal): folds the given
 * events with `evolve`, runs `decide` on the result (with `facts`, the outside facts the
 * command is decided against) and asserts what it returns or throws.
 */
export function givenWhenThen<
  State,
  Command extends DomainCommand,
  Event extends DomainEvent,
  Facts,
>(decider: Decider<State, Command, Event, Facts>, facts?: Facts) {
  const decide = (command: Command, state: State) => decider.decide(command, state, facts as Facts);
  return function given(events: readonly Event[] = []) {
    const state = events.reduce(decider.evolve, decider.initialState);
    return {
      when(command: Command) {
        return {
          then(expected: readonly Event[]): void {
            expect(decide(command, state)).toEqual(expected);
          },
          thenRefuses(expected: ExpectedRefusal): DomainRefusal {
            const refusal = refusalOf(() => decide(command, state));
            expect({ kind: refusal.kind, code: refusal.code }).toEqual({
              kind: expected.kind,
              code: expected.code,
            });
            if (expected.issues !== undefined) {
              expect((refusal.issues ?? []).map((issue) => issue.path)).toEqual(expected.issues);
            }
            if (expected.message !== undefined) {
              if (typeof expected.message === 'string') {
                expect(refusal.message).toContain(expected.message);
              } else {
                expect(refusal.message).toMatch(expected.message);
              }
            }
            return refusal;
          },
        };
      },
    };
  };
}

function refusalOf(run: () => unknown): DomainRefusal {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).refusal;
  }
  expect.unreachable(`expected a refusal, but the decider returned ${show(result)}`);
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? `${item}n` : item,
  );
}
