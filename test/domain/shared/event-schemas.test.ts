import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { decodeEventOf, UnknownEventTypeError } from '../../../src/domain/shared/event-schemas.js';

const schemas = {
  CounterOpened: z.object({ counterId: z.string() }),
  CounterAdded: z.object({ counterId: z.string(), by: z.number().int() }),
};

describe('decodeEventOf', () => {
  it('gives the member of the schemas union the stored type names, validated', () => {
    const event = decodeEventOf(schemas, { type: 'CounterAdded', data: { counterId: 'c', by: 2 } });
    expect(event).toEqual({ type: 'CounterAdded', data: { counterId: 'c', by: 2 } });
    expectTypeOf(event).toEqualTypeOf<
      | { readonly type: 'CounterOpened'; readonly data: { counterId: string } }
      | { readonly type: 'CounterAdded'; readonly data: { counterId: string; by: number } }
    >();
    expect(() =>
      decodeEventOf(schemas, { type: 'CounterAdded', data: { counterId: 'c' } }),
    ).toThrow();
  });

  it('refuses a type that is not its own key, inherited names included', () => {
    for (const type of ['CounterClosed', 'toString', 'constructor']) {
      expect(() => decodeEventOf(schemas, { type, data: {}, streamId: 'counter-c' })).toThrow(
        new UnknownEventTypeError(`Stream counter-c holds unknown event type ${type}`),
      );
    }
  });
});
