import { describe, expect, it } from 'vitest';
import {
  appendOnlyList,
  type AppendOnlyList,
} from '../../../src/domain/shared/append-only-list.js';

interface Item {
  readonly id: string;
  readonly n: number;
}

/** Counts how often the list derives a key: a copy of the items derives one per item. */
function counted() {
  const calls = { keys: 0 };
  const keyOf = (item: Item) => {
    calls.keys += 1;
    return item.id;
  };
  return { calls, keyOf };
}

/** A small deterministic generator, so the random walks below replay the same way. */
function random(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % below;
  };
}

describe('append-only list', () => {
  it('keeps every version as it was when later versions append', () => {
    const empty = appendOnlyList((item: Item) => item.id);
    const one = empty.append({ id: 'a', n: 1 });
    const two = one.append({ id: 'b', n: 2 });
    expect(empty.toArray()).toEqual([]);
    expect(one.toArray()).toEqual([{ id: 'a', n: 1 }]);
    expect([...two]).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
    expect(one.has('b')).toBe(false);
    expect(two.has('b')).toBe(true);
    expect(one.get('b')).toBeUndefined();
    expect(two.get('a')).toEqual({ id: 'a', n: 1 });
  });

  it('gives a branch from an older version its own items', () => {
    const base = appendOnlyList((item: Item) => item.id, [{ id: 'a', n: 1 }]);
    const left = base.append({ id: 'l', n: 2 });
    const right = base.append({ id: 'r', n: 3 });
    const leftMore = left.append({ id: 'x', n: 4 });
    const rightMore = right.append({ id: 'x', n: 5 });
    expect(left.toArray().map((item) => item.id)).toEqual(['a', 'l']);
    expect(right.toArray().map((item) => item.id)).toEqual(['a', 'r']);
    expect(right.has('l')).toBe(false);
    expect(left.has('r')).toBe(false);
    expect(leftMore.get('x')).toEqual({ id: 'x', n: 4 });
    expect(rightMore.get('x')).toEqual({ id: 'x', n: 5 });
  });

  it('finds the first item of a key appended twice', () => {
    const list = appendOnlyList((item: Item) => item.id)
      .append({ id: 'a', n: 1 })
      .append({ id: 'a', n: 2 });
    expect(list.size).toBe(2);
    expect(list.get('a')).toEqual({ id: 'a', n: 1 });
  });

  it('appends along one chain in constant work per item', () => {
    const { calls, keyOf } = counted();
    let list = appendOnlyList(keyOf);
    for (let n = 0; n < 2000; n += 1) list = list.append({ id: `id-${n}`, n });
    // One key per append and no copy: a list that copied its items would derive ~2 000 000.
    expect(calls.keys).toBe(2000);
    expect(list.size).toBe(2000);
  });

  it('behaves like a copied array under random appends to random versions', () => {
    const next = random(42);
    const keyOf = (item: Item) => item.id;
    const versions: { list: AppendOnlyList<Item>; model: Item[] }[] = [
      { list: appendOnlyList(keyOf), model: [] },
    ];
    for (let step = 0; step < 500; step += 1) {
      const from = versions[next(versions.length)]!;
      const item = { id: `k${next(40)}`, n: step };
      versions.push({ list: from.list.append(item), model: [...from.model, item] });
    }
    for (const { list, model } of versions) {
      expect(list.toArray()).toEqual(model);
      expect(list.size).toBe(model.length);
      for (let key = 0; key < 40; key += 1) {
        const id = `k${key}`;
        expect(list.has(id)).toBe(model.some((item) => item.id === id));
        expect(list.get(id)).toEqual(model.find((item) => item.id === id));
      }
    }
  });
});
