import { z } from 'zod';

/**
 * Logistics events as stored. Quantities are whole units of the item (JSON integers); amounts
 * are decimal strings in the base currency, like the ledger's. Every stock movement carries the
 * SKU's quantity and value after it, so the stock ledger reads from the event alone.
 */
const sku = z.string().describe('The item, by its stock-keeping unit.');
const quantity = z.number().int().describe('Whole units of the item, positive.');
const onHandAfter = z.number().int().describe("The SKU's quantity on hand after the movement.");
const valueAfter = z
  .string()
  .describe("The SKU's value after the movement, in the base currency: zero when none is left.");

const movedLine = z.strictObject({
  sku,
  quantity,
  cost: z
    .string()
    .describe(
      'What the units cost at the moving average of that moment: value × quantity / on hand, rounded half up; all that is left for the last unit.',
    ),
  onHandAfter,
  valueAfter,
});
export type MovedLineRecord = z.infer<typeof movedLine>;

export const itemEventSchemas = {
  ItemRegistered: z
    .strictObject({
      sku,
      name: z.string().describe('What the item is called.'),
      unit: z.string().describe('The unit its quantities count, such as "piece" or "box".'),
    })
    .describe('An item was registered; its stock starts at zero.'),
} as const;

export const stockEventSchemas = {
  StockReceived: z
    .strictObject({
      receiptId: z.string().describe("The receipt's id, unique in the warehouse."),
      sku,
      quantity,
      unitCost: z.string().describe('What one unit cost, in the base currency.'),
      value: z.string().describe('quantity × unitCost: what the stock rises by.'),
      receivedOn: z.string().describe('Accounting date, `YYYY-MM-DD`.'),
      reference: z.string().describe('The delivery note, purchase order or the like.'),
      onHandAfter,
      valueAfter,
    })
    .describe('Goods came in: debit inventory, credit goods received not invoiced, at their cost.'),
  StockAdjusted: z
    .strictObject({
      adjustmentId: z.string().describe("The adjustment's id, unique in the warehouse."),
      sku,
      delta: z.number().int().describe('Units added (positive) or written off (negative).'),
      countedQuantity: z
        .number()
        .int()
        .nullable()
        .describe('The count that gave the delta, or null when the delta was given.'),
      valueChange: z
        .string()
        .describe(
          'Signed: a write-off costs the moving average, units found are valued at it (or at the last unit cost received when none are on hand).',
        ),
      adjustedOn: z.string().describe('Accounting date, `YYYY-MM-DD`.'),
      reason: z.string().describe('Why, as the caller wrote it.'),
      onHandAfter,
      valueAfter,
    })
    .describe(
      'A count or correction changed the stock, against the inventory adjustments account.',
    ),
  StockIssued: z
    .strictObject({
      shipmentId: z.string().describe('The shipment packed.'),
      issuedOn: z.string().describe('The day packed, `YYYY-MM-DD`.'),
      lines: z.array(movedLine).min(1).describe('Every SKU of the shipment, taken together.'),
      totalCost: z.string().describe('The sum of the lines: cost of goods sold.'),
    })
    .describe(
      "A shipment's stock was taken, every line or none: debit cost of goods sold, credit inventory.",
    ),
  StockReturned: z
    .strictObject({
      shipmentId: z.string().describe('The shipment cancelled after packing.'),
      returnedOn: z.string().describe('The day of the cancellation, `YYYY-MM-DD`.'),
      reason: z.string().describe('Why the shipment was cancelled.'),
      lines: z
        .array(movedLine)
        .min(1)
        .describe('What came back, each line at the cost it left with.'),
      totalCost: z.string().describe('The cost of goods sold reversed.'),
    })
    .describe('A packed shipment was cancelled: its stock came back at the cost it left with.'),
} as const;

const address = z
  .strictObject({
    line1: z.string().describe('Street and number.'),
    line2: z.string().optional().describe('Anything more.'),
    city: z.string().describe('City.'),
    postalCode: z.string().describe('Postal code.'),
    country: z.string().describe('ISO 3166-1 alpha-2 code.'),
  })
  .describe("Where the goods go: the customer's personal data, stored encrypted with their key.");

export const shipmentEventSchemas = {
  ShipmentCreated: z
    .strictObject({
      shipmentId: z.string().describe("The shipment's id."),
      orderReference: z.string().describe("The order it fulfils, as the caller's system names it."),
      customerId: z.string().describe('The customer it goes to.'),
      items: z
        .array(z.strictObject({ sku, quantity }))
        .min(1)
        .describe('What to ship: distinct SKUs.'),
      address,
    })
    .describe('A shipment was created; no stock is taken until it is packed.'),
  ShipmentPacked: z
    .strictObject({
      shipmentId: z.string().describe("The shipment's id."),
      packedOn: z.string().describe('The day packed, `YYYY-MM-DD`.'),
      totalCost: z.string().describe('The cost of the stock taken (see StockIssued).'),
    })
    .describe('The shipment was packed: its stock was taken in the warehouse stream first.'),
  ShipmentDispatched: z
    .strictObject({
      shipmentId: z.string().describe("The shipment's id."),
      carrier: z.string().describe('Who carries it.'),
      trackingNumber: z.string().describe("The carrier's tracking number."),
      dispatchedOn: z.string().describe('`YYYY-MM-DD`, not before it was packed.'),
    })
    .describe('The shipment left with a carrier.'),
  ShipmentDelivered: z
    .strictObject({
      shipmentId: z.string().describe("The shipment's id."),
      deliveredOn: z.string().describe('`YYYY-MM-DD`, not before it was dispatched.'),
      receivedBy: z.string().nullable().describe('Who signed for it, when known.'),
    })
    .describe('The shipment arrived.'),
  ShipmentCancelled: z
    .strictObject({
      shipmentId: z.string().describe("The shipment's id."),
      reason: z.string().describe('Why.'),
      cancelledOn: z.string().describe('`YYYY-MM-DD`, not before its last step.'),
    })
    .describe(
      'The shipment was cancelled before dispatch; if its stock was taken, StockReturned brings it back.',
    ),
} as const;

export const logisticsEventSchemas = {
  ...itemEventSchemas,
  ...stockEventSchemas,
  ...shipmentEventSchemas,
};

type Schemas = typeof logisticsEventSchemas;
export type LogisticsEventType = keyof Schemas;
export type LogisticsEvent = {
  [K in LogisticsEventType]: { readonly type: K; readonly data: z.infer<Schemas[K]> };
}[LogisticsEventType];
export type StockEvent = Extract<LogisticsEvent, { type: keyof typeof stockEventSchemas }>;
export type ShipmentEvent = Extract<LogisticsEvent, { type: keyof typeof shipmentEventSchemas }>;
export type ShippingAddress = z.infer<typeof address>;
