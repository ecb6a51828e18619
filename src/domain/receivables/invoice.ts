import {
  refuseIfNoPostingAccount,
  refuseIfPeriodClosed,
  type PostingAccount,
  type PostingFacts,
} from '../ledger/posting-rules.js';
import { isCurrencyCode, type CurrencyCode } from '../shared/currency.js';
import { appendOnlyList, type AppendOnlyList } from '../shared/append-only-list.js';
import { addDays, isAccountingDate } from '../shared/dates.js';
import type { Decider } from '../shared/decider.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import { formatAmount, parseAmount, storedMinor } from '../shared/money.js';
import type { InvoiceCommand, IssueInvoice, RecordPayment, VoidInvoice } from './commands.js';
import type { CustomerState } from './customer.js';
import type { InvoiceLine, PaymentMethod, ReceivablesEvent } from './events.js';
import { formatQuantity, lineAmountMinor, parseQuantity } from './pricing.js';

export type InvoiceStatus = 'open' | 'partially_paid' | 'paid' | 'void';

/** A payment as the invoice remembers it. */
export interface InvoicePayment {
  readonly paymentId: string;
  readonly amount: string;
  readonly receivedOn: string;
  readonly method: PaymentMethod;
  readonly reference: string;
}

export type InvoiceState =
  | { readonly status: 'none' }
  | {
      readonly status: 'issued' | 'void';
      readonly invoiceId: string;
      readonly customerId: string;
      readonly currency: string;
      readonly issueDate: string;
      readonly dueDate: string;
      readonly lines: readonly InvoiceLine[];
      /** As issued, formatted in the invoice's currency. */
      readonly total: string;
      readonly totalMinor: bigint;
      readonly paidMinor: bigint;
      /** In the order received, by payment id; grows in O(1) per payment (see AppendOnlyList). */
      readonly payments: AppendOnlyList<InvoicePayment>;
      readonly voided: { readonly voidedOn: string; readonly reason: string } | null;
    };

export const initialInvoiceState: InvoiceState = { status: 'none' };

export type { PostingAccount };

/**
 * What an invoice command needs from other streams: the customer (to issue), the revenue
 * accounts its lines name, and which periods are closed (its postings are dated by it).
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
}

const paymentKey = (payment: InvoicePayment) => payment.paymentId;

export function invoiceStatus(state: Exclude<InvoiceState, { status: 'none' }>): InvoiceStatus {
  if (state.status === 'void') return 'void';
  if (state.paidMinor === 0n) return 'open';
  return state.paidMinor >= state.totalMinor ? 'paid' : 'partially_paid';
}

export function decideInvoice(
  command: InvoiceCommand,
  state: InvoiceState,
  facts: InvoiceFacts,
): ReceivablesEvent[] {
  switch (command.type) {
    case 'IssueInvoice':
      return issue(command, state, facts);
    case 'RecordPayment':
      return recordPayment(command, state, facts);
    case 'VoidInvoice':
      return voidInvoice(command, state, facts);
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
        total: event.data.total,
        totalMinor: storedMinor(event.data.total, event.data.currency),
        paidMinor: 0n,
        // A list of its own: a shared empty one would keep the first invoice's payments alive.
        payments: appendOnlyList(paymentKey),
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
    case 'InvoiceVoided': {
      if (state.status === 'none') return state;
      const { voidedOn, reason } = event.data;
      return { ...state, status: 'void', voided: { voidedOn, reason } };
    }
    default:
      return state;
  }
}

type Issue = { path: string; message: string };

function issue(
  command: IssueInvoice,
  state: InvoiceState,
  facts: InvoiceFacts,
): ReceivablesEvent[] {
  const { customer } = facts;
  if (customer.status === 'none') {
    refuseInvalid('InvalidInvoice', [
      { path: 'customerId', message: `customer ${command.customerId} does not exist` },
    ]);
  }
  if (customer.erased) {
    // An invoice names whom it bills; an erased customer has no name or address to bill.
    refuse({
      kind: 'conflict',
      code: 'CustomerErased',
      message: `The personal data of customer ${customer.customerId} was erased: no new invoice can be issued to them`,
    });
  }
  const issues: Issue[] = [];
  const currency = command.currency ?? customer.currency;
  if (!isCurrencyCode(currency)) {
    issues.push({
      path: 'currency',
      message: 'must be an ISO 4217 currency code with minor units',
    });
  } else if (currency !== customer.currency) {
    issues.push({
      path: 'currency',
      message: `customer ${customer.customerId} is invoiced in ${customer.currency}`,
    });
  }
  if (!isAccountingDate(command.issueDate)) {
    issues.push({ path: 'issueDate', message: 'must be a calendar date, YYYY-MM-DD' });
  }
  const issueDateValid = isAccountingDate(command.issueDate);
  const dueDate =
    command.dueDate ??
    (issueDateValid ? addDays(command.issueDate, customer.paymentTermsDays) : command.issueDate);
  if (command.dueDate !== undefined && !isAccountingDate(command.dueDate)) {
    issues.push({ path: 'dueDate', message: 'must be a calendar date, YYYY-MM-DD' });
  } else if (issueDateValid && !isAccountingDate(dueDate)) {
    issues.push({
      path: 'dueDate',
      message: `the issue date plus ${customer.paymentTermsDays} days of payment terms is past 9999-12-31; give a due date`,
    });
  } else if (issueDateValid && dueDate < command.issueDate) {
    issues.push({ path: 'dueDate', message: 'must not be before the issue date' });
  }
  if (command.lines.length === 0)
    issues.push({ path: 'lines', message: 'needs at least one line' });

  const lines: InvoiceLine[] = [];
  let total = 0n;
  command.lines.forEach((line, index) => {
    const at = `lines[${index}]`;
    const quantity = parseQuantity(line.quantity);
    if (quantity === undefined) {
      issues.push({
        path: `${at}.quantity`,
        message: 'must be a positive number with at most 3 decimals',
      });
    }
    const account = facts.accounts.get(line.revenueAccount);
    if (account === undefined || account.status === 'none') {
      issues.push({
        path: `${at}.revenueAccount`,
        message: `account ${line.revenueAccount} does not exist`,
      });
    } else if (account.type !== 'revenue') {
      issues.push({
        path: `${at}.revenueAccount`,
        message: `account ${line.revenueAccount} is not a revenue account`,
      });
    } else if (account.currency !== currency) {
      issues.push({
        path: `${at}.revenueAccount`,
        message: `account ${line.revenueAccount} is kept in ${account.currency}, not ${currency}`,
      });
    }
    if (!isCurrencyCode(currency)) return;
    const price = parseAmount(line.unitPrice, currency);
    if (!price.ok) {
      issues.push({ path: `${at}.unitPrice`, message: price.message });
      return;
    }
    if (price.minor <= 0n) {
      issues.push({ path: `${at}.unitPrice`, message: 'must be a positive amount' });
      return;
    }
    if (quantity === undefined) return;
    const amount = lineAmountMinor(quantity, price.minor);
    if (amount <= 0n) {
      issues.push({ path: at, message: 'quantity × unit price rounds to zero' });
      return;
    }
    total += amount;
    lines.push({
      description: line.description,
      quantity: formatQuantity(quantity),
      unitPrice: formatAmount(price.minor, currency),
      amount: formatAmount(amount, currency),
      revenueAccount: line.revenueAccount,
    });
  });
  if (isCurrencyCode(currency) && total >= 10n ** 18n) {
    issues.push({ path: 'lines', message: 'the invoice total is too large' });
  }
  if (issues.length > 0) refuseInvalid('InvalidInvoice', issues);
  if (state.status !== 'none') {
    refuse({
      kind: 'conflict',
      code: 'InvoiceAlreadyExists',
      message: `Invoice ${command.invoiceId} already exists`,
    });
  }
  refuseIfNoPostingAccount(facts.receivable, currency, 'receivable');
  refuseIfPeriodClosed(command.issueDate, facts, 'issued');
  return [
    {
      type: 'InvoiceIssued',
      data: {
        invoiceId: command.invoiceId,
        customerId: customer.customerId,
        issueDate: command.issueDate,
        dueDate,
        currency,
        lines,
        total: formatAmount(total, currency as CurrencyCode),
      },
    },
  ];
}

function recordPayment(
  command: RecordPayment,
  state: InvoiceState,
  facts: InvoiceFacts,
): ReceivablesEvent[] {
  const invoice = existing(state, command.invoiceId);
  const currency = invoice.currency as CurrencyCode;
  const issues: Issue[] = [];
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
  const outstanding = invoice.totalMinor - invoice.paidMinor;
  if (amount.minor > outstanding) {
    refuse({
      kind: 'conflict',
      code: outstanding === 0n ? 'InvoiceAlreadyPaid' : 'PaymentExceedsOutstanding',
      message:
        outstanding === 0n
          ? `Invoice ${invoice.invoiceId} is already paid in full`
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
      },
    },
  ];
}

function existing(state: InvoiceState, invoiceId: string) {
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
