/**
 * Property test across the finance features: random sequences of taxed invoices, payments,
 * credit notes, refunds, voids and expenses, dated forward over a year boundary, played through
 * the whole service. After each sequence, as of random days and over random ranges:
 *
 * - the receivable account = what invoices still owe − customers' credit = the aging total,
 *   the model's figure;
 * - the VAT report's tax = the output accounts' movement over the range;
 * - the balance sheet balances, and its current-year earnings equal the income statement's net
 *   income from January 1 of its year;
 * - the trial balance balances;
 * - once the dates pass into 2026, 2025 is closed (its months, then the year): its income
 *   statement is what it was before, and nothing of it is left unclosed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';
import { openAccount, postEntry } from './fixtures.js';

const CUSTOMERS = ['C1', 'C2'] as const;
const CODES = [undefined, 'VAT19', 'VAT7'] as const;
const OUTPUT_ACCOUNTS = ['17700', '17701'];

const operation = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('issue' as const),
      customer: fc.constantFrom(...CUSTOMERS),
      lines: fc.array(
        fc.record({
          cents: fc.integer({ min: 1, max: 50_000 }),
          code: fc.constantFrom(...CODES),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('pay' as const), pick: fc.nat(), share: fc.nat() }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('credit' as const),
      pick: fc.nat(),
      share: fc.nat(),
      whole: fc.boolean(),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), share: fc.nat() }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('void' as const), pick: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('expense' as const),
      cents: fc.integer({ min: 1, max: 20_000 }),
    }),
    weight: 1,
  },
);
type Op = typeof operation extends fc.Arbitrary<infer T> ? T : never;

const step = fc.record({ op: operation, days: fc.integer({ min: 0, max: 25 }) });

const cents = (amount: string) => BigInt(amount.replace('.', ''));
const euros = (minor: bigint) => {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};

function dayAfter(date: string, days: number): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + days);
  return next.toISOString().slice(0, 10);
}

/** What the model keeps of an invoice: enough to pick valid commands and know what it owes. */
interface ModelInvoice {
  id: string;
  customer: string;
  total: bigint;
  paid: bigint;
  credited: bigint;
  /** Net left to credit per tax code (all lines post to 40000). */
  creditable: Map<string, bigint>;
  void: boolean;
}

type Answer = { status: number; text: string; body: Record<string, unknown> };

/** How many sequences passed into 2026 and so closed 2025: the property must see some. */
let yearsClosed = 0;

async function play(steps: readonly { op: Op; days: number }[]): Promise<void> {
  const t: TestService = startTestService(
    { CHART_OF_ACCOUNTS: '' },
    { clock: () => new Date('2026-12-31T12:00:00Z') },
  );
  const post = (path: string, body: object) =>
    t.request.post(path).set(t.auth()).send(body) as unknown as Promise<Answer>;
  const get = async (path: string) => {
    const res = (await t.request.get(path).set(t.auth('reports'))) as unknown as Answer;
    expect(res.status, `${path}: ${res.text}`).toBe(200);
    return res.body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const accept = async (res: PromiseLike<unknown>, status = 201) => {
    const answer = (await res) as Answer;
    expect(answer.status, answer.text).toBe(status);
    return answer.body as Record<string, unknown> & { position: string };
  };
  try {
    await t.service.started;
    for (const [code, type] of [
      ['17700', 'liability'],
      ['17701', 'liability'],
      ['61000', 'expense'],
    ] as const) {
      await accept(openAccount(t, { code, name: `Account ${code}`, type, currency: 'EUR' }));
    }
    await accept(
      post('/v1/tax-codes', { code: 'VAT19', name: 'Std', rate: '19', outputAccount: '17700' }),
    );
    await accept(
      post('/v1/tax-codes', { code: 'VAT7', name: 'Red', rate: '7', outputAccount: '17701' }),
    );
    for (const customerId of CUSTOMERS) {
      await accept(
        post('/v1/customers', {
          customerId,
          name: `Customer ${customerId}`,
          email: `${customerId.toLowerCase()}@example.com`,
          billingAddress: { line1: 'Street 1', city: 'Town', postalCode: '1000', country: 'NL' },
          currency: 'EUR',
          paymentTermsDays: 14,
        }),
      );
    }

    const invoices: ModelInvoice[] = [];
    const refunded = new Map<string, bigint>();
    let date = '2025-10-01';
    let position = '0';
    const dates: string[] = [];
    let income2025: unknown;
    for (const [index, { op, days }] of steps.entries()) {
      const before = date;
      date = dayAfter(date, days);
      if (date > '2026-12-31') date = '2026-12-31';
      if (before < '2026-01-01' && date >= '2026-01-01') {
        // Into 2026: close its months and the year, once every 2025 posting is booked.
        income2025 = await get(
          `/v1/reports/income-statement?from=2025-01-01&to=2025-12-31&consistentWith=${position}`,
        );
        await accept(post('/v1/ledger/periods/2025-12/close', {}), 200);
        const closed = await accept(
          t.request.post('/v1/ledger/fiscal-years/2025/close').set(t.auth('admin')).send({}),
          200,
        );
        position = closed.position;
        yearsClosed += 1;
      }
      dates.push(date);
      const live = invoices.filter((invoice) => !invoice.void);
      switch (op.kind) {
        case 'issue': {
          const id = `INV-${index}`;
          const body = await accept(
            post('/v1/invoices', {
              invoiceId: id,
              customerId: op.customer,
              issueDate: date,
              lines: op.lines.map((line) => ({
                description: 'Item',
                quantity: '1',
                unitPrice: euros(BigInt(line.cents)),
                revenueAccount: '40000',
                ...(line.code ? { taxCode: line.code } : {}),
              })),
            }),
          );
          const creditable = new Map<string, bigint>();
          for (const line of op.lines) {
            const key = line.code ?? '';
            creditable.set(key, (creditable.get(key) ?? 0n) + BigInt(line.cents));
          }
          invoices.push({
            id,
            customer: op.customer,
            total: cents(body.total as string),
            paid: 0n,
            credited: 0n,
            creditable,
            void: false,
          });
          position = body.position;
          break;
        }
        case 'pay': {
          const open = live.filter((invoice) => invoice.total > invoice.paid + invoice.credited);
          if (open.length === 0) break;
          const invoice = open[op.pick % open.length]!;
          const owed = invoice.total - invoice.paid - invoice.credited;
          const amount = 1n + (BigInt(op.share) % owed);
          const body = await accept(
            post(`/v1/invoices/${invoice.id}/payments`, {
              amount: euros(amount),
              receivedOn: date,
              method: 'bank_transfer',
            }),
          );
          invoice.paid += amount;
          position = body.position;
          break;
        }
        case 'credit': {
          const creditable = live.filter((invoice) =>
            [...invoice.creditable.values()].some((left) => left > 0n),
          );
          if (creditable.length === 0) break;
          const invoice = creditable[op.pick % creditable.length]!;
          const slots = [...invoice.creditable].filter(([, left]) => left > 0n);
          const lines = op.whole
            ? slots.map(([code, left]) => ({ code, amount: left }))
            : [slots[op.share % slots.length]!].map(([code, left]) => ({
                code,
                amount: 1n + (BigInt(op.share) % left),
              }));
          const body = await accept(
            post(`/v1/invoices/${invoice.id}/credit-notes`, {
              date,
              reason: 'Random',
              lines: lines.map(({ code, amount }) => ({
                description: 'Back',
                amount: euros(amount),
                ...(code ? { taxCode: code } : {}),
              })),
            }),
          );
          for (const { code, amount } of lines) {
            invoice.creditable.set(code, invoice.creditable.get(code)! - amount);
          }
          invoice.credited = cents(body.credited as string);
          position = body.position;
          break;
        }
        case 'refund': {
          const customer = CUSTOMERS[op.pick % CUSTOMERS.length]!;
          // The credit as of today (every date so far is on or before it) less refunds.
          const credit =
            invoices
              .filter((invoice) => invoice.customer === customer && !invoice.void)
              .reduce((sum, invoice) => {
                const beyond = invoice.paid + invoice.credited - invoice.total;
                return sum + (beyond > 0n ? beyond : 0n);
              }, 0n) - (refunded.get(customer) ?? 0n);
          const amount = credit > 0n ? 1n + (BigInt(op.share) % credit) : 1n;
          const res = await post(`/v1/customers/${customer}/refunds`, {
            amount: euros(amount),
            paidOn: date,
            method: 'bank_transfer',
          });
          if (credit <= 0n) {
            expect(res.status, res.text).toBe(409);
            break;
          }
          expect(res.status, res.text).toBe(201);
          refunded.set(customer, (refunded.get(customer) ?? 0n) + amount);
          position = res.body.position as string;
          break;
        }
        case 'void': {
          const voidable = live.filter((invoice) => invoice.paid === 0n && invoice.credited === 0n);
          if (voidable.length === 0) break;
          const invoice = voidable[op.pick % voidable.length]!;
          const body = await accept(
            post(`/v1/invoices/${invoice.id}/void`, { reason: 'Random', voidedOn: date }),
            200,
          );
          invoice.void = true;
          position = body.position;
          break;
        }
        case 'expense': {
          const body = await accept(
            postEntry(t, {
              date,
              description: 'Rent',
              lines: [
                { account: '61000', debit: euros(BigInt(op.cents)) },
                { account: '10000', credit: euros(BigInt(op.cents)) },
              ],
            }),
          );
          position = body.position as string;
          break;
        }
      }
    }

    const consistent = `consistentWith=${position}`;
    // What the receivable account must hold once everything is dated: owed − credit + refunds.
    const receivable =
      invoices
        .filter((invoice) => !invoice.void)
        .reduce((sum, invoice) => sum + invoice.total - invoice.paid - invoice.credited, 0n) +
      [...refunded.values()].reduce((sum, amount) => sum + amount, 0n);

    const checkDay = async (asOf: string) => {
      const tb = await get(`/v1/reports/trial-balance?asOf=${asOf}&${consistent}`);
      expect(tb.balanced).toBe(true);
      const balance = (code: string) =>
        (tb.accounts as { code: string; balance: string }[]).find((row) => row.code === code)
          ?.balance ?? '0.00';
      const aging = await get(`/v1/reports/ar-aging?asOf=${asOf}&${consistent}`);
      expect((aging.totals as { total: string }[])[0]?.total ?? '0.00', asOf).toBe(
        balance('12000'),
      );
      const sheet = await get(`/v1/reports/balance-sheet?asOf=${asOf}&${consistent}`);
      expect(sheet.balanced, asOf).toBe(true);
      const yearStart = `${asOf.slice(0, 4)}-01-01`;
      const income = await get(
        `/v1/reports/income-statement?from=${yearStart}&to=${asOf}&${consistent}`,
      );
      const euro = (rows: { currency: string }[]) => rows.find((row) => row.currency === 'EUR');
      const earnings =
        (euro(sheet.currencies) as { equity?: { currentYearEarnings: string } } | undefined)?.equity
          ?.currentYearEarnings ?? '0.00';
      const netIncome = (euro(income.currencies) as { netIncome: string } | undefined)?.netIncome;
      expect(earnings, `current-year earnings as of ${asOf}`).toBe(netIncome ?? '0.00');
    };

    const checkRange = async (from: string, to: string) => {
      const report = await get(`/v1/reports/vat?from=${from}&to=${to}&${consistent}`);
      const movement = await get(`/v1/reports/trial-balance?from=${from}&to=${to}&${consistent}`);
      const moved = (movement.accounts as { code: string; debits: string; credits: string }[])
        .filter((row) => OUTPUT_ACCOUNTS.includes(row.code))
        .reduce((sum, row) => sum + cents(row.credits) - cents(row.debits), 0n);
      const tax = (report.totals as { tax: string }[])[0]?.tax ?? '0.00';
      expect(tax, `VAT ${from}..${to}`).toBe(euros(moved));
    };

    const final = await get(`/v1/reports/trial-balance?${consistent}`);
    expect(
      (final.accounts as { code: string; balance: string }[]).find((row) => row.code === '12000')
        ?.balance ?? '0.00',
    ).toBe(euros(receivable));
    const customers = await get(`/v1/customers?${consistent}`);
    const openBalances = (customers.items as { openBalance: string }[]).reduce(
      (sum, customer) => sum + cents(customer.openBalance),
      0n,
    );
    expect(euros(openBalances)).toBe(euros(receivable));

    if (income2025 !== undefined) {
      // The closed year keeps its net income; the next one starts from zero.
      expect(
        await get(`/v1/reports/income-statement?from=2025-01-01&to=2025-12-31&${consistent}`),
      ).toEqual(income2025);
      const sheet = await get(`/v1/reports/balance-sheet?asOf=2026-01-01&${consistent}`);
      for (const currency of sheet.currencies as {
        equity: { retainedEarningsNotClosed: string };
      }[]) {
        expect(currency.equity.retainedEarningsNotClosed).toMatch(/^-?0\.00$/);
      }
    }

    const sample = [
      dates[0]!,
      dates[Math.floor(dates.length / 2)]!,
      date,
      '2025-12-31',
      '2026-01-01',
    ];
    for (const asOf of new Set(sample)) await checkDay(asOf);
    await checkRange(dates[0]!, date);
    await checkRange('2025-12-01', '2026-01-31');
    await checkRange(
      dates[Math.floor(dates.length / 3)]!,
      dates[Math.floor((2 * dates.length) / 3)]!,
    );
  } finally {
    await t.close();
  }
}

describe('the books across taxed invoices, credit notes, refunds and a year boundary', () => {
  it('agree with each other and with the model as of every sampled day and range', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 8, maxLength: 30 }), play), {
      numRuns: 8,
    });
    expect(yearsClosed).toBeGreaterThan(0);
  }, 300_000);
});
