/**
 * Moving average cost, exact in minor units of the base currency. A SKU's stock is a quantity
 * and a value; a receipt adds both; an issue of `q` of `onHand` units takes
 * `value × q / onHand`, rounded half up, and the last unit takes exactly what is left, so the
 * value is zero whenever the quantity is and no rounding residue is ever stranded.
 */
export interface StockPosition {
  /** Whole units on hand, never negative. */
  readonly onHand: bigint;
  /** What they are carried at, in minor units; zero when `onHand` is. */
  readonly valueMinor: bigint;
}

export const EMPTY_POSITION: StockPosition = { onHand: 0n, valueMinor: 0n };

/** What issuing `quantity` units costs; `quantity` must be positive and at most `onHand`. */
export function issueCost(position: StockPosition, quantity: bigint): bigint {
  if (quantity <= 0n || quantity > position.onHand) {
    throw new RangeError(`Cannot issue ${quantity} of ${position.onHand} on hand`);
  }
  if (quantity === position.onHand) return position.valueMinor;
  return divideHalfUp(position.valueMinor * quantity, position.onHand);
}

/** The position after issuing `quantity` units, and what they cost. */
export function issue(
  position: StockPosition,
  quantity: bigint,
): { readonly cost: bigint; readonly after: StockPosition } {
  const cost = issueCost(position, quantity);
  return {
    cost,
    after: { onHand: position.onHand - quantity, valueMinor: position.valueMinor - cost },
  };
}

/** The position after `quantity` units come in carried at `valueMinor` in all. */
export function receive(
  position: StockPosition,
  quantity: bigint,
  valueMinor: bigint,
): StockPosition {
  return {
    onHand: position.onHand + quantity,
    valueMinor: position.valueMinor + valueMinor,
  };
}

/** The average cost of one unit, rounded half up; undefined with nothing on hand. */
export function averageCost(position: StockPosition): bigint | undefined {
  return position.onHand === 0n ? undefined : divideHalfUp(position.valueMinor, position.onHand);
}

/** numerator / denominator rounded half up, for a non-negative numerator. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}
