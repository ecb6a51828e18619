/**
 * Property test: random sequences of receivables commands through the whole service (seeded, so
 * a failure replays), with the books checked against each other along the way:
 *
 * - the receivable account's balance equals the sum of outstanding invoice amounts, and each
 *   customer's open balance, summed;
 * - revenue equals the totals of the invoices that are not void: a void leaves no trace;
 * - the trial balance balances in every currency;
 * - the aging report's total equals the receivable account's balance.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';

let t: TestService;
beforeEach(async () => {
  t = startTestService(
    { CHART_OF_ACCOUNTS: '' },
    { clock: () => new Date('2026-12-31T12:00:00Z') },
  );
  await t.service.started;
});
afterEach(async () => {
  await t.close();
});

/** mulberry32: a small seeded generator, so each seed is one reproducible history. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (below: number) => Math.floor(next() * below) };
}

const cents = (amount: string) => BigInt(amount.replace('.', ''));
const euros = (minor: bigint) => {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};

interface Invoice {
  id: string;
  total: bigint;
  paid: bigint;
  void: boolean;
}

async function checkBooks(position: string, invoices: readonly Invoice[]) {
  const consistent = `consistentWith=${position}`;
  const tb = await t.request.get(`/v1/reports/trial-balance?${consistent}`).set(t.auth('reports'));
  expect(tb.status, tb.text).toBe(200);
  expect(tb.body.balanced).toBe(true);
  const balance = (code: string) =>
    (tb.body.accounts as { code: string; balance: string }[]).find((row) => row.code === code)
      ?.balance ?? '0.00';

  const outstanding = invoices
    .filter((invoice) => !invoice.void)
    .reduce((sum, invoice) => sum + invoice.total - invoice.paid, 0n);
  expect(balance('12000')).toBe(euros(outstanding));
  const revenue = invoices.filter((i) => !i.void).reduce((sum, i) => sum + i.total, 0n);
  expect(balance('40000')).toBe(euros(-revenue));
  const cash = invoices.reduce((sum, invoice) => sum + invoice.paid, 0n);
  expect(balance('10000')).toBe(euros(cash));

  const customers = await t.request.get(`/v1/customers?${consistent}`).set(t.auth('reports'));
  const owed = (customers.body.items as { openBalance: string }[]).reduce(
    (sum, customer) => sum + cents(customer.openBalance),
    0n,
  );
  expect(euros(owed)).toBe(euros(outstanding));

  const aging = await t.request.get(`/v1/reports/ar-aging?${consistent}`).set(t.auth('reports'));
  expect(aging.body.totals[0]?.total ?? '0.00').toBe(euros(outstanding));
}

describe('receivables invariants under random command sequences', () => {
  it.each([1, 2, 3])('hold at every step for seed %i', async (seed) => {
    const rng = random(seed);
    for (const id of ['C1', 'C2', 'C3']) {
      const res = await t.request
        .post('/v1/customers')
        .set(t.auth())
        .send({
          customerId: id,
          name: `Customer ${id}`,
          email: `${id.toLowerCase()}@example.com`,
          billingAddress: { line1: 'Street 1', city: 'Town', postalCode: '1000', country: 'NL' },
          currency: 'EUR',
          paymentTermsDays: rng.int(60),
        });
      expect(res.status, res.text).toBe(201);
    }
    const invoices: Invoice[] = [];
    let position = '0';
    for (let step = 0; step < 40; step += 1) {
      const roll = rng.next();
      const open = invoices.filter((invoice) => !invoice.void && invoice.paid < invoice.total);
      if (roll < 0.35 || open.length === 0) {
        const id = `INV-${seed}-${step}`;
        const lines = Array.from({ length: 1 + rng.int(3) }, () => ({
          description: 'Item',
          quantity: `${1 + rng.int(5)}${rng.next() < 0.3 ? '.5' : ''}`,
          unitPrice: `${1 + rng.int(200)}.${String(rng.int(100)).padStart(2, '0')}`,
          revenueAccount: '40000',
        }));
        const res = await t.request
          .post('/v1/invoices')
          .set(t.auth())
          .send({
            invoiceId: id,
            customerId: `C${1 + rng.int(3)}`,
            issueDate: `2026-${String(1 + rng.int(6)).padStart(2, '0')}-15`,
            lines,
          });
        expect(res.status, res.text).toBe(201);
        invoices.push({ id, total: cents(res.body.total), paid: 0n, void: false });
        position = res.body.position;
      } else if (roll < 0.85) {
        const invoice = open[rng.int(open.length)]!;
        const remaining = invoice.total - invoice.paid;
        // Sometimes more than is owed: that must be refused and change nothing.
        const amount = rng.next() < 0.2 ? remaining + 1n : 1n + BigInt(rng.int(Number(remaining)));
        const res = await t.request
          .post(`/v1/invoices/${invoice.id}/payments`)
          .set(t.auth())
          .send({
            amount: euros(amount),
            receivedOn: '2026-07-01',
            method: 'bank_transfer',
            reference: '',
          });
        if (amount > remaining) {
          expect(res.status, res.text).toBe(409);
        } else {
          expect(res.status, res.text).toBe(201);
          invoice.paid += amount;
          position = res.body.position;
        }
      } else {
        const invoice = invoices[rng.int(invoices.length)]!;
        const res = await t.request
          .post(`/v1/invoices/${invoice.id}/void`)
          .set(t.auth())
          .send({ reason: 'random', voidedOn: '2026-07-02' });
        if (invoice.void || invoice.paid > 0n) {
          expect(res.status, res.text).toBe(409);
        } else {
          expect(res.status, res.text).toBe(200);
          invoice.void = true;
          position = res.body.position;
        }
      }
      if (step % 5 === 4) await checkBooks(position, invoices);
    }
    await checkBooks(position, invoices);
  });
});
