import { z } from 'zod';
import { accountTypes } from '../../domain/ledger/events.js';
import { LEDGER_READ_MODELS } from '../../projections/ledger/ledger-queries.js';
import type { StatementQueries } from '../../projections/ledger/statement-queries.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { accountingDate, consistencyQuery } from '../schemas.js';

const statementLine = z.object({
  code: z.string(),
  name: z.string(),
  amount: z.string().describe("Positive on the section's normal side"),
});

const section = (amounts: string) =>
  z.object({
    accounts: z
      .array(statementLine)
      .describe(`Accounts with anything booked, by code; amounts are ${amounts}`),
    total: z.string(),
  });

const incomeStatementResponse = z.object({
  from: z.string(),
  to: z.string(),
  currencies: z
    .array(
      z.object({
        currency: z.string(),
        revenue: section('credits − debits in the range'),
        expenses: section('debits − credits in the range'),
        netIncome: z.string().describe('Total revenue − total expenses'),
      }),
    )
    .describe('One statement per currency with revenue or expenses in the range, by code'),
});

const balanceSheetResponse = z.object({
  asOf: z.string(),
  yearStart: z.string().describe("January 1 of asOf's year: where current-year earnings start"),
  currencies: z
    .array(
      z.object({
        currency: z.string(),
        assets: section('debits − credits'),
        liabilities: section('credits − debits'),
        equity: section('credits − debits').extend({
          currentYearEarnings: z
            .string()
            .describe("Net income from yearStart to asOf: the income statement's for that range"),
          retainedEarningsNotClosed: z
            .string()
            .describe('Net income of earlier years not yet moved into equity by a year-end close'),
          total: z.string().describe('The equity accounts plus both lines of earnings'),
        }),
        liabilitiesAndEquity: z.string(),
        balanced: z.boolean().describe('Assets equal liabilities + equity, computed'),
      }),
    )
    .describe('One sheet per currency with anything booked by asOf, by code'),
  balanced: z.boolean().describe('Every currency balances'),
});

/** The trial balance of a period (`?from=` and/or `?to=`), beside the one of a day. */
export const periodTrialBalanceResponse = z.object({
  from: z.string().nullable().describe('First day of the movement; null: from the first line'),
  to: z.string().nullable().describe('Last day of the movement; null: through the last line'),
  accounts: z
    .array(
      z.object({
        code: z.string(),
        name: z.string(),
        type: z.enum(accountTypes),
        currency: z.string(),
        opening: z.string().describe('Balance (debits − credits) before from'),
        debits: z.string().describe('Debits dated from from through to'),
        credits: z.string().describe('Credits dated from from through to'),
        closing: z.string().describe('Balance as of to: opening + debits − credits'),
      }),
    )
    .describe('Every account with anything booked by to, by code'),
  totals: z.array(
    z.object({
      currency: z.string(),
      opening: z.string(),
      debits: z.string(),
      credits: z.string(),
      closing: z.string(),
    }),
  ),
  balanced: z
    .boolean()
    .describe("Per currency the movement's debits equal its credits and the balances sum to zero"),
});

export interface StatementRouteDeps {
  readonly statements: StatementQueries;
  /** Today's date (UTC): the balance sheet's default date. */
  readonly today: () => string;
}

const READ_SCOPES = ['reports:read', 'finance:write'] as const;

export function statementRoutes({ statements, today }: StatementRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/reports/income-statement',
      operationId: 'getIncomeStatement',
      summary: 'Income statement: revenue, expenses and net income of a range, per currency',
      description:
        'The movement of every revenue and expense account from `from` through `to` (both days included; `from` not after `to`). Revenue is shown as credits − debits, expenses as debits − credits; net income is revenue − expenses.',
      tag: 'reports',
      scopes: READ_SCOPES,
      query: consistencyQuery.extend({
        from: accountingDate.describe('First day of the range'),
        to: accountingDate.describe('Last day of the range'),
      }),
      readModels: LEDGER_READ_MODELS.accountsAsOf,
      responses: {
        200: { description: 'The income statement', schema: incomeStatementResponse },
      },
      async handle({ query }) {
        return { status: 200, body: await statements.incomeStatement(query.from, query.to) };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/reports/balance-sheet',
      operationId: 'getBalanceSheet',
      summary: 'Balance sheet: assets, liabilities and equity as of a day, per currency',
      description:
        "Balances of every asset (debits − credits), liability and equity account (credits − debits) as of the end of `asOf`. Equity also holds the current year's earnings (net income from January 1 of asOf's year) and the earnings of earlier years that no year-end close has moved into equity, so that assets = liabilities + equity exactly in every currency.",
      tag: 'reports',
      scopes: READ_SCOPES,
      query: consistencyQuery.extend({
        asOf: accountingDate.optional().describe('Today (UTC) by default'),
      }),
      readModels: LEDGER_READ_MODELS.accountsAsOf,
      responses: { 200: { description: 'The balance sheet', schema: balanceSheetResponse } },
      async handle({ query }) {
        return { status: 200, body: await statements.balanceSheet(query.asOf ?? today()) };
      },
    }),
  ];
}
