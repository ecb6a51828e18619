import { z } from 'zod';

/**
 * Ledger events as stored. Amounts are decimal strings with their currency (the wire form of
 * Money), so a stored event reads the same to an auditor as to the code.
 */
export const accountTypes = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type AccountType = (typeof accountTypes)[number];

const postedLine = z.strictObject({
  account: z.string(),
  side: z.enum(['debit', 'credit']),
  amount: z.string(),
  currency: z.string(),
});
export type PostedLine = z.infer<typeof postedLine>;

export const ledgerEventSchemas = {
  AccountOpened: z.strictObject({
    code: z.string(),
    name: z.string(),
    type: z.enum(accountTypes),
    currency: z.string(),
  }),
  JournalEntryPosted: z.strictObject({
    entryId: z.string(),
    date: z.string(),
    description: z.string(),
    lines: z.array(postedLine).min(2),
  }),
  JournalEntryReversed: z.strictObject({
    entryId: z.string(),
    date: z.string(),
    reason: z.string(),
    /** The mirrored lines the reversal books. */
    lines: z.array(postedLine).min(2),
  }),
  PeriodClosed: z.strictObject({
    period: z.string(),
  }),
  /**
   * The entry's posting, or its reversal, reached the log after its period's close (a close
   * and a posting racing on two instances): it never counted. `removed` is what it had booked,
   * so read models take exactly that back out.
   */
  JournalEntryAnnulled: z.strictObject({
    entryId: z.string(),
    /** The closed period the late write was dated in, and its close's global position. */
    period: z.string(),
    closedAt: z.string(),
    reason: z.string(),
    /** A posting that never counted takes its reversal with it. */
    removed: z
      .array(
        z.strictObject({
          kind: z.enum(['posting', 'reversal']),
          date: z.string(),
          lines: z.array(postedLine).min(2),
        }),
      )
      .min(1),
  }),
} as const;

type Schemas = typeof ledgerEventSchemas;
export type LedgerEventType = keyof Schemas;
export type LedgerEvent = {
  [K in LedgerEventType]: { readonly type: K; readonly data: z.infer<Schemas[K]> };
}[LedgerEventType];

export type AccountOpened = Extract<LedgerEvent, { type: 'AccountOpened' }>;
export type JournalEntryPosted = Extract<LedgerEvent, { type: 'JournalEntryPosted' }>;
export type JournalEntryReversed = Extract<LedgerEvent, { type: 'JournalEntryReversed' }>;
export type PeriodClosed = Extract<LedgerEvent, { type: 'PeriodClosed' }>;
export type JournalEntryAnnulled = Extract<LedgerEvent, { type: 'JournalEntryAnnulled' }>;
