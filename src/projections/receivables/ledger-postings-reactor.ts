/**
 * Posts accounts receivable to the general ledger:
 *
 * - `InvoiceIssued`: debit receivable with the total, credit each revenue account with its lines
 *   and each tax code's output account with its tax;
 * - `PaymentReceived`: debit cash, credit receivable;
 * - `CreditNoteIssued`: the mirror for the credited amounts: debit revenue and output accounts,
 *   credit receivable with the credit note's total;
 * - `CustomerRefunded`: debit receivable, credit cash;
 * - `InvoiceVoided`: reverse the invoice's entry, dated the day of the void.
 *
 * Each entry's id is derived from the event it comes from (`ar-issue-<event id>`,
 * `ar-payment-<event id>`), so an event reacted to twice posts once: the second attempt is
 * refused as a duplicate, which counts as done. Metadata links the entry to its source: the
 * causation id is the source event's id; correlation id, request id and on-behalf-of carry over.
 */
import { decodeEventOf } from '../../domain/shared/event-schemas.js';
import type { LedgerCommands } from '../../commands/ledger/ledger-commands.js';
import type { PostingAccountCodes } from '../../commands/receivables/receivables-commands.js';
import type { RequestedLine } from '../../domain/ledger/commands.js';
import { receivablesEventSchemas } from '../../domain/receivables/events.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import type { CurrencyCode } from '../../domain/shared/currency.js';
import { isDomainError } from '../../domain/shared/errors.js';
import { formatAmount, storedMinor } from '../../domain/shared/money.js';
import type { EventStore, RecordedEvent } from '../../stores/event-store.js';
import { reactionContext } from '../reaction-context.js';
import type { Reactor } from '../reactor.js';

export const POSTINGS_ACTOR = 'system:receivables-postings';

export const issueEntryId = (invoiceIssuedEventId: string) => `ar-issue-${invoiceIssuedEventId}`;
export const paymentEntryId = (paymentEventId: string) => `ar-payment-${paymentEventId}`;
export const creditNoteEntryId = (creditNoteEventId: string) => `ar-credit-${creditNoteEventId}`;
export const refundEntryId = (refundEventId: string) => `ar-refund-${refundEventId}`;

/** Amounts summed per account, in first-seen order, formatted; zero sums (0 % tax) left out. */
function perAccount(
  amounts: readonly { readonly account: string; readonly amount: string }[],
  currency: string,
): { account: string; amount: string }[] {
  const sums = new Map<string, bigint>();
  for (const { account, amount } of amounts) {
    sums.set(account, (sums.get(account) ?? 0n) + storedMinor(amount, currency));
  }
  return [...sums]
    .filter(([, minor]) => minor !== 0n)
    .map(([account, minor]) => ({
      account,
      amount: formatAmount(minor, currency as CurrencyCode),
    }));
}

export function createLedgerPostingsReactor(deps: {
  readonly ledger: LedgerCommands;
  readonly eventStore: EventStore;
  readonly postingAccounts: PostingAccountCodes;
}): Reactor {
  const { ledger, eventStore, postingAccounts } = deps;

  // Derives the entry's event ids from the source too: a replayed append is a no-op.
  const contextFor = (source: RecordedEvent) => reactionContext(POSTINGS_ACTOR, 'posting', source);

  /** Runs a ledger command; "already done" refusals mean an earlier attempt got there. */
  async function once(command: () => Promise<unknown>, done: readonly string[]): Promise<void> {
    try {
      await command();
    } catch (error) {
      if (isDomainError(error) && done.includes(error.refusal.code)) return;
      throw error;
    }
  }

  return {
    name: 'receivables_ledger_postings',
    eventTypes: [
      'InvoiceIssued',
      'PaymentReceived',
      'InvoiceVoided',
      'CreditNoteIssued',
      'CustomerRefunded',
    ],
    emits: ['JournalEntryPosted', 'JournalEntryReversed'],
    async react(recorded) {
      const event = decodeEventOf(receivablesEventSchemas, recorded);
      const context = contextFor(recorded);
      switch (event.type) {
        case 'InvoiceIssued': {
          const { invoiceId, customerId, currency, issueDate, lines, taxes, total } = event.data;
          const credits = perAccount(
            [
              ...lines.map((line) => ({ account: line.revenueAccount, amount: line.amount })),
              ...(taxes ?? []).map((tax) => ({ account: tax.outputAccount, amount: tax.tax })),
            ],
            currency,
          );
          const entryLines: RequestedLine[] = [
            { account: postingAccounts(currency).receivable, debit: total },
            ...credits.map(({ account, amount }) => ({ account, credit: amount })),
          ];
          await once(
            () =>
              ledger.postJournalEntry(context, {
                type: 'PostJournalEntry',
                entryId: issueEntryId(recorded.id),
                date: issueDate,
                description: `Invoice ${invoiceId} issued to ${customerId}`,
                lines: entryLines,
              }),
            ['JournalEntryAlreadyExists'],
          );
          return;
        }
        case 'PaymentReceived': {
          const { invoiceId, paymentId, amount, currency, receivedOn } = event.data;
          const accounts = postingAccounts(currency);
          await once(
            () =>
              ledger.postJournalEntry(context, {
                type: 'PostJournalEntry',
                entryId: paymentEntryId(recorded.id),
                date: receivedOn,
                description: `Payment ${paymentId} received on invoice ${invoiceId}`,
                lines: [
                  { account: accounts.cash, debit: amount },
                  { account: accounts.receivable, credit: amount },
                ],
              }),
            ['JournalEntryAlreadyExists'],
          );
          return;
        }
        case 'CreditNoteIssued': {
          const { invoiceId, creditNoteId, currency, date, lines, taxes, total } = event.data;
          const debits = perAccount(
            [
              ...lines.map((line) => ({ account: line.revenueAccount, amount: line.amount })),
              ...taxes.map((tax) => ({ account: tax.outputAccount, amount: tax.tax })),
            ],
            currency,
          );
          await once(
            () =>
              ledger.postJournalEntry(context, {
                type: 'PostJournalEntry',
                entryId: creditNoteEntryId(recorded.id),
                date,
                description: `Credit note ${creditNoteId} on invoice ${invoiceId}`,
                lines: [
                  ...debits.map(({ account, amount }) => ({ account, debit: amount })),
                  { account: postingAccounts(currency).receivable, credit: total },
                ],
              }),
            ['JournalEntryAlreadyExists'],
          );
          return;
        }
        case 'CustomerRefunded': {
          const { customerId, refundId, amount, currency, paidOn } = event.data;
          const accounts = postingAccounts(currency);
          await once(
            () =>
              ledger.postJournalEntry(context, {
                type: 'PostJournalEntry',
                entryId: refundEntryId(recorded.id),
                date: paidOn,
                description: `Refund ${refundId} paid to customer ${customerId}`,
                lines: [
                  { account: accounts.receivable, debit: amount },
                  { account: accounts.cash, credit: amount },
                ],
              }),
            ['JournalEntryAlreadyExists'],
          );
          return;
        }
        case 'InvoiceVoided': {
          const { invoiceId, voidedOn, reason } = event.data;
          const [issued] = await eventStore.readStream(receivablesStreams.invoice(invoiceId), {
            maxCount: 1,
          });
          if (issued?.type !== 'InvoiceIssued')
            throw new Error(`Invoice ${invoiceId} has no InvoiceIssued event`);
          await once(
            () =>
              ledger.reverseJournalEntry(context, {
                type: 'ReverseJournalEntry',
                entryId: issueEntryId(issued.id),
                date: voidedOn,
                reason: `Invoice ${invoiceId} voided: ${reason}`,
              }),
            ['JournalEntryAlreadyReversed'],
          );
          return;
        }
        default:
          return;
      }
    },
  };
}
