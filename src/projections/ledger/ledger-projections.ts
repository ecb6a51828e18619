/**
 * The ledger's read models, each a projection of ledger events:
 *
 * - `ledger_accounts`: one document per account with its all-time debits and credits;
 * - `ledger_journal_entries`: one document per journal entry, as `GET` shows it;
 * - `ledger_lines`: one document per line booked to an account (the general ledger);
 * - `ledger_balances`: debits and credits per account and year, month and day, so a balance as
 *   of any date sums at most (years + 12 + 31) documents per account instead of every line; and,
 *   apart, what year-end closing entries booked per account and year (`closing`), which the
 *   income statement and the balance sheet leave out (see `statement-queries.ts`).
 *
 * Amounts are kept as integer minor units in decimal strings: exact, whatever the size, and
 * summed as bigint by the queries.
 */
import {
  ledgerEventSchemas,
  type AccountType,
  type LedgerEvent,
} from '../../domain/ledger/events.js';
import { storedMinor } from '../../domain/shared/money.js';
import {
  add,
  bookedLines,
  bookings,
  entryWrite,
  entryWrites,
  type BookedLine,
} from './ledger-bookings.js';
import { encodePosition } from '../../stores/read-model-store.js';
import { eventDecoder } from '../../domain/shared/event-schemas.js';
import { defineProjection, type Projection } from '../projection.js';
import { evolveJournalEntryView, toLineView, type JournalEntryView } from './journal-entry-view.js';

/**
 * Events that book lines, or take them back: an annulment removes what a posting or reversal
 * stored after its period's close had booked (`JournalEntryAnnulled`); a fiscal year's close
 * books its closing entries, its reopen their reversals. Adding the annulment and the fiscal
 * years to these projections needs no new version: a log without them builds the same documents.
 */
const POSTING_TYPES = [
  'JournalEntryPosted',
  'JournalEntryReversed',
  'JournalEntryAnnulled',
  'FiscalYearClosed',
  'FiscalYearReopened',
] as const;

export interface AccountDocument {
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
  readonly currency: string;
  readonly status: 'open';
  readonly debitsMinor: string;
  readonly creditsMinor: string;
  /** Stream revision of the account's last event: its ETag. */
  readonly revision: number;
}

export interface LedgerLineDocument {
  readonly account: string;
  readonly entryId: string;
  /** A posting books the entry's lines; a reversal books them mirrored. */
  readonly kind: 'posting' | 'reversal';
  readonly date: string;
  readonly description: string;
  readonly side: 'debit' | 'credit';
  readonly amountMinor: string;
  readonly currency: string;
  /** Log position then line number: the order lines of one day were booked in. */
  readonly seq: string;
}

/** `closing`: what the closing entries of year `period` booked (and their reversals took back). */
export type BalanceGranularity = 'year' | 'month' | 'day' | 'closing';

export interface BalanceDocument {
  readonly account: string;
  readonly currency: string;
  readonly granularity: BalanceGranularity;
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; for `closing`, the year closed. */
  readonly period: string;
  /** The period that contains this one (`YYYY` for a month, `YYYY-MM` for a day); `-` for a year. */
  readonly parent: string;
  readonly debitsMinor: string;
  readonly creditsMinor: string;
}

const decode = eventDecoder(ledgerEventSchemas);

const uniqueAccounts = (event: LedgerEvent) => [
  ...new Set(bookedLines(event).map((line) => line.account)),
];

export const accountsProjection = defineProjection({
  name: 'ledger_accounts',
  version: 1,
  eventTypes: ['AccountOpened', ...POSTING_TYPES],
  indexes: [
    { name: 'by_code', fields: [{ field: 'code', direction: 'asc' }] },
    {
      name: 'by_type',
      fields: [
        { field: 'type', direction: 'asc' },
        { field: 'code', direction: 'asc' },
      ],
    },
  ],
  decode,
  documentIds: (event) =>
    event.type === 'AccountOpened' ? [event.data.code] : uniqueAccounts(event),
  evolve(account: AccountDocument | null, event, code) {
    if (event.type === 'AccountOpened') {
      const opened: AccountDocument = {
        code: event.data.code,
        name: event.data.name,
        type: event.data.type,
        currency: event.data.currency,
        status: 'open',
        debitsMinor: '0',
        creditsMinor: '0',
        revision: Number(event.revision),
      };
      return opened;
    }
    // The decider refuses postings to accounts that are not open, so this is a broken log.
    if (!account) throw new Error(`${event.type} books to account ${code}, which was never opened`);
    const lines = bookedLines(event).filter((line) => line.account === code);
    return { ...account, ...add(account, lines) };
  },
});

export const journalEntriesProjection = defineProjection({
  name: 'ledger_journal_entries',
  version: 1,
  eventTypes: [...POSTING_TYPES],
  indexes: [
    {
      name: 'by_date',
      fields: [
        { field: 'date', direction: 'asc' },
        { field: 'id', direction: 'asc' },
      ],
    },
  ],
  decode,
  documentIds: (event) =>
    event.type === 'FiscalYearClosed' || event.type === 'FiscalYearReopened'
      ? event.data.entries.map((entry) => entry.entryId)
      : [event.data.entryId],
  evolve(entry: JournalEntryView | null, event, id): JournalEntryView | null {
    if (event.type === 'FiscalYearClosed') {
      const { entryId, date, description, lines } = entryWrite(event, id);
      return {
        id: entryId,
        date,
        description,
        status: 'posted',
        lines: lines.map(toLineView),
        reversal: null,
        revision: Number(event.revision),
      };
    }
    if (event.type === 'FiscalYearReopened') {
      if (!entry) throw new Error(`Reopen of closing entry ${id}, which was never booked`);
      return {
        ...entry,
        status: 'reversed',
        reversal: { date: entryWrite(event, id).date, reason: event.data.reason },
        revision: Number(event.revision),
      };
    }
    if (event.type === 'JournalEntryAnnulled') {
      // An entry whose posting never counted is not in the ledger; one whose reversal never
      // counted is posted again.
      if (event.data.removed.some((item) => item.kind === 'posting')) return null;
      if (!entry) throw new Error(`Annulment of a journal entry that was never posted`);
      return { ...entry, status: 'posted', reversal: null, revision: Number(event.revision) };
    }
    const view = evolveJournalEntryView(entry ?? undefined, event, event.revision);
    if (!view) throw new Error(`${event.type} for a journal entry that was never posted`);
    return view;
  },
});

/** `<account>|<entry>|<p or r>|<line number>`: one document per booked line. */
function lineDocumentId(account: string, entryId: string, kind: 'p' | 'r', index: number): string {
  return `${account}|${entryId}|${kind}|${index}`;
}

export const ledgerLinesProjection = defineProjection({
  name: 'ledger_lines',
  version: 1,
  eventTypes: [...POSTING_TYPES],
  indexes: [
    {
      name: 'by_account_date',
      fields: [
        { field: 'account', direction: 'asc' },
        { field: 'date', direction: 'asc' },
        { field: 'seq', direction: 'asc' },
      ],
    },
  ],
  decode,
  documentIds(event) {
    if (event.type === 'JournalEntryAnnulled') {
      return event.data.removed.flatMap((item) =>
        item.lines.map((line, index) =>
          lineDocumentId(
            line.account,
            event.data.entryId,
            item.kind === 'posting' ? 'p' : 'r',
            index,
          ),
        ),
      );
    }
    return entryWrites(event).flatMap((write) =>
      write.lines.map((line, index) =>
        lineDocumentId(line.account, write.entryId, write.kind === 'posting' ? 'p' : 'r', index),
      ),
    );
  },
  evolve(_document: LedgerLineDocument | null, event, id) {
    // The lines of a write that never counted are not in the general ledger.
    if (event.type === 'JournalEntryAnnulled') return null;
    // Neither account codes nor entry ids hold a `|`.
    const [, entryId = '', , at = ''] = id.split('|');
    const write = entryWrite(event, entryId);
    const index = Number(at);
    const line = write.lines[index];
    if (!line) throw new Error(`${event.type} has no line ${index} of ${entryId}`);
    const document: LedgerLineDocument = {
      account: line.account,
      entryId,
      kind: write.kind,
      date: write.date,
      description: write.description,
      side: line.side,
      amountMinor: storedMinor(line.amount, line.currency).toString(),
      currency: line.currency,
      seq: lineSeq(event.position, index),
    };
    return document;
  },
});

export function lineSeq(position: bigint, index: number): string {
  return `${encodePosition(position)}.${index.toString().padStart(4, '0')}`;
}

/** The balance documents a line dated `date` adds to: its year, month and day. */
export function balancePeriods(date: string) {
  const year = date.slice(0, 4);
  const month = date.slice(0, 7);
  return [
    { granularity: 'year', period: year, parent: '-' },
    { granularity: 'month', period: month, parent: year },
    { granularity: 'day', period: date, parent: month },
  ] as const satisfies readonly {
    granularity: BalanceGranularity;
    period: string;
    parent: string;
  }[];
}

interface BalancePeriod {
  readonly granularity: BalanceGranularity;
  readonly period: string;
  readonly parent: string;
}

/** Where a closing entry of `year` is kept apart: its id `<account>|closing:<year>`. */
export function closingPeriod(year: string): BalancePeriod {
  return { granularity: 'closing', period: year, parent: '-' };
}

/**
 * What an event books into each balance document it touches (account and period), in the order
 * its bookings, accounts and periods come: worked out once per event, not once per document.
 */
function balanceChanges(
  event: LedgerEvent,
): ReadonlyMap<string, { readonly where: BalancePeriod; readonly lines: BookedLine[] }> {
  let changes = balanceChangesOf.get(event);
  if (changes) return changes;
  changes = new Map();
  for (const { date, lines, closingOf } of bookings(event)) {
    for (const account of new Set(lines.map((line) => line.account))) {
      const booked = lines.filter((line) => line.account === account);
      const periods: BalancePeriod[] = [...balancePeriods(date)];
      if (closingOf !== undefined) periods.push(closingPeriod(closingOf));
      for (const where of periods) {
        const id =
          where.granularity === 'closing'
            ? `${account}|closing:${where.period}`
            : `${account}|${where.period}`;
        const change = changes.get(id);
        if (change) change.lines.push(...booked);
        else changes.set(id, { where, lines: [...booked] });
      }
    }
  }
  balanceChangesOf.set(event, changes);
  return changes;
}

const balanceChangesOf = new WeakMap<
  LedgerEvent,
  Map<string, { readonly where: BalancePeriod; readonly lines: BookedLine[] }>
>();

export const balancesProjection = defineProjection({
  name: 'ledger_balances',
  version: 1,
  eventTypes: [...POSTING_TYPES],
  indexes: [
    {
      name: 'by_period',
      fields: [
        { field: 'granularity', direction: 'asc' },
        { field: 'parent', direction: 'asc' },
        { field: 'period', direction: 'asc' },
      ],
    },
    {
      name: 'by_account_period',
      fields: [
        { field: 'account', direction: 'asc' },
        { field: 'granularity', direction: 'asc' },
        { field: 'parent', direction: 'asc' },
        { field: 'period', direction: 'asc' },
      ],
    },
  ],
  decode,
  documentIds: (event) => [...balanceChanges(event).keys()],
  evolve(document: BalanceDocument | null, event, id): BalanceDocument | null {
    const change = balanceChanges(event).get(id);
    if (!change) throw new Error(`Balance document ${id} is not a period of ${event.type}`);
    const { where, lines } = change;
    const current = document ?? {
      account: lines[0]!.account,
      currency: lines[0]!.currency,
      granularity: where.granularity,
      period: where.period,
      parent: where.parent,
      debitsMinor: '0',
      creditsMinor: '0',
    };
    const next = { ...current, ...add(current, lines) };
    // Taken back to nothing by an annulment: as if never booked, which a rebuild shows too.
    if (
      event.type === 'JournalEntryAnnulled' &&
      next.debitsMinor === '0' &&
      next.creditsMinor === '0'
    ) {
      return null;
    }
    return next;
  },
});

export const ledgerProjections: readonly Projection[] = [
  accountsProjection,
  journalEntriesProjection,
  ledgerLinesProjection,
  balancesProjection,
];
