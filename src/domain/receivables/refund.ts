/**
 * Refunds: paying back a customer's credit balance, the part of their credit notes beyond what
 * their invoices still owed. Refunds are events of the customer's stream, so each is decided
 * against every refund before it and two racing refunds cannot both spend the same credit.
 *
 * The credit a refund dated D may spend is the credit balance as of D (credit notes and
 * payments dated on or before D) less every refund recorded, whatever its date. A credit
 * balance only grows with time until refunded, so this keeps the balance from going below zero
 * on any date: as of D and every later day, and for the refunds already recorded.
 */
import {
  refuseIfNoPostingAccount,
  refuseIfPeriodClosed,
  type PostingAccount,
  type PostingFacts,
} from '../ledger/posting-rules.js';
import type { CurrencyCode } from '../shared/currency.js';
import { isAccountingDate } from '../shared/dates.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import { formatAmount, parseAmount } from '../shared/money.js';
import type { RefundCustomer } from './commands.js';
import type { CustomerState } from './customer.js';
import type { ReceivablesEvent } from './events.js';
import { settledAsOf, type IssuedInvoice } from './invoice.js';

export interface RefundFacts extends PostingFacts {
  /** The customer's credit balance as of the refund date, before any refund. */
  readonly creditAsOfMinor: bigint;
  readonly receivable: PostingAccount;
  readonly cash: PostingAccount;
}

/**
 * What an invoice adds to its customer's credit balance as of `asOf`: what its payments and
 * credit notes dated by then settle beyond its total.
 */
export function invoiceCreditAsOf(invoice: IssuedInvoice, asOf: string): bigint {
  if (invoice.issueDate > asOf) return 0n;
  if (invoice.voided !== null && invoice.voided.voidedOn <= asOf) return 0n;
  const settled = settledAsOf(invoice, asOf);
  return settled > invoice.totalMinor ? settled - invoice.totalMinor : 0n;
}

export function refundCustomer(
  command: RefundCustomer,
  state: CustomerState,
  facts: RefundFacts | undefined,
): ReceivablesEvent[] {
  if (state.status === 'none') {
    refuse({
      kind: 'not_found',
      code: 'CustomerNotFound',
      message: `Customer ${command.customerId} does not exist`,
    });
  }
  const currency = state.currency as CurrencyCode;
  const issues: { path: string; message: string }[] = [];
  const amount = parseAmount(command.amount, currency);
  if (!amount.ok) issues.push({ path: 'amount', message: amount.message });
  else if (amount.minor <= 0n)
    issues.push({ path: 'amount', message: 'must be a positive amount' });
  if (!isAccountingDate(command.paidOn)) {
    issues.push({ path: 'paidOn', message: 'must be a calendar date, YYYY-MM-DD' });
  }
  if (issues.length > 0 || !amount.ok) refuseInvalid('InvalidRefund', issues);
  if (state.refunds.has(command.refundId)) {
    refuse({
      kind: 'conflict',
      code: 'RefundAlreadyRecorded',
      message: `Refund ${command.refundId} is already recorded for customer ${state.customerId}`,
    });
  }
  // Without the credit balance a refund could overdraw it: that is a caller bug, not a refusal.
  if (facts === undefined) throw new Error('A refund needs facts.refund');
  const available = facts.creditAsOfMinor - state.refundedMinor;
  if (amount.minor > available) {
    const money = (minor: bigint) => `${formatAmount(minor, currency)} ${currency}`;
    refuse({
      kind: 'conflict',
      code: 'RefundExceedsCredit',
      message:
        available <= 0n
          ? `Customer ${state.customerId} has no credit balance to refund as of ${command.paidOn}`
          : `A refund of ${money(amount.minor)} exceeds the ${money(available)} credit balance of customer ${state.customerId} as of ${command.paidOn}`,
    });
  }
  refuseIfNoPostingAccount(facts.receivable, currency, 'receivable');
  refuseIfNoPostingAccount(facts.cash, currency, 'cash');
  refuseIfPeriodClosed(command.paidOn, facts, 'refunded');
  return [
    {
      type: 'CustomerRefunded',
      data: {
        customerId: state.customerId,
        refundId: command.refundId,
        amount: formatAmount(amount.minor, currency),
        currency,
        paidOn: command.paidOn,
        method: command.method,
        reference: command.reference,
      },
    },
  ];
}
