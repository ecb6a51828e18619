/**
 * Accounts receivable read models:
 *
 * - `receivables_customers`: one document per customer, with its open balance (issued minus
 *   paid, voided invoices left out) kept in minor units, and its personal fields (name, email,
 *   billing address) as the log holds them: sealed with the customer's key (or in plain text for
 *   events of schema version 1, see `upcast.ts`), `null` once erased. The queries open them
 *   for a caller allowed to see them;
 * - `receivables_invoices`: one document per invoice as `GET /v1/invoices/{id}` shows it, with
 *   its payments and void, so balances and aging as of any past date can be read from it.
 */
import type {
  BillingAddress,
  InvoiceLine,
  PaymentMethod,
} from '../../domain/receivables/events.js';
import { invoiceStatus, type InvoiceState } from '../../domain/receivables/invoice.js';
import {
  upcastReceivablesEvent,
  type StoredReceivablesEvent,
} from '../../domain/receivables/upcast.js';
import type { CurrencyCode } from '../../domain/shared/currency.js';
import { formatAmount, storedMinor } from '../../domain/shared/money.js';
import type { SealedValue } from '../../domain/shared/sealed-value.js';
import { defineProjection, type Projection } from '../projection.js';

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
  readonly revision: number;
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
  readonly total: string;
  readonly paid: string;
  readonly outstanding: string;
  /** `open`, `partially_paid`, `paid` or `void`; `overdue` is derived when read. */
  readonly status: 'open' | 'partially_paid' | 'paid' | 'void';
  readonly payments: readonly PaymentView[];
  readonly voided: { readonly voidedOn: string; readonly reason: string } | null;
  readonly revision: number;
}

// Every version read as the current stored shape; plain text of version 1 is copied as it is.
const decode = upcastReceivablesEvent;

// Type arguments spelt out: inference of the event type over these schemas ends in `never`.
export const customersProjection = defineProjection<
  CustomerDocument,
  StoredReceivablesEvent,
  StoredReceivablesEvent['type']
>({
  name: 'receivables_customers',
  // 2: personal fields stored sealed, `erased`; no index by name (sealed values have no order).
  version: 2,
  eventTypes: [
    'CustomerRegistered',
    'CustomerDetailsChanged',
    'CustomerPersonalDataErased',
    'InvoiceIssued',
    'PaymentReceived',
    'InvoiceVoided',
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
    }
  },
});

export const invoicesProjection = defineProjection<
  InvoiceDocument,
  StoredReceivablesEvent,
  'InvoiceIssued' | 'PaymentReceived' | 'InvoiceVoided'
>({
  name: 'receivables_invoices',
  version: 1,
  eventTypes: ['InvoiceIssued', 'PaymentReceived', 'InvoiceVoided'],
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
        total: event.data.total,
        paid: formatAmount(0n, event.data.currency as CurrencyCode),
        outstanding: event.data.total,
        status: 'open',
        payments: [],
        voided: null,
        revision,
      };
      return issued;
    }
    if (!invoice) throw new Error(`${event.type} for invoice ${id}, never issued`);
    const currency = invoice.currency as CurrencyCode;
    if (event.type === 'PaymentReceived') {
      const total = storedMinor(invoice.total, currency);
      const paid = storedMinor(invoice.paid, currency) + storedMinor(event.data.amount, currency);
      const next: InvoiceDocument = {
        ...invoice,
        paid: formatAmount(paid, currency),
        outstanding: formatAmount(total - paid, currency),
        status: paid >= total ? 'paid' : 'partially_paid',
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
export function invoiceDocumentOf(
  state: Exclude<InvoiceState, { status: 'none' }>,
  revision: bigint,
): InvoiceDocument {
  const currency = state.currency as CurrencyCode;
  const status = invoiceStatus(state);
  return {
    invoiceId: state.invoiceId,
    customerId: state.customerId,
    issueDate: state.issueDate,
    dueDate: state.dueDate,
    currency: state.currency,
    lines: state.lines,
    total: state.total,
    paid: formatAmount(state.paidMinor, currency),
    outstanding: formatAmount(
      status === 'void' ? 0n : state.totalMinor - state.paidMinor,
      currency,
    ),
    status,
    payments: state.payments.toArray(),
    voided: state.voided,
    revision: Number(revision),
  };
}

export const receivablesProjections: readonly Projection[] = [
  customersProjection,
  invoicesProjection,
];
