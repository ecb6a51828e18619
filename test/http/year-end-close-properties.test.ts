/**
 * The statements' identities across a year-end close, over random postings: whatever was booked
 * in 2025 and 2026, once 2025 is closed the balance sheet balances in every currency at every
 * date, its current-year earnings equal the income statement's net income from January 1, the
 * closed year's income statement still shows the model's net income, and nothing of 2025 is
 * left as unclosed earnings from January 1, 2026 on.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { dropStores, storeModes } from '../support/store-modes.js';
import { startTestService } from '../support/test-service.js';
import { closePeriod, openAccount, postEntry } from './fixtures.js';

const CURRENCIES = [
  { currency: 'EUR', decimals: 2 },
  { currency: 'JPY', decimals: 0 },
] as const;
const TYPES = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
/** Two accounts of each type per currency, and retained earnings in the default chart's way. */
const ACCOUNTS = CURRENCIES.flatMap(({ currency }) => [
  ...TYPES.flatMap((type, t) =>
    [0, 1].map((n) => ({ code: `${t + 1}${n}-${currency}`, name: `${type} ${n}`, type, currency })),
  ),
  {
    code: currency === 'EUR' ? '30000' : `30000-${currency}`,
    name: 'Retained earnings',
    type: 'equity',
    currency,
  },
]);
const START = Date.parse('2025-01-01T00:00:00Z');
const DAYS = 730;
const dateOf = (day: number) => new Date(START + day * 86_400_000).toISOString().slice(0, 10);
const format = (amount: number, decimals: number) =>
  decimals === 0
    ? String(amount)
    : `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;
const minor = (amount: string) => BigInt(amount.replace('.', ''));

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

interface Sheet {
  balanced: boolean;
  currencies: {
    currency: string;
    assets: { total: string };
    liabilitiesAndEquity: string;
    balanced: boolean;
    equity: { currentYearEarnings: string; retainedEarningsNotClosed: string };
  }[];
}
interface Income {
  currencies: { currency: string; netIncome: string }[];
}

for (const mode of storeModes('yearend_props')) {
  const runs = mode.name === 'embedded stores' ? 8 : 2;
  it(`${mode.name}: the statements agree at every date across a year-end close`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { minLength: 1, maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: DAYS - 1 }), { minLength: 2, maxLength: 4 }),
        async (entries, days) => {
          const env = mode.env();
          const t = startTestService({ PROJECTION_TICK_MS: '20', ...env });
          let position = '0';
          const get = async <T>(path: string): Promise<T> => {
            const res = await t.request
              .get(`${path}&consistentWith=${position}`)
              .set(t.auth('reports'));
            expect(res.status, res.text).toBe(200);
            return res.body as T;
          };
          try {
            for (const account of ACCOUNTS) {
              const res = await openAccount(t, account);
              expect(res.status, res.text).toBe(201);
            }
            /** Credit-positive net income of 2025 per currency, by the model. */
            const earned = new Map<string, bigint>();
            for (const { day, currency, pairs } of entries) {
              const { decimals, currency: code } = CURRENCIES[currency]!;
              const accounts = ACCOUNTS.filter((a) => a.currency === code).slice(0, 10);
              const lines = pairs.flatMap(({ debit, credit, amount }) => {
                if (day < 365) {
                  for (const [index, sign] of [
                    [debit, -1n],
                    [credit, 1n],
                  ] as const) {
                    const { type } = accounts[index]!;
                    if (type === 'revenue' || type === 'expense') {
                      earned.set(code, (earned.get(code) ?? 0n) + sign * BigInt(amount));
                    }
                  }
                }
                const text = format(amount, decimals);
                return [
                  { account: accounts[debit]!.code, debit: text },
                  { account: accounts[credit]!.code, credit: text },
                ];
              });
              const res = await postEntry(t, { date: dateOf(day), description: 'x', lines });
              expect(res.status, res.text).toBe(201);
              position = res.body.position as string;
            }
            expect((await closePeriod(t, '2025-12')).status).toBe(200);
            const closed = await t.request
              .post('/v1/ledger/fiscal-years/2025/close')
              .set(t.auth('admin'))
              .send({});
            expect(closed.status, closed.text).toBe(200);
            position = closed.body.position as string;

            for (const day of [...days, 364, 365]) {
              const asOf = dateOf(day);
              const sheet = await get<Sheet>(`/v1/reports/balance-sheet?asOf=${asOf}`);
              expect(sheet.balanced, asOf).toBe(true);
              const income = await get<Income>(
                `/v1/reports/income-statement?from=${asOf.slice(0, 4)}-01-01&to=${asOf}`,
              );
              for (const row of sheet.currencies) {
                expect(minor(row.assets.total)).toBe(minor(row.liabilitiesAndEquity));
                const net = income.currencies.find((c) => c.currency === row.currency)?.netIncome;
                expect(minor(row.equity.currentYearEarnings), `${row.currency} on ${asOf}`).toBe(
                  net === undefined ? 0n : minor(net),
                );
                if (day >= 365) {
                  expect(minor(row.equity.retainedEarningsNotClosed), asOf).toBe(0n);
                }
              }
            }
            const year = await get<Income>(
              '/v1/reports/income-statement?from=2025-01-01&to=2025-12-31',
            );
            for (const { currency } of CURRENCIES) {
              const net = year.currencies.find((c) => c.currency === currency)?.netIncome;
              expect(net === undefined ? 0n : minor(net), currency).toBe(
                earned.get(currency) ?? 0n,
              );
            }
          } finally {
            await t.close();
            await dropStores(env);
          }
        },
      ),
      { numRuns: runs },
    );
  }, 600_000);
}
