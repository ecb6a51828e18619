import type { LogisticsEventType } from './events.js';

/** The one warehouse there is; a second would be a second stream. */
export const MAIN_WAREHOUSE = 'main';

/**
 * One stream per item and per shipment; every stock movement of a warehouse in that
 * warehouse's stream, so that a pack of several SKUs is one atomic append.
 */
export const logisticsStreams = {
  item: (sku: string) => `item-${sku}`,
  warehouse: (warehouseId: string = MAIN_WAREHOUSE) => `warehouse-${warehouseId}`,
  shipment: (shipmentId: string) => `shipment-${shipmentId}`,
} as const;

export const logisticsEventStreams = {
  ItemRegistered: logisticsStreams.item('<sku>'),
  StockReceived: logisticsStreams.warehouse(),
  StockAdjusted: logisticsStreams.warehouse(),
  StockIssued: logisticsStreams.warehouse(),
  StockReturned: logisticsStreams.warehouse(),
  ShipmentCreated: logisticsStreams.shipment('<shipmentId>'),
  ShipmentPacked: logisticsStreams.shipment('<shipmentId>'),
  ShipmentDispatched: logisticsStreams.shipment('<shipmentId>'),
  ShipmentDelivered: logisticsStreams.shipment('<shipmentId>'),
  ShipmentCancelled: logisticsStreams.shipment('<shipmentId>'),
} as const satisfies Record<LogisticsEventType, string>;
