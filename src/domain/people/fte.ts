/**
 * Full-time equivalent: the share of a full-time week an employee works, in (0, 1]. It is kept
 * as a decimal string with at most 4 decimals ("0.5", "0.8125"), never a binary float, so that
 * payroll multiplies by it exactly: as a fraction of ten-thousandths.
 */
export const FTE_DECIMALS = 4;
export const FTE_DENOMINATOR = 10n ** BigInt(FTE_DECIMALS);

const FTE = /^(\d+)(?:\.(\d+))?$/;

/** An exact, non-negative fraction; `denominator` is positive. */
export interface Fraction {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export type FteParseResult =
  | { readonly ok: true; readonly fte: string; readonly tenThousandths: number }
  | { readonly ok: false; readonly message: string };

/** Checks a requested FTE; when valid, gives it in the canonical form events store. */
export function parseFte(text: string): FteParseResult {
  const invalid = {
    ok: false,
    message: `must be a decimal number greater than 0 and at most 1, with at most ${FTE_DECIMALS} decimals ("0.5")`,
  } as const;
  const match = FTE.exec(text);
  if (!match) return invalid;
  const [, integerPart = '', fraction = ''] = match;
  if (fraction.length > FTE_DECIMALS || integerPart.length > 1) return invalid;
  const tenThousandths = Number(integerPart + fraction.padEnd(FTE_DECIMALS, '0'));
  if (tenThousandths <= 0 || tenThousandths > Number(FTE_DENOMINATOR)) return invalid;
  return { ok: true, fte: formatFte(tenThousandths), tenThousandths };
}

/** "1", "0.5", "0.0001": no trailing zeros, so equal FTEs are equal strings. */
export function formatFte(tenThousandths: number): string {
  const digits = String(tenThousandths).padStart(FTE_DECIMALS + 1, '0');
  const integerPart = digits.slice(0, -FTE_DECIMALS);
  const fraction = digits.slice(-FTE_DECIMALS).replace(/0+$/, '');
  return fraction === '' ? integerPart : `${integerPart}.${fraction}`;
}

/**
 * A stored FTE as an exact fraction over 10 000 (`{ numerator: 5000n, denominator: 10000n }`
 * for "0.5"), unreduced so every FTE shares one denominator. A stored FTE always parses; if it
 * does not, the data is broken and this throws rather than guess.
 */
export function fteFraction(fte: string): Fraction {
  const parsed = parseFte(fte);
  if (!parsed.ok) throw new Error(`Stored FTE ${fte}: ${parsed.message}`);
  return { numerator: BigInt(parsed.tenThousandths), denominator: FTE_DENOMINATOR };
}
