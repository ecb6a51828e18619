/** The journal entries' routes: post, list, read and reverse. */
import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import type { IdGenerator } from '../../commands/ids.js';
import type { LedgerCommands } from '../../commands/ledger/ledger-commands.js';
import type { JournalEntryState } from '../../domain/ledger/journal-entry.js';
import {
  journalEntryViewOf,
  type JournalEntryView,
} from '../../projections/ledger/journal-entry-view.js';
import { LEDGER_READ_MODELS, type LedgerQueries } from '../../projections/ledger/ledger-queries.js';
import { commandRoute, listRoute, newRecordId, recordRoute } from '../route-builders.js';
import { commandContext, type RouteSpec } from '../route.js';
import { accountCode, accountingDate, decimalAmount, recordId, text } from '../schemas.js';

const lineResponse = z.union([
  z.object({ account: z.string(), debit: z.string(), currency: z.string() }),
  z.object({ account: z.string(), credit: z.string(), currency: z.string() }),
]);

const journalEntryResponse = z.object({
  id: z.string(),
  date: z.string(),
  description: z.string(),
  status: z.enum(['posted', 'reversed']),
  lines: z.array(lineResponse),
  reversal: z.object({ date: z.string(), reason: z.string() }).nullable(),
});

export const dateRangeQuery = {
  from: accountingDate.optional().describe('Only lines dated on or after this day'),
  to: accountingDate.optional().describe('Only lines dated on or before this day'),
};

const requestedLine = z
  .strictObject({
    account: accountCode,
    debit: decimalAmount.optional(),
    credit: decimalAmount.optional(),
  })
  .superRefine((line, ctx) => {
    if ((line.debit === undefined) === (line.credit === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of debit or credit' });
    }
  })
  .meta({ oneOf: [{ required: ['debit'] }, { required: ['credit'] }] });

const READ_SCOPES = ['reports:read', 'finance:write'] as const;

export function journalEntryRoutes({
  commands,
  queries,
  ids,
}: {
  readonly commands: LedgerCommands;
  readonly queries: LedgerQueries;
  readonly ids: IdGenerator;
}): RouteSpec[] {
  const entryResource = (view: JournalEntryView) => ({
    id: view.id,
    date: view.date,
    description: view.description,
    status: view.status,
    lines: view.lines,
    reversal: view.reversal,
  });
  const entryAfterWrite = (result: CommandResult<JournalEntryState>) => {
    if (result.state.status === 'none') {
      throw new Error(`No journal entry in ${result.streamId} after a write`);
    }
    return entryResource(journalEntryViewOf(result.state, result.revision));
  };
  const entryUrl = (entryId: string) => `/v1/ledger/journal-entries/${encodeURIComponent(entryId)}`;

  return [
    listRoute({
      path: '/v1/ledger/journal-entries',
      operationId: 'listJournalEntries',
      summary: 'Journal entries in date order',
      tag: 'ledger',
      scopes: READ_SCOPES,
      filters: z.strictObject({
        ...dateRangeQuery,
        status: z.enum(['posted', 'reversed']).optional(),
      }),
      readModels: LEDGER_READ_MODELS.journalEntries,
      item: journalEntryResponse,
      pageDescription: 'A page of journal entries',
      async handle({ query }) {
        const result = await queries.listJournalEntries(query);
        return { items: result.items.map(entryResource), nextCursor: result.nextCursor };
      },
    }),

    commandRoute({
      path: '/v1/ledger/journal-entries',
      operationId: 'postJournalEntry',
      summary: 'Post a balanced journal entry',
      description:
        'Each line names an account and exactly one of debit or credit, in the account currency. Debits must equal credits per currency; the date must not fall in a closed period; no line may book to a control account (`controlledBy` on the account): those are posted by their subledger only.',
      tag: 'ledger',
      scopes: ['finance:write'],
      body: z.strictObject({
        entryId: recordId.optional().describe('Your id for the entry; generated when absent'),
        date: accountingDate,
        description: text(500, { blank: 'allowed', lines: 'many' }),
        lines: z.array(requestedLine).min(2).max(500),
      }),
      success: { status: 201, description: 'Posted', schema: journalEntryResponse },
      invalid:
        '`invalid-journal-entry`: debits and credits differ in a currency, a line names an account that does not exist, or an amount has more decimals than its account currency allows',
      conflict: 'Refused: closed period, entry id taken, account not open, control account',
      async handle({ body, context }) {
        const entryId = newRecordId(ids, 'journal-entry', body.entryId, context);
        const result = await commands.postJournalEntry(commandContext(context), {
          type: 'PostJournalEntry',
          entryId,
          date: body.date,
          description: body.description,
          lines: body.lines,
        });
        return { result, location: entryUrl(entryId), body: entryAfterWrite(result) };
      },
    }),

    recordRoute({
      path: '/v1/ledger/journal-entries/{id}',
      operationId: 'getJournalEntry',
      summary: 'A journal entry with its lines and reversal, if any',
      tag: 'ledger',
      scopes: READ_SCOPES,
      params: z.strictObject({ id: recordId }),
      readModels: LEDGER_READ_MODELS.journalEntries,
      response: { description: 'The entry', schema: journalEntryResponse },
      notFound: {
        description: 'No such entry',
        detail: ({ id }) => `Journal entry ${id} does not exist`,
      },
      async handle({ params }) {
        const view = await queries.getJournalEntry(params.id);
        return view && { body: entryResource(view), revision: view.revision };
      },
    }),

    commandRoute({
      path: '/v1/ledger/journal-entries/{id}/reversal',
      operationId: 'reverseJournalEntry',
      summary: 'Reverse a journal entry (once), booking its lines mirrored on the given date',
      description:
        'An entry that books to a control account (as every posting of a subledger does: an invoice, a payroll accrual, a stock movement) is not reversed here: correct it through its subledger.',
      tag: 'ledger',
      scopes: ['finance:write'],
      params: z.strictObject({ id: recordId }),
      body: z.strictObject({
        date: accountingDate,
        reason: text(500, { lines: 'many' }),
      }),
      success: { status: 201, description: 'Reversed', schema: journalEntryResponse },
      invalid: "`invalid-reversal`: the date is before the entry's own date",
      notFound: 'No such entry',
      conflict:
        'Already reversed, the date is in a closed period, or the entry books a control account',
      async handle({ params, body, context }) {
        const result = await commands.reverseJournalEntry(commandContext(context), {
          type: 'ReverseJournalEntry',
          entryId: params.id,
          date: body.date,
          reason: body.reason,
        });
        return { result, location: entryUrl(params.id), body: entryAfterWrite(result) };
      },
    }),
  ];
}
