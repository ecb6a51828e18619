import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  averageCost,
  divideHalfUp,
  EMPTY_POSITION,
  issue,
  issueCost,
  receive,
  type StockPosition,
} from '../../../src/domain/logistics/stock-valuation.js';

const position = (onHand: bigint, valueMinor: bigint): StockPosition => ({ onHand, valueMinor });

describe('divideHalfUp', () => {
  it.each([
    [0n, 3n, 0n],
    [4n, 3n, 1n],
    [5n, 3n, 2n],
    [5n, 2n, 3n],
    [3n, 2n, 2n],
    [1n, 2n, 1n],
    [1n, 3n, 0n],
    [6n, 3n, 2n],
  ])('%i / %i rounds half up to %i', (numerator, denominator, expected) => {
    expect(divideHalfUp(numerator, denominator)).toBe(expected);
  });
});

describe('receive', () => {
  it('adds the quantity and the value: 10 @ 1.00 then 20 @ 1.30 is 30 carried at 36.00', () => {
    const first = receive(EMPTY_POSITION, 10n, 1000n);
    expect(first).toEqual(position(10n, 1000n));
    expect(receive(first, 20n, 2600n)).toEqual(position(30n, 3600n));
  });
});

describe('issue', () => {
  it('costs value × quantity / on hand: 7 of 30 at 36.00 cost 8.40', () => {
    expect(issue(position(30n, 3600n), 7n)).toEqual({ cost: 840n, after: position(23n, 2760n) });
  });

  it('rounds half up: 1 of 2 at 0.05 costs 0.03 and leaves 0.02', () => {
    expect(issue(position(2n, 5n), 1n)).toEqual({ cost: 3n, after: position(1n, 2n) });
  });

  it('rounds down below the half: 1 of 3 at 15.01 costs 5.00', () => {
    expect(issueCost(position(3n, 1501n), 1n)).toBe(500n);
  });

  it('takes exactly what is left for the last units, where the average would differ', () => {
    // 2 units at 10.01: the average rounds to 5.01 (5.005), and 2 × 5.01 would be 10.02.
    expect(averageCost(position(2n, 1001n))).toBe(501n);
    expect(issue(position(2n, 1001n), 2n)).toEqual({ cost: 1001n, after: EMPTY_POSITION });
    // 3 units at 10.00 issued one by one: 3.33, 3.34, then the 3.33 left; nothing stranded.
    let stock = position(3n, 1000n);
    const costs: bigint[] = [];
    for (let n = 0; n < 3; n += 1) {
      const taken = issue(stock, 1n);
      costs.push(taken.cost);
      stock = taken.after;
    }
    expect(costs).toEqual([333n, 334n, 333n]);
    expect(stock).toEqual(EMPTY_POSITION);
  });

  it('refuses to issue nothing, less than nothing, or more than is on hand', () => {
    expect(() => issueCost(position(3n, 300n), 0n)).toThrow(RangeError);
    expect(() => issueCost(position(3n, 300n), -1n)).toThrow(RangeError);
    expect(() => issueCost(position(3n, 300n), 4n)).toThrow('Cannot issue 4 of 3 on hand');
    expect(() => issueCost(EMPTY_POSITION, 1n)).toThrow(RangeError);
  });

  it('never costs more than the value nor leaves a value behind with no units', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10_000n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 10_000n }),
        (onHand, valueMinor, wanted) => {
          const quantity = wanted > onHand ? onHand : wanted;
          const { cost, after } = issue(position(onHand, valueMinor), quantity);
          expect(cost >= 0n && cost <= valueMinor).toBe(true);
          expect(after.valueMinor + cost).toBe(valueMinor);
          if (after.onHand === 0n) expect(after.valueMinor).toBe(0n);
          // Within half a minor unit of the exact share.
          const exact2 = (2n * valueMinor * quantity) / onHand;
          expect(2n * cost >= exact2 - 1n && 2n * cost <= exact2 + 1n).toBe(true);
        },
      ),
    );
  });
});

describe('averageCost', () => {
  it('is the value per unit rounded half up, and undefined with nothing on hand', () => {
    expect(averageCost(position(30n, 3600n))).toBe(120n);
    expect(averageCost(position(3n, 1501n))).toBe(500n);
    expect(averageCost(position(2n, 5n))).toBe(3n);
    expect(averageCost(EMPTY_POSITION)).toBeUndefined();
  });
});
