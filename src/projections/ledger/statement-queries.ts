/**
 * The financial statements and the trial balance of a period, answered from the ledger's read
 * models: the accounts and the balance documents the balances as of a date already sum (see
 * `totalsUpTo`). No read model of their own: a movement in a range is the totals through its
 * last day less the totals before its first, so each statement costs a few balance queries.
 *
 * Every amount is summed as bigint minor units per currency and formatted once; a statement
 * never adds amounts of two currencies.
 *
 * Year-end closing entries (dated December 31 of the year they close) are left out where they
 * would hide what a statement is for: the income statement never counts them, so a closed year
 * still shows its net income and the next year starts from zero; the balance sheet counts a
 * year's closing entries from the first day of the next year, so that as of December 31 it shows
 * the year's net income as current-year earnings, as the income statement of the year does, and
 * is the same whether the year is closed or not. The trial balance counts them like any entry.
 */
import type { AccountType } from '../../domain/ledger/events.js';
import { isCurrencyCode, type CurrencyCode } from '../../domain/shared/currency.js';
import { formatAmount } from '../../domain/shared/money.js';
import type { AccountDocument } from './ledger-projections.js';
import type { LedgerQueries, Totals } from './ledger-queries.js';

export interface StatementLine {
  readonly code: string;
  readonly name: string;
  /** Positive on the account type's normal side (see each statement). */
  readonly amount: string;
}

export interface StatementSection {
  readonly accounts: readonly StatementLine[];
  readonly total: string;
}

export interface IncomeStatement {
  readonly from: string;
  readonly to: string;
  readonly currencies: readonly {
    readonly currency: string;
    /** Credits − debits in the range. */
    readonly revenue: StatementSection;
    /** Debits − credits in the range. */
    readonly expenses: StatementSection;
    /** Revenue − expenses. */
    readonly netIncome: string;
  }[];
}

export interface BalanceSheet {
  readonly asOf: string;
  /** The first day of asOf's calendar year: where the current year's earnings start. */
  readonly yearStart: string;
  readonly currencies: readonly {
    readonly currency: string;
    /** Debits − credits. */
    readonly assets: StatementSection;
    /** Credits − debits. */
    readonly liabilities: StatementSection;
    /** Credits − debits; `total` includes both lines of earnings. */
    readonly equity: StatementSection & {
      /** The income statement's net income from `yearStart` to `asOf`. */
      readonly currentYearEarnings: string;
      /**
       * Net income of earlier years that no year-end close has moved into equity (a closed year's
       * is in its retained earnings account from January 1 of the next year).
       */
      readonly retainedEarningsNotClosed: string;
    };
    readonly liabilitiesAndEquity: string;
    /** Assets = liabilities + equity, exactly. */
    readonly balanced: boolean;
  }[];
  readonly balanced: boolean;
}

export interface PeriodTrialBalance {
  readonly from: string | null;
  readonly to: string | null;
  /** Every account with anything booked by `to`, by code. Balances are debits − credits. */
  readonly accounts: readonly {
    readonly code: string;
    readonly name: string;
    readonly type: AccountType;
    readonly currency: string;
    /** The balance before `from`. */
    readonly opening: string;
    /** Debits and credits dated from `from` through `to`. */
    readonly debits: string;
    readonly credits: string;
    /** The balance as of `to`: opening + debits − credits. */
    readonly closing: string;
  }[];
  readonly totals: readonly {
    readonly currency: string;
    readonly opening: string;
    readonly debits: string;
    readonly credits: string;
    readonly closing: string;
  }[];
  /** In every currency the movement's debits equal its credits and both balances sum to zero. */
  readonly balanced: boolean;
}

const ZERO: Totals = { debits: 0n, credits: 0n };
const INCOME_TYPES: ReadonlySet<AccountType> = new Set(['revenue', 'expense']);

export function createStatementQueries(ledger: LedgerQueries) {
  /**
   * The lines dated from `from` through `to`, per account, closing entries left out: totals
   * through less totals before, less the closing entries dated in the range.
   */
  async function movement(from: string, to: string): Promise<Map<string, Totals>> {
    const lastClosed = to.endsWith('-12-31') ? yearOf(to) : yearOf(to, -1);
    const [through, before, closings] = await Promise.all([
      ledger.totalsUpTo(to, true),
      ledger.totalsUpTo(from, false),
      ledger.closingTotals(yearOf(from), lastClosed),
    ]);
    return difference(difference(through, before), closings);
  }

  return {
    async incomeStatement(from: string, to: string): Promise<IncomeStatement> {
      const [accounts, moved] = await Promise.all([ledger.allAccounts(), movement(from, to)]);
      const byCurrency = new Map<string, { revenue: Lines; expenses: Lines }>();
      for (const account of accounts) {
        if (!INCOME_TYPES.has(account.type)) continue;
        const sum = moved.get(account.code);
        if (!sum || isEmpty(sum)) continue;
        const group = groupOf(byCurrency, account.currency, () => ({
          revenue: new Lines(),
          expenses: new Lines(),
        }));
        if (account.type === 'revenue') group.revenue.add(account, sum.credits - sum.debits);
        else group.expenses.add(account, sum.debits - sum.credits);
      }
      return {
        from,
        to,
        currencies: sorted(byCurrency).map(([code, group]) => {
          const currency = currencyOf(code);
          return {
            currency: code,
            revenue: group.revenue.section(currency),
            expenses: group.expenses.section(currency),
            netIncome: formatAmount(group.revenue.total - group.expenses.total, currency),
          };
        }),
      };
    },

    async balanceSheet(asOf: string): Promise<BalanceSheet> {
      const yearStart = `${asOf.slice(0, 4)}-01-01`;
      // Only as of December 31 are the closing entries of asOf's own year dated by then.
      const [accounts, booked, beforeYear, ownClosings] = await Promise.all([
        ledger.allAccounts(),
        ledger.totalsUpTo(asOf, true),
        ledger.totalsUpTo(yearStart, false),
        asOf.endsWith('-12-31')
          ? ledger.closingTotals(yearOf(asOf), yearOf(asOf))
          : new Map<string, Totals>(),
      ]);
      const through = difference(booked, ownClosings);
      interface Group {
        assets: Lines;
        liabilities: Lines;
        equity: Lines;
        /** Credit-positive net of revenue and expenses through asOf, and before yearStart. */
        earnings: bigint;
        earlierEarnings: bigint;
      }
      const byCurrency = new Map<string, Group>();
      for (const account of accounts) {
        const sum = through.get(account.code);
        if (!sum || isEmpty(sum)) continue;
        const group = groupOf(byCurrency, account.currency, () => ({
          assets: new Lines(),
          liabilities: new Lines(),
          equity: new Lines(),
          earnings: 0n,
          earlierEarnings: 0n,
        }));
        const creditBalance = sum.credits - sum.debits;
        switch (account.type) {
          case 'asset':
            group.assets.add(account, -creditBalance);
            break;
          case 'liability':
            group.liabilities.add(account, creditBalance);
            break;
          case 'equity':
            group.equity.add(account, creditBalance);
            break;
          case 'revenue':
          case 'expense': {
            const earlier = beforeYear.get(account.code) ?? ZERO;
            group.earnings += creditBalance;
            group.earlierEarnings += earlier.credits - earlier.debits;
            break;
          }
        }
      }
      const currencies = sorted(byCurrency).map(([code, group]) => {
        const currency = currencyOf(code);
        const equity = group.equity.total + group.earnings;
        const liabilitiesAndEquity = group.liabilities.total + equity;
        return {
          currency: code,
          assets: group.assets.section(currency),
          liabilities: group.liabilities.section(currency),
          equity: {
            accounts: group.equity.section(currency).accounts,
            currentYearEarnings: formatAmount(group.earnings - group.earlierEarnings, currency),
            retainedEarningsNotClosed: formatAmount(group.earlierEarnings, currency),
            total: formatAmount(equity, currency),
          },
          liabilitiesAndEquity: formatAmount(liabilitiesAndEquity, currency),
          balanced: group.assets.total === liabilitiesAndEquity,
        };
      });
      return {
        asOf,
        yearStart,
        currencies,
        balanced: currencies.every((currency) => currency.balanced),
      };
    },

    /**
     * Per account, the balance before `from` (nothing before the first line when absent), the
     * debits and credits from `from` through `to`, and the balance as of `to` (all time when
     * absent).
     */
    async periodTrialBalance(from?: string, to?: string): Promise<PeriodTrialBalance> {
      const accounts = await ledger.allAccounts();
      const [opening, closing] = await Promise.all([
        from === undefined ? new Map<string, Totals>() : ledger.totalsUpTo(from, false),
        to === undefined ? allTime(accounts) : ledger.totalsUpTo(to, true),
      ]);
      const sums = new Map<string, { opening: bigint; debits: bigint; credits: bigint }>();
      const rows = accounts.flatMap((account) => {
        const end = closing.get(account.code) ?? ZERO;
        // Nothing booked by `to`: left out, as on a printed trial balance.
        if (isEmpty(end)) return [];
        const start = opening.get(account.code) ?? ZERO;
        const debits = end.debits - start.debits;
        const credits = end.credits - start.credits;
        const openingBalance = start.debits - start.credits;
        const sum = groupOf(sums, account.currency, () => ({
          opening: 0n,
          debits: 0n,
          credits: 0n,
        }));
        sum.opening += openingBalance;
        sum.debits += debits;
        sum.credits += credits;
        const currency = currencyOf(account.currency);
        return [
          {
            code: account.code,
            name: account.name,
            type: account.type,
            currency: account.currency,
            opening: formatAmount(openingBalance, currency),
            debits: formatAmount(debits, currency),
            credits: formatAmount(credits, currency),
            closing: formatAmount(openingBalance + debits - credits, currency),
          },
        ];
      });
      const totals = sorted(sums).map(([code, sum]) => {
        const currency = currencyOf(code);
        return {
          currency: code,
          opening: formatAmount(sum.opening, currency),
          debits: formatAmount(sum.debits, currency),
          credits: formatAmount(sum.credits, currency),
          closing: formatAmount(sum.opening + sum.debits - sum.credits, currency),
        };
      });
      return {
        from: from ?? null,
        to: to ?? null,
        accounts: rows,
        totals,
        balanced: [...sums.values()].every(
          (sum) => sum.opening === 0n && sum.debits === sum.credits,
        ),
      };
    },
  };
}

export type StatementQueries = ReturnType<typeof createStatementQueries>;

/** The accounts of one section of a statement, each signed to the section's normal side. */
class Lines {
  total = 0n;
  private readonly lines: { account: AccountDocument; amount: bigint }[] = [];

  add(account: AccountDocument, amount: bigint): void {
    this.lines.push({ account, amount });
    this.total += amount;
  }

  section(currency: CurrencyCode): StatementSection {
    return {
      accounts: this.lines.map(({ account, amount }) => ({
        code: account.code,
        name: account.name,
        amount: formatAmount(amount, currency),
      })),
      total: formatAmount(this.total, currency),
    };
  }
}

function difference(
  through: ReadonlyMap<string, Totals>,
  before: ReadonlyMap<string, Totals>,
): Map<string, Totals> {
  const result = new Map<string, Totals>();
  for (const [account, sum] of through) {
    const earlier = before.get(account) ?? ZERO;
    result.set(account, {
      debits: sum.debits - earlier.debits,
      credits: sum.credits - earlier.credits,
    });
  }
  return result;
}

function allTime(accounts: readonly AccountDocument[]): Map<string, Totals> {
  return new Map(
    accounts.map((account) => [
      account.code,
      { debits: BigInt(account.debitsMinor), credits: BigInt(account.creditsMinor) },
    ]),
  );
}

const isEmpty = (sum: Totals) => sum.debits === 0n && sum.credits === 0n;

/** The year of `date`, `YYYY`, or the one `offset` years from it. */
function yearOf(date: string, offset = 0): string {
  return String(Number(date.slice(0, 4)) + offset).padStart(4, '0');
}

function groupOf<T>(groups: Map<string, T>, key: string, create: () => T): T {
  let group = groups.get(key);
  if (!group) {
    group = create();
    groups.set(key, group);
  }
  return group;
}

function sorted<T>(groups: ReadonlyMap<string, T>): [string, T][] {
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function currencyOf(code: string): CurrencyCode {
  if (!isCurrencyCode(code)) throw new Error(`Read model holds unknown currency ${code}`);
  return code;
}
