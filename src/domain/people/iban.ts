/**
 * International Bank Account Numbers (ISO 13616): the account an employee is paid to. An IBAN
 * is a country code, two check digits and the national account number (BBAN); the check
 * digits make the whole number ≡ 1 (mod 97), which catches any single mistyped character and
 * almost every swap of two.
 *
 * Each country fixes its IBAN's length; the table follows the SWIFT IBAN registry. A country
 * missing from it is refused: it does not issue IBANs, or joined the registry after the table
 * was last brought up to date (then add it here).
 */
// prettier-ignore
const LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29,
  BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29,
  ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20,
  LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19,
  MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29,
  PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24,
  SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
  YE: 30,
};

/** No country's IBAN is longer; bounds the work done on hostile input before it is refused. */
const MAX_LENGTH = 34;

export type IbanParseResult =
  { readonly ok: true; readonly iban: string } | { readonly ok: false; readonly message: string };

/**
 * The electronic form of an IBAN as people write it: spaces removed, letters upper case. The
 * printed form groups it by four ("DE89 3704 ..."), and lower case is as common in forms.
 */
export function normaliseIban(text: string): string {
  return text.replace(/ /g, '').toUpperCase();
}

/** Checks an IBAN as a person typed it; when valid, gives its electronic form. */
export function parseIban(text: string): IbanParseResult {
  const iban = normaliseIban(text);
  if (iban.length > MAX_LENGTH) {
    return { ok: false, message: `must be an IBAN of at most ${MAX_LENGTH} characters` };
  }
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) {
    return {
      ok: false,
      message:
        'must be an IBAN: a country code, two check digits, then letters and digits (like DE89 3704 0044 0532 0130 00)',
    };
  }
  const country = iban.slice(0, 2);
  const length = Object.hasOwn(LENGTHS, country) ? LENGTHS[country] : undefined;
  if (length === undefined) return { ok: false, message: `${country} issues no IBANs` };
  if (iban.length !== length) {
    return {
      ok: false,
      message: `a ${country} IBAN has ${length} characters, this one ${iban.length}`,
    };
  }
  // 00, 01 and 99 can satisfy the checksum (they are ≡ 0, 1 and 2 mod 97, like 97, 98 and
  // 02), but the standard never computes them: they mark a number made up or mistyped.
  const checkDigits = iban.slice(2, 4);
  if (checkDigits === '00' || checkDigits === '01' || checkDigits === '99') {
    return { ok: false, message: `check digits ${checkDigits} are never issued` };
  }
  if (mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) {
    return { ok: false, message: 'the check digits do not match: a character is wrong' };
  }
  return { ok: true, iban };
}

export function isIban(text: string): boolean {
  return parseIban(text).ok;
}

/**
 * The remainder mod 97 of the number the characters spell, each letter read as two digits
 * (A = 10 ... Z = 35), folded one character at a time so no big integer is needed.
 */
function mod97(characters: string): number {
  let remainder = 0;
  for (const character of characters) {
    const value = Number.parseInt(character, 36);
    remainder = (remainder * (value < 10 ? 10 : 100) + value) % 97;
  }
  return remainder;
}
