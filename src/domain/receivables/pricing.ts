/**
 * Invoice arithmetic, exact in minor units.
 *
 * Rounding rule: each line's amount is quantity × unit price, rounded to the currency's minor
 * unit half away from zero (quantities and prices are positive, so half up: 0.5 cent → 1 cent);
 * the invoice total is the sum of the rounded line amounts. Quantities carry at most three
 * decimals, unit prices at most the currency's own.
 */
export const QUANTITY = /^(\d{1,9})(?:\.(\d{1,3}))?$/;

/** A quantity in thousandths, or undefined when it is not a positive decimal with ≤ 3 decimals. */
export function parseQuantity(text: string): bigint | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const thousandths = BigInt(match[1]!) * 1000n + BigInt((match[2] ?? '').padEnd(3, '0'));
  return thousandths > 0n ? thousandths : undefined;
}

export function lineAmountMinor(quantityThousandths: bigint, unitPriceMinor: bigint): bigint {
  return (quantityThousandths * unitPriceMinor + 500n) / 1000n;
}

export function formatQuantity(thousandths: bigint): string {
  const whole = thousandths / 1000n;
  const fraction = (thousandths % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}
