/**
 * Posts accounts receivable to the general ledger:
 *
 * - `InvoiceIssued`: debit receivable with the total, credit each revenue account with its lines;
 * - `PaymentReceived`: debit cash, credit receivable;
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
    eventTypes: ['InvoiceIssued', 'PaymentReceived', 'InvoiceVoided'],
    emits: ['JournalEntryPosted', 'JournalEntryReversed'],
    async react(recorded) {
      const event = decodeEventOf(receivablesEventSchemas, recorded);
      const context = contextFor(recorded);
      switch (event.type) {
        case 'InvoiceIssued': {
          const { invoiceId, customerId, currency, issueDate, lines, total } = event.data;
          const revenue = new Map<string, bigint>();
          for (const line of lines) {
            revenue.set(
              line.revenueAccount,
              (revenue.get(line.revenueAccount) ?? 0n) + storedMinor(line.amount, currency),
            );
          }
          const entryLines: RequestedLine[] = [
            { account: postingAccounts(currency).receivable, debit: total },
            ...[...revenue].map(([account, amount]) => ({
              account,
              credit: formatAmount(amount, currency as CurrencyCode),
            })),
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
