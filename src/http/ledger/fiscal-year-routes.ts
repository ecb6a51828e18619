/** The year-end close: close a fiscal year (posting its closing entries), reopen it, its history. */
import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import type { FiscalYearCommands } from '../../commands/ledger/fiscal-year-commands.js';
import { FIRST_CLOSABLE_FISCAL_YEAR, isFiscalYear } from '../../domain/ledger/fiscal-year.js';
import type { PeriodLockState } from '../../domain/ledger/period.js';
import { toLineView } from '../../projections/ledger/journal-entry-view.js';
import { commandRoute } from '../route-builders.js';
import { defineRoute, commandContext, type RouteSpec } from '../route.js';
import { consistencyQuery, text } from '../schemas.js';

const fiscalYear = z
  .string()
  .refine(isFiscalYear, `must be a year, YYYY, of ${FIRST_CLOSABLE_FISCAL_YEAR} or later`)
  .meta({ pattern: '^(?:19|[2-9]\\d)\\d{2}$', example: '2025' });

const lineResponse = z.union([
  z.object({ account: z.string(), debit: z.string(), currency: z.string() }),
  z.object({ account: z.string(), credit: z.string(), currency: z.string() }),
]);

const fiscalYearAfterWrite = z.object({
  year: z.string(),
  status: z.enum(['closed', 'open']),
  entries: z
    .array(
      z.object({
        id: z.string().describe('`closing:<YYYY>:<currency>:<close>`: GET it as a journal entry'),
        currency: z.string(),
        date: z.string().describe('December 31 of the year'),
        netIncome: z
          .string()
          .describe("The year's net income in the currency, moved to retained earnings"),
        lines: z.array(lineResponse).describe('As booked: for a reopen, the reversal'),
      }),
    )
    .describe(
      'The closing entries booked (close) or reversed (reopen), one per currency with revenue or expense movement in the year',
    ),
});

const change = z.object({
  action: z.enum(['close', 'reopen']),
  year: z.string(),
  entries: z.array(z.object({ entryId: z.string(), currency: z.string(), netIncome: z.string() })),
  reason: z.string().nullable().describe("A reopen's reason"),
  actor: z.string().nullable().describe('Who: the API key'),
  onBehalfOf: z.string().nullable(),
  recordedAt: z.string(),
  position: z.string().describe('Its global position'),
});

const fiscalYearsResponse = z.object({
  years: z
    .array(
      z.object({
        year: z.string(),
        status: z.enum(['closed', 'open']).describe('open: closed once, and reopened since'),
        entries: z
          .array(z.object({ entryId: z.string(), currency: z.string(), netIncome: z.string() }))
          .describe('The closing entries of its last close'),
        closedBy: z.string().nullable().describe('Who closed it last'),
        closedAt: z.string().describe('When it was closed last'),
      }),
    )
    .describe('Every fiscal year ever closed, by year'),
  changes: z.array(change).describe('Every close and reopen of a fiscal year, oldest first'),
});

const READ_SCOPES = ['reports:read', 'finance:write'] as const;

function afterWrite(result: CommandResult<PeriodLockState>, year: string) {
  const state = result.state.fiscalYears.get(year);
  if (!state) throw new Error(`Fiscal year ${year} has no state after its close or reopen`);
  // A reopen answers with the reversals: the entries of the last close, mirrored.
  const reopened = state.status === 'reopened';
  return {
    year,
    status: reopened ? ('open' as const) : ('closed' as const),
    entries: state.entries.map((entry) => ({
      id: entry.entryId,
      currency: entry.currency,
      date: entry.date,
      netIncome: entry.netIncome,
      lines: entry.lines.map((line) =>
        toLineView(reopened ? { ...line, side: line.side === 'debit' ? 'credit' : 'debit' } : line),
      ),
    })),
  };
}

export function fiscalYearRoutes(deps: { readonly fiscalYears: FiscalYearCommands }): RouteSpec[] {
  const { fiscalYears } = deps;
  return [
    commandRoute({
      path: '/v1/ledger/fiscal-years/{year}/close',
      operationId: 'closeFiscalYear',
      summary:
        'Close a fiscal year: move its revenue and expenses to retained earnings, per currency',
      description:
        "All twelve months must be closed (the lock date on or after December 31 of the year), else 409 `fiscal-year-months-open`. Posts one closing entry per currency, dated December 31, that moves each revenue and expense account's movement of the year to retained earnings (`RETAINED_EARNINGS_ACCOUNT`, default `30000`; `<code>-<currency>` outside the base currency), although the month is closed. A year already closed is 409 `fiscal-year-already-closed`. Until the year is reopened, none of its months can be.",
      tag: 'ledger',
      scopes: ['admin'],
      params: z.strictObject({ year: fiscalYear }),
      body: z.strictObject({}),
      success: { status: 200, description: 'Closed', schema: fiscalYearAfterWrite },
      invalid: '`invalid-fiscal-year`: not a year of 1900 or later',
      conflict:
        'Already closed, a month of the year still open, or a retained earnings account not open',
      async handle({ params, context }) {
        const result = await fiscalYears.closeFiscalYear(commandContext(context), {
          type: 'CloseFiscalYear',
          year: params.year,
        });
        return { result, body: afterWrite(result, params.year) };
      },
    }),

    commandRoute({
      path: '/v1/ledger/fiscal-years/{year}/reopen',
      operationId: 'reopenFiscalYear',
      summary: 'Reopen a closed fiscal year: reverse its closing entries',
      description:
        'Recorded with who (the API key) and why (`reason`). The closing entries are reversed on their own date (December 31); the months stay closed, and can be reopened once the year is. A later closed year must be reopened first (409 `fiscal-year-closed`).',
      tag: 'ledger',
      scopes: ['admin'],
      params: z.strictObject({ year: fiscalYear }),
      body: z.strictObject({ reason: text(500, { lines: 'many' }) }),
      success: { status: 200, description: 'Reopened', schema: fiscalYearAfterWrite },
      invalid: '`invalid-fiscal-year`: not a year of 1900 or later',
      conflict: '`fiscal-year-not-closed`, or a later year is closed',
      async handle({ params, body, context }) {
        const result = await fiscalYears.reopenFiscalYear(commandContext(context), {
          type: 'ReopenFiscalYear',
          year: params.year,
          reason: body.reason,
        });
        return { result, body: afterWrite(result, params.year) };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/ledger/fiscal-years',
      operationId: 'listFiscalYears',
      summary: 'Every fiscal year closed, with its closing entries, and every close and reopen',
      description:
        'Read from the event log itself (the lock stream), so it reflects every write already answered.',
      tag: 'ledger',
      scopes: READ_SCOPES,
      query: consistencyQuery,
      readModels: [],
      responses: {
        200: { description: 'The closed years and their history', schema: fiscalYearsResponse },
      },
      async handle() {
        const changes = await fiscalYears.history();
        const years = new Map<string, z.infer<typeof fiscalYearsResponse>['years'][number]>();
        for (const item of changes) {
          const known = years.get(item.year);
          if (item.action === 'reopen') {
            if (known) years.set(item.year, { ...known, status: 'open' });
            continue;
          }
          years.set(item.year, {
            year: item.year,
            status: 'closed',
            entries: item.entries.map((entry) => ({ ...entry })),
            closedBy: item.actor,
            closedAt: item.recordedAt,
          });
        }
        return {
          status: 200,
          body: {
            years: [...years.values()].sort((a, b) => (a.year < b.year ? -1 : 1)),
            changes: changes.map((item) => ({
              ...item,
              entries: item.entries.map((entry) => ({ ...entry })),
              position: item.position.toString(),
            })),
          },
        };
      },
    }),
  ];
}
