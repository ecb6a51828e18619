/**
 * Tax arithmetic, exact in minor units and ten-thousandths of a percent.
 *
 * A rate is a percentage with at most four decimals ("19", "7.5", "20.0000"), held as an integer
 * of ten-thousandths of a percent (19 % → 190000). An invoice's tax for a code is its base (the
 * sum of the code's net line amounts) × rate, rounded half up to the minor unit once per invoice,
 * never per line, so a hundred lines at one code carry no hundred roundings.
 */
export const RATE = /^(\d{1,3})(?:\.(\d{1,4}))?$/;

/** 100 % in ten-thousandths of a percent. */
export const MAX_RATE = 1_000_000n;

/** A rate in ten-thousandths of a percent, or undefined when it is not 0-100 with ≤ 4 decimals. */
export function parseRate(text: string): bigint | undefined {
  const match = RATE.exec(text);
  if (!match) return undefined;
  const rate = BigInt(match[1]!) * 10_000n + BigInt((match[2] ?? '').padEnd(4, '0'));
  return rate <= MAX_RATE ? rate : undefined;
}

/** "19.00" style: at least two decimals, at most the four a rate may have. */
export function formatRate(rate: bigint): string {
  const whole = rate / 10_000n;
  let fraction = (rate % 10_000n).toString().padStart(4, '0');
  while (fraction.length > 2 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${whole}.${fraction}`;
}

/** base × rate, rounded half up (bases here are never negative). */
export function taxOf(baseMinor: bigint, rate: bigint): bigint {
  return (baseMinor * rate + MAX_RATE / 2n) / MAX_RATE;
}
