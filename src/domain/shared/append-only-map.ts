/**
 * An immutable map whose versions share one log of writes, for states that keep a value per key
 * and change a few keys per event (a warehouse's stock per SKU). Copying the whole map on every
 * event would make folding a long stream quadratic; here `set` is O(1) amortised and `get` is
 * O(log w) in the writes to that key. Like AppendOnlyList, a write to a version that is not the
 * newest branches off a copy, so no version ever sees another's writes.
 */
export interface AppendOnlyMap<V> {
  readonly size: number;
  /** A new version with `key` set to `value`; this one is unchanged. */
  set(key: string, value: V): AppendOnlyMap<V>;
  get(key: string): V | undefined;
  has(key: string): boolean;
  /** Every key this version holds, in the order first written. */
  keys(): string[];
}

interface Shared<V> {
  readonly writes: { readonly key: string; readonly value: V }[];
  /** Per key, the indexes of its writes, ascending. */
  readonly byKey: Map<string, number[]>;
  /** Keys in the order first written, with the index of that first write. */
  readonly order: { readonly key: string; readonly index: number }[];
}

export function appendOnlyMap<V>(): AppendOnlyMap<V> {
  return version<V>({ writes: [], byKey: new Map(), order: [] }, 0);
}

function version<V>(shared: Shared<V>, size: number): AppendOnlyMap<V> {
  /** The index of the key's last write in this version, or -1. */
  const lastWrite = (key: string): number => {
    const indexes = shared.byKey.get(key);
    if (!indexes) return -1;
    let low = 0;
    let high = indexes.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (indexes[middle]! < size) {
        found = indexes[middle]!;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  };
  let keyCount: number | undefined;
  return {
    get size() {
      keyCount ??= shared.order.filter((entry) => entry.index < size).length;
      return keyCount;
    },
    set(key, value) {
      const target = size === shared.writes.length ? shared : copyOf(shared, size);
      const index = target.writes.length;
      target.writes.push({ key, value });
      const indexes = target.byKey.get(key);
      if (indexes) indexes.push(index);
      else {
        target.byKey.set(key, [index]);
        target.order.push({ key, index });
      }
      return version(target, size + 1);
    },
    get(key) {
      const index = lastWrite(key);
      return index >= 0 ? shared.writes[index]!.value : undefined;
    },
    has: (key) => lastWrite(key) >= 0,
    keys: () => shared.order.filter((entry) => entry.index < size).map((entry) => entry.key),
  };
}

function copyOf<V>(shared: Shared<V>, size: number): Shared<V> {
  const copy: Shared<V> = { writes: [], byKey: new Map(), order: [] };
  for (const write of shared.writes.slice(0, size)) {
    const index = copy.writes.length;
    copy.writes.push(write);
    const indexes = copy.byKey.get(write.key);
    if (indexes) indexes.push(index);
    else {
      copy.byKey.set(write.key, [index]);
      copy.order.push({ key: write.key, index });
    }
  }
  return copy;
}
