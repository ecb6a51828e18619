/**
 * The warehouse's state, folded from its stream: every SKU's quantity and value on hand, the
 * receipts and adjustments seen, and the shipments whose stock was taken. The rules that decide
 * on it are in `warehouse.ts`.
 */
import { appendOnlyMap, type AppendOnlyMap } from '../shared/append-only-map.js';
import type { LogisticsEvent, MovedLineRecord } from './events.js';
import { EMPTY_POSITION, type StockPosition } from './stock-valuation.js';

export interface SkuStock extends StockPosition {
  /** The date of the SKU's last movement. */
  readonly lastDate: string;
  /** What one unit cost at the last receipt; values units found when none are on hand. */
  readonly lastUnitCostMinor: bigint | null;
}

export interface IssuedShipment {
  readonly issuedOn: string;
  readonly lines: readonly MovedLineRecord[];
  readonly totalCost: string;
  readonly returned: boolean;
}

export interface WarehouseState {
  readonly stock: AppendOnlyMap<SkuStock>;
  readonly receipts: AppendOnlyMap<true>;
  readonly adjustments: AppendOnlyMap<true>;
  /** Every shipment whose stock was taken, by id. */
  readonly shipments: AppendOnlyMap<IssuedShipment>;
}

export const initialWarehouseState: WarehouseState = {
  stock: appendOnlyMap(),
  receipts: appendOnlyMap(),
  adjustments: appendOnlyMap(),
  shipments: appendOnlyMap(),
};

export function positionOf(state: WarehouseState, sku: string): SkuStock {
  return state.stock.get(sku) ?? { ...EMPTY_POSITION, lastDate: '', lastUnitCostMinor: null };
}

export function evolveWarehouse(state: WarehouseState, event: LogisticsEvent): WarehouseState {
  switch (event.type) {
    case 'StockReceived': {
      const { data } = event;
      return {
        ...state,
        receipts: state.receipts.set(data.receiptId, true),
        stock: state.stock.set(data.sku, {
          onHand: BigInt(data.onHandAfter),
          valueMinor: minorOf(data.valueAfter),
          lastDate: data.receivedOn,
          lastUnitCostMinor: minorOf(data.unitCost),
        }),
      };
    }
    case 'StockAdjusted': {
      const { data } = event;
      const before = positionOf(state, data.sku);
      return {
        ...state,
        adjustments: state.adjustments.set(data.adjustmentId, true),
        stock: state.stock.set(data.sku, {
          ...before,
          onHand: BigInt(data.onHandAfter),
          valueMinor: minorOf(data.valueAfter),
          lastDate: data.adjustedOn,
        }),
      };
    }
    case 'StockIssued':
    case 'StockReturned': {
      const { data } = event;
      const date = event.type === 'StockIssued' ? event.data.issuedOn : event.data.returnedOn;
      let stock = state.stock;
      for (const line of data.lines) {
        const before = stock.get(line.sku) ?? positionOf(state, line.sku);
        stock = stock.set(line.sku, {
          ...before,
          onHand: BigInt(line.onHandAfter),
          valueMinor: minorOf(line.valueAfter),
          lastDate: date > before.lastDate ? date : before.lastDate,
        });
      }
      const shipment: IssuedShipment =
        event.type === 'StockIssued'
          ? { issuedOn: date, lines: data.lines, totalCost: data.totalCost, returned: false }
          : { ...state.shipments.get(data.shipmentId)!, returned: true };
      return { ...state, stock, shipments: state.shipments.set(data.shipmentId, shipment) };
    }
    default:
      return state;
  }
}

/**
 * Minor units of a stored stock amount. The warehouse is kept in the base currency, which the
 * events do not repeat; the amount's own decimals are exact, so they are read as written.
 */
function minorOf(amount: string): bigint {
  const [whole = '0', fraction = ''] = amount.replace('-', '').split('.');
  const digits = BigInt(`${whole}${fraction}`);
  return amount.startsWith('-') ? -digits : digits;
}
