/**
 * The logistics read models:
 *
 * - `logistics_items`: one document per SKU, the register;
 * - `logistics_stock_movements`: the stock ledger, one document per SKU per movement, with the
 *   quantity and value after it. Stock dates run forward per SKU (warehouse.ts), so the last
 *   movement dated on or before a day is the SKU's stock as of that day;
 * - `logistics_shipments`: one document per shipment, with its timeline (who did each step,
 *   when, on whose behalf, in which request). The address is the customer's personal data and
 *   is kept as the log holds it: sealed with the customer's key.
 */
import { z } from 'zod';
import { isSealedValue, type SealedValue } from '../../commands/personal-data/vault.js';
import { logisticsEventSchemas, type ShippingAddress } from '../../domain/logistics/events.js';
import type { ShipmentStatus } from '../../domain/logistics/shipment.js';
import { eventDecoder, type EventsOf } from '../../domain/shared/event-schemas.js';
import { defineProjection, type Projection } from '../projection.js';

export interface ItemDocument {
  readonly sku: string;
  readonly name: string;
  readonly unit: string;
  readonly registeredAt: string;
}

export type MovementKind = 'receipt' | 'adjustment' | 'issue' | 'return';

export interface MovementDocument {
  readonly sku: string;
  readonly date: string;
  readonly kind: MovementKind;
  /** Signed: negative for what leaves. */
  readonly quantity: number;
  readonly quantityAfter: number;
  /** Signed, in the base currency. */
  readonly valueChange: string;
  readonly valueAfter: string;
  /** The receipt's reference, the adjustment's reason, `packed`, or the cancellation's reason. */
  readonly reference: string;
  readonly shipmentId: string | null;
  /** The event's global position: the stock ledger's order. */
  readonly position: number;
}

export interface ShipmentDocument {
  readonly shipmentId: string;
  readonly orderReference: string;
  readonly customerId: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  readonly address: ShippingAddress | SealedValue | null;
  readonly status: ShipmentStatus;
  readonly createdOn: string;
  readonly packedOn: string | null;
  readonly dispatchedOn: string | null;
  readonly deliveredOn: string | null;
  readonly cancelledOn: string | null;
  readonly carrier: string | null;
  readonly trackingNumber: string | null;
  readonly receivedBy: string | null;
  readonly cancellationReason: string | null;
  /** What its stock cost when packed, and whether it came back. */
  readonly costOfGoods: string | null;
  readonly stockReturned: boolean;
  readonly timeline: readonly TimelineEntry[];
  readonly revision: number;
}

export interface TimelineEntry {
  readonly step: string;
  readonly date: string | null;
  readonly recordedAt: string;
  readonly actor: string | null;
  readonly onBehalfOf: string | null;
  readonly requestId: string | null;
}

const storedAddress = z.custom<ShippingAddress | SealedValue | null>(
  (value) =>
    value === null || isSealedValue(value) || (typeof value === 'object' && value !== null),
  'must be an address: sealed, plain or null',
);

/** As the log holds them: the address sealed. */
const storedSchemas = {
  ...logisticsEventSchemas,
  ShipmentCreated: logisticsEventSchemas.ShipmentCreated.extend({ address: storedAddress }),
};
type StoredEvent = EventsOf<typeof storedSchemas>;
const decode = eventDecoder(storedSchemas);

export const itemsProjection = defineProjection<ItemDocument, StoredEvent, 'ItemRegistered'>({
  name: 'logistics_items',
  version: 1,
  eventTypes: ['ItemRegistered'],
  indexes: [{ name: 'by_sku', fields: [{ field: 'sku', direction: 'asc' }] }],
  decode,
  documentIds: (event) => [event.data.sku],
  evolve: (_item, event) => ({ ...event.data, registeredAt: event.recordedAt }),
});

type StockEventType = 'StockReceived' | 'StockAdjusted' | 'StockIssued' | 'StockReturned';

export const movementId = (sku: string, position: bigint) =>
  JSON.stringify([sku, position.toString()]);

export const movementsProjection = defineProjection<MovementDocument, StoredEvent, StockEventType>({
  name: 'logistics_stock_movements',
  version: 1,
  eventTypes: ['StockReceived', 'StockAdjusted', 'StockIssued', 'StockReturned'],
  indexes: [
    {
      name: 'by_sku_position',
      fields: [
        { field: 'sku', direction: 'asc' },
        { field: 'position', direction: 'asc' },
      ],
    },
    {
      name: 'by_sku_date',
      fields: [
        { field: 'sku', direction: 'asc' },
        { field: 'date', direction: 'asc' },
        { field: 'position', direction: 'asc' },
      ],
    },
  ],
  decode,
  documentIds: (event) =>
    event.type === 'StockIssued' || event.type === 'StockReturned'
      ? event.data.lines.map((line) => movementId(line.sku, event.position))
      : [movementId(event.data.sku, event.position)],
  evolve(_existing, event, id) {
    const position = Number(event.position);
    switch (event.type) {
      case 'StockReceived':
        return {
          sku: event.data.sku,
          date: event.data.receivedOn,
          kind: 'receipt',
          quantity: event.data.quantity,
          quantityAfter: event.data.onHandAfter,
          valueChange: event.data.value,
          valueAfter: event.data.valueAfter,
          reference: event.data.reference,
          shipmentId: null,
          position,
        };
      case 'StockAdjusted':
        return {
          sku: event.data.sku,
          date: event.data.adjustedOn,
          kind: 'adjustment',
          quantity: event.data.delta,
          quantityAfter: event.data.onHandAfter,
          valueChange: event.data.valueChange,
          valueAfter: event.data.valueAfter,
          reference: event.data.reason,
          shipmentId: null,
          position,
        };
      case 'StockIssued':
      case 'StockReturned': {
        const [sku] = JSON.parse(id) as [string];
        const line = event.data.lines.find((each) => each.sku === sku)!;
        const issued = event.type === 'StockIssued';
        return {
          sku,
          date: issued ? event.data.issuedOn : event.data.returnedOn,
          kind: issued ? 'issue' : 'return',
          quantity: issued ? -line.quantity : line.quantity,
          quantityAfter: line.onHandAfter,
          valueChange: issued ? negate(line.cost) : line.cost,
          valueAfter: line.valueAfter,
          reference: issued ? 'packed' : event.data.reason,
          shipmentId: event.data.shipmentId,
          position,
        };
      }
    }
  },
});

type ShipmentEventType =
  | 'ShipmentCreated'
  | 'ShipmentPacked'
  | 'ShipmentDispatched'
  | 'ShipmentDelivered'
  | 'ShipmentCancelled'
  | 'StockReturned';

const STEP: Record<ShipmentEventType, string> = {
  ShipmentCreated: 'created',
  ShipmentPacked: 'packed',
  ShipmentDispatched: 'dispatched',
  ShipmentDelivered: 'delivered',
  ShipmentCancelled: 'cancelled',
  StockReturned: 'stock returned',
};

export const shipmentsProjection = defineProjection<
  ShipmentDocument,
  StoredEvent,
  ShipmentEventType
>({
  name: 'logistics_shipments',
  version: 1,
  eventTypes: [
    'ShipmentCreated',
    'ShipmentPacked',
    'ShipmentDispatched',
    'ShipmentDelivered',
    'ShipmentCancelled',
    'StockReturned',
  ],
  indexes: [
    {
      name: 'by_created',
      fields: [
        { field: 'createdOn', direction: 'asc' },
        { field: 'shipmentId', direction: 'asc' },
      ],
    },
    { name: 'by_customer', fields: [{ field: 'customerId', direction: 'asc' }] },
  ],
  decode,
  documentIds: (event) => [event.data.shipmentId],
  evolve(shipment, event, id) {
    const text = (key: string) =>
      typeof event.metadata[key] === 'string' ? (event.metadata[key] as string) : null;
    const entry = (date: string | null): TimelineEntry => ({
      step: STEP[event.type],
      date,
      recordedAt: event.recordedAt,
      actor: text('actor'),
      onBehalfOf: text('onBehalfOf'),
      requestId: text('requestId'),
    });
    const revision = Number(event.revision);
    if (event.type === 'ShipmentCreated') {
      const { data } = event;
      return {
        shipmentId: data.shipmentId,
        orderReference: data.orderReference,
        customerId: data.customerId,
        items: data.items,
        address: data.address,
        status: 'created',
        createdOn: event.recordedAt.slice(0, 10),
        packedOn: null,
        dispatchedOn: null,
        deliveredOn: null,
        cancelledOn: null,
        carrier: null,
        trackingNumber: null,
        receivedBy: null,
        cancellationReason: null,
        costOfGoods: null,
        stockReturned: false,
        timeline: [entry(null)],
        revision,
      };
    }
    if (!shipment) throw new Error(`${event.type} for shipment ${id}, never created`);
    switch (event.type) {
      case 'ShipmentPacked':
        return {
          ...shipment,
          status: 'packed',
          packedOn: event.data.packedOn,
          costOfGoods: event.data.totalCost,
          timeline: [...shipment.timeline, entry(event.data.packedOn)],
          revision,
        };
      case 'ShipmentDispatched':
        return {
          ...shipment,
          status: 'dispatched',
          dispatchedOn: event.data.dispatchedOn,
          carrier: event.data.carrier,
          trackingNumber: event.data.trackingNumber,
          timeline: [...shipment.timeline, entry(event.data.dispatchedOn)],
          revision,
        };
      case 'ShipmentDelivered':
        return {
          ...shipment,
          status: 'delivered',
          deliveredOn: event.data.deliveredOn,
          receivedBy: event.data.receivedBy,
          timeline: [...shipment.timeline, entry(event.data.deliveredOn)],
          revision,
        };
      case 'ShipmentCancelled':
        return {
          ...shipment,
          status: 'cancelled',
          cancelledOn: event.data.cancelledOn,
          cancellationReason: event.data.reason,
          timeline: [...shipment.timeline, entry(event.data.cancelledOn)],
          revision,
        };
      case 'StockReturned':
        // In the warehouse's stream: the shipment's own revision does not move.
        return {
          ...shipment,
          stockReturned: true,
          timeline: [...shipment.timeline, entry(event.data.returnedOn)],
        };
    }
  },
});

function negate(amount: string): string {
  return amount.startsWith('-')
    ? amount.slice(1)
    : /^0(\.0+)?$/.test(amount)
      ? amount
      : `-${amount}`;
}

export const logisticsProjections: readonly Projection[] = [
  itemsProjection,
  movementsProjection,
  shipmentsProjection,
];
