import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRate, MAX_RATE, parseRate, taxOf } from '../../../src/domain/receivables/tax.js';

describe('parseRate', () => {
  it.each([
    ['0', 0n],
    ['0.0', 0n],
    ['0.0001', 1n],
    ['7.5', 75_000n],
    ['7.125', 71_250n],
    ['19', 190_000n],
    ['19.00', 190_000n],
    ['20.0000', 200_000n],
    ['12.3456', 123_456n],
    ['99.9999', 999_999n],
    ['100', 1_000_000n],
    ['100.0000', 1_000_000n],
    ['007', 70_000n],
  ])('reads %j as %d ten-thousandths of a percent', (text, rate) => {
    expect(parseRate(text)).toBe(rate);
  });

  it.each([
    ['100.0001', 'above 100 %'],
    ['101', 'above 100 %'],
    ['999.9999', 'above 100 %'],
    ['12.34567', 'five decimals'],
    ['0.00001', 'five decimals'],
    ['1000', 'four integer digits'],
    ['-1', 'negative'],
    ['-0', 'signed'],
    ['+5', 'signed'],
    ['.5', 'no integer part'],
    ['5.', 'no decimals after the point'],
    ['7,5', 'a decimal comma'],
    [' 19', 'surrounded by space'],
    ['19 ', 'surrounded by space'],
    ['19%', 'a percent sign'],
    ['1e1', 'an exponent'],
    ['', 'empty'],
  ])('refuses %j (%s)', (text) => {
    expect(parseRate(text)).toBeUndefined();
  });
});

describe('formatRate', () => {
  it.each([
    ['19', '19.00'],
    ['7.125', '7.125'],
    ['7.1250', '7.125'],
    ['7.5', '7.50'],
    ['20.0000', '20.00'],
    ['0', '0.00'],
    ['0.0001', '0.0001'],
    ['12.3456', '12.3456'],
    ['12.3400', '12.34'],
    ['12.3050', '12.305'],
    ['100', '100.00'],
  ])('writes the rate read from %j as %j', (text, formatted) => {
    expect(formatRate(parseRate(text)!)).toBe(formatted);
  });

  it('writes every rate so that it reads back as itself', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_RATE }), (rate) => {
        const text = formatRate(rate);
        expect(text).toMatch(/^\d{1,3}\.\d{2,4}$/);
        expect(parseRate(text)).toBe(rate);
      }),
    );
  });
});

describe('taxOf', () => {
  const rate = (text: string) => parseRate(text)!;

  it.each([
    // base in minor units, rate, tax in minor units
    [0n, '19', 0n, 'a zero base'],
    [12_345n, '0', 0n, 'a zero rate'],
    [12_345n, '100', 12_345n, '100 % is the base itself'],
    [10_000n, '19', 1_900n, 'exact: 19 % of 100.00'],
    [10n, '15', 2n, '15 % of 0.10 = 0.015: half a cent rounds up'],
    [30n, '15', 5n, '15 % of 0.30 = 0.045 rounds up to 0.05'],
    [999n, '7', 70n, '7 % of 9.99 = 0.6993 rounds to 0.70'],
    [333n, '7', 23n, '7 % of 3.33 = 0.2331 rounds down to 0.23'],
    [1n, '50', 1n, '50 % of one minor unit is exactly half: up'],
    [1n, '49.9999', 0n, 'just below half: down'],
    [3n, '16.6667', 1n, '0.500001 of a unit: up'],
    [3n, '16.6666', 0n, '0.499998 of a unit: down'],
    [1n, '0.0001', 0n, 'the smallest rate of the smallest base'],
    [5_000n, '0.0001', 0n, '0.005 of a unit: down'],
    [5_000_000n, '0.0001', 5n, 'the smallest rate of 50 000.00'],
  ])('of base %d at %s %% is %d (%s)', (base, percent, tax) => {
    expect(taxOf(base, rate(percent))).toBe(tax);
  });

  it('is exact beyond float precision', () => {
    // 19 % of 9 999 999 999 999 999.99 = 1 899 999 999 999 999.9981 → 1 900 000 000 000 000.00
    expect(taxOf(999_999_999_999_999_999n, rate('19'))).toBe(190_000_000_000_000_000n);
    // 7.125 % of 123 456 789 012 345.67 = 8 796 296 217 129.6289875 → 8 796 296 217 129.63
    expect(taxOf(12_345_678_901_234_567n, rate('7.125'))).toBe(879_629_621_712_963n);
  });

  /**
   * The exact rational base × rate / 1 000 000, rounded half up, computed another way: the
   * quotient and remainder of the division, rounding up when twice the remainder reaches the
   * divisor.
   */
  function roundedHalfUp(base: bigint, rateTenThousandths: bigint): bigint {
    const numerator = base * rateTenThousandths;
    const quotient = numerator / 1_000_000n;
    const remainder = numerator - quotient * 1_000_000n;
    return 2n * remainder >= 1_000_000n ? quotient + 1n : quotient;
  }

  it('is base × rate rounded half up, for any base and rate', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }),
        fc.bigInt({ min: 0n, max: 1_000_000n }),
        (base, rateTenThousandths) => {
          const tax = taxOf(base, rateTenThousandths);
          expect(tax).toBe(roundedHalfUp(base, rateTenThousandths));
          // Within half a minor unit of the exact value, and never above the base.
          const error = tax * 1_000_000n - base * rateTenThousandths;
          expect(-500_000n < error && error <= 500_000n).toBe(true);
          expect(tax <= base).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rounds every exact half up', () => {
    // base × rate = (2k + 1) × 500 000: exactly k + ½ minor units.
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), (k) => {
        const base = (2n * k + 1n) * 5n;
        expect(taxOf(base, 100_000n)).toBe(k + 1n);
      }),
    );
  });
});
