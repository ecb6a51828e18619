/**
 * What each ledger event books, worked out once per event for every projection that needs it: the
 * lines in minor units by date (an annulment's negated, a closing entry's marked with its year),
 * and the journal entry writes it stores (a posting, a reversal, or a fiscal year's closing
 * entries and their reversals).
 */
import type { LedgerEvent, PostedLine } from '../../domain/ledger/events.js';
import { storedMinor } from '../../domain/shared/money.js';

export interface BookedLine {
  readonly account: string;
  readonly side: 'debit' | 'credit';
  readonly minor: bigint;
  readonly currency: string;
}

const toBooked = (line: PostedLine, sign: 1n | -1n): BookedLine => ({
  account: line.account,
  side: line.side,
  minor: sign * storedMinor(line.amount, line.currency),
  currency: line.currency,
});

/**
 * What an event books, by date, with amounts in minor units: an annulment books its removed
 * lines negated. None for events that book nothing.
 */
export function bookings(event: LedgerEvent): readonly Booking[] {
  // Asked of one event by every document it touches: its amounts are parsed once.
  let booked = bookingsOf.get(event);
  if (!booked) {
    booked = bookingsFrom(event);
    bookingsOf.set(event, booked);
  }
  return booked;
}

export interface Booking {
  readonly date: string;
  readonly lines: BookedLine[];
  /** Set for a closing entry or its reversal: the fiscal year closed. */
  readonly closingOf?: string;
}

const bookingsOf = new WeakMap<LedgerEvent, readonly Booking[]>();

function bookingsFrom(event: LedgerEvent): Booking[] {
  switch (event.type) {
    case 'JournalEntryPosted':
    case 'JournalEntryReversed':
      return [{ date: event.data.date, lines: event.data.lines.map((l) => toBooked(l, 1n)) }];
    case 'JournalEntryAnnulled':
      return event.data.removed.map((item) => ({
        date: item.date,
        lines: item.lines.map((l) => toBooked(l, -1n)),
      }));
    case 'FiscalYearClosed':
    case 'FiscalYearReopened':
      return event.data.entries.map((entry) => ({
        date: entry.date,
        lines: entry.lines.map((l) => toBooked(l, 1n)),
        closingOf: event.data.year,
      }));
    default:
      return [];
  }
}

/** The journal entry writes an event stores, each with its lines as booked. */
export interface EntryWrite {
  readonly entryId: string;
  readonly kind: 'posting' | 'reversal';
  readonly date: string;
  readonly description: string;
  readonly lines: readonly PostedLine[];
}

export type WritingEvent = Extract<
  LedgerEvent,
  {
    type: 'JournalEntryPosted' | 'JournalEntryReversed' | 'FiscalYearClosed' | 'FiscalYearReopened';
  }
>;

export function entryWrites(event: WritingEvent): EntryWrite[] {
  switch (event.type) {
    case 'JournalEntryPosted':
      return [{ ...event.data, kind: 'posting' }];
    case 'JournalEntryReversed':
      return [{ ...event.data, kind: 'reversal', description: `Reversal: ${event.data.reason}` }];
    case 'FiscalYearClosed':
      return event.data.entries.map((entry) => ({ ...entry, kind: 'posting' }));
    case 'FiscalYearReopened':
      return event.data.entries.map((entry) => ({
        ...entry,
        kind: 'reversal',
        description: `Reversal: ${event.data.reason}`,
      }));
  }
}

export function entryWrite(event: WritingEvent, entryId: string): EntryWrite {
  const write = entryWrites(event).find((candidate) => candidate.entryId === entryId);
  if (!write) throw new Error(`${event.type} writes no journal entry ${entryId}`);
  return write;
}

export function bookedLines(event: LedgerEvent): BookedLine[] {
  return bookings(event).flatMap((booking) => booking.lines);
}

export function add(
  totals: { readonly debitsMinor: string; readonly creditsMinor: string },
  lines: readonly BookedLine[],
) {
  let debits = BigInt(totals.debitsMinor);
  let credits = BigInt(totals.creditsMinor);
  for (const line of lines) {
    if (line.side === 'debit') debits += line.minor;
    else credits += line.minor;
  }
  return { debitsMinor: debits.toString(), creditsMinor: credits.toString() };
}
