import type { AccountType } from './events.js';

export interface OpenAccount {
  readonly type: 'OpenAccount';
  readonly code: string;
  readonly name: string;
  readonly accountType: AccountType;
  readonly currency: string;
}

/** A line as requested: exactly one of `debit` or `credit`, a positive decimal string. */
export interface RequestedLine {
  readonly account: string;
  readonly debit?: string;
  readonly credit?: string;
}

export interface PostJournalEntry {
  readonly type: 'PostJournalEntry';
  readonly entryId: string;
  readonly date: string;
  readonly description: string;
  readonly lines: readonly RequestedLine[];
  /**
   * The module whose subledger the entry belongs to, set by its postings reactor; absent for a
   * manual entry (the journal-entry routes). It decides which control accounts the entry may
   * book: a manual entry none, a subledger its own.
   */
  readonly subledger?: string;
}

export interface ReverseJournalEntry {
  readonly type: 'ReverseJournalEntry';
  readonly entryId: string;
  readonly date: string;
  readonly reason: string;
  /** As for `PostJournalEntry`: the subledger reversing its own entry; absent by hand. */
  readonly subledger?: string;
}

/** Takes back what the entry booked after its period's close (see `LateWrites`). */
export interface AnnulLateWrites {
  readonly type: 'AnnulLateWrites';
  readonly entryId: string;
}

/** Locks the ledger through the end of `period`: that month and every earlier one. */
export interface ClosePeriod {
  readonly type: 'ClosePeriod';
  readonly period: string;
}

/** Moves the lock date back to the end of the month before `period`. */
export interface ReopenPeriod {
  readonly type: 'ReopenPeriod';
  readonly period: string;
  readonly reason: string;
}

/** Closes fiscal year `year` (`YYYY`): posts its closing entries to retained earnings. */
export interface CloseFiscalYear {
  readonly type: 'CloseFiscalYear';
  readonly year: string;
}

/** Reverses the closing entries of fiscal year `year`, so that its months can be reopened. */
export interface ReopenFiscalYear {
  readonly type: 'ReopenFiscalYear';
  readonly year: string;
  readonly reason: string;
}

export type LedgerCommand =
  | OpenAccount
  | PostJournalEntry
  | ReverseJournalEntry
  | AnnulLateWrites
  | ClosePeriod
  | ReopenPeriod
  | CloseFiscalYear
  | ReopenFiscalYear;
