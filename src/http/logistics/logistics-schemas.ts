/** The shapes of the logistics routes' requests and answers. */
import { z } from 'zod';
import { MAX_QUANTITY } from '../../domain/logistics/warehouse.js';
import { MAX_SHIPMENT_LINES } from '../../domain/logistics/shipment.js';
import { billingAddress, redacted } from '../receivables/receivables-schemas.js';
import { accountingDate, recordId, text } from '../schemas.js';

/** Who may write logistics, and who may read it. */
export const WRITE = ['logistics:write'] as const;
export const READ = ['reports:read', 'logistics:write'] as const;

export const sku = recordId.describe('Stock-keeping unit: 1-64 letters, digits or ._:-');

const quantity = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}`);

/** Zero or positive; the currency's decimals are the decider's to check (400 if too many). */
const unitCost = z
  .string()
  .regex(/^\d{1,18}(\.\d{1,4})?$/, 'must be a decimal string like "12.50"')
  .meta({ example: '12.50' });

export const itemBody = z.strictObject({
  sku,
  name: text(200),
  unit: text(50).describe('What a quantity counts: "piece", "box", "kg"'),
});

export const itemResponse = z.object({
  sku: z.string(),
  name: z.string(),
  unit: z.string(),
  registeredAt: z.string(),
});

export const receiptBody = z.strictObject({
  receiptId: recordId.optional().describe('Your id for the receipt; generated when absent'),
  quantity,
  unitCost: unitCost.describe('What one unit cost, in the base currency'),
  receivedOn: accountingDate,
  reference: text(200).describe('The delivery note or purchase order'),
});

export const adjustmentBody = z
  .strictObject({
    adjustmentId: recordId.optional().describe('Your id for the adjustment; generated when absent'),
    countedQuantity: z
      .number()
      .int('must be a whole number')
      .min(0, 'must not be negative')
      .max(MAX_QUANTITY)
      .optional()
      .describe('What a count found: the stock is set to it'),
    delta: z
      .number()
      .int('must be a whole number')
      .min(-MAX_QUANTITY)
      .max(MAX_QUANTITY)
      .optional()
      .describe('Units to add (positive) or write off (negative)'),
    reason: text(500, { lines: 'many' }),
    adjustedOn: accountingDate,
  })
  .describe('Exactly one of countedQuantity and delta');

export const stockResponse = z.object({
  sku: z.string(),
  name: z.string(),
  unit: z.string(),
  asOf: z.string(),
  onHand: z.number().int(),
  value: z.string().describe('What the units on hand are carried at, in the base currency'),
  averageCost: z.string().nullable().describe('value / onHand, rounded half up'),
  currency: z.string(),
});

export const movementResponse = z.object({
  sku: z.string(),
  date: z.string(),
  kind: z.enum(['receipt', 'adjustment', 'issue', 'return']),
  quantity: z.number().int().describe('Signed: negative for what leaves'),
  quantityAfter: z.number().int(),
  valueChange: z.string().describe('Signed'),
  valueAfter: z.string(),
  reference: z.string(),
  shipmentId: z.string().nullable(),
});

export const movementAnswer = z.object({
  sku: z.string(),
  movementId: z.string(),
  onHand: z.number().int(),
  value: z.string(),
  averageCost: z.string().nullable(),
  currency: z.string(),
});

export const valuationResponse = z.object({
  asOf: z.string(),
  currency: z.string(),
  skus: z.array(stockResponse),
  totalValue: z
    .string()
    .describe("The sum of the SKUs' values: the inventory account's balance as of the date"),
});

export const shipmentBody = z.strictObject({
  shipmentId: recordId.optional().describe('Your id for the shipment; generated when absent'),
  orderReference: text(100),
  customerId: recordId,
  items: z
    .array(z.strictObject({ sku, quantity }))
    .min(1)
    .max(MAX_SHIPMENT_LINES)
    .describe(`1 to ${MAX_SHIPMENT_LINES} lines of distinct SKUs`),
  address: billingAddress.describe("Personal data of the customer's, stored encrypted"),
});

export const packBody = z.strictObject({ packedOn: accountingDate });

export const dispatchBody = z.strictObject({
  carrier: text(100),
  trackingNumber: text(100),
  dispatchedOn: accountingDate,
});

export const deliveryBody = z.strictObject({
  deliveredOn: accountingDate,
  receivedBy: text(200).optional(),
});

export const cancelBody = z.strictObject({
  reason: text(500, { lines: 'many' }),
  cancelledOn: accountingDate,
});

const status = z.enum(['created', 'packed', 'dispatched', 'delivered', 'cancelled']);

export const shipmentFilters = z.strictObject({
  status: status.optional(),
  customerId: recordId.optional(),
  from: accountingDate.optional().describe('Created on or after'),
  to: accountingDate.optional().describe('Created on or before'),
});

const address = z.object({
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  postalCode: z.string(),
  country: z.string(),
});

export const shipmentResponse = z.object({
  shipmentId: z.string(),
  orderReference: z.string(),
  customerId: z.string(),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
  address: z
    .union([address, redacted])
    .nullable()
    .describe(
      'Personal data of the customer\'s: `{ "redacted": true }` for a key that may not read it (only logistics:write, finance:write and admin do), `null` with addressErased once erased',
    ),
  addressErased: z.boolean(),
  status,
  createdOn: z.string(),
  packedOn: z.string().nullable(),
  dispatchedOn: z.string().nullable(),
  deliveredOn: z.string().nullable(),
  cancelledOn: z.string().nullable(),
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  receivedBy: z.string().nullable(),
  cancellationReason: z.string().nullable(),
  costOfGoods: z.string().nullable().describe('What its stock cost when packed'),
  stockReturned: z.boolean().describe('Cancelled after packing: its stock came back'),
  timeline: z.array(
    z.object({
      step: z.string(),
      date: z.string().nullable(),
      recordedAt: z.string(),
      actor: z.string().nullable(),
      onBehalfOf: z.string().nullable(),
      requestId: z.string().nullable(),
    }),
  ),
});
