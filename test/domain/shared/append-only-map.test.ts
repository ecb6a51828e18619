import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendOnlyMap, type AppendOnlyMap } from '../../../src/domain/shared/append-only-map.js';

/** What a version should hold: a plain Map copied on every write. */
function expectLike(
  map: AppendOnlyMap<number>,
  model: ReadonlyMap<string, number>,
  keys: readonly string[],
) {
  expect(map.size).toBe(model.size);
  expect(map.keys()).toEqual([...model.keys()]);
  for (const key of keys) {
    expect(map.has(key)).toBe(model.has(key));
    expect(map.get(key)).toBe(model.get(key));
  }
}

describe('append-only map', () => {
  it('is empty to begin with', () => {
    const empty = appendOnlyMap<number>();
    expect(empty.size).toBe(0);
    expect(empty.keys()).toEqual([]);
    expect(empty.has('a')).toBe(false);
    expect(empty.get('a')).toBeUndefined();
  });

  it('gives the last value written to a key, keeping the order keys were first written', () => {
    const map = appendOnlyMap<number>().set('b', 1).set('a', 2).set('b', 3).set('c', 4);
    expect(map.get('b')).toBe(3);
    expect(map.get('a')).toBe(2);
    expect(map.size).toBe(3);
    expect(map.keys()).toEqual(['b', 'a', 'c']);
  });

  it('keeps every version as it was: an older one never sees a newer write', () => {
    const empty = appendOnlyMap<number>();
    const one = empty.set('a', 1);
    const two = one.set('b', 2);
    const three = two.set('a', 3);
    expect(empty.size).toBe(0);
    expect(empty.has('a')).toBe(false);
    expect(one.get('a')).toBe(1);
    expect(one.has('b')).toBe(false);
    expect(one.keys()).toEqual(['a']);
    expect(two.get('a')).toBe(1);
    expect(two.get('b')).toBe(2);
    expect(three.get('a')).toBe(3);
    expect(three.keys()).toEqual(['a', 'b']);
    expect(two.size).toBe(2);
    expect(three.size).toBe(2);
  });

  it('gives a branch from an older version its own writes, in both directions', () => {
    const base = appendOnlyMap<number>().set('a', 1);
    const left = base.set('l', 2);
    const right = base.set('r', 3);
    const leftMore = left.set('x', 4).set('a', 10);
    const rightMore = right.set('x', 5);
    expect(left.keys()).toEqual(['a', 'l']);
    expect(right.keys()).toEqual(['a', 'r']);
    expect(left.has('r')).toBe(false);
    expect(right.has('l')).toBe(false);
    expect(leftMore.get('x')).toBe(4);
    expect(rightMore.get('x')).toBe(5);
    expect(leftMore.get('a')).toBe(10);
    expect(rightMore.get('a')).toBe(1);
    expect(base.keys()).toEqual(['a']);
    expect(base.get('a')).toBe(1);
    // A branch of a branch, and a write to the version both branched from, once more.
    const again = base.set('a', 99);
    expect(again.get('a')).toBe(99);
    expect(again.keys()).toEqual(['a']);
    expect(left.get('a')).toBe(1);
    expect(leftMore.keys()).toEqual(['a', 'l', 'x']);
    expect(rightMore.keys()).toEqual(['a', 'r', 'x']);
  });

  it('keeps a key first written on a branch out of the other branch’s order', () => {
    const base = appendOnlyMap<number>().set('a', 1);
    const left = base.set('b', 2);
    const right = base.set('c', 3).set('b', 4);
    expect(left.keys()).toEqual(['a', 'b']);
    expect(right.keys()).toEqual(['a', 'c', 'b']);
  });

  it('finds every key after many writes to few keys, in every version', () => {
    /** Write n sets k(n mod 7) to n: the last write to key k up to n is the largest such n. */
    const lastWrite = (key: number, upTo: number) => upTo - ((((upTo - key) % 7) + 7) % 7);
    let map = appendOnlyMap<number>();
    const versions: AppendOnlyMap<number>[] = [];
    for (let n = 0; n < 5000; n += 1) {
      map = map.set(`k${n % 7}`, n);
      versions.push(map);
    }
    expect(map.size).toBe(7);
    expect(map.keys()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    for (const upTo of [6, 7, 100, 2499, 4999]) {
      for (let key = 0; key < 7; key += 1) {
        expect(versions[upTo]!.get(`k${key}`)).toBe(lastWrite(key, upTo));
      }
    }
    // Version n saw the writes 0..n and no more.
    expect(versions[0]!.keys()).toEqual(['k0']);
    expect(versions[0]!.has('k1')).toBe(false);
    expect(versions[5]!.size).toBe(6);
    expect(versions[5]!.get('k6')).toBeUndefined();
  });

  it('holds values as given, undefined-like ones included', () => {
    const map = appendOnlyMap<number | null>().set('zero', 0).set('none', null);
    expect(map.has('zero')).toBe(true);
    expect(map.get('zero')).toBe(0);
    expect(map.has('none')).toBe(true);
    expect(map.get('none')).toBeNull();
  });

  it('behaves like a copied Map under random writes to random versions', () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const write = fc.record({
      from: fc.nat(),
      key: fc.constantFrom(...keys),
      value: fc.integer(),
    });
    fc.assert(
      fc.property(fc.array(write, { maxLength: 120 }), (writes) => {
        const versions: { map: AppendOnlyMap<number>; model: Map<string, number> }[] = [
          { map: appendOnlyMap(), model: new Map() },
        ];
        for (const { from, key, value } of writes) {
          const base = versions[from % versions.length]!;
          versions.push({
            map: base.map.set(key, value),
            model: new Map(base.model).set(key, value),
          });
        }
        // Checked once all the writes are in, so any write leaking into another version shows.
        for (const { map, model } of versions) expectLike(map, model, keys);
      }),
      { numRuns: 300 },
    );
  });

  it('reads the same from a version before and after other versions are written to', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer()), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer()), { maxLength: 30 }),
        (first, later) => {
          let map = appendOnlyMap<number>();
          for (const [key, value] of first) map = map.set(key, value);
          const snapshot = {
            keys: map.keys(),
            size: map.size,
            values: ['a', 'b', 'c', 'd'].map((key) => map.get(key)),
          };
          let newer = map;
          let branch = map;
          for (const [key, value] of later) {
            newer = newer.set(key, value);
            branch = branch.set(key, -value);
          }
          expect(map.keys()).toEqual(snapshot.keys);
          expect(map.size).toBe(snapshot.size);
          expect(['a', 'b', 'c', 'd'].map((key) => map.get(key))).toEqual(snapshot.values);
          for (const [key] of later) expect(branch.keys()).toContain(key);
        },
      ),
    );
  });
});
