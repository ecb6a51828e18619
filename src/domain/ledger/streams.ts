import type { LedgerEventType } from './events.js';

/**
 * Stream names are `<entityType>-<entityId>`, split at the first hyphen, so entity types are
 * camelCase and never contain one. Each ledger record is its own consistency boundary: an
 * account, a journal entry, and the ledger's lock date (one stream for every close and reopen
 * of a month or a fiscal year, so the lock date and the closed years are decided in one place).
 */
export const ledgerStreams = {
  account: (code: string) => `account-${code}`,
  journalEntry: (entryId: string) => `journalEntry-${entryId}`,
  periodLock: 'periodLock-ledger',
  /** Where closes were stored before the lock date: one stream per month, still read. */
  legacyPeriod: (period: string) => `period-${period}`,
} as const;

/** The stream each event type is appended to, with placeholders for its ids. */
export const ledgerEventStreams = {
  AccountOpened: ledgerStreams.account('<code>'),
  JournalEntryPosted: ledgerStreams.journalEntry('<entryId>'),
  JournalEntryReversed: ledgerStreams.journalEntry('<entryId>'),
  PeriodClosed: ledgerStreams.periodLock,
  PeriodReopened: ledgerStreams.periodLock,
  JournalEntryAnnulled: ledgerStreams.journalEntry('<entryId>'),
  FiscalYearClosed: ledgerStreams.periodLock,
  FiscalYearReopened: ledgerStreams.periodLock,
} as const satisfies Record<LedgerEventType, string>;
