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
  /** The tax code the line is taxed at; untaxed without one. */
  readonly taxCode?: string;
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

export interface RequestedCreditLine {
  readonly description: string;
  /** Net, a positive decimal string in the invoice currency: tax is added at the invoice's rate. */
  readonly amount: string;
  /** One of the invoice's tax codes; untaxed without one. */
  readonly taxCode?: string;
  /**
   * The revenue account credited back; by default the one the invoice's lines at the same tax
   * code were posted to, when they name one only.
   */
  readonly revenueAccount?: string;
}

export interface IssueCreditNote {
  readonly type: 'IssueCreditNote';
  readonly invoiceId: string;
  readonly creditNoteId: string;
  readonly date: string;
  readonly reason: string;
  readonly lines: readonly RequestedCreditLine[];
}

/** Pays out (part of) a customer's credit balance. */
export interface RefundCustomer {
  readonly type: 'RefundCustomer';
  readonly customerId: string;
  readonly refundId: string;
  readonly amount: string;
  readonly paidOn: string;
  readonly method: PaymentMethod;
  readonly reference: string;
}

export interface CreateTaxCode {
  readonly type: 'CreateTaxCode';
  readonly code: string;
  readonly name: string;
  /** Percent, up to four decimals ("19.00"). */
  readonly rate: string;
  /** The liability account the tax is owed on. */
  readonly outputAccount: string;
}

export interface ChangeTaxRate {
  readonly type: 'ChangeTaxRate';
  readonly code: string;
  readonly rate: string;
  readonly effectiveFrom: string;
}

export type CustomerCommand =
  RegisterCustomer | ChangeCustomerDetails | EraseCustomerPersonalData | RefundCustomer;
export type InvoiceCommand = IssueInvoice | RecordPayment | VoidInvoice | IssueCreditNote;
export type TaxCodeCommand = CreateTaxCode | ChangeTaxRate;
