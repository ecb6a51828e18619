import type { ReceivablesEventType } from './events.js';

/** One stream per customer and per invoice: each is its own consistency boundary. */
export const receivablesStreams = {
  customer: (customerId: string) => `customer-${customerId}`,
  invoice: (invoiceId: string) => `invoice-${invoiceId}`,
} as const;

/** The stream each event type is appended to, with placeholders for its ids. */
export const receivablesEventStreams = {
  CustomerRegistered: receivablesStreams.customer('<customerId>'),
  CustomerDetailsChanged: receivablesStreams.customer('<customerId>'),
  CustomerPersonalDataErased: receivablesStreams.customer('<customerId>'),
  InvoiceIssued: receivablesStreams.invoice('<invoiceId>'),
  PaymentReceived: receivablesStreams.invoice('<invoiceId>'),
  InvoiceVoided: receivablesStreams.invoice('<invoiceId>'),
} as const satisfies Record<ReceivablesEventType, string>;
