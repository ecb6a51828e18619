/**
 * Fiscal years as the lock stream knows them (a fiscal year is a calendar year): which were
 * closed, how often, and with which closing entries. The lock stream folds this beside the lock
 * date, so a month's reopen and a year's close are decided against each other, one at a time.
 */
import { refuse, refuseInvalid } from '../shared/errors.js';
import type { ClosingEntry, LedgerEvent } from './events.js';

/** The first fiscal year that can be closed, as for months. */
export const FIRST_CLOSABLE_FISCAL_YEAR = 1900;

export interface FiscalYearState {
  readonly status: 'closed' | 'reopened';
  /** How many times the year has been closed: the next close is number `closes + 1`. */
  readonly closes: number;
  /** The closing entries of its last close: what a reopen reverses. */
  readonly entries: readonly ClosingEntry[];
}

/** Every year ever closed, by `YYYY`. */
export type FiscalYears = ReadonlyMap<string, FiscalYearState>;

export function isFiscalYear(value: string): boolean {
  return /^\d{4}$/.test(value) && Number(value) >= FIRST_CLOSABLE_FISCAL_YEAR;
}

export function refuseUnlessFiscalYear(year: string): void {
  if (isFiscalYear(year)) return;
  refuseInvalid('InvalidFiscalYear', [
    { path: 'year', message: `must be a year, YYYY, of ${FIRST_CLOSABLE_FISCAL_YEAR} or later` },
  ]);
}

/** The latest closed year that is `year` or later, if any. */
export function closedYearFrom(years: FiscalYears, year: string): string | undefined {
  let latest: string | undefined;
  for (const [closed, state] of years) {
    if (state.status === 'closed' && closed >= year && (latest === undefined || closed > latest)) {
      latest = closed;
    }
  }
  return latest;
}

/**
 * Reopening a month reopens every later one, so it is refused while the month's year or any
 * later year is closed: a closed year's months stay closed until the year is reopened.
 */
export function refuseIfFiscalYearClosed(years: FiscalYears, period: string): void {
  const closed = closedYearFrom(years, period.slice(0, 4));
  if (closed === undefined) return;
  refuse({
    kind: 'conflict',
    code: 'FiscalYearClosed',
    message:
      closed === period.slice(0, 4)
        ? `Fiscal year ${closed} is closed: reopen the year before reopening ${period}`
        : `Fiscal year ${closed} is closed, and reopening ${period} would reopen its months: reopen the year first`,
  });
}

const CLOSING_PREFIX = 'closing:';

/** A closing entry's id: from its year, currency and the year's close it belongs to. */
export function closingEntryId(year: string, currency: string, close: number): string {
  return `${CLOSING_PREFIX}${year}:${currency}:${close}`;
}

export function isClosingEntryId(entryId: string): boolean {
  return entryId.startsWith(CLOSING_PREFIX);
}

/** No posting may take a closing entry's id: the read models would hold both under one id. */
export function refuseClosingEntryIdForPosting(entryId: string): void {
  if (!isClosingEntryId(entryId)) return;
  refuseInvalid('InvalidJournalEntry', [
    {
      path: 'entryId',
      message: `ids beginning "${CLOSING_PREFIX}" are kept for year-end closing entries`,
    },
  ]);
}

/** A closing entry is reversed by reopening its year, never by hand. */
export function refuseReversalOfClosingEntry(entryId: string): void {
  if (!isClosingEntryId(entryId)) return;
  refuse({
    kind: 'conflict',
    code: 'ClosingEntry',
    message: `${entryId} is a year-end closing entry: it is reversed by reopening its fiscal year (POST /v1/ledger/fiscal-years/{year}/reopen), not by hand`,
  });
}

export function evolveFiscalYears(years: FiscalYears, event: LedgerEvent): FiscalYears {
  if (event.type === 'FiscalYearClosed') {
    const next = new Map(years);
    next.set(event.data.year, {
      status: 'closed',
      closes: event.data.close,
      entries: event.data.entries,
    });
    return next;
  }
  if (event.type === 'FiscalYearReopened') {
    const before = years.get(event.data.year);
    if (!before) return years;
    const next = new Map(years);
    next.set(event.data.year, { ...before, status: 'reopened' });
    return next;
  }
  return years;
}
