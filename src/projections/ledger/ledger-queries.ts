/**
 * The ledger's queries, answered from its read models (never from the event log).
 *
 * A balance as of a date sums the balance documents before it: whole years, then the months of
 * its year, then the days of its month. The general ledger's running balance starts from the
 * same sum at the page's first line, so every page is exact on its own.
 */
import type { AccountType } from '../../domain/ledger/events.js';
import { isCurrencyCode, type CurrencyCode } from '../../domain/shared/currency.js';
import { isAccountingDate } from '../../domain/shared/dates.js';
import { formatAmount } from '../../domain/shared/money.js';
import {
  decodeCursor,
  InvalidQueryError,
  type ReadModelStore,
  type SortKey,
  type Where,
} from '../../stores/read-model-store.js';
export type { Totals } from './balance-sums.js';
import { createBalanceSums, ZERO, type Totals } from './balance-sums.js';
import type { JournalEntryView } from './journal-entry-view.js';
import {
  accountsProjection,
  balancesProjection,
  journalEntriesProjection,
  ledgerLinesProjection,
  type AccountDocument,
  type LedgerLineDocument,
} from './ledger-projections.js';

export interface AccountView {
  readonly code: string;
  readonly name: string;
  readonly type: AccountType;
  readonly currency: string;
  readonly status: 'open';
  /** Decimal strings in the account's currency. */
  readonly debits: string;
  readonly credits: string;
  /** debits − credits, signed. */
  readonly balance: string;
  readonly revision: number;
}

export type LedgerLineView = {
  readonly entryId: string;
  readonly kind: 'posting' | 'reversal';
  readonly date: string;
  readonly description: string;
  /** The account's balance after this line. */
  readonly balance: string;
} & ({ readonly debit: string } | { readonly credit: string });

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface TrialBalance {
  readonly asOf: string | null;
  /** Every account with anything booked to it (by `asOf`), by code. */
  readonly accounts: readonly Omit<AccountView, 'status' | 'revision'>[];
  readonly totals: readonly { currency: string; debits: string; credits: string }[];
  /** Debits equal credits in every currency. */
  readonly balanced: boolean;
}

export interface LedgerQueryDeps {
  readonly readModels: ReadModelStore;
  /** The collection a projection's queries read now (blue/green: it changes on a switch). */
  readonly collection: (projection: string) => Promise<string>;
}

/** The read models a ledger query reads: `?consistentWith=` waits for these. */
export const LEDGER_READ_MODELS = {
  accounts: [accountsProjection.name],
  accountsAsOf: [accountsProjection.name, balancesProjection.name],
  journalEntries: [journalEntriesProjection.name],
  accountEntries: [accountsProjection.name, balancesProjection.name, ledgerLinesProjection.name],
} as const;

const LINE_ORDER: readonly SortKey[] = [
  { field: 'date', direction: 'asc' },
  { field: 'seq', direction: 'asc' },
];

export function createLedgerQueries({ readModels, collection }: LedgerQueryDeps) {
  const { findAll, totalsUpTo, closingTotals } = createBalanceSums({ readModels, collection });

  function accountView(document: AccountDocument, totals?: Totals): AccountView {
    const currency = currencyOf(document.currency);
    const debits = totals ? totals.debits : BigInt(document.debitsMinor);
    const credits = totals ? totals.credits : BigInt(document.creditsMinor);
    return {
      code: document.code,
      name: document.name,
      type: document.type,
      currency,
      status: document.status,
      debits: formatAmount(debits, currency),
      credits: formatAmount(credits, currency),
      balance: formatAmount(debits - credits, currency),
      revision: document.revision,
    };
  }

  async function loadAccount(code: string): Promise<AccountDocument | undefined> {
    const target = await collection(accountsProjection.name);
    const body = (await readModels.load(target, [code])).get(code)?.body;
    return body ? accountsProjection.document(body) : undefined;
  }

  /** The account's balance just before the line at (date, seq), that line included. */
  async function balanceThrough(account: string, date: string, seq: string): Promise<bigint> {
    const before = (await totalsUpTo(date, false, [account])).get(account) ?? ZERO();
    const sameDay = await findAll(ledgerLinesProjection, {
      account,
      date,
      seq: { lte: seq },
    });
    let balance = before.debits - before.credits;
    for (const line of sameDay) balance += signed(line);
    return balance;
  }

  return {
    /**
     * Debits and credits per account booked before `date` (through it when `inclusive`), in
     * minor units: what the financial statements are computed from.
     */
    totalsUpTo,

    /** What the closing entries of a range of fiscal years booked, per account (see above). */
    closingTotals,

    /** Every account of the chart, by code, with its all-time debits and credits. */
    allAccounts: (): Promise<AccountDocument[]> =>
      findAll(accountsProjection, {}, [{ field: 'code', direction: 'asc' }]),

    async getAccount(code: string, asOf?: string): Promise<AccountView | undefined> {
      const document = await loadAccount(code);
      if (!document) return undefined;
      if (asOf === undefined) return accountView(document);
      const totals = (await totalsUpTo(asOf, true, [code])).get(code) ?? ZERO();
      return accountView(document, totals);
    },

    async listAccounts(options: {
      readonly type?: AccountType;
      readonly currency?: string;
      readonly asOf?: string;
      readonly limit: number;
      readonly cursor?: string;
    }): Promise<Page<AccountView>> {
      const where: Where = {
        ...(options.type ? { type: options.type } : {}),
        ...(options.currency ? { currency: options.currency } : {}),
      };
      const page = await readModels.find(await collection(accountsProjection.name), {
        where,
        sort: [{ field: 'code', direction: 'asc' }],
        limit: options.limit,
        cursor: options.cursor,
      });
      const documents = page.documents.map((document) =>
        accountsProjection.document(document.body),
      );
      const asOf = options.asOf;
      const totals =
        asOf === undefined
          ? undefined
          : await totalsUpTo(
              asOf,
              true,
              documents.map((document) => document.code),
            );
      return {
        items: documents.map((document) =>
          accountView(document, totals ? (totals.get(document.code) ?? ZERO()) : undefined),
        ),
        nextCursor: page.nextCursor ?? null,
      };
    },

    async getJournalEntry(entryId: string): Promise<JournalEntryView | undefined> {
      const target = await collection(journalEntriesProjection.name);
      const body = (await readModels.load(target, [entryId])).get(entryId)?.body;
      return body ? journalEntriesProjection.document(body) : undefined;
    },

    async listJournalEntries(options: {
      readonly from?: string;
      readonly to?: string;
      readonly status?: 'posted' | 'reversed';
      readonly limit: number;
      readonly cursor?: string;
    }): Promise<Page<JournalEntryView>> {
      const page = await readModels.find(await collection(journalEntriesProjection.name), {
        where: {
          ...dateRange(options.from, options.to),
          ...(options.status ? { status: options.status } : {}),
        },
        sort: [
          { field: 'date', direction: 'asc' },
          { field: 'id', direction: 'asc' },
        ],
        limit: options.limit,
        cursor: options.cursor,
      });
      return {
        items: page.documents.map((document) => journalEntriesProjection.document(document.body)),
        nextCursor: page.nextCursor ?? null,
      };
    },

    /** General ledger lines of one account in date order, each with the balance after it. */
    async accountEntries(
      code: string,
      options: {
        readonly from?: string;
        readonly to?: string;
        readonly limit: number;
        readonly cursor?: string;
      },
    ): Promise<
      | {
          account: AccountView;
          openingBalance: string;
          items: LedgerLineView[];
          nextCursor: string | null;
        }
      | undefined
    > {
      const document = await loadAccount(code);
      if (!document) return undefined;
      const currency = currencyOf(document.currency);
      let opening: bigint;
      if (options.cursor !== undefined) {
        const [date, seq] = lineCursorPosition(options.cursor);
        opening = await balanceThrough(code, date, seq);
      } else if (options.from !== undefined) {
        const before = (await totalsUpTo(options.from, false, [code])).get(code) ?? ZERO();
        opening = before.debits - before.credits;
      } else {
        opening = 0n;
      }
      const page = await readModels.find(await collection(ledgerLinesProjection.name), {
        where: { account: code, ...dateRange(options.from, options.to) },
        sort: LINE_ORDER,
        limit: options.limit,
        cursor: options.cursor,
      });
      let balance = opening;
      const items = page.documents.map((stored): LedgerLineView => {
        const line = ledgerLinesProjection.document(stored.body);
        balance += signed(line);
        const amount = formatAmount(BigInt(line.amountMinor), currency);
        return {
          entryId: line.entryId,
          kind: line.kind,
          date: line.date,
          description: line.description,
          ...(line.side === 'debit' ? { debit: amount } : { credit: amount }),
          balance: formatAmount(balance, currency),
        };
      });
      return {
        account: accountView(document),
        openingBalance: formatAmount(opening, currency),
        items,
        nextCursor: page.nextCursor ?? null,
      };
    },

    async trialBalance(asOf?: string): Promise<TrialBalance> {
      const accounts = await findAll(accountsProjection, {}, [{ field: 'code', direction: 'asc' }]);
      const totals = asOf === undefined ? undefined : await totalsUpTo(asOf, true);
      const byCurrency = new Map<string, Totals>();
      const rows = accounts.flatMap((document) => {
        const sum = totals
          ? (totals.get(document.code) ?? ZERO())
          : { debits: BigInt(document.debitsMinor), credits: BigInt(document.creditsMinor) };
        // Accounts with nothing booked (by that date) are left out, as on a printed trial balance.
        if (sum.debits === 0n && sum.credits === 0n) return [];
        const currencySum = byCurrency.get(document.currency) ?? ZERO();
        currencySum.debits += sum.debits;
        currencySum.credits += sum.credits;
        byCurrency.set(document.currency, currencySum);
        const { status: _status, revision: _revision, ...row } = accountView(document, sum);
        return [row];
      });
      const currencies = [...byCurrency.keys()].sort();
      return {
        asOf: asOf ?? null,
        accounts: rows,
        totals: currencies.map((code) => {
          const sum = byCurrency.get(code)!;
          const currency = currencyOf(code);
          return {
            currency: code,
            debits: formatAmount(sum.debits, currency),
            credits: formatAmount(sum.credits, currency),
          };
        }),
        balanced: [...byCurrency.values()].every((sum) => sum.debits === sum.credits),
      };
    },
  };
}

export type LedgerQueries = ReturnType<typeof createLedgerQueries>;

function signed(line: LedgerLineDocument): bigint {
  const amount = BigInt(line.amountMinor);
  return line.side === 'debit' ? amount : -amount;
}

function currencyOf(code: string): CurrencyCode {
  if (!isCurrencyCode(code)) throw new Error(`Read model holds unknown currency ${code}`);
  return code;
}

function dateRange(from: string | undefined, to: string | undefined): Where {
  if (from === undefined && to === undefined) return {};
  return {
    date: {
      ...(from !== undefined ? { gte: from } : {}),
      ...(to !== undefined ? { lte: to } : {}),
    },
  };
}

/** The (date, seq) of the line a general-ledger cursor ends on. */
function lineCursorPosition(cursor: string): [string, string] {
  const { values } = decodeCursor(cursor, LINE_ORDER);
  const [date, seq] = values;
  if (typeof date !== 'string' || !isAccountingDate(date) || typeof seq !== 'string') {
    throw new InvalidQueryError('Invalid cursor');
  }
  return [date, seq];
}
