/**
 * The shared schema helpers say in their documented pattern exactly what their validation
 * accepts, checked by property over all of Unicode (the route tests only try chosen values).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decimalAtMost, text, unicode } from '../../src/http/schemas.js';

const documentedPattern = (schema: z.ZodType) =>
  new RegExp((z.toJSONSchema(schema) as { pattern: string }).pattern, 'u');

/** Code points around every class edge the helpers draw, and any others. */
const characters = fc.oneof(
  fc.constantFrom(
    ...[0x0, 0x8, 0x9, 0xa, 0xb, 0xd, 0x1f, 0x20, 0x7e, 0x7f, 0x85, 0x9f, 0xa0, 0xad, 0x200b]
      .concat([0x200f, 0x2028, 0x2029, 0x202a, 0x202e, 0x202f, 0x2066, 0x2069, 0xfeff, 0xd800])
      .map((code) => String.fromCharCode(code)),
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const texts = fc.array(characters, { maxLength: 6 }).map((parts) => parts.join(''));

describe.each([
  ['one-line text', text(10)],
  ['multi-line text', text(10, { lines: 'many' })],
  ['one-line text that may be blank', text(10, { blank: 'allowed' })],
  ['multi-line text that may be blank', text(10, { blank: 'allowed', lines: 'many' })],
  ['unicode', unicode(10)],
])('%s', (_what, schema) => {
  it('accepts exactly what its documented pattern admits', () => {
    const pattern = documentedPattern(schema);
    fc.assert(
      fc.property(texts, (value) => {
        expect(schema.safeParse(value).success, JSON.stringify(value)).toBe(pattern.test(value));
      }),
      { numRuns: 3000, seed: 17 },
    );
  });
});

describe('decimalAtMost', () => {
  it.each([[0n], [5n], [9n], [10n], [19n], [100n], [305n], [1999n]])(
    'matches the decimals 0 to %s and no others',
    (max) => {
      const pattern = new RegExp(decimalAtMost(max));
      for (let n = 0n; n <= max + 100n; n += 1n) {
        expect(pattern.test(n.toString()), String(n)).toBe(n <= max);
      }
      expect(pattern.test('01')).toBe(false);
      expect(pattern.test('')).toBe(false);
    },
  );

  it('draws the line at 2^63 - 1 exactly', () => {
    const max = 2n ** 63n - 1n;
    const pattern = new RegExp(decimalAtMost(max));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 70n }), (n) => {
        expect(pattern.test(n.toString()), String(n)).toBe(n <= max);
      }),
      { numRuns: 2000, seed: 17 },
    );
    // Each digit of the bound, one more.
    const digits = max.toString();
    for (let i = 0; i < digits.length; i += 1) {
      if (digits[i] === '9') continue;
      const above = `${digits.slice(0, i)}${Number(digits[i]) + 1}${digits.slice(i + 1)}`;
      expect(pattern.test(above), above).toBe(false);
    }
    expect(pattern.test(max.toString())).toBe(true);
  });
});
