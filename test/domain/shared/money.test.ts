import { describe, expect, it } from 'vitest';
import {
  isCurrencyCode,
  minorUnitExponent,
  type CurrencyCode,
} from '../../../src/domain/shared/currency.js';
import { formatAmount, parseAmount, toMoneyJson } from '../../../src/domain/shared/money.js';

function currency(code: string): CurrencyCode {
  if (!isCurrencyCode(code)) throw new Error(`test setup: ${code} is not a currency`);
  return code;
}

const EUR = currency('EUR');
const JPY = currency('JPY');
const KWD = currency('KWD');
const CLF = currency('CLF');

function parsed(text: string, code: CurrencyCode): bigint {
  const result = parseAmount(text, code);
  if (!result.ok) throw new Error(`expected "${text}" to parse as ${code}: ${result.message}`);
  return result.minor;
}

function refusal(text: string, code: CurrencyCode): string {
  const result = parseAmount(text, code);
  if (result.ok)
    throw new Error(`expected "${text}" to be refused as ${code}, got ${result.minor}`);
  return result.message;
}

describe('currency codes', () => {
  it.each(['EUR', 'JPY', 'KWD', 'CLF', 'USD', 'GBP'])('%s is a currency', (code) => {
    expect(isCurrencyCode(code)).toBe(true);
  });

  it.each(['eur', 'Eur', 'XAU', 'XXX', 'XDR', 'ABC', '', 'EURO', ' EUR', 'EUR '])(
    '%j is not a currency',
    (code) => {
      expect(isCurrencyCode(code)).toBe(false);
    },
  );

  it('knows the minor-unit exponent of each currency', () => {
    expect([EUR, JPY, KWD, CLF].map(minorUnitExponent)).toEqual([2, 0, 3, 4]);
  });

  it('refuses to give an exponent for an unknown code', () => {
    expect(() => minorUnitExponent('XAU' as CurrencyCode)).toThrow(/XAU/);
  });
});

describe('parseAmount', () => {
  describe.each([
    { code: EUR, valid: { '100': 10000n, '100.5': 10050n, '100.50': 10050n, '0.01': 1n } },
    { code: JPY, valid: { '100': 100n, '0': 0n, '7': 7n, '1234567': 1234567n } },
    {
      code: KWD,
      valid: { '100': 100000n, '100.5': 100500n, '100.50': 100500n, '0.01': 10n, '0.001': 1n },
    },
    {
      code: CLF,
      valid: {
        '100': 1000000n,
        '100.5': 1005000n,
        '100.50': 1005000n,
        '0.01': 100n,
        '0.0001': 1n,
      },
    },
  ])('in $code', ({ code, valid }) => {
    it.each(Object.entries(valid))('given "%s" it gives %s minor units', (text, minor) => {
      expect(parseAmount(text, code)).toEqual({ ok: true, minor });
    });
  });

  it.each([
    ['1.001', EUR, 'EUR amounts take at most 2 decimals'],
    ['100.500', EUR, 'EUR amounts take at most 2 decimals'],
    ['100.5', JPY, 'JPY amounts take no decimals'],
    ['100.0', JPY, 'JPY amounts take no decimals'],
    ['1.2345', KWD, 'KWD amounts take at most 3 decimals'],
    ['0.00001', CLF, 'CLF amounts take at most 4 decimals'],
    ['-0.001', EUR, 'EUR amounts take at most 2 decimals'],
  ] as const)('refuses "%s" in %s: too many decimals', (text, code, message) => {
    expect(refusal(text, code)).toBe(message);
  });

  it.each([
    '1e3',
    '1E3',
    '1,00',
    ' 1',
    '1 ',
    '1 000',
    '',
    '.5',
    '5.',
    '+5',
    '-',
    '--5',
    '-.5',
    '1.2.3',
    '0x10',
    'Infinity',
    'NaN',
    '１',
    '١٠٠',
    '100\n',
    '\n100',
    '5-',
  ])('refuses %j: not a decimal amount', (text) => {
    for (const code of [EUR, JPY, KWD, CLF]) {
      expect(refusal(text, code)).toContain('is not a decimal amount like "1234.50"');
    }
  });

  it('names the refused text, shortened when it is long', () => {
    expect(refusal('1,00', EUR)).toBe('"1,00" is not a decimal amount like "1234.50"');
    const message = refusal('x'.repeat(1000), EUR);
    expect(message).toContain(`"${'x'.repeat(40)}…"`);
    expect(message.length).toBeLessThan(100);
  });

  it('keeps the sign of negative amounts', () => {
    expect(parsed('-100.5', EUR)).toBe(-10050n);
    expect(parsed('-0.01', EUR)).toBe(-1n);
    expect(parsed('-5', JPY)).toBe(-5n);
    expect(parsed('-1.25', KWD)).toBe(-1250n);
    expect(parsed('-0.0001', CLF)).toBe(-1n);
    expect(parsed('-0', EUR)).toBe(0n);
    expect(parsed('-0.00', EUR)).toBe(0n);
  });

  it('accepts leading zeros', () => {
    expect(parsed('007.10', EUR)).toBe(710n);
    expect(parsed('0000', JPY)).toBe(0n);
  });

  describe('the 18-integer-digit bound', () => {
    const digits18 = '9'.repeat(18);
    const digits19 = '1' + '0'.repeat(18);

    it('accepts 18 integer digits', () => {
      expect(parsed(digits18, JPY)).toBe(999_999_999_999_999_999n);
      expect(parsed(`${digits18}.99`, EUR)).toBe(99_999_999_999_999_999_999n);
      expect(parsed(`-${digits18}.999`, KWD)).toBe(-999_999_999_999_999_999_999n);
      expect(parsed(`${digits18}.9999`, CLF)).toBe(9_999_999_999_999_999_999_999n);
    });

    it('refuses 19 integer digits', () => {
      for (const text of [digits19, `${digits19}.00`, `-${digits19}`, '9'.repeat(19)]) {
        expect(refusal(text, EUR)).toBe('amount has more than 18 integer digits');
        expect(refusal(text.replace(/\.00$/, ''), JPY)).toBe(
          'amount has more than 18 integer digits',
        );
      }
    });

    it('does not count leading zeros', () => {
      expect(parsed(`000${digits18}`, JPY)).toBe(999_999_999_999_999_999n);
      expect(parsed(`${'0'.repeat(30)}1.50`, EUR)).toBe(150n);
      expect(parsed('0'.repeat(30), EUR)).toBe(0n);
      expect(parsed(`-${'0'.repeat(25)}${digits18}`, EUR)).toBe(-99_999_999_999_999_999_900n);
    });
  });

  it('is exact for values a float cannot hold', () => {
    const minor = parsed('123456789012345678.91', EUR);
    expect(minor).toBe(12_345_678_901_234_567_891n);
    // The same text through a float would lose the last digits.
    expect(BigInt(Math.round(Number('123456789012345678.91') * 100))).not.toBe(minor);
    expect(parsed('0.07', EUR) + parsed('0.1', EUR) + parsed('0.2', EUR)).toBe(37n);
    expect(parsed('9007199254740993', JPY)).toBe(9_007_199_254_740_993n);
  });
});

describe('formatAmount', () => {
  it.each([
    [5n, EUR, '0.05'],
    [-5n, EUR, '-0.05'],
    [0n, EUR, '0.00'],
    [1n, EUR, '0.01'],
    [10000n, EUR, '100.00'],
    [10050n, EUR, '100.50'],
    [-123456n, EUR, '-1234.56'],
    [5n, JPY, '5'],
    [-5n, JPY, '-5'],
    [0n, JPY, '0'],
    [1250n, KWD, '1.250'],
    [1n, KWD, '0.001'],
    [-1250n, KWD, '-1.250'],
    [1n, CLF, '0.0001'],
    [1_005_000n, CLF, '100.5000'],
    [12_345_678_901_234_567_891n, EUR, '123456789012345678.91'],
  ] as const)('formats %s minor units of %s as "%s"', (minor, code, text) => {
    expect(formatAmount(minor, code)).toBe(text);
  });

  it('always gives exactly the currency’s number of decimals', () => {
    expect(formatAmount(7n, EUR)).toMatch(/^\d+\.\d{2}$/);
    expect(formatAmount(7n, JPY)).toMatch(/^\d+$/);
    expect(formatAmount(7n, KWD)).toMatch(/^\d+\.\d{3}$/);
    expect(formatAmount(-7n, CLF)).toMatch(/^-\d+\.\d{4}$/);
  });

  it('gives the wire form of Money', () => {
    expect(toMoneyJson({ minor: 10050n, currency: EUR })).toEqual({
      amount: '100.50',
      currency: 'EUR',
    });
    expect(toMoneyJson({ minor: -1n, currency: KWD })).toEqual({
      amount: '-0.001',
      currency: 'KWD',
    });
  });

  describe.each([EUR, JPY, KWD, CLF])('round-trips in %s', (code) => {
    const exponent = BigInt(minorUnitExponent(code));
    // The largest amount parseAmount accepts: 18 integer digits and every decimal.
    const largest = 10n ** (18n + exponent) - 1n;

    function values(): bigint[] {
      const result = new Set<bigint>([0n, largest, largest - 1n]);
      for (let power = 0n; power <= 18n + exponent; power += 1n) {
        for (const value of [10n ** power - 1n, 10n ** power, 10n ** power + 1n]) {
          if (value <= largest) result.add(value);
        }
      }
      // A deterministic spread of values of every size.
      let seed = 0x2545f491n;
      for (let index = 0; index < 200; index += 1) {
        seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
        result.add(seed % (largest + 1n));
        result.add((seed >> 7n) % 10n ** BigInt(index % 23));
      }
      return [...result].flatMap((value) => [value, -value]);
    }

    it('parse(format(x)) === x for many values, large ones included', () => {
      const all = values();
      expect(all.length).toBeGreaterThan(300);
      for (const value of all) {
        const text = formatAmount(value, code);
        expect(parseAmount(text, code), text).toEqual({ ok: true, minor: value });
      }
    });

    it('format(parse(text)) normalises to the same text', () => {
      expect(formatAmount(parsed('42', code), code)).toBe(
        exponent === 0n ? '42' : `42.${'0'.repeat(Number(exponent))}`,
      );
      expect(formatAmount(parsed('-0', code), code)).toBe(formatAmount(0n, code));
    });
  });
});
