import { z } from 'zod';

/**
 * Ledger events as stored. Amounts are decimal strings with their currency (the wire form of
 * Money), so a stored event reads the same to an auditor as to the code.
 */
export const accountTypes = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type AccountType = (typeof accountTypes)[number];

const postedLine = z.strictObject({
  account: z.string().describe('Code of the account the line books to.'),
  side: z.enum(['debit', 'credit']).describe('The side of the account the amount is booked on.'),
  amount: z
    .string()
    .describe(
      'Positive decimal string with exactly the decimals of the currency (`"100.00"` in EUR, `"100"` in JPY).',
    ),
  currency: z.string().describe("The account's currency, ISO 4217."),
});
export type PostedLine = z.infer<typeof postedLine>;

/** A year-end closing entry as the year's close books it. */
const closingEntry = z.strictObject({
  entryId: z.string().describe('`closing:<YYYY>:<currency>:<close>`, an id no posting may take.'),
  currency: z.string().describe('The one currency of its lines.'),
  date: z.string().describe('December 31 of the year closed.'),
  description: z.string().describe('What the entry is for.'),
  netIncome: z
    .string()
    .describe(
      "The year's net income in the currency (revenue − expenses), signed: what retained earnings is credited with.",
    ),
  lines: z
    .array(postedLine)
    .min(2)
    .describe(
      "Each revenue and expense account's movement of the year on the other side, and the net on the retained earnings account.",
    ),
});
export type ClosingEntry = z.infer<typeof closingEntry>;

export const ledgerEventSchemas = {
  AccountOpened: z
    .strictObject({
      code: z
        .string()
        .describe(
          'The account code, unique in the chart: 1-32 letters, digits, `.`, `_` or `-`, starting with a letter or digit.',
        ),
      name: z.string().describe("The account's name."),
      type: z.enum(accountTypes).describe('The kind of account.'),
      currency: z.string().describe('ISO 4217 code: every line booked to the account is in it.'),
    })
    .describe('An account was opened in the chart of accounts.'),
  JournalEntryPosted: z
    .strictObject({
      entryId: z.string().describe("The entry's id, given by the caller or generated."),
      date: z
        .string()
        .describe('Accounting date, `YYYY-MM-DD`: the period the entry is booked in.'),
      description: z.string().describe('What the entry is for, as the caller wrote it.'),
      lines: z
        .array(postedLine)
        .min(2)
        .describe('What the entry books: per currency, the debits equal the credits.'),
    })
    .describe('A balanced journal entry was booked.'),
  JournalEntryReversed: z
    .strictObject({
      entryId: z.string().describe('The entry reversed.'),
      date: z
        .string()
        .describe("Accounting date of the reversal, `YYYY-MM-DD`; not before the entry's own."),
      reason: z.string().describe('Why, as the caller wrote it.'),
      lines: z
        .array(postedLine)
        .min(2)
        .describe(
          "The mirrored lines the reversal books: each of the entry's lines on the other side.",
        ),
    })
    .describe('A posted entry was reversed. An entry is reversed once.'),
  PeriodClosed: z
    .strictObject({
      period: z.string().describe('The month closed, `YYYY-MM`.'),
    })
    .describe(
      'A month was closed, and with it every earlier month: the lock date is now its last day, and nothing dated on or before it can be posted. Appended to the one lock stream of the ledger.',
    ),
  PeriodReopened: z
    .strictObject({
      period: z.string().describe('The month reopened, `YYYY-MM`.'),
      reason: z.string().describe('Why, as the admin gave it.'),
    })
    .describe(
      "A closed month was reopened, and with it every later month: the lock date moved back to the last day of the month before. Who did it is the event's actor.",
    ),
  FiscalYearClosed: z
    .strictObject({
      year: z
        .string()
        .describe('The fiscal year closed, `YYYY` (fiscal years are calendar years).'),
      close: z
        .number()
        .int()
        .positive()
        .describe('Which close of the year this is: 1, then 2 after a reopen, and so on.'),
      entries: z
        .array(closingEntry)
        .describe(
          'The closing entries it books, one per currency with revenue or expense movement in the year; none when there was none.',
        ),
    })
    .describe(
      "A fiscal year was closed: its closing entries move every revenue and expense account's movement of the year into retained earnings, dated December 31. Appended to the lock stream; the year's months cannot be reopened until the year is. Who did it is the event's actor.",
    ),
  FiscalYearReopened: z
    .strictObject({
      year: z.string().describe('The fiscal year reopened, `YYYY`.'),
      reason: z.string().describe('Why, as the admin gave it.'),
      entries: z
        .array(
          z.strictObject({
            entryId: z.string().describe('The closing entry reversed.'),
            date: z.string().describe("December 31 of the year: the closing entry's own date."),
            lines: z
              .array(postedLine)
              .min(2)
              .describe("The closing entry's lines mirrored, each on the other side."),
          }),
        )
        .describe("The reversals of the year's closing entries, one per closing entry."),
    })
    .describe(
      "A closed fiscal year was reopened: its closing entries are reversed on their own date, and its months can be reopened again. Who did it is the event's actor.",
    ),
  // `removed` is what the late write had booked, so read models take exactly that back out.
  JournalEntryAnnulled: z
    .strictObject({
      entryId: z.string().describe('The entry whose late writes never counted.'),
      period: z.string().describe('The closed period, `YYYY-MM`, the late write was dated in.'),
      closedAt: z
        .string()
        .describe("The global position of that period's close, as a decimal string."),
      reason: z.string().describe('Why, for people reading the history.'),
      removed: z
        .array(
          z.strictObject({
            kind: z.enum(['posting', 'reversal']).describe('Which of the writes it takes back.'),
            date: z.string().describe("The write's accounting date, `YYYY-MM-DD`."),
            lines: z.array(postedLine).min(2).describe('The lines that write had booked.'),
          }),
        )
        .min(1)
        .describe('What is taken back: a posting that never counted takes its reversal with it.'),
    })
    .describe(
      "The entry's posting, or its reversal, reached the log after its period's close (a close and a posting racing on two instances): it never counted. Appended by the period guard reactor (`system:ledger-period-guard`).",
    ),
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
export type PeriodReopened = Extract<LedgerEvent, { type: 'PeriodReopened' }>;
export type JournalEntryAnnulled = Extract<LedgerEvent, { type: 'JournalEntryAnnulled' }>;
export type FiscalYearClosed = Extract<LedgerEvent, { type: 'FiscalYearClosed' }>;
export type FiscalYearReopened = Extract<LedgerEvent, { type: 'FiscalYearReopened' }>;
