import { describe, expect, it } from 'vitest';
import {
  formatQuantity,
  lineAmountMinor,
  parseQuantity,
} from '../../../src/domain/receivables/pricing.js';

describe('parseQuantity', () => {
  it.each([
    ['1', 1000n],
    ['2.5', 2500n],
    ['0.125', 125n],
    ['0.001', 1n],
    ['1.000', 1000n],
    ['10.05', 10050n],
    ['999999999.999', 999_999_999_999n],
  ])('reads %j as %d thousandths', (text, thousandths) => {
    expect(parseQuantity(text)).toBe(thousandths);
  });

  it.each([
    ['0', 'zero'],
    ['0.000', 'zero with decimals'],
    ['-1', 'negative'],
    ['1.2345', 'four decimals'],
    ['1e3', 'an exponent'],
    ['', 'empty'],
    [' 1', 'a leading space'],
    ['1 ', 'a trailing space'],
    ['1\n', 'a trailing newline'],
    ['1.', 'a point without decimals'],
    ['.5', 'no integer part'],
    ['1,5', 'a decimal comma'],
    ['+1', 'a plus sign'],
    ['1000000000', 'ten integer digits'],
    ['one', 'a word'],
  ])('refuses %j (%s)', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});

describe('formatQuantity', () => {
  it.each([
    [1000n, '1'],
    [10000n, '10'],
    [2500n, '2.5'],
    [100n, '0.1'],
    [125n, '0.125'],
    [1n, '0.001'],
    [1010n, '1.01'],
    [10050n, '10.05'],
    [999_999_999_999n, '999999999.999'],
  ])('formats %d thousandths as %j, without trailing zeros', (thousandths, text) => {
    expect(formatQuantity(thousandths)).toBe(text);
  });

  it.each([
    ['2.500', '2.5'],
    ['1.000', '1'],
    ['0.120', '0.12'],
    ['0.125', '0.125'],
  ])('normalises %j to %j', (text, normalised) => {
    const quantity = parseQuantity(text);
    expect(quantity).toBeDefined();
    expect(formatQuantity(quantity!)).toBe(normalised);
  });
});

describe('lineAmountMinor', () => {
  it.each([
    // [case, quantity in thousandths, unit price in minor units, amount in minor units]
    ['qty 0.5 × 0.01 EUR = 0.005 → 0.01 (half up)', 500n, 1n, 1n],
    ['qty 0.333 × 1.00 EUR = 0.333 → 0.33', 333n, 100n, 33n],
    ['qty 0.335 × 1.00 EUR = 0.335 → 0.34 (half up)', 335n, 100n, 34n],
    ['qty 0.334 × 1.00 EUR = 0.334 → 0.33', 334n, 100n, 33n],
    ['qty 3 × 19.99 EUR = 59.97', 3000n, 1999n, 5997n],
    ['qty 1 × 19.99 EUR = 19.99', 1000n, 1999n, 1999n],
    ['qty 1.5 × 101 JPY = 151.5 → 152 (half up)', 1500n, 101n, 152n],
    ['qty 2.5 × 1 JPY = 2.5 → 3 (half up, not to even)', 2500n, 1n, 3n],
    ['qty 1.499 × 1 JPY = 1.499 → 1', 1499n, 1n, 1n],
    ['qty 0.001 × 4.99 EUR = 0.00499 → 0.00', 1n, 499n, 0n],
    ['qty 0.001 × 5.00 EUR = 0.005 → 0.01 (half up)', 1n, 500n, 1n],
    ['qty 0.001 × 0.01 EUR = 0.00001 → 0.00', 1n, 1n, 0n],
    ['qty 2.5 × 1.234 KWD = 3.085', 2500n, 1234n, 3085n],
    [
      'qty 999999999.999 × 999999.99 EUR = 999999989999000.00001 → 999999989999000.00',
      999_999_999_999n,
      99_999_999n,
      99_999_998_999_900_000n,
    ],
  ])('%s', (_case, quantity, unitPrice, amount) => {
    expect(lineAmountMinor(quantity, unitPrice)).toBe(amount);
  });
});
