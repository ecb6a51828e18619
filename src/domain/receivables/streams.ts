import type { ReceivablesEventType } from './events.js';

/** One stream per customer, invoice and tax code: each is its own consistency boundary. */
export const receivablesStreams = {
  customer: (customerId: string) => `customer-${customerId}`,
  invoice: (invoiceId: string) => `invoice-${invoiceId}`,
  taxCode: (code: string) => `taxCode-${code}`,
} as const;

/** The stream each event type is appended to, with placeholders for its ids. */
export const receivablesEventStreams = {
  CustomerRegistered: receivablesStreams.customer('<customerId>'),
  CustomerDetailsChanged: receivablesStreams.customer('<customerId>'),
  CustomerPersonalDataErased: receivablesStreams.customer('<customerId>'),
  InvoiceIssued: receivablesStreams.invoice('<invoiceId>'),
  PaymentReceived: receivablesStreams.invoice('<invoiceId>'),
  InvoiceVoided: receivablesStreams.invoice('<invoiceId>'),
  CreditNoteIssued: receivablesStreams.invoice('<invoiceId>'),
  CustomerRefunded: receivablesStreams.customer('<customerId>'),
  TaxCodeCreated: receivablesStreams.taxCode('<code>'),
  TaxRateChanged: receivablesStreams.taxCode('<code>'),
} as const satisfies Record<ReceivablesEventType, string>;
