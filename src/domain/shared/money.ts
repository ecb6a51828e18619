import { isCurrencyCode, minorUnitExponent, type CurrencyCode } from './currency.js';

/** Money inside the domain: integer minor units, so sums are exact. */
export interface Money {
  readonly minor: bigint;
  readonly currency: CurrencyCode;
}

/** Money on the wire and in stored events: a decimal string, never a JSON number. */
export interface MoneyJson {
  readonly amount: string;
  readonly currency: string;
}

/**
 * Bounded so a hostile amount cannot become a megabyte-long bigint; 18 integer digits cover
 * any real balance (a quintillion) with room to spare.
 */
const MAX_INTEGER_DIGITS = 18;
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

export type AmountParseResult =
  { readonly ok: true; readonly minor: bigint } | { readonly ok: false; readonly message: string };

/** Parses a decimal string ("1234.50") into minor units of the currency, refusing excess decimals. */
export function parseAmount(text: string, currency: CurrencyCode): AmountParseResult {
  const match = DECIMAL.exec(text);
  if (!match) {
    return { ok: false, message: `"${truncate(text)}" is not a decimal amount like "1234.50"` };
  }
  const [, sign = '', integerPart = '', fraction = ''] = match;
  const exponent = minorUnitExponent(currency);
  if (fraction.length > exponent) {
    return {
      ok: false,
      message:
        exponent === 0
          ? `${currency} amounts take no decimals`
          : `${currency} amounts take at most ${exponent} decimals`,
    };
  }
  if (integerPart.replace(/^0+(?=\d)/, '').length > MAX_INTEGER_DIGITS) {
    return { ok: false, message: `amount has more than ${MAX_INTEGER_DIGITS} integer digits` };
  }
  const minor = BigInt(integerPart + fraction.padEnd(exponent, '0'));
  return { ok: true, minor: sign === '-' ? -minor : minor };
}

/** Formats minor units with exactly the currency's number of decimals ("100.00", "-5", "1.250"). */
export function formatAmount(minor: bigint, currency: CurrencyCode): string {
  const exponent = minorUnitExponent(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const integerPart = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${integerPart}${exponent > 0 ? `.${fraction}` : ''}`;
}

export function toMoneyJson(money: Money): MoneyJson {
  return { amount: formatAmount(money.minor, money.currency), currency: money.currency };
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Minor units of an amount the service itself stored (an event, a read model). Such an amount
 * always parses; if it does not, the data is broken and this throws rather than guess.
 */
export function storedMinor(amount: string, currency: string): bigint {
  if (!isCurrencyCode(currency)) throw new Error(`Stored amount has unknown currency ${currency}`);
  const parsed = parseAmount(amount, currency);
  if (!parsed.ok) throw new Error(`Stored amount ${amount} ${currency}: ${parsed.message}`);
  return parsed.minor;
}
