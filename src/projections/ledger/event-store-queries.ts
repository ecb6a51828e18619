import { evolveAccount, initialAccountState } from '../../domain/ledger/account.js';
import {
  ledgerEventSchemas,
  type AccountType,
  type LedgerEvent,
  type PostedLine,
} from '../../domain/ledger/events.js';
import { ledgerStreams } from '../../domain/ledger/streams.js';
import { isCurrencyCode } from '../../domain/shared/currency.js';
import { formatAmount, parseAmount } from '../../domain/shared/money.js';
import { toDomainEvent } from '../../commands/pipeline.js';
import type { EventStore, RecordedEvent } from '../../stores/event-store.js';

/**
 * Ledger queries answered straight from the event store. They fold streams and scan the log on
 * every call, which is exact but O(log size): the projections issue replaces them with read
 * models behind the same shapes.
 */
export interface AccountView {
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
  readonly currency: string;
  readonly status: 'open';
  /** Decimal strings in the account's currency. */
  readonly debits: string;
  readonly credits: string;
  /** debits − credits, signed. */
  readonly balance: string;
  readonly revision: bigint;
}

export type JournalLineView =
  | { readonly account: string; readonly debit: string; readonly currency: string }
  | { readonly account: string; readonly credit: string; readonly currency: string };

export interface JournalEntryView {
  readonly id: string;
  readonly date: string;
  readonly description: string;
  readonly status: 'posted' | 'reversed';
  readonly lines: readonly JournalLineView[];
  readonly reversal: { readonly date: string; readonly reason: string } | null;
  readonly revision: bigint;
  readonly position: bigint;
}

const PAGE = 1000;

export function createLedgerQueries(eventStore: EventStore) {
  const decode = (event: RecordedEvent) => toDomainEvent<LedgerEvent>(ledgerEventSchemas, event);

  return {
    async getAccount(code: string): Promise<AccountView | undefined> {
      const stream = await eventStore.readStream(ledgerStreams.account(code));
      const state = stream.map(decode).reduce(evolveAccount, initialAccountState);
      if (state.status === 'none' || !isCurrencyCode(state.currency)) return undefined;
      const currency = state.currency;

      let debits = 0n;
      let credits = 0n;
      for (let after = 0n; ;) {
        const page = await eventStore.readAll({
          after,
          maxCount: PAGE,
          filter: { eventTypes: ['JournalEntryPosted', 'JournalEntryReversed'] },
        });
        for (const recorded of page) {
          const event = decode(recorded);
          if (event.type !== 'JournalEntryPosted' && event.type !== 'JournalEntryReversed')
            continue;
          for (const line of event.data.lines) {
            if (line.account !== code) continue;
            const amount = parseAmount(line.amount, currency);
            if (!amount.ok) throw new Error(`Stored amount ${line.amount} is not ${currency}`);
            if (line.side === 'debit') debits += amount.minor;
            else credits += amount.minor;
          }
        }
        if (page.length < PAGE) break;
        after = page.at(-1)!.position;
      }
      return {
        code: state.code,
        name: state.name,
        type: state.type,
        currency,
        status: state.status,
        debits: formatAmount(debits, currency),
        credits: formatAmount(credits, currency),
        balance: formatAmount(debits - credits, currency),
        revision: BigInt(stream.length - 1),
      };
    },

    async getJournalEntry(entryId: string): Promise<JournalEntryView | undefined> {
      return journalEntryView(await eventStore.readStream(ledgerStreams.journalEntry(entryId)));
    },
  };
}

export type LedgerQueries = ReturnType<typeof createLedgerQueries>;

/** A journal entry as its stream tells it; undefined for a stream with no posting. */
export function journalEntryView(stream: readonly RecordedEvent[]): JournalEntryView | undefined {
  let view: JournalEntryView | undefined;
  for (const recorded of stream) {
    const event = toDomainEvent<LedgerEvent>(ledgerEventSchemas, recorded);
    if (event.type === 'JournalEntryPosted') {
      view = {
        id: event.data.entryId,
        date: event.data.date,
        description: event.data.description,
        status: 'posted',
        lines: event.data.lines.map(toLineView),
        reversal: null,
        revision: recorded.revision,
        position: recorded.position,
      };
    } else if (event.type === 'JournalEntryReversed' && view) {
      view = {
        ...view,
        status: 'reversed',
        reversal: { date: event.data.date, reason: event.data.reason },
        revision: recorded.revision,
        position: recorded.position,
      };
    }
  }
  return view;
}

export function toLineView(line: PostedLine): JournalLineView {
  return line.side === 'debit'
    ? { account: line.account, debit: line.amount, currency: line.currency }
    : { account: line.account, credit: line.amount, currency: line.currency };
}
