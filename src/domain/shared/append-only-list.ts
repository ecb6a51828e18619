/**
 * An immutable list that grows one item at a time in O(1), for states that collect what their
 * stream's events add (an invoice's payments). Copying a growing collection on every event makes
 * folding a stream quadratic in its length; here successive versions share one array and one
 * index by key, and each version sees only its first `size` items.
 *
 * Appending to a version that is not the newest (a branch: two states folded on from the same
 * older one) copies that version's items first, so no version ever sees another's items.
 */
export interface AppendOnlyList<T> extends Iterable<T> {
  readonly size: number;
  /** A new version with `item` at the end; this one is unchanged. */
  append(item: T): AppendOnlyList<T>;
  /** Whether an item with this key is among this version's items. */
  has(key: string): boolean;
  /** The first of this version's items with this key. */
  get(key: string): T | undefined;
  toArray(): T[];
}

interface Shared<T> {
  readonly items: T[];
  /** Index of the first item with each key. */
  readonly firstIndex: Map<string, number>;
}

export function appendOnlyList<T>(
  keyOf: (item: T) => string,
  items: Iterable<T> = [],
): AppendOnlyList<T> {
  let list = version<T>(keyOf, { items: [], firstIndex: new Map() }, 0);
  for (const item of items) list = list.append(item);
  return list;
}

function version<T>(
  keyOf: (item: T) => string,
  shared: Shared<T>,
  size: number,
): AppendOnlyList<T> {
  const indexOf = (key: string) => {
    const index = shared.firstIndex.get(key);
    return index !== undefined && index < size ? index : -1;
  };
  return {
    size,
    append(item) {
      // Only the newest version may extend the shared array; an older one branches off a copy.
      const target = size === shared.items.length ? shared : copyOf(keyOf, shared, size);
      const key = keyOf(item);
      if (!target.firstIndex.has(key)) target.firstIndex.set(key, size);
      target.items.push(item);
      return version(keyOf, target, size + 1);
    },
    has: (key) => indexOf(key) >= 0,
    get(key) {
      const index = indexOf(key);
      return index >= 0 ? shared.items[index] : undefined;
    },
    toArray: () => shared.items.slice(0, size),
    *[Symbol.iterator]() {
      for (let index = 0; index < size; index += 1) yield shared.items[index]!;
    },
  };
}

function copyOf<T>(keyOf: (item: T) => string, shared: Shared<T>, size: number): Shared<T> {
  const items = shared.items.slice(0, size);
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (!firstIndex.has(key)) firstIndex.set(key, index);
  });
  return { items, firstIndex };
}
