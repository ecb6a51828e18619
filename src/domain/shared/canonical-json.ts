/**
 * A canonical JSON text: object keys sorted by code unit, no whitespace, `undefined` members
 * dropped. Two equal values always give the same bytes, so hashes and request fingerprints do
 * not depend on key order or formatting.
 */
export function canonicalJson(value: unknown): string {
  // Honour toJSON (Date and friends) as JSON.stringify does, so distinct values never collide.
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError('canonicalJson: non-finite numbers have no JSON form');
    }
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    // Array.from visits holes (map skips them), so a sparse array becomes nulls like JSON.stringify.
    return `[${Array.from(value, (item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  const members = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map(
      (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
    );
  return `{${members.join(',')}}`;
}
