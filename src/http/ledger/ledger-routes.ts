/** The ledger's accounts (open, list, read, their general ledger) and the trial balance. */
import { z } from 'zod';
import type { ControlAccounts } from '../../domain/ledger/control-accounts.js';
import { accountTypes } from '../../domain/ledger/events.js';
import { formatAmount } from '../../domain/shared/money.js';
import type { CurrencyCode } from '../../domain/shared/currency.js';
import type { LedgerCommands } from '../../commands/ledger/ledger-commands.js';
import {
  LEDGER_READ_MODELS,
  type AccountView,
  type LedgerQueries,
} from '../../projections/ledger/ledger-queries.js';
import type { StatementQueries } from '../../projections/ledger/statement-queries.js';
import { platformProblems } from '../problem-types.js';
import { httpProblem } from '../problem.js';
import { commandRoute, listRoute, recordRoute } from '../route-builders.js';
import { dateRangeQuery } from './journal-entry-routes.js';
import { periodTrialBalanceResponse } from './statement-routes.js';
import { commandContext, defineRoute, type RouteSpec } from '../route.js';
import { accountCode, accountingDate, consistencyQuery, currencyCode, text } from '../schemas.js';

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

export interface LedgerRouteDeps {
  readonly commands: LedgerCommands;
  readonly queries: LedgerQueries;
  readonly statements: StatementQueries;
  readonly controlAccounts: ControlAccounts;
}

const READ_SCOPES = ['reports:read', 'finance:write'] as const;

export function ledgerRoutes({
  commands,
  queries,
  statements,
  controlAccounts,
}: LedgerRouteDeps): RouteSpec[] {
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
  ];
}
