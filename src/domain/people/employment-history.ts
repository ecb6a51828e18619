/**
 * An employee's effective-dated terms: those agreed at hire, overlaid by every change from its
 * effective date on. A change may be recorded after changes dated later than it (a correction,
 * a late notice), so what applies on a day is not the last change recorded but the hire's
 * terms overlaid by every change effective on or before that day, ordered by effective date,
 * then by the order recorded. Everything here is derived from that rule.
 *
 * Dates are `YYYY-MM-DD` strings, which compare as they sort.
 */
import { appendOnlyList, type AppendOnlyList } from '../shared/append-only-list.js';
import { addDays, daysBetween, isAccountingDate, type AccountingDate } from '../shared/dates.js';
import type { TermsChanges } from './events.js';

/** The terms of employment in effect on a day. Not personal data. */
export interface EmploymentTerms {
  readonly department: string;
  readonly title: string;
  /** In the employee's currency, with its decimals ("60000.00"): pay for a year at `fte`. */
  readonly annualSalary: string;
  /** Canonical decimal string in (0, 1] ("1", "0.5"); see fte.ts for the exact fraction. */
  readonly fte: string;
  readonly managerId: string | null;
}

/** `future`: before the start date; `terminated`: after the termination date. */
export type EmploymentStatus = 'future' | 'active' | 'terminated';

/** A change as recorded: `sequence` is its place in recording order, from 0. */
export interface RecordedChange {
  readonly sequence: number;
  readonly effectiveDate: string;
  readonly changes: TermsChanges;
  readonly reason: string;
}

export interface EmploymentHistory {
  readonly startDate: string;
  readonly startTerms: EmploymentTerms;
  /** In recording order; grows in O(1) per change (see AppendOnlyList). */
  readonly changes: AppendOnlyList<RecordedChange>;
  /** The last day employed, once a termination is recorded. */
  readonly terminationDate: string | null;
}

/** One stretch of the history with one set of terms; `to` (inclusive) is absent when open. */
export interface EmploymentSegment {
  readonly from: string;
  readonly to?: string;
  readonly terms: EmploymentTerms;
}

/** A stretch of days, both ends inclusive, employed on one set of terms. */
export interface EmployedRange {
  readonly from: string;
  readonly to: string;
  /** Calendar days from `from` to `to`, both counted. */
  readonly days: number;
  readonly terms: EmploymentTerms;
}

/** Anything that holds a history: an employee's state, or the history itself. */
export type HistorySource =
  EmploymentHistory | { readonly history: EmploymentHistory } | { readonly status: 'none' };

export function startHistory(startDate: string, startTerms: EmploymentTerms): EmploymentHistory {
  return {
    startDate,
    startTerms,
    // A list of its own: a shared empty one would keep the first employee's changes alive.
    changes: appendOnlyList((change: RecordedChange) => String(change.sequence)),
    terminationDate: null,
  };
}

export function withChange(
  history: EmploymentHistory,
  change: Omit<RecordedChange, 'sequence'>,
): EmploymentHistory {
  return {
    ...history,
    changes: history.changes.append({ ...change, sequence: history.changes.size }),
  };
}

export function withTermination(
  history: EmploymentHistory,
  terminationDate: string,
): EmploymentHistory {
  return { ...history, terminationDate };
}

/** The recorded changes in the order they apply: by effective date, then as recorded. */
export function orderedChanges(history: EmploymentHistory): RecordedChange[] {
  // Array.prototype.sort is stable, and the list is in recording order.
  return history.changes
    .toArray()
    .sort((a, b) =>
      a.effectiveDate < b.effectiveDate ? -1 : a.effectiveDate > b.effectiveDate ? 1 : 0,
    );
}

/** `terms` with the changed fields replaced. */
export function overlayTerms(terms: EmploymentTerms, changes: TermsChanges): EmploymentTerms {
  return {
    department: changes.department ?? terms.department,
    title: changes.title ?? terms.title,
    annualSalary: changes.annualSalary ?? terms.annualSalary,
    fte: changes.fte ?? terms.fte,
    managerId: changes.managerId !== undefined ? changes.managerId : terms.managerId,
  };
}

export function sameTerms(a: EmploymentTerms, b: EmploymentTerms): boolean {
  return (
    a.department === b.department &&
    a.title === b.title &&
    a.annualSalary === b.annualSalary &&
    a.fte === b.fte &&
    a.managerId === b.managerId
  );
}

/**
 * The whole employment as maximal stretches of equal terms, in date order, from the start
 * date to the termination date (the last stretch is open until a termination is recorded).
 * Two changes on one date make one stretch, and a change that brings back the terms in
 * effect before it makes none of its own.
 */
export function historySegments(history: EmploymentHistory): EmploymentSegment[] {
  const { startDate, terminationDate } = history;
  const closed: { from: string; to: string; terms: EmploymentTerms }[] = [];
  let from = startDate;
  let terms = history.startTerms;
  for (const change of orderedChanges(history)) {
    // The decider refuses changes outside the employment; here they are merely kept out of it.
    if (terminationDate !== null && change.effectiveDate > terminationDate) break;
    const next = overlayTerms(terms, change.changes);
    if (change.effectiveDate > from && !sameTerms(next, terms)) {
      const last = closed.at(-1);
      const to = addDays(change.effectiveDate as AccountingDate, -1);
      if (last !== undefined && sameTerms(last.terms, terms)) last.to = to;
      else closed.push({ from, to, terms });
      from = change.effectiveDate;
    }
    terms = next;
  }
  const last = closed.at(-1);
  const open: EmploymentSegment =
    terminationDate === null ? { from, terms } : { from, to: terminationDate, terms };
  if (last !== undefined && sameTerms(last.terms, terms)) {
    closed.pop();
    return [...closed, { ...open, from: last.from }];
  }
  return [...closed, open];
}

/** Whether the person is employed on `date`, and the terms of the nearest day employed. */
export function historyAsOf(
  history: EmploymentHistory,
  date: string,
): { readonly status: EmploymentStatus; readonly terms: EmploymentTerms } {
  const segments = historySegments(history);
  if (date < history.startDate) return { status: 'future', terms: segments[0]!.terms };
  if (history.terminationDate !== null && date > history.terminationDate) {
    return { status: 'terminated', terms: segments.at(-1)!.terms };
  }
  const segment = segments.find((each) => each.to === undefined || date <= each.to)!;
  return { status: 'active', terms: segment.terms };
}

/**
 * The stretches within `from`..`to` (inclusive) in which the person is employed (start date to
 * termination date) on one set of terms, in order, each as long as it can be: they cover the
 * days employed in the range exactly once, and two neighbours always differ in their terms.
 * Empty when the person is not employed on any day of the range, or has no history.
 */
export function segmentsWithin(source: HistorySource, from: string, to: string): EmployedRange[] {
  if (!isAccountingDate(from) || !isAccountingDate(to)) {
    throw new RangeError(`segmentsWithin needs two calendar dates, not ${from} and ${to}`);
  }
  const history = historyOf(source);
  if (history === undefined) return [];
  const ranges: EmployedRange[] = [];
  for (const segment of historySegments(history)) {
    const start = segment.from > from ? segment.from : from;
    const end = segment.to === undefined || segment.to > to ? to : segment.to;
    if (start > end) continue;
    ranges.push({
      from: start,
      to: end,
      days: daysBetween(start as AccountingDate, end as AccountingDate) + 1,
      terms: segment.terms,
    });
  }
  return ranges;
}

function historyOf(source: HistorySource): EmploymentHistory | undefined {
  if ('startTerms' in source) return source;
  if ('history' in source) return source.history;
  return undefined;
}
