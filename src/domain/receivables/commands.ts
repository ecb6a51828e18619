import type { BillingAddress, PaymentMethod } from './events.js';

export interface RegisterCustomer {
  readonly type: 'RegisterCustomer';
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
  readonly billingAddress: BillingAddress;
  readonly currency: string;
  readonly paymentTermsDays: number;
}

export interface ChangeCustomerDetails {
  readonly type: 'ChangeCustomerDetails';
  readonly customerId: string;
  readonly name?: string;
  readonly email?: string;
  readonly billingAddress?: BillingAddress;
  readonly paymentTermsDays?: number;
}

/** Erases the customer's personal data; the key is destroyed before this is decided for good. */
export interface EraseCustomerPersonalData {
  readonly type: 'EraseCustomerPersonalData';
  readonly customerId: string;
  readonly reason: string;
  readonly legalBasis: string;
  /** ISO 8601 UTC: when the key was destroyed, by the service's clock. */
  readonly erasedAt: string;
}

export interface RequestedInvoiceLine {
  readonly description: string;
  /** A positive decimal string with at most three decimals ("1", "2.5", "0.125"). */
  readonly quantity: string;
  /** A decimal string in the invoice currency ("19.99"). */
  readonly unitPrice: string;
  readonly revenueAccount: string;
}

export interface IssueInvoice {
  readonly type: 'IssueInvoice';
  readonly invoiceId: string;
  readonly customerId: string;
  readonly issueDate: string;
  /** Defaults to the issue date plus the customer's payment terms. */
  readonly dueDate?: string;
  /** Defaults to the customer's currency, which it must equal. */
  readonly currency?: string;
  readonly lines: readonly RequestedInvoiceLine[];
}

export interface RecordPayment {
  readonly type: 'RecordPayment';
  readonly invoiceId: string;
  readonly paymentId: string;
  readonly amount: string;
  /** Defaults to the invoice currency, which it must equal. */
  readonly currency?: string;
  readonly receivedOn: string;
  readonly method: PaymentMethod;
  readonly reference: string;
}

export interface VoidInvoice {
  readonly type: 'VoidInvoice';
  readonly invoiceId: string;
  readonly voidedOn: string;
  readonly reason: string;
}

export type CustomerCommand = RegisterCustomer | ChangeCustomerDetails | EraseCustomerPersonalData;
export type InvoiceCommand = IssueInvoice | RecordPayment | VoidInvoice;
