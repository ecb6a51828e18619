import { describe, expect, it } from 'vitest';
import { csvField, csvRow } from '../../src/http/audit/csv.js';

describe('CSV cells', () => {
  it('leaves plain values alone and writes numbers and absent values as they are', () => {
    expect(csvRow(['abc', 42, null, undefined, ''])).toBe('abc,42,,,\r\n');
  });

  it('quotes a value with a comma, quote or line break and doubles its quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
  });

  it('prefixes a text a spreadsheet would run as a formula with an apostrophe', () => {
    for (const start of ['=', '+', '-', '@', '\t']) {
      expect(csvField(`${start}SUM(A1)`)).toBe(`'${start}SUM(A1)`);
    }
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    expect(csvField('=HYPERLINK("x","y")')).toBe(`"'=HYPERLINK(""x"",""y"")"`);
    expect(csvField('a=b')).toBe('a=b');
  });
});
