import { z } from 'zod';

/**
 * Accounts receivable events as stored. Amounts are decimal strings in the invoice currency,
 * like the ledger's, so a stored event reads the same to an auditor as to the code.
 */
const billingAddress = z.strictObject({
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  postalCode: z.string(),
  country: z.string(),
});
export type BillingAddress = z.infer<typeof billingAddress>;

const invoiceLine = z.strictObject({
  description: z.string(),
  quantity: z.string(),
  unitPrice: z.string(),
  /** quantity × unitPrice, rounded to the currency's minor unit (see pricing.ts). */
  amount: z.string(),
  revenueAccount: z.string(),
});
export type InvoiceLine = z.infer<typeof invoiceLine>;

export const paymentMethods = [
  'bank_transfer',
  'card',
  'cash',
  'cheque',
  'direct_debit',
  'other',
] as const;
export type PaymentMethod = (typeof paymentMethods)[number];

export const receivablesEventSchemas = {
  CustomerRegistered: z.strictObject({
    customerId: z.string(),
    name: z.string(),
    email: z.string(),
    billingAddress,
    currency: z.string(),
    paymentTermsDays: z.number().int(),
  }),
  CustomerDetailsChanged: z.strictObject({
    customerId: z.string(),
    /** Only what changed, with its new value. */
    changes: z.strictObject({
      name: z.string().optional(),
      email: z.string().optional(),
      billingAddress: billingAddress.optional(),
      paymentTermsDays: z.number().int().optional(),
    }),
  }),
  InvoiceIssued: z.strictObject({
    invoiceId: z.string(),
    customerId: z.string(),
    issueDate: z.string(),
    dueDate: z.string(),
    currency: z.string(),
    lines: z.array(invoiceLine).min(1),
    total: z.string(),
  }),
  PaymentReceived: z.strictObject({
    invoiceId: z.string(),
    customerId: z.string(),
    paymentId: z.string(),
    amount: z.string(),
    currency: z.string(),
    receivedOn: z.string(),
    method: z.enum(paymentMethods),
    reference: z.string(),
  }),
  InvoiceVoided: z.strictObject({
    invoiceId: z.string(),
    customerId: z.string(),
    voidedOn: z.string(),
    reason: z.string(),
    /** What the void takes off the customer's balance: the whole total, as nothing was paid. */
    total: z.string(),
  }),
} as const;

type Schemas = typeof receivablesEventSchemas;
export type ReceivablesEventType = keyof Schemas;
export type ReceivablesEvent = {
  [K in ReceivablesEventType]: { readonly type: K; readonly data: z.infer<Schemas[K]> };
}[ReceivablesEventType];

export type InvoiceIssued = Extract<ReceivablesEvent, { type: 'InvoiceIssued' }>;
export type PaymentReceived = Extract<ReceivablesEvent, { type: 'PaymentReceived' }>;
