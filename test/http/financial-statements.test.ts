import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { MongoClient } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService } from '../support/test-service.js';
import {
  expectProblem,
  expectValidationError,
  openAccount,
  postEntry,
  reverseEntry,
  type AccountInput,
  type KeyName,
  type LineInput,
} from './fixtures.js';

const INCOME = '/v1/reports/income-statement';
const SHEET = '/v1/reports/balance-sheet';
const TRIAL = '/v1/reports/trial-balance';

/** On the embedded read models and, whenever MONGODB_URL is set (CI: FerretDB), on MongoDB. */
const stores: { name: string; runs: number; env: () => Record<string, string> }[] = [
  { name: 'embedded stores', runs: 12, env: () => ({}) },
];
const mongoUrl = process.env.MONGODB_URL;
if (mongoUrl) {
  stores.push({
    name: 'MongoDB read models',
    // FerretDB's upserts of new documents take milliseconds each: fewer, still random, runs.
    runs: 3,
    env: () => ({
      MONGODB_URL: mongoUrl,
      MONGODB_DATABASE: `statements_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      READ_FRESHNESS_WAIT_MS: '20000',
      CONSISTENCY_WAIT_MS: '20000',
    }),
  });
}

interface Section {
  accounts: { code: string; name: string; amount: string }[];
  total: string;
}
interface IncomeStatement {
  from: string;
  to: string;
  currencies: { currency: string; revenue: Section; expenses: Section; netIncome: string }[];
}
interface SheetCurrency {
  currency: string;
  assets: Section;
  liabilities: Section;
  equity: Section & { currentYearEarnings: string; retainedEarningsNotClosed: string };
  liabilitiesAndEquity: string;
  balanced: boolean;
}
interface BalanceSheet {
  asOf: string;
  yearStart: string;
  currencies: SheetCurrency[];
  balanced: boolean;
}
interface PeriodTrialBalance {
  from: string | null;
  to: string | null;
  accounts: {
    code: string;
    currency: string;
    opening: string;
    debits: string;
    credits: string;
    closing: string;
  }[];
  totals: { currency: string; opening: string; debits: string; credits: string; closing: string }[];
  balanced: boolean;
}

/** An exact decimal string as minor units: `"-12.30"` is -1230n, `"500"` (JPY) 500n. */
const minor = (amount: string) => BigInt(amount.replace('.', ''));

/** Starts and stops its own service: the property test needs one per run. */
function harness(env: Record<string, string>) {
  const t = startTestService({ PROJECTION_TICK_MS: '20', ...env });
  let position = '0';

  async function close() {
    await t.close();
    if (env.MONGODB_URL && env.MONGODB_DATABASE) {
      const client = new MongoClient(env.MONGODB_URL);
      await client.db(env.MONGODB_DATABASE).dropDatabase();
      await client.close();
    }
  }

  async function open(accounts: readonly AccountInput[]) {
    for (const account of accounts) {
      const res = await openAccount(t, account);
      expect(res.status, res.text).toBe(201);
      position = res.body.position as string;
    }
  }

  async function post(date: string, lines: LineInput[]) {
    const res = await postEntry(t, { date, description: `Entry of ${date}`, lines });
    expect(res.status, res.text).toBe(201);
    position = res.body.position as string;
    return res.body.id as string;
  }

  async function reverse(id: string, date: string) {
    const res = await reverseEntry(t, id, { date, reason: 'mistake' });
    expect(res.status, res.text).toBe(201);
    position = res.body.position as string;
  }

  /** A report that has seen every write so far. */
  async function get<T>(path: string, key: KeyName = 'reports'): Promise<T> {
    const separator = path.includes('?') ? '&' : '?';
    const res = await t.request
      .get(`${path}${separator}consistentWith=${position}`)
      .set(t.auth(key));
    expect(res.status, res.text).toBe(200);
    return res.body as T;
  }

  return { t, close, open, post, reverse, get };
}

/**
 * What must hold at `asOf` whatever was booked: the sheet balances exactly per currency, its
 * current-year earnings are the income statement's net income from January 1, and the trial
 * balance of the year to date adds up per account (opening + movement = closing).
 */
async function checkStatementsAgree(h: ReturnType<typeof harness>, asOf: string) {
  const sheet = await h.get<BalanceSheet>(`${SHEET}?asOf=${asOf}`);
  const yearStart = `${asOf.slice(0, 4)}-01-01`;
  expect(sheet.yearStart).toBe(yearStart);
  expect(sheet.balanced).toBe(true);
  for (const currency of sheet.currencies) {
    expect(currency.balanced).toBe(true);
    expect(minor(currency.assets.total)).toBe(minor(currency.liabilitiesAndEquity));
    expect(minor(currency.liabilitiesAndEquity)).toBe(
      minor(currency.liabilities.total) + minor(currency.equity.total),
    );
  }
  const income = await h.get<IncomeStatement>(`${INCOME}?from=${yearStart}&to=${asOf}`);
  const currencies = new Set([
    ...sheet.currencies.map((c) => c.currency),
    ...income.currencies.map((c) => c.currency),
  ]);
  for (const code of currencies) {
    const net = income.currencies.find((c) => c.currency === code)?.netIncome ?? '0';
    const earnings =
      sheet.currencies.find((c) => c.currency === code)?.equity.currentYearEarnings ?? '0';
    expect(minor(earnings), `${code} on ${asOf}`).toBe(minor(net));
  }
  const trial = await h.get<PeriodTrialBalance>(`${TRIAL}?from=${yearStart}&to=${asOf}`);
  expect(trial.balanced).toBe(true);
  for (const row of trial.accounts) {
    expect(minor(row.opening) + minor(row.debits) - minor(row.credits), row.code).toBe(
      minor(row.closing),
    );
  }
  return { sheet, income, trial };
}

describe.each(stores)('$name', (storeSetup) => {
  describe('financial statements', () => {
    let h: ReturnType<typeof harness>;
    beforeEach(async () => {
      h = harness(storeSetup.env());
      await h.open([
        { code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' },
        { code: '2000', name: 'Payables', type: 'liability', currency: 'EUR' },
        { code: '3000', name: 'Capital', type: 'equity', currency: 'EUR' },
        { code: '4000', name: 'Sales', type: 'revenue', currency: 'EUR' },
        { code: '6000', name: 'Rent', type: 'expense', currency: 'EUR' },
        { code: '1100', name: 'Cash JPY', type: 'asset', currency: 'JPY' },
        { code: '3100', name: 'Capital JPY', type: 'equity', currency: 'JPY' },
        { code: '4100', name: 'Sales JPY', type: 'revenue', currency: 'JPY' },
        { code: '6100', name: 'Fees JPY', type: 'expense', currency: 'JPY' },
      ]);
      const dr = (account: string, debit: string) => ({ account, debit });
      const cr = (account: string, credit: string) => ({ account, credit });
      await h.post('2025-01-10', [dr('1000', '1000.00'), cr('3000', '1000.00')]);
      await h.post('2025-06-01', [dr('1000', '300.00'), cr('4000', '300.00')]);
      await h.post('2025-07-01', [dr('6000', '100.00'), cr('2000', '100.00')]);
      await h.post('2026-02-01', [dr('1000', '500.00'), cr('4000', '500.00')]);
      await h.post('2026-03-15', [dr('6000', '120.00'), cr('1000', '120.00')]);
      // A refund books against revenue: it lowers revenue, not raises expenses.
      await h.post('2026-03-20', [dr('4000', '50.00'), cr('1000', '50.00')]);
      const late = await h.post('2026-03-25', [dr('1000', '40.00'), cr('4000', '40.00')]);
      await h.reverse(late, '2026-04-02');
      await h.post('2026-01-05', [dr('1100', '100000'), cr('3100', '100000')]);
      await h.post('2026-02-10', [dr('1100', '5000'), cr('4100', '5000')]);
      await h.post('2026-03-01', [dr('6100', '2000'), cr('1100', '2000')]);
    });
    afterEach(async () => {
      await h.close();
    });

    it('shows revenue and expenses of a range with subtotals and net income, per currency', async () => {
      const q1 = await h.get<IncomeStatement>(`${INCOME}?from=2026-01-01&to=2026-03-31`);
      expect(q1).toEqual({
        from: '2026-01-01',
        to: '2026-03-31',
        currencies: [
          {
            currency: 'EUR',
            revenue: {
              accounts: [{ code: '4000', name: 'Sales', amount: '490.00' }],
              total: '490.00',
            },
            expenses: {
              accounts: [{ code: '6000', name: 'Rent', amount: '120.00' }],
              total: '120.00',
            },
            netIncome: '370.00',
          },
          {
            currency: 'JPY',
            revenue: {
              accounts: [{ code: '4100', name: 'Sales JPY', amount: '5000' }],
              total: '5000',
            },
            expenses: {
              accounts: [{ code: '6100', name: 'Fees JPY', amount: '2000' }],
              total: '2000',
            },
            netIncome: '3000',
          },
        ],
      });
      // The reversal in April takes the late sale back out.
      const april = await h.get<IncomeStatement>(`${INCOME}?from=2026-01-01&to=2026-04-30`);
      expect(april.currencies[0]).toMatchObject({
        revenue: { total: '450.00' },
        netIncome: '330.00',
      });
      const lastYear = await h.get<IncomeStatement>(`${INCOME}?from=2025-01-01&to=2025-12-31`);
      expect(lastYear.currencies).toEqual([
        expect.objectContaining({
          currency: 'EUR',
          revenue: expect.objectContaining({ total: '300.00' }),
          expenses: expect.objectContaining({ total: '100.00' }),
          netIncome: '200.00',
        }),
      ]);
      // One day; and a range with nothing in it.
      const day = await h.get<IncomeStatement>(`${INCOME}?from=2026-03-20&to=2026-03-20`);
      expect(day.currencies).toEqual([
        expect.objectContaining({
          revenue: {
            accounts: [{ code: '4000', name: 'Sales', amount: '-50.00' }],
            total: '-50.00',
          },
          expenses: { accounts: [], total: '0.00' },
          netIncome: '-50.00',
        }),
      ]);
      const empty = await h.get<IncomeStatement>(`${INCOME}?from=2024-01-01&to=2024-12-31`);
      expect(empty.currencies).toEqual([]);
    });

    it('balances the sheet exactly in two currencies, with the earnings as equity', async () => {
      const march = await h.get<BalanceSheet>(`${SHEET}?asOf=2026-03-31`);
      expect(march).toEqual({
        asOf: '2026-03-31',
        yearStart: '2026-01-01',
        balanced: true,
        currencies: [
          {
            currency: 'EUR',
            assets: {
              accounts: [{ code: '1000', name: 'Cash', amount: '1670.00' }],
              total: '1670.00',
            },
            liabilities: {
              accounts: [{ code: '2000', name: 'Payables', amount: '100.00' }],
              total: '100.00',
            },
            equity: {
              accounts: [{ code: '3000', name: 'Capital', amount: '1000.00' }],
              currentYearEarnings: '370.00',
              retainedEarningsNotClosed: '200.00',
              total: '1570.00',
            },
            liabilitiesAndEquity: '1670.00',
            balanced: true,
          },
          {
            currency: 'JPY',
            assets: {
              accounts: [{ code: '1100', name: 'Cash JPY', amount: '103000' }],
              total: '103000',
            },
            liabilities: { accounts: [], total: '0' },
            equity: {
              accounts: [{ code: '3100', name: 'Capital JPY', amount: '100000' }],
              currentYearEarnings: '3000',
              retainedEarningsNotClosed: '0',
              total: '103000',
            },
            liabilitiesAndEquity: '103000',
            balanced: true,
          },
        ],
      });
      const yearEnd = await h.get<BalanceSheet>(`${SHEET}?asOf=2025-12-31`);
      expect(yearEnd.currencies).toEqual([
        expect.objectContaining({
          currency: 'EUR',
          assets: expect.objectContaining({ total: '1300.00' }),
          equity: expect.objectContaining({
            currentYearEarnings: '200.00',
            retainedEarningsNotClosed: '0.00',
            total: '1200.00',
          }),
          liabilitiesAndEquity: '1300.00',
        }),
      ]);
      // The next day, last year's earnings are no longer this year's.
      const newYear = await h.get<BalanceSheet>(`${SHEET}?asOf=2026-01-01`);
      expect(newYear.currencies[0]!.equity).toMatchObject({
        currentYearEarnings: '0.00',
        retainedEarningsNotClosed: '200.00',
      });
      const before = await h.get<BalanceSheet>(`${SHEET}?asOf=2024-12-31`);
      expect(before).toEqual({
        asOf: '2024-12-31',
        yearStart: '2024-01-01',
        currencies: [],
        balanced: true,
      });

      for (const asOf of ['2025-06-30', '2025-12-31', '2026-01-01', '2026-03-24', '2026-04-02']) {
        await checkStatementsAgree(h, asOf);
      }
    });

    it('is as of today without asOf', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const sheet = await h.get<BalanceSheet>(SHEET);
      expect(sheet.asOf).toBe(today);
      expect(sheet).toEqual(await h.get<BalanceSheet>(`${SHEET}?asOf=${today}`));
    });

    it('gives the trial balance of a period: opening, movement and closing per account', async () => {
      const q1 = await h.get<PeriodTrialBalance>(`${TRIAL}?from=2026-01-01&to=2026-03-31`);
      expect(q1.from).toBe('2026-01-01');
      expect(q1.to).toBe('2026-03-31');
      expect(q1.balanced).toBe(true);
      expect(q1.accounts.find((row) => row.code === '1000')).toEqual({
        code: '1000',
        name: 'Cash',
        type: 'asset',
        currency: 'EUR',
        opening: '1300.00',
        debits: '540.00',
        credits: '170.00',
        closing: '1670.00',
      });
      expect(q1.accounts.find((row) => row.code === '1100')).toMatchObject({
        opening: '0',
        debits: '105000',
        credits: '2000',
        closing: '103000',
      });
      expect(q1.totals).toEqual([
        {
          currency: 'EUR',
          opening: '0.00',
          debits: '710.00',
          credits: '710.00',
          closing: '0.00',
        },
        { currency: 'JPY', opening: '0', debits: '107000', credits: '107000', closing: '0' },
      ]);
      // The closing balances are the trial balance as of `to`; accounts with nothing booked by
      // then are left out of both.
      const asOf = await h.get<{ accounts: { code: string; balance: string }[] }>(
        `${TRIAL}?asOf=2026-03-31`,
      );
      expect(q1.accounts.map((row) => [row.code, row.closing])).toEqual(
        asOf.accounts.map((row) => [row.code, row.balance]),
      );
      for (const row of q1.accounts) {
        expect(minor(row.opening) + minor(row.debits) - minor(row.credits)).toBe(
          minor(row.closing),
        );
      }

      // Open-ended: from the first line, or through the last.
      const untilMarch = await h.get<PeriodTrialBalance>(`${TRIAL}?to=2026-03-31`);
      expect(untilMarch.from).toBeNull();
      expect(untilMarch.accounts.every((row) => minor(row.opening) === 0n)).toBe(true);
      const sinceApril = await h.get<PeriodTrialBalance>(`${TRIAL}?from=2026-04-01`);
      expect(sinceApril.to).toBeNull();
      expect(sinceApril.accounts.find((row) => row.code === '1000')).toMatchObject({
        opening: '1670.00',
        debits: '0.00',
        credits: '40.00',
        closing: '1630.00',
      });
    });

    it('keeps the trial balance without from/to as it was', async () => {
      const all = await h.get<Record<string, unknown>>(TRIAL);
      expect(Object.keys(all).sort()).toEqual(['accounts', 'asOf', 'balanced', 'totals']);
      expect(all.asOf).toBeNull();
    });

    it('refuses a bad range, asOf beside a range, and callers without a reading scope', async () => {
      const { t } = h;
      const get = (path: string, key: KeyName = 'reports') => t.request.get(path).set(t.auth(key));
      expectValidationError(await get(`${INCOME}?from=2026-01-01`), 'query.to');
      expectValidationError(await get(`${INCOME}?to=2026-01-01`), 'query.from');
      expectValidationError(await get(`${INCOME}?from=2026-02-01&to=2026-01-31`), 'query.from');
      expectValidationError(await get(`${INCOME}?from=2026-02-30&to=2026-03-01`), 'query.from');
      expectValidationError(await get(`${SHEET}?asOf=2026-13-01`), 'query.asOf');
      expectValidationError(await get(`${TRIAL}?from=2026-01-01&asOf=2026-03-31`), 'query.asOf');
      expectValidationError(await get(`${TRIAL}?from=2026-04-01&to=2026-03-31`), 'query.from');
      for (const path of [`${INCOME}?from=2026-01-01&to=2026-01-31`, SHEET]) {
        expectProblem(await get(path, 'people'), 403, 'forbidden');
        expect((await get(path, 'finance')).status).toBe(200);
      }
    });
  });

  describe('over random balanced journal entries', () => {
    const CURRENCIES = [
      { currency: 'EUR', decimals: 2 },
      { currency: 'JPY', decimals: 0 },
    ] as const;
    const TYPES = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
    /** Two accounts of each type in each currency. */
    const ACCOUNTS = CURRENCIES.flatMap(({ currency }) =>
      TYPES.flatMap((type, t) =>
        [0, 1].map((n) => ({
          code: `${t + 1}${n}-${currency}`,
          name: `${type} ${n} ${currency}`,
          type,
          currency,
        })),
      ),
    );
    const START = Date.parse('2025-01-01T00:00:00Z');
    const DAYS = 730;
    const dateOf = (day: number) => new Date(START + day * 86_400_000).toISOString().slice(0, 10);
    const format = (amount: number, decimals: number) =>
      decimals === 0
        ? String(amount)
        : `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;

    /** An entry in one currency: each pair debits one account and credits another the same. */
    const entry = fc.record({
      day: fc.integer({ min: 0, max: DAYS - 1 }),
      currency: fc.constantFrom(0, 1),
      pairs: fc.array(
        fc.record({
          debit: fc.integer({ min: 0, max: TYPES.length * 2 - 1 }),
          credit: fc.integer({ min: 0, max: TYPES.length * 2 - 1 }),
          amount: fc.integer({ min: 1, max: 1_000_000 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    });
    const checkDays = fc.array(fc.integer({ min: 0, max: DAYS - 1 }), {
      minLength: 2,
      maxLength: 4,
    });

    it('balance, agree on earnings and add up at every date', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(entry, { minLength: 1, maxLength: 10 }),
          checkDays,
          async (entries, days) => {
            const h = harness(storeSetup.env());
            try {
              await h.open(ACCOUNTS);
              /** Debit-positive balance per account per day booked, for the model. */
              const booked: { day: number; account: string; signed: bigint }[] = [];
              for (const { day, currency, pairs } of entries) {
                const { decimals } = CURRENCIES[currency]!;
                const accounts = ACCOUNTS.filter(
                  (a) => a.currency === CURRENCIES[currency]!.currency,
                );
                const lines = pairs.flatMap(({ debit, credit, amount }) => {
                  const text = format(amount, decimals);
                  booked.push(
                    { day, account: accounts[debit]!.code, signed: BigInt(amount) },
                    { day, account: accounts[credit]!.code, signed: -BigInt(amount) },
                  );
                  return [
                    { account: accounts[debit]!.code, debit: text },
                    { account: accounts[credit]!.code, credit: text },
                  ];
                });
                await h.post(dateOf(day), lines);
              }
              const balanceOf = (code: string, throughDay: number) =>
                booked
                  .filter((b) => b.account === code && b.day <= throughDay)
                  .reduce((sum, b) => sum + b.signed, 0n);

              for (const day of [...days, 364, 365]) {
                const asOf = dateOf(day);
                const { sheet, trial } = await checkStatementsAgree(h, asOf);
                // The sheet's asset totals are the model's, and the trial balance closes on them.
                for (const { currency } of CURRENCIES) {
                  const assets = ACCOUNTS.filter(
                    (a) => a.currency === currency && a.type === 'asset',
                  ).reduce((sum, a) => sum + balanceOf(a.code, day), 0n);
                  const row = sheet.currencies.find((c) => c.currency === currency);
                  expect(row ? minor(row.assets.total) : 0n, `${currency} assets on ${asOf}`).toBe(
                    assets,
                  );
                }
                for (const row of trial.accounts) {
                  expect(minor(row.closing), `${row.code} on ${asOf}`).toBe(
                    balanceOf(row.code, day),
                  );
                }
              }
            } finally {
              await h.close();
            }
          },
        ),
        { numRuns: storeSetup.runs },
      );
    }, 600_000);
  });
});
