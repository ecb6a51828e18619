/**
 * Stream names are `<entityType>-<entityId>`, split at the first hyphen, so entity types are
 * camelCase and never contain one. Each ledger record is its own consistency boundary: an
 * account, a journal entry, an accounting period.
 */
export const ledgerStreams = {
  account: (code: string) => `account-${code}`,
  journalEntry: (entryId: string) => `journalEntry-${entryId}`,
  period: (period: string) => `period-${period}`,
} as const;
