import { z } from 'zod';
import { openChartOfAccounts, type ChartAccount } from '../../commands/ledger/chart-of-accounts.js';
import {
  createLedgerCommands,
  type LedgerCommands,
} from '../../commands/ledger/ledger-commands.js';
import {
  createFiscalYearCommands,
  type FiscalYearCommands,
} from '../../commands/ledger/fiscal-year-commands.js';
import { createPostingRules, type PostingRules } from '../../commands/ledger/posting-rules.js';
import { emptyAsUnset, envJson } from '../../config.js';
import { ACCOUNT_CODE } from '../../domain/ledger/account.js';
import { accountTypes, ledgerEventSchemas } from '../../domain/ledger/events.js';
import { ledgerEventStreams } from '../../domain/ledger/streams.js';
import { isCurrencyCode } from '../../domain/shared/currency.js';
import { createLedgerQueries } from '../../projections/ledger/ledger-queries.js';
import { ledgerProjections } from '../../projections/ledger/ledger-projections.js';
import { createStatementQueries } from '../../projections/ledger/statement-queries.js';
import { createPeriodGuardReactor } from '../../projections/ledger/period-guard-reactor.js';
import { defineModule } from '../module.js';
import { refusalProblems } from '../problem-types.js';
import { fiscalYearRoutes } from './fiscal-year-routes.js';
import { journalEntryRoutes } from './journal-entry-routes.js';
import { ledgerRoutes } from './ledger-routes.js';
import { periodRoutes } from './period-routes.js';
import { statementRoutes } from './statement-routes.js';

/** What other modules use of the ledger: its commands, and the rules of posting to it. */
export interface LedgerApi {
  readonly commands: LedgerCommands;
  readonly postingRules: PostingRules;
  /** The year-end close and its reopen. */
  readonly fiscalYears: FiscalYearCommands;
}

export interface LedgerSettings {
  /** CHART_OF_ACCOUNTS: replaces the modules' default chart; `[]` opens none. */
  readonly chartOfAccounts: readonly ChartAccount[] | undefined;
  /** RETAINED_EARNINGS_ACCOUNT: where a year-end close moves net income in the base currency. */
  readonly retainedEarningsAccount: string;
}

const chartSchema = z.array(
  z.strictObject({
    code: z.string().regex(ACCOUNT_CODE, 'must be an account code like 12000'),
    name: z.string().trim().min(1).max(200),
    type: z.enum(accountTypes),
    currency: z
      .string()
      .refine((code: string): boolean => isCurrencyCode(code), 'must be an ISO 4217 currency code'),
  }),
);

/** The refusals of the posting rules, answered by every module whose commands post. */
export const postingProblems = refusalProblems({
  AccountNotOpen: ['conflict', 'A line books to an account that is not open.'],
  PostingAccountMissing: [
    'conflict',
    'An account the command will post to in its currency is not an open account of the type it needs: for receivables the receivable and cash accounts (assets), for people salaries and wages (an expense) and payroll liabilities (a liability), for a year-end close the retained earnings account (equity). Open it first (`<code>-<currency>` outside the base currency).',
  ],
  PeriodClosed: [
    'conflict',
    'The date is on or before the lock date (the last day of the month closed last): nothing dated then can be posted, issued, recorded or voided until the month is reopened. Also answered to a posting that reached the log just after another instance closed its period; that posting never counts and is annulled.',
  ],
});

export const ledgerModule = defineModule<LedgerApi, LedgerSettings>({
  name: 'ledger',
  summary:
    'Chart of accounts, balanced journal entries, reversals, the lock date (period close and reopen) and the year-end close; balances as of any date, the general ledger, the trial balance, the income statement and the balance sheet.',
  settings: z
    .object({
      CHART_OF_ACCOUNTS: z.preprocess(
        emptyAsUnset,
        envJson(chartSchema, 'a JSON array of accounts').optional(),
      ),
      RETAINED_EARNINGS_ACCOUNT: z.preprocess(
        emptyAsUnset,
        z.string().regex(ACCOUNT_CODE, 'must be an account code like 30000').default('30000'),
      ),
    })
    .transform((env) => ({
      chartOfAccounts: env.CHART_OF_ACCOUNTS,
      retainedEarningsAccount: env.RETAINED_EARNINGS_ACCOUNT,
    })),
  eventSchemas: ledgerEventSchemas,
  eventStreams: ledgerEventStreams,
  projections: ledgerProjections,
  // Accounts of the standard chart that no module posts to yet; the people and logistics
  // modules take them over (payroll, inventory) when they arrive.
  chartAccounts: ({ settings, baseCurrency }) => [
    { code: '13000', name: 'Inventory', type: 'asset', currency: baseCurrency },
    { code: '21000', name: 'Payroll liabilities', type: 'liability', currency: baseCurrency },
    {
      code: settings.retainedEarningsAccount,
      name: 'Retained earnings',
      type: 'equity',
      currency: baseCurrency,
    },
    { code: '50000', name: 'Cost of goods sold', type: 'expense', currency: baseCurrency },
    { code: '60000', name: 'Salaries and wages', type: 'expense', currency: baseCurrency },
  ],
  problems: [
    ...postingProblems,
    ...refusalProblems({
      InvalidAccountCode: [
        'invalid',
        'The account code is not 1-32 letters, digits, ".", "_" or "-".',
      ],
      InvalidAccountName: ['invalid', 'The account name is blank.'],
      UnknownCurrency: ['invalid', 'The currency is not an ISO 4217 code with minor units.'],
      InvalidJournalEntry: [
        'invalid',
        'The entry does not balance per currency, a line names an account that does not exist, gives both or neither of debit and credit, or an amount has more decimals than the account currency allows; `errors` says which line.',
      ],
      InvalidReversal: [
        'invalid',
        "The reversal date is not a date, or is before the entry's own date.",
      ],
      InvalidPeriod: ['invalid', 'The period is not a month, YYYY-MM, of 1900 or later.'],
      AccountAlreadyExists: ['conflict', 'An account with this code is already open.'],
      JournalEntryAlreadyExists: ['conflict', 'An entry with this id was already posted.'],
      JournalEntryNotFound: ['not_found', 'There is no journal entry with this id.'],
      JournalEntryAlreadyReversed: [
        'conflict',
        'The entry was already reversed; an entry is reversed once.',
      ],
      ControlAccount: [
        'conflict',
        "A line books to a control account: an account a module's subledger owns (the receivable accounts, inventory, payroll liabilities). A manual journal entry cannot post to it, nor reverse an entry that books to it (as the subledger's own postings do), and no other module's postings may book to it either, so that the subledger and its account always agree; the detail names the account, the module that owns it and how to correct it there (a payment or a void of the invoice; the payment or reversal of a payroll run; a stock adjustment).",
      ],
      JournalEntryAnnulled: [
        'conflict',
        'The entry was annulled: it reached the log after its period was closed on another instance and never counted, so there is nothing to reverse.',
      ],
      PeriodAlreadyClosed: [
        'conflict',
        'The period is already closed: it is on or before the lock date, closed itself or by the close of a later month.',
      ],
      PeriodInFuture: [
        'conflict',
        'The month has not ended: only the current month (by the service clock) or an earlier one can be closed.',
      ],
      PeriodNotClosed: [
        'conflict',
        'The month is not closed (it is after the lock date), so there is nothing to reopen.',
      ],
      InvalidFiscalYear: ['invalid', 'The fiscal year is not a year, YYYY, of 1900 or later.'],
      FiscalYearMonthsOpen: [
        'conflict',
        'Not all twelve months of the fiscal year are closed (the lock date is before December 31 of the year): close them first.',
      ],
      FiscalYearAlreadyClosed: [
        'conflict',
        'The fiscal year is already closed; reopen it to close it again.',
      ],
      FiscalYearNotClosed: [
        'conflict',
        'The fiscal year is not closed (never, or reopened since), so there is nothing to reopen.',
      ],
      FiscalYearClosed: [
        'conflict',
        'A closed fiscal year stands in the way: a month of a closed year cannot be reopened, nor an earlier month (reopening a month reopens every later one), and a year cannot be reopened while a later one is closed. Reopen that year first; the detail names it.',
      ],
      ClosingEntry: [
        'conflict',
        'The entry is a year-end closing entry: it is reversed by reopening its fiscal year, not by hand.',
      ],
    }),
  ],
  api(context) {
    const postingRules = createPostingRules({ eventStore: context.eventStore });
    const { baseCurrency } = context.config;
    const { retainedEarningsAccount } = context.settings;
    return {
      postingRules,
      fiscalYears: createFiscalYearCommands({
        handle: context.handle,
        eventStore: context.eventStore,
        postingRules,
        // As the other modules name accounts outside the base currency.
        retainedEarningsAccount: (currency) =>
          currency === baseCurrency
            ? retainedEarningsAccount
            : `${retainedEarningsAccount}-${currency}`,
      }),
      commands: createLedgerCommands({
        handle: context.handle,
        postingRules,
        today: context.today,
        controlAccounts: context.controlAccounts,
      }),
    };
  },
  reactors: (_context, ledger) => [
    createPeriodGuardReactor({ ledger: ledger.commands, postingRules: ledger.postingRules }),
  ],
  routes(context, ledger) {
    const queries = createLedgerQueries({
      readModels: context.readModels,
      collection: context.collection,
    });
    const statements = createStatementQueries(queries);
    return [
      ...ledgerRoutes({
        commands: ledger.commands,
        queries,
        statements,
        controlAccounts: context.controlAccounts,
      }),
      ...journalEntryRoutes({ commands: ledger.commands, queries, ids: context.ids }),
      ...periodRoutes({ commands: ledger.commands, postingRules: ledger.postingRules }),
      ...fiscalYearRoutes({ fiscalYears: ledger.fiscalYears }),
      ...statementRoutes({ statements, today: context.today }),
    ];
  },
  async start(context, ledger) {
    // Before anything can be invoiced, the accounts postings book to must be open.
    const chart = context.settings.chartOfAccounts ?? context.defaultChart;
    try {
      const opened = await openChartOfAccounts(ledger.commands, chart);
      if (opened.length > 0) context.logger.info({ accounts: opened }, 'opened chart of accounts');
    } catch (error) {
      context.logger.error(
        { err: error },
        'could not open the chart of accounts; open the accounts by hand',
      );
    }
  },
});
