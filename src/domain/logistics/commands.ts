/**
 * Logistics commands. Amounts are decimal strings in the base currency, parsed by the deciders
 * (which know the currency from the command), quantities whole numbers.
 */
export interface RegisterItem {
  readonly type: 'RegisterItem';
  readonly sku: string;
  readonly name: string;
  readonly unit: string;
}

export interface ReceiveStock {
  readonly type: 'ReceiveStock';
  readonly receiptId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitCost: string;
  readonly receivedOn: string;
  readonly reference: string;
  /** The base currency: every stock amount is in it. */
  readonly currency: string;
}

/** Exactly one of `countedQuantity` and `delta`. */
export interface AdjustStock {
  readonly type: 'AdjustStock';
  readonly adjustmentId: string;
  readonly sku: string;
  readonly countedQuantity?: number;
  readonly delta?: number;
  readonly reason: string;
  readonly adjustedOn: string;
  readonly currency: string;
}

/** Takes a shipment's stock, every line or none. Idempotent per shipment. */
export interface IssueStock {
  readonly type: 'IssueStock';
  readonly shipmentId: string;
  readonly issuedOn: string;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
  readonly currency: string;
}

/**
 * Gives a shipment's stock back at the cost it left with. Records nothing when none was taken
 * or it already came back. Dated `returnedOn`, or the last movement of its SKUs when later.
 */
export interface ReturnStock {
  readonly type: 'ReturnStock';
  readonly shipmentId: string;
  readonly returnedOn: string;
  readonly reason: string;
  readonly currency: string;
}

export type StockCommand = ReceiveStock | AdjustStock | IssueStock | ReturnStock;

export interface ShippingAddressInput {
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly postalCode: string;
  readonly country: string;
}

export interface CreateShipment {
  readonly type: 'CreateShipment';
  readonly shipmentId: string;
  readonly orderReference: string;
  readonly customerId: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  readonly address: ShippingAddressInput;
}

/** Records that the stock was taken (IssueStock went first, in the warehouse's stream). */
export interface MarkShipmentPacked {
  readonly type: 'MarkShipmentPacked';
  readonly shipmentId: string;
  readonly packedOn: string;
  readonly totalCost: string;
}

export interface DispatchShipment {
  readonly type: 'DispatchShipment';
  readonly shipmentId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly dispatchedOn: string;
}

export interface DeliverShipment {
  readonly type: 'DeliverShipment';
  readonly shipmentId: string;
  readonly deliveredOn: string;
  readonly receivedBy?: string;
}

export interface CancelShipment {
  readonly type: 'CancelShipment';
  readonly shipmentId: string;
  readonly reason: string;
  readonly cancelledOn: string;
}

export type ShipmentCommand =
  CreateShipment | MarkShipmentPacked | DispatchShipment | DeliverShipment | CancelShipment;
