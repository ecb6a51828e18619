import { describe, expect, it } from 'vitest';
import { formatFte, fteFraction, parseFte } from '../../../src/domain/people/fte.js';

describe('FTE', () => {
  it.each([
    ['1', '1', 10_000],
    ['1.0', '1', 10_000],
    ['1.0000', '1', 10_000],
    ['0.5', '0.5', 5_000],
    ['0.50', '0.5', 5_000],
    ['0.8125', '0.8125', 8_125],
    ['0.0001', '0.0001', 1],
    ['0.1', '0.1', 1_000],
  ])('reads %j as %j (%d ten-thousandths)', (text, fte, tenThousandths) => {
    expect(parseFte(text)).toEqual({ ok: true, fte, tenThousandths });
  });

  it.each([
    '0',
    '0.0',
    '0.00001',
    '0.12345',
    '1.0001',
    '1.5',
    '2',
    '10',
    '01',
    '-0.5',
    '.5',
    '0.',
    '1e-1',
    ' 0.5',
    '0,5',
    '',
    'one',
  ])('refuses %j', (text) => {
    expect(parseFte(text)).toEqual({
      ok: false,
      message:
        'must be a decimal number greater than 0 and at most 1, with at most 4 decimals ("0.5")',
    });
  });

  it('writes every FTE one way, without trailing zeros', () => {
    expect([10_000, 5_000, 7_500, 1, 10, 9_999].map(formatFte)).toEqual([
      '1',
      '0.5',
      '0.75',
      '0.0001',
      '0.001',
      '0.9999',
    ]);
  });

  it('gives a stored FTE as an exact fraction over 10 000', () => {
    expect(fteFraction('0.5')).toEqual({ numerator: 5_000n, denominator: 10_000n });
    expect(fteFraction('1')).toEqual({ numerator: 10_000n, denominator: 10_000n });
    expect(fteFraction('0.3333')).toEqual({ numerator: 3_333n, denominator: 10_000n });
  });

  it('throws on a stored FTE that does not parse: the data is broken', () => {
    expect(() => fteFraction('1.5')).toThrow('Stored FTE 1.5');
  });
});
