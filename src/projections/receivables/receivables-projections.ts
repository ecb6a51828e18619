/**
 * Accounts receivable read models:
 *
 * - `receivables_customers`: one document per customer, with its open balance (issued less
 *   paid and credited, plus refunds; voided invoices left out: its share of the receivable
 *   account, negative while the customer is owed money), its credit balance (credit notes beyond
 *   what was unpaid, less refunds) and refunds, kept in minor units, and its personal fields (name, email,
 *   billing address) as the log holds them: sealed with the customer's key (or in plain text for
 *   events of schema version 1, see `upcast.ts`), `null` once erased. The queries open them
 *   for a caller allowed to see them;
 * - `receivables_invoices`: one document per invoice as `GET /v1/invoices/{id}` shows it, with
 *   its taxes, payments, credit notes and void, so balances and aging as of any past date can be
 *   read from it.
 */
import type {
  BillingAddress,
  InvoiceLine,
  PaymentMethod,
  TaxLine,
} from '../../domain/receivables/events.js';
import {
  invoiceStatus,
  outstandingMinor,
  type InvoiceCreditNote,
  type InvoiceStatus,
  type IssuedInvoice,
} from '../../domain/receivables/invoice.js';
import {
  upcastReceivablesEvent,
  type StoredReceivablesEvent,
} from '../../domain/receivables/upcast.js';
import type { CurrencyCode } from '../../domain/shared/currency.js';
import { formatAmount, storedMinor } from '../../domain/shared/money.js';
import type { SealedValue } from '../../domain/shared/sealed-value.js';
import { defineProjection, type Projection } from '../projection.js';
import { taxCodesProjection, taxLinesProjection } from './tax-projections.js';

/** A personal field as stored: sealed, in plain text (schema version 1 only), or null once erased. */
export type StoredPersonal<T> = SealedValue | T | null;

export interface CustomerDocument {
  readonly customerId: string;
  readonly name: StoredPersonal<string>;
  readonly email: StoredPersonal<string>;
  readonly billingAddress: StoredPersonal<BillingAddress>;
  /** The personal fields were erased: they are `null` for good. */
  readonly erased: boolean;
  readonly currency: string;
  readonly paymentTermsDays: number;
  readonly openBalanceMinor: string;
  /** Credit notes beyond what their invoices still owed, less refunds. */
  readonly creditBalanceMinor: string;
  readonly refunds: readonly RefundView[];
  readonly revision: number;
}

export interface RefundView {
  readonly refundId: string;
  readonly amount: string;
  readonly paidOn: string;
  readonly method: PaymentMethod;
  readonly reference: string;
}

export interface PaymentView {
  readonly paymentId: string;
  readonly amount: string;
  readonly receivedOn: string;
  readonly method: PaymentMethod;
  readonly reference: string;
}

export interface InvoiceDocument {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly issueDate: string;
  readonly dueDate: string;
  readonly currency: string;
  readonly lines: readonly InvoiceLine[];
  readonly net: string;
  readonly taxes: readonly TaxLine[];
  readonly total: string;
  readonly paid: string;
  /** The totals of the credit notes. */
  readonly credited: string;
  /** total − paid − credited, never below zero: a credit beyond it is the customer's. */
  readonly outstanding: string;
  /** `overdue` is derived when read. */
  readonly status: InvoiceStatus;
  readonly payments: readonly PaymentView[];
  readonly creditNotes: readonly InvoiceCreditNote[];
  readonly voided: { readonly voidedOn: string; readonly reason: string } | null;
  readonly revision: number;
}

// Every version read as the current stored shape; plain text of version 1 is copied as it is.
const decode = upcastReceivablesEvent;

// Type arguments spelt out: inference of the event type over these schemas ends in `never`.
export const customersProjection = defineProjection<
  CustomerDocument,
  StoredReceivablesEvent,
  Exclude<StoredReceivablesEvent['type'], 'TaxCodeCreated' | 'TaxRateChanged'>
>({
  name: 'receivables_customers',
  // 2: personal fields stored sealed, `erased`; no index by name (sealed values have no order).
  // 3: credit notes and refunds.
  version: 3,
  eventTypes: [
    'CustomerRegistered',
    'CustomerDetailsChanged',
    'CustomerPersonalDataErased',
    'CustomerRefunded',
    'InvoiceIssued',
    'PaymentReceived',
    'InvoiceVoided',
    'CreditNoteIssued',
  ],
  indexes: [{ name: 'by_customer_id', fields: [{ field: 'customerId', direction: 'asc' }] }],
  decode,
  documentIds: (event) => [event.data.customerId],
  evolve(customer: CustomerDocument | null, event, id) {
    if (event.type === 'CustomerRegistered') {
      const registered: CustomerDocument = {
        ...event.data,
        erased: false,
        openBalanceMinor: '0',
        creditBalanceMinor: '0',
        refunds: [],
        revision: Number(event.revision),
      };
      return registered;
    }
    // Invoices are issued only to registered customers: anything else is a broken log.
    if (!customer) throw new Error(`${event.type} for customer ${id}, never registered`);
    const balance = BigInt(customer.openBalanceMinor);
    switch (event.type) {
      case 'CustomerDetailsChanged':
        return { ...customer, ...event.data.changes, revision: Number(event.revision) };
      case 'CustomerPersonalDataErased':
        // The sealed values no longer open; dropping them too leaves nothing to try.
        return {
          ...customer,
          name: null,
          email: null,
          billingAddress: null,
          erased: true,
          revision: Number(event.revision),
        };
      case 'InvoiceIssued':
        return {
          ...customer,
          openBalanceMinor: (
            balance + storedMinor(event.data.total, event.data.currency)
          ).toString(),
        };
      case 'PaymentReceived':
        return {
          ...customer,
          openBalanceMinor: (
            balance - storedMinor(event.data.amount, event.data.currency)
          ).toString(),
        };
      case 'InvoiceVoided':
        return {
          ...customer,
          openBalanceMinor: (balance - storedMinor(event.data.total, customer.currency)).toString(),
        };
      case 'CreditNoteIssued': {
        const { total, toCustomerCredit, currency } = event.data;
        return {
          ...customer,
          openBalanceMinor: (balance - storedMinor(total, currency)).toString(),
          creditBalanceMinor: (
            BigInt(customer.creditBalanceMinor) + storedMinor(toCustomerCredit, currency)
          ).toString(),
        };
      }
      case 'CustomerRefunded': {
        const { refundId, amount, currency, paidOn, method, reference } = event.data;
        const minor = storedMinor(amount, currency);
        return {
          ...customer,
          openBalanceMinor: (balance + minor).toString(),
          creditBalanceMinor: (BigInt(customer.creditBalanceMinor) - minor).toString(),
          refunds: [...customer.refunds, { refundId, amount, paidOn, method, reference }],
          revision: Number(event.revision),
        };
      }
      default:
        return customer;
    }
  },
});

export const invoicesProjection = defineProjection<
  InvoiceDocument,
  StoredReceivablesEvent,
  'InvoiceIssued' | 'PaymentReceived' | 'InvoiceVoided' | 'CreditNoteIssued'
>({
  name: 'receivables_invoices',
  // 2: taxes and credit notes.
  version: 2,
  eventTypes: ['InvoiceIssued', 'PaymentReceived', 'InvoiceVoided', 'CreditNoteIssued'],
  indexes: [
    {
      name: 'by_issue_date',
      fields: [
        { field: 'issueDate', direction: 'asc' },
        { field: 'invoiceId', direction: 'asc' },
      ],
    },
    {
      name: 'by_customer',
      fields: [
        { field: 'customerId', direction: 'asc' },
        { field: 'issueDate', direction: 'asc' },
      ],
    },
    {
      name: 'by_status',
      fields: [
        { field: 'status', direction: 'asc' },
        { field: 'dueDate', direction: 'asc' },
      ],
    },
  ],
  decode,
  documentIds: (event) => [event.data.invoiceId],
  evolve(invoice: InvoiceDocument | null, event, id) {
    const revision = Number(event.revision);
    if (event.type === 'InvoiceIssued') {
      const issued: InvoiceDocument = {
        invoiceId: event.data.invoiceId,
        customerId: event.data.customerId,
        issueDate: event.data.issueDate,
        dueDate: event.data.dueDate,
        currency: event.data.currency,
        lines: event.data.lines,
        net: event.data.net ?? event.data.total,
        taxes: event.data.taxes ?? [],
        total: event.data.total,
        paid: formatAmount(0n, event.data.currency as CurrencyCode),
        credited: formatAmount(0n, event.data.currency as CurrencyCode),
        outstanding: event.data.total,
        status: 'open',
        payments: [],
        creditNotes: [],
        voided: null,
        revision,
      };
      return issued;
    }
    if (!invoice) throw new Error(`${event.type} for invoice ${id}, never issued`);
    const currency = invoice.currency as CurrencyCode;
    const total = storedMinor(invoice.total, currency);
    // As `invoiceStatus` and `outstandingMinor` have it, from the document's sums.
    const settled = (paid: bigint, credited: bigint) => {
      const open = total - paid - credited;
      return {
        paid: formatAmount(paid, currency),
        credited: formatAmount(credited, currency),
        outstanding: formatAmount(open > 0n ? open : 0n, currency),
        status:
          open <= 0n
            ? paid > 0n
              ? ('paid' as const)
              : ('credited' as const)
            : paid > 0n
              ? ('partially_paid' as const)
              : ('open' as const),
      };
    };
    const credited = storedMinor(invoice.credited, currency);
    if (event.type === 'PaymentReceived') {
      const paid = storedMinor(invoice.paid, currency) + storedMinor(event.data.amount, currency);
      const next: InvoiceDocument = {
        ...invoice,
        ...settled(paid, credited),
        payments: [
          ...invoice.payments,
          {
            paymentId: event.data.paymentId,
            amount: event.data.amount,
            receivedOn: event.data.receivedOn,
            method: event.data.method,
            reference: event.data.reference,
          },
        ],
        revision,
      };
      return next;
    }
    if (event.type === 'CreditNoteIssued') {
      const { creditNoteId, date, reason, lines, net, taxes, toCustomerCredit } = event.data;
      const paid = storedMinor(invoice.paid, currency);
      const next: InvoiceDocument = {
        ...invoice,
        ...settled(paid, credited + storedMinor(event.data.total, currency)),
        creditNotes: [
          ...invoice.creditNotes,
          {
            creditNoteId,
            date,
            reason,
            lines,
            net,
            taxes,
            total: event.data.total,
            toCustomerCredit,
          },
        ],
        revision,
      };
      return next;
    }
    if (event.type === 'InvoiceVoided') {
      const next: InvoiceDocument = {
        ...invoice,
        outstanding: formatAmount(0n, currency),
        status: 'void',
        voided: { voidedOn: event.data.voidedOn, reason: event.data.reason },
        revision,
      };
      return next;
    }
    return invoice;
  },
});

/**
 * The document `receivables_invoices` holds for an invoice, from the invoice's state at
 * `revision`: how a write answers without folding the invoice's whole stream again. It must
 * equal what the projection builds from the same events (a test holds the two together).
 */
export function invoiceDocumentOf(state: IssuedInvoice, revision: bigint): InvoiceDocument {
  const currency = state.currency as CurrencyCode;
  return {
    invoiceId: state.invoiceId,
    customerId: state.customerId,
    issueDate: state.issueDate,
    dueDate: state.dueDate,
    currency: state.currency,
    lines: state.lines,
    net: state.net,
    taxes: state.taxes,
    total: state.total,
    paid: formatAmount(state.paidMinor, currency),
    credited: formatAmount(state.creditedMinor, currency),
    outstanding: formatAmount(outstandingMinor(state), currency),
    status: invoiceStatus(state),
    payments: state.payments.toArray(),
    creditNotes: state.creditNotes.toArray(),
    voided: state.voided,
    revision: Number(revision),
  };
}

export const receivablesProjections: readonly Projection[] = [
  customersProjection,
  invoicesProjection,
  taxCodesProjection,
  taxLinesProjection,
];
