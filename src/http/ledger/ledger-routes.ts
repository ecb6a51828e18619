import { z } from 'zod';
import type { ControlAccounts } from '../../domain/ledger/control-accounts.js';
import { accountTypes } from '../../domain/ledger/events.js';
import { formatAmount } from '../../domain/shared/money.js';
import type { CurrencyCode } from '../../domain/shared/currency.js';
import type { IdGenerator } from '../../commands/ids.js';
import type { LedgerCommands } from '../../commands/ledger/ledger-commands.js';
import type { CommandResult } from '../../commands/command-handler.js';
import type { JournalEntryState } from '../../domain/ledger/journal-entry.js';
import {
  journalEntryViewOf,
  type JournalEntryView,
} from '../../projections/ledger/journal-entry-view.js';
import {
  LEDGER_READ_MODELS,
  type AccountView,
  type LedgerQueries,
} from '../../projections/ledger/ledger-queries.js';
import type { StatementQueries } from '../../projections/ledger/statement-queries.js';
import { platformProblems } from '../problem-types.js';
import { httpProblem } from '../problem.js';
import { commandRoute, listRoute, recordRoute, newRecordId } from '../route-builders.js';
import { periodTrialBalanceResponse } from './statement-routes.js';
import { commandContext, defineRoute, type RouteSpec } from '../route.js';
import {
  accountCode,
  accountingDate,
  consistencyQuery,
  currencyCode,
  decimalAmount,
  recordId,
  text,
} from '../schemas.js';

const accountResponse = z.object({
  code: z.string(),
  name: z.string(),
  type: z.enum(accountTypes),
  currency: z.string(),
  status: z.enum(['open']),
  debits: z.string(),
  credits: z.string(),
  balance: z.string().describe('debits − credits, signed'),
  controlledBy: z
    .string()
    .nullable()
    .describe(
      'The module whose subledger owns the account (a control account: no manual journal entry may book to it), or null',
    ),
});

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

const trialBalanceResponse = z.object({
  asOf: z.string().nullable().describe('The date the balances are as of; null for all time'),
  accounts: z.array(accountResponse.omit({ status: true, controlledBy: true })),
  totals: z
    .array(z.object({ currency: z.string(), debits: z.string(), credits: z.string() }))
    .describe('Per currency; debits equal credits in a sound ledger'),
  balanced: z.boolean(),
});

const ledgerLineResponse = z.union([
  z.object({
    entryId: z.string(),
    kind: z.enum(['posting', 'reversal']),
    date: z.string(),
    description: z.string(),
    debit: z.string(),
    balance: z.string().describe("The account's balance after this line"),
  }),
  z.object({
    entryId: z.string(),
    kind: z.enum(['posting', 'reversal']),
    date: z.string(),
    description: z.string(),
    credit: z.string(),
    balance: z.string().describe("The account's balance after this line"),
  }),
]);

const asOfQuery = {
  asOf: accountingDate
    .optional()
    .describe('Balances as of the end of this day (every line dated on or before it)'),
};

const dateRangeQuery = {
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

export interface LedgerRouteDeps {
  readonly commands: LedgerCommands;
  readonly queries: LedgerQueries;
  readonly statements: StatementQueries;
  readonly ids: IdGenerator;
  readonly controlAccounts: ControlAccounts;
}

const READ_SCOPES = ['reports:read', 'finance:write'] as const;

export function ledgerRoutes({
  commands,
  queries,
  statements,
  ids,
  controlAccounts,
}: LedgerRouteDeps): RouteSpec[] {
  const entryResource = (view: JournalEntryView) => ({
    id: view.id,
    date: view.date,
    description: view.description,
    status: view.status,
    lines: view.lines,
    reversal: view.reversal,
  });
  const accountResource = (view: Omit<AccountView, 'revision'>) => ({
    code: view.code,
    name: view.name,
    type: view.type,
    currency: view.currency,
    status: view.status,
    debits: view.debits,
    credits: view.credits,
    balance: view.balance,
    controlledBy: controlAccounts(view.code)?.module ?? null,
  });
  const entryAfterWrite = (result: CommandResult<JournalEntryState>) => {
    if (result.state.status === 'none') {
      throw new Error(`No journal entry in ${result.streamId} after a write`);
    }
    return entryResource(journalEntryViewOf(result.state, result.revision));
  };
  const entryUrl = (entryId: string) => `/v1/ledger/journal-entries/${encodeURIComponent(entryId)}`;
  const noAccount = {
    description: 'No such account',
    detail: ({ code }: { code: string }) => `Account ${code} does not exist`,
  };

  return [
    commandRoute({
      path: '/v1/ledger/accounts',
      operationId: 'openAccount',
      summary: 'Open an account in the chart of accounts',
      tag: 'ledger',
      scopes: ['finance:write'],
      body: z.strictObject({
        code: accountCode,
        name: text(200),
        type: z.enum(accountTypes),
        currency: currencyCode,
      }),
      success: { status: 201, description: 'Opened', schema: accountResponse },
      conflict: 'An account with this code exists',
      async handle({ body, context }) {
        const result = await commands.openAccount(commandContext(context), {
          type: 'OpenAccount',
          code: body.code,
          name: body.name,
          accountType: body.type,
          currency: body.currency,
        });
        if (result.state.status !== 'open') throw new Error('Account not open after OpenAccount');
        const zero = formatAmount(0n, result.state.currency as CurrencyCode);
        return {
          result,
          location: `/v1/ledger/accounts/${encodeURIComponent(body.code)}`,
          body: accountResource({ ...result.state, debits: zero, credits: zero, balance: zero }),
        };
      },
    }),

    recordRoute({
      path: '/v1/ledger/accounts/{code}',
      operationId: 'getAccount',
      summary: 'An account with its debits, credits and balance',
      tag: 'ledger',
      scopes: READ_SCOPES,
      params: z.strictObject({ code: accountCode }),
      query: z.strictObject(asOfQuery),
      readModels: LEDGER_READ_MODELS.accountsAsOf,
      response: { description: 'The account', schema: accountResponse },
      notFound: noAccount,
      async handle({ params, query }) {
        const view = await queries.getAccount(params.code, query.asOf);
        return view && { body: accountResource(view), revision: view.revision };
      },
    }),

    listRoute({
      path: '/v1/ledger/accounts',
      operationId: 'listAccounts',
      summary: 'The chart of accounts with debits, credits and balances, by code',
      tag: 'ledger',
      scopes: READ_SCOPES,
      filters: z.strictObject({
        ...asOfQuery,
        type: z.enum(accountTypes).optional(),
        currency: currencyCode.optional(),
      }),
      readModels: LEDGER_READ_MODELS.accountsAsOf,
      item: accountResponse,
      pageDescription: 'A page of accounts',
      async handle({ query }) {
        const result = await queries.listAccounts(query);
        return { items: result.items.map(accountResource), nextCursor: result.nextCursor };
      },
    }),

    listRoute({
      path: '/v1/ledger/accounts/{code}/entries',
      operationId: 'listAccountEntries',
      summary: 'General ledger: the lines booked to an account, with the running balance',
      description:
        'Lines in date order (posting order within a day). Each carries the balance after it; openingBalance is the balance before the first line of the page.',
      tag: 'ledger',
      scopes: READ_SCOPES,
      params: z.strictObject({ code: accountCode }),
      filters: z.strictObject(dateRangeQuery),
      readModels: LEDGER_READ_MODELS.accountEntries,
      item: ledgerLineResponse,
      pageDescription: 'A page of general ledger lines',
      pageFields: { account: z.string(), currency: z.string(), openingBalance: z.string() },
      notFound: noAccount,
      async handle({ params, query }) {
        const result = await queries.accountEntries(params.code, query);
        return (
          result && {
            account: result.account.code,
            currency: result.account.currency,
            openingBalance: result.openingBalance,
            items: result.items,
            nextCursor: result.nextCursor,
          }
        );
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/reports/trial-balance',
      operationId: 'getTrialBalance',
      summary: 'Trial balance: debits, credits and balance per account, totals per currency',
      tag: 'reports',
      scopes: READ_SCOPES,
      description:
        'As of a day (`asOf`, or all time). With `from` and/or `to`, the trial balance of a period instead: per account the balance before `from`, the debits and credits from `from` through `to`, and the balance as of `to`. `asOf` beside `from` or `to` is a 400.',
      query: consistencyQuery.extend({
        ...asOfQuery,
        from: accountingDate
          .optional()
          .describe('A period from this day: opening balances before it'),
        to: accountingDate
          .optional()
          .describe('A period through this day: closing balances as of it'),
      }),
      readModels: LEDGER_READ_MODELS.accountsAsOf,
      responses: {
        200: {
          description: 'The trial balance, of a day or of a period',
          schema: z.union([trialBalanceResponse, periodTrialBalanceResponse]),
        },
      },
      async handle({ query }) {
        const { asOf, from, to } = query;
        if (from === undefined && to === undefined) {
          return { status: 200, body: await queries.trialBalance(asOf) };
        }
        if (asOf !== undefined) {
          throw httpProblem(platformProblems.validation, 'query.asOf: not with from or to', {
            errors: [{ path: 'query.asOf', message: 'give asOf, or from and to, not both' }],
          });
        }
        return { status: 200, body: await statements.periodTrialBalance(from, to) };
      },
    }),

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
