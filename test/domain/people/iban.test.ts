import { describe, expect, it } from 'vitest';
import { isIban, normaliseIban, parseIban } from '../../../src/domain/people/iban.js';

// The examples of the SWIFT IBAN registry and of national banking associations.
const valid = [
  ['DE', 'DE89 3704 0044 0532 0130 00'],
  ['GB', 'GB29 NWBK 6016 1331 9268 19'],
  ['FR', 'FR14 2004 1010 0505 0001 3M02 606'],
  ['NL', 'NL91 ABNA 0417 1643 00'],
  ['BE', 'BE68 5390 0754 7034'],
  ['ES', 'ES91 2100 0418 4502 0005 1332'],
  ['IT', 'IT60 X054 2811 1010 0000 0123 456'],
  ['CH', 'CH93 0076 2011 6238 5295 7'],
  ['NO', 'NO93 8601 1117 947'],
  ['AT', 'AT61 1904 3002 3457 3201'],
  ['PL', 'PL61 1090 1014 0000 0712 1981 2874'],
  ['SE', 'SE45 5000 0000 0583 9825 7466'],
] as const;

describe('IBAN check', () => {
  it.each(valid)('accepts a %s IBAN in print form and gives its electronic form', (_c, text) => {
    expect(parseIban(text)).toEqual({ ok: true, iban: text.replace(/ /g, '') });
  });

  it.each(valid)('accepts a %s IBAN in electronic form', (_c, text) => {
    expect(isIban(text.replace(/ /g, ''))).toBe(true);
  });

  it('accepts lower case and irregular spacing, and normalises both away', () => {
    expect(parseIban(' gb29 nwbk60161331926819 ')).toEqual({
      ok: true,
      iban: 'GB29NWBK60161331926819',
    });
    expect(parseIban('fr1420041010050500013m02606')).toEqual({
      ok: true,
      iban: 'FR1420041010050500013M02606',
    });
    expect(normaliseIban('de89 3704 0044 0532 0130 00')).toBe('DE89370400440532013000');
  });

  it.each([
    ['DE88 3704 0044 0532 0130 00', 'check digits'],
    ['DE89 3704 0044 0532 0130 01', 'one digit of the account changed'],
    ['DE89 3704 0044 0523 0130 00', 'two digits swapped'],
    ['GB29 NWBK 6016 1331 9268 18', 'the last digit changed'],
    ['GB29 NWBL 6016 1331 9268 19', 'a letter changed'],
  ])('refuses %s (%s) by its check digits', (text) => {
    expect(parseIban(text)).toEqual({
      ok: false,
      message: 'the check digits do not match: a character is wrong',
    });
  });

  it.each([
    ['01', 98],
    ['00', 97],
    ['99', 2],
  ])(
    'refuses the check digits %s, which pass the checksum wherever %d is right',
    (forged, right) => {
      const bban = bbanWithCheckDigits(
        'DE',
        right,
        (n) => `37040044${String(n).padStart(10, '0')}`,
      );
      expect(isIban(`DE${String(right).padStart(2, '0')}${bban}`)).toBe(true);
      expect(parseIban(`DE${forged}${bban}`)).toEqual({
        ok: false,
        message: `check digits ${forged} are never issued`,
      });
    },
  );

  it('accepts any account number with the check digits ISO 7064 gives it', () => {
    for (let n = 0; n < 200; n += 1) {
      const bban = `NWBK${String(601613 + n * 7919).padStart(14, '0')}`;
      const digits = String(checkDigits('GB', bban)).padStart(2, '0');
      expect(parseIban(`GB${digits}${bban}`)).toEqual({ ok: true, iban: `GB${digits}${bban}` });
    }
  });

  it.each([
    ['DE89 3704 0044 0532 0130 0', 'a DE IBAN has 22 characters, this one 21'],
    ['DE89 3704 0044 0532 0130 000', 'a DE IBAN has 22 characters, this one 23'],
    ['NO93 8601 1117 9470', 'a NO IBAN has 15 characters, this one 16'],
  ])('refuses %s for its length', (text, message) => {
    expect(parseIban(text)).toEqual({ ok: false, message });
  });

  it('refuses more than 34 characters before looking any further', () => {
    expect(parseIban(`DE89${'0'.repeat(31)}`)).toEqual({
      ok: false,
      message: 'must be an IBAN of at most 34 characters',
    });
  });

  it.each([
    '',
    '   ',
    'DE',
    'DE89',
    '89DE 3704 0044 0532 0130 00',
    'DEXX 3704 0044 0532 0130 00',
    'DE89-3704-0044-0532-0130-00',
    'DE89 3704 0044 0532 0130 0Ä',
    'DE89\t3704004405320130 00',
    'D€89 3704 0044 0532 0130 00',
  ])('refuses %j for its characters', (text) => {
    expect(parseIban(text)).toMatchObject({
      ok: false,
      message: expect.stringContaining('must be an IBAN'),
    });
  });

  it('refuses a country that issues no IBANs', () => {
    expect(parseIban('US64 SVBK US6S 3300 9673 8637')).toEqual({
      ok: false,
      message: 'US issues no IBANs',
    });
  });

  it('does not take an inherited property for a country', () => {
    expect(parseIban('CO12 3456 7890')).toEqual({ ok: false, message: 'CO issues no IBANs' });
  });
});

/** ISO 7064 MOD 97-10, computed here with a big integer, apart from the code under test. */
function checkDigits(country: string, bban: string): number {
  const digits = [...`${bban}${country}00`].map((c) => Number.parseInt(c, 36)).join('');
  return 98 - Number(BigInt(digits) % 97n);
}

/** The first account number `make(n)` whose right check digits are `wanted`. */
function bbanWithCheckDigits(country: string, wanted: number, make: (n: number) => string) {
  for (let n = 0; n < 10_000; n += 1) {
    const bban = make(n);
    if (checkDigits(country, bban) === wanted) return bban;
  }
  throw new Error(`no account number with check digits ${wanted}`);
}
