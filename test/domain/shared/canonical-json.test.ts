import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/domain/shared/canonical-json.js';

/** JSON.stringify of a deep copy with every object's keys sorted: what canonicalJson must equal. */
function sortedStringify(value: unknown): string {
  const sort = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(sort);
    if (item !== null && typeof item === 'object') {
      return Object.fromEntries(
        Object.keys(item)
          .sort()
          .map((key) => [key, sort((item as Record<string, unknown>)[key])]),
      );
    }
    return item;
  };
  return JSON.stringify(sort(value));
}

describe('canonicalJson', () => {
  it('does not depend on key order', () => {
    const a = { b: 1, a: 2, c: { y: true, x: null } };
    const b = { c: { x: null, y: true }, a: 2, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":2,"b":1,"c":{"x":null,"y":true}}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it('sorts keys by UTF-16 code unit', () => {
    const value = { z: 1, é: 2, a: 3, Z: 4, '\u{1F600}': 5, '\uFFFF': 6, '10': 7, '9': 8, '': 9 };
    expect(canonicalJson(value)).toBe(
      '{"":9,"10":7,"9":8,"Z":4,"a":3,"z":1,"é":2,"\u{1F600}":5,"\uFFFF":6}',
    );
  });

  it('writes nested objects and arrays without whitespace, keeping array order', () => {
    const value = {
      lines: [
        { side: 'debit', amount: '1.00', tags: ['b', 'a'] },
        { amount: '1.00', side: 'credit', tags: [] },
      ],
      meta: { nested: { deeper: [[1, 2], [3], {}] } },
    };
    expect(canonicalJson(value)).toBe(
      '{"lines":[{"amount":"1.00","side":"debit","tags":["b","a"]},' +
        '{"amount":"1.00","side":"credit","tags":[]}],"meta":{"nested":{"deeper":[[1,2],[3],{}]}}}',
    );
  });

  it('drops undefined members at every depth', () => {
    expect(canonicalJson({ a: undefined, b: 1, c: { d: undefined, e: [{ f: undefined }] } })).toBe(
      '{"b":1,"c":{"e":[{}]}}',
    );
    expect(canonicalJson({ a: undefined })).toBe(canonicalJson({}));
  });

  it('writes undefined array items as null, as JSON.stringify does', () => {
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson([undefined, 1])).toBe(JSON.stringify([undefined, 1]));
  });

  it('writes holes in sparse arrays as null, as JSON.stringify does', () => {
    const sparse: unknown[] = [];
    sparse[1] = 1;
    expect(JSON.stringify(sparse)).toBe('[null,1]');
    expect(canonicalJson(sparse)).toBe('[null,1]');
  });

  it.each([
    'plain',
    'say "hi"',
    'back\\slash',
    'line\nbreak\ttab\r\b\f',
    '\u0000\u001f\u007f',
    'é ü ß 中文 \u{1F600}',
    '\u2028\u2029',
    '\ud800 lone surrogate \udc00',
    '</script>',
  ])('escapes the string %j as JSON.stringify does', (text) => {
    expect(canonicalJson(text)).toBe(JSON.stringify(text));
    expect(canonicalJson({ [text]: text })).toBe(
      `{${JSON.stringify(text)}:${JSON.stringify(text)}}`,
    );
    expect(JSON.parse(canonicalJson({ [text]: [text] }))).toEqual({ [text]: [text] });
  });

  it('writes bigints as decimal strings', () => {
    expect(canonicalJson(12_345_678_901_234_567_890n)).toBe('"12345678901234567890"');
    expect(canonicalJson({ minor: -1n, zero: 0n })).toBe('{"minor":"-1","zero":"0"}');
    expect(canonicalJson([1n])).toBe('["1"]');
  });

  it('writes numbers, booleans and null as JSON.stringify does', () => {
    for (const value of [0, -0, 1, -1.5, 0.1, 1e21, 1e-7, 2 ** 53, true, false, null]) {
      expect(canonicalJson(value)).toBe(JSON.stringify(value));
    }
  });

  it.each([NaN, Infinity, -Infinity])('throws on the non-finite number %s', (value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
    expect(() => canonicalJson({ a: [1, { b: value }] })).toThrow(TypeError);
  });

  it('equals JSON.stringify of a key-sorted copy for JSON values', () => {
    const values: unknown[] = [
      {},
      [],
      '',
      { id: 'e-1', type: 'JournalEntryPosted', data: { lines: [{ b: 1, a: [true, null] }] } },
      { metadata: { prevHash: '0'.repeat(64), actor: 'key-1', onBehalfOf: 'ann' }, z: [{}, []] },
      JSON.parse('{"__proto__":{"x":1},"constructor":2}'),
    ];
    for (const value of values) {
      expect(canonicalJson(value)).toBe(sortedStringify(value));
      expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    }
  });

  it('gives different texts for different values', () => {
    const texts = [
      { a: 1 },
      { a: '1' },
      { a: [1] },
      { a: { b: 1 } },
      { 'a,b': 1 },
      { a: 1, b: 1 },
      ['a', 1],
      'a:1',
    ].map(canonicalJson);
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('uses toJSON like JSON.stringify, so two different dates never hash alike', () => {
    expect(canonicalJson({ d: new Date(0) })).toBe('{"d":"1970-01-01T00:00:00.000Z"}');
    expect(canonicalJson({ d: new Date(0) })).not.toBe(canonicalJson({ d: new Date(1) }));
  });
});
