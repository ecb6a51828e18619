/**
 * The invoice decider: issue, payments, credit notes and void, one stream per invoice, so each
 * is decided against everything recorded on the invoice before it (an invoice can be neither
 * overpaid nor credited beyond what it billed). Issuing is `invoice-issue.ts`'s, crediting
 * `credit-note.ts`'s.
 */
import {
  refuseIfNoPostingAccount,
  refuseIfPeriodClosed,
  type PostingAccount,
  type PostingFacts,
} from '../ledger/posting-rules.js';
import type { CurrencyCode } from '../shared/currency.js';
import { appendOnlyList, type AppendOnlyList } from '../shared/append-only-list.js';
import { isAccountingDate } from '../shared/dates.js';
import type { Decider } from '../shared/decider.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import { formatAmount, parseAmount, storedMinor } from '../shared/money.js';
import type { InvoiceCommand, RecordPayment, VoidInvoice } from './commands.js';
import { issueCreditNote } from './credit-note.js';
import type { CustomerState } from './customer.js';
import type {
  CreditLine,
  InvoiceLine,
  PaymentMethod,
  ReceivablesEvent,
  TaxLine,
} from './events.js';
import { issueInvoice } from './invoice-issue.js';
import type { TaxCodeState } from './tax-code.js';

/**
 * `credited`: settled by credit notes alone. `paid`: settled, some of it by payments. An invoice
 * with credit notes and a part still unpaid is `open` or `partially_paid` by its payments.
 */
export type InvoiceStatus = 'open' | 'partially_paid' | 'paid' | 'credited' | 'void';

/** A payment as the invoice remembers it. */
export interface InvoicePayment {
  readonly paymentId: string;
  readonly amount: string;
  readonly receivedOn: string;
  readonly method: PaymentMethod;
  readonly reference: string;
}

/** A credit note as the invoice remembers it. */
export interface InvoiceCreditNote {
  readonly creditNoteId: string;
  readonly date: string;
  readonly reason: string;
  readonly lines: readonly CreditLine[];
  readonly net: string;
  readonly taxes: readonly TaxLine[];
  readonly total: string;
  readonly toCustomerCredit: string;
}

export interface IssuedInvoice {
  readonly status: 'issued' | 'void';
  readonly invoiceId: string;
  readonly customerId: string;
  readonly currency: string;
  readonly issueDate: string;
  readonly dueDate: string;
  readonly lines: readonly InvoiceLine[];
  /** The sum of the line amounts, before tax. */
  readonly net: string;
  /** Tax per code; empty for an untaxed invoice. */
  readonly taxes: readonly TaxLine[];
  /** As issued, formatted in the invoice's currency: net + taxes. */
  readonly total: string;
  readonly totalMinor: bigint;
  readonly paidMinor: bigint;
  /** The totals of the credit notes. */
  readonly creditedMinor: bigint;
  /** In the order received, by payment id; grows in O(1) per payment (see AppendOnlyList). */
  readonly payments: AppendOnlyList<InvoicePayment>;
  readonly creditNotes: AppendOnlyList<InvoiceCreditNote>;
  readonly voided: { readonly voidedOn: string; readonly reason: string } | null;
}

export type InvoiceState = { readonly status: 'none' } | IssuedInvoice;

export const initialInvoiceState: InvoiceState = { status: 'none' };

export type { PostingAccount };

/**
 * What an invoice command needs from other streams: the customer (to issue), the revenue and
 * tax accounts its lines name, the tax codes, and which periods are closed (its postings are
 * dated by it).
 */
export interface InvoiceFacts extends PostingFacts {
  readonly customer: CustomerState;
  /**
   * The accounts the ledger postings of this invoice's currency go to: receivable (issue,
   * void) and cash (payments). Checked here so that a posting the ledger would refuse is
   * refused up front, not left to fail later in the reactor.
   */
  readonly receivable: PostingAccount;
  readonly cash: PostingAccount;
  /** The tax codes the lines name (absent: never created). */
  readonly taxCodes?: ReadonlyMap<string, TaxCodeState>;
}

const paymentKey = (payment: InvoicePayment) => payment.paymentId;
const creditNoteKey = (creditNote: InvoiceCreditNote) => creditNote.creditNoteId;

/** What is still to be paid: never below zero (a credit beyond it is the customer's). */
export function outstandingMinor(state: IssuedInvoice): bigint {
  if (state.status === 'void') return 0n;
  const open = state.totalMinor - state.paidMinor - state.creditedMinor;
  return open > 0n ? open : 0n;
}

/**
 * What an invoice's payments received and credit notes dated on or before `asOf` settle, in
 * minor units: the one reading of "as of a date" that the aging, refunds and reminders share.
 * Takes the decider's state or the read model's document alike.
 */
export function settledAsOf(
  invoice: {
    readonly currency: string;
    readonly payments: Iterable<{ readonly amount: string; readonly receivedOn: string }>;
    readonly creditNotes: Iterable<{ readonly total: string; readonly date: string }>;
  },
  asOf: string,
): bigint {
  let settled = 0n;
  for (const payment of invoice.payments) {
    if (payment.receivedOn <= asOf) settled += storedMinor(payment.amount, invoice.currency);
  }
  for (const note of invoice.creditNotes) {
    if (note.date <= asOf) settled += storedMinor(note.total, invoice.currency);
  }
  return settled;
}

export function invoiceStatus(state: IssuedInvoice): InvoiceStatus {
  if (state.status === 'void') return 'void';
  if (state.paidMinor + state.creditedMinor >= state.totalMinor) {
    return state.paidMinor > 0n ? 'paid' : 'credited';
  }
  return state.paidMinor > 0n ? 'partially_paid' : 'open';
}

export function decideInvoice(
  command: InvoiceCommand,
  state: InvoiceState,
  facts: InvoiceFacts,
): ReceivablesEvent[] {
  switch (command.type) {
    case 'IssueInvoice':
      return issueInvoice(command, state, facts);
    case 'RecordPayment':
      return recordPayment(command, state, facts);
    case 'VoidInvoice':
      return voidInvoice(command, state, facts);
    case 'IssueCreditNote':
      return issueCreditNote(command, existing(state, command.invoiceId), facts);
  }
}

export function evolveInvoice(state: InvoiceState, event: ReceivablesEvent): InvoiceState {
  switch (event.type) {
    case 'InvoiceIssued':
      return {
        status: 'issued',
        invoiceId: event.data.invoiceId,
        customerId: event.data.customerId,
        currency: event.data.currency,
        issueDate: event.data.issueDate,
        dueDate: event.data.dueDate,
        lines: event.data.lines,
        // Invoices from before tax codes have neither: untaxed, their net is their total.
        net: event.data.net ?? event.data.total,
        taxes: event.data.taxes ?? [],
        total: event.data.total,
        totalMinor: storedMinor(event.data.total, event.data.currency),
        paidMinor: 0n,
        creditedMinor: 0n,
        // Lists of their own: a shared empty one would keep the first invoice's entries alive.
        payments: appendOnlyList(paymentKey),
        creditNotes: appendOnlyList(creditNoteKey),
        voided: null,
      };
    case 'PaymentReceived': {
      if (state.status === 'none') return state;
      const { paymentId, amount, receivedOn, method, reference, currency } = event.data;
      return {
        ...state,
        paidMinor: state.paidMinor + storedMinor(amount, currency),
        payments: state.payments.append({ paymentId, amount, receivedOn, method, reference }),
      };
    }
    case 'CreditNoteIssued': {
      if (state.status === 'none') return state;
      const { creditNoteId, date, reason, lines, net, taxes, total, toCustomerCredit } = event.data;
      return {
        ...state,
        creditedMinor: state.creditedMinor + storedMinor(total, event.data.currency),
        creditNotes: state.creditNotes.append({
          creditNoteId,
          date,
          reason,
          lines,
          net,
          taxes,
          total,
          toCustomerCredit,
        }),
      };
    }
    case 'InvoiceVoided': {
      if (state.status === 'none') return state;
      const { voidedOn, reason } = event.data;
      return { ...state, status: 'void', voided: { voidedOn, reason } };
    }
    default:
      return state;
  }
}

function recordPayment(
  command: RecordPayment,
  state: InvoiceState,
  facts: InvoiceFacts,
): ReceivablesEvent[] {
  const invoice = existing(state, command.invoiceId);
  const currency = invoice.currency as CurrencyCode;
  const issues: { path: string; message: string }[] = [];
  if (command.currency !== undefined && command.currency !== currency) {
    issues.push({
      path: 'currency',
      message: `invoice ${invoice.invoiceId} is in ${currency}; a payment in ${command.currency} cannot settle it`,
    });
  }
  const amount = parseAmount(command.amount, currency);
  if (!amount.ok) issues.push({ path: 'amount', message: amount.message });
  else if (amount.minor <= 0n)
    issues.push({ path: 'amount', message: 'must be a positive amount' });
  if (!isAccountingDate(command.receivedOn)) {
    issues.push({ path: 'receivedOn', message: 'must be a calendar date, YYYY-MM-DD' });
  } else if (command.receivedOn < invoice.issueDate) {
    issues.push({
      path: 'receivedOn',
      message: `must not be before the invoice's issue date ${invoice.issueDate}`,
    });
  }
  if (issues.length > 0 || !amount.ok) refuseInvalid('InvalidPayment', issues);
  if (invoice.status === 'void') {
    refuse({
      kind: 'conflict',
      code: 'InvoiceVoid',
      message: `Invoice ${invoice.invoiceId} is void; it takes no payments`,
    });
  }
  if (invoice.payments.has(command.paymentId)) {
    refuse({
      kind: 'conflict',
      code: 'PaymentAlreadyRecorded',
      message: `Payment ${command.paymentId} is already recorded on invoice ${invoice.invoiceId}`,
    });
  }
  const outstanding = outstandingMinor(invoice);
  if (amount.minor > outstanding) {
    refuse({
      kind: 'conflict',
      code: outstanding === 0n ? 'InvoiceAlreadyPaid' : 'PaymentExceedsOutstanding',
      message:
        outstanding === 0n
          ? `Invoice ${invoice.invoiceId} is already settled in full${invoice.creditedMinor > 0n ? ', with credit notes' : ''}`
          : `A payment of ${formatAmount(amount.minor, currency)} ${currency} exceeds the ${formatAmount(outstanding, currency)} ${currency} outstanding on invoice ${invoice.invoiceId}`,
    });
  }
  refuseIfNoPostingAccount(facts.cash, currency, 'cash');
  refuseIfPeriodClosed(command.receivedOn, facts, 'recorded');
  return [
    {
      type: 'PaymentReceived',
      data: {
        invoiceId: invoice.invoiceId,
        customerId: invoice.customerId,
        paymentId: command.paymentId,
        amount: formatAmount(amount.minor, currency),
        currency,
        receivedOn: command.receivedOn,
        method: command.method,
        reference: command.reference,
      },
    },
  ];
}

function voidInvoice(
  command: VoidInvoice,
  state: InvoiceState,
  facts: InvoiceFacts,
): ReceivablesEvent[] {
  const invoice = existing(state, command.invoiceId);
  if (!isAccountingDate(command.voidedOn)) {
    refuseInvalid('InvalidVoid', [
      { path: 'voidedOn', message: 'must be a calendar date, YYYY-MM-DD' },
    ]);
  }
  if (command.voidedOn < invoice.issueDate) {
    refuseInvalid('InvalidVoid', [
      {
        path: 'voidedOn',
        message: `must not be before the invoice's issue date ${invoice.issueDate}`,
      },
    ]);
  }
  if (invoice.status === 'void') {
    refuse({
      kind: 'conflict',
      code: 'InvoiceAlreadyVoid',
      message: `Invoice ${invoice.invoiceId} is already void`,
    });
  }
  if (invoice.paidMinor > 0n) {
    refuse({
      kind: 'conflict',
      code: 'InvoiceHasPayments',
      message: `Invoice ${invoice.invoiceId} has payments recorded; only an unpaid invoice can be voided`,
    });
  }
  if (invoice.creditNotes.size > 0) {
    // The void reverses the invoice's whole posting; its credit notes' postings would stay.
    refuse({
      kind: 'conflict',
      code: 'InvoiceHasCreditNotes',
      message: `Invoice ${invoice.invoiceId} has credit notes; credit the rest of it instead of voiding it`,
    });
  }
  refuseIfPeriodClosed(command.voidedOn, facts, 'voided');
  return [
    {
      type: 'InvoiceVoided',
      data: {
        invoiceId: invoice.invoiceId,
        customerId: invoice.customerId,
        voidedOn: command.voidedOn,
        reason: command.reason,
        total: formatAmount(invoice.totalMinor, invoice.currency as CurrencyCode),
        currency: invoice.currency,
        ...(invoice.taxes.length > 0 ? { taxes: [...invoice.taxes] } : {}),
      },
    },
  ];
}

function existing(state: InvoiceState, invoiceId: string): IssuedInvoice {
  if (state.status === 'none') {
    refuse({
      kind: 'not_found',
      code: 'InvoiceNotFound',
      message: `Invoice ${invoiceId} does not exist`,
    });
  }
  return state;
}

export const invoiceDecider: Decider<InvoiceState, InvoiceCommand, ReceivablesEvent, InvoiceFacts> =
  {
    initialState: initialInvoiceState,
    evolve: evolveInvoice,
    decide: decideInvoice,
  };
