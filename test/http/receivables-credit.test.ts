/**
 * Tax codes, taxed invoices, credit notes and refunds over HTTP, on every store mode: what the
 * API answers, what the ledger books, and that the VAT report, the aging and the customer
 * balance agree with the accounts they summarise.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropStores, storeModes } from '../support/store-modes.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { balancesAt, closePeriod, expectProblem, openAccount } from './fixtures.js';

const stores = storeModes('credit');

let t: TestService;
let env: Record<string, string>;

type Answer = Awaited<ReturnType<typeof get>>;
const post = (path: string, body: object, key: 'finance' | 'reports' | 'admin' = 'finance') =>
  t.request.post(path).set(t.auth(key)).send(body);
const get = (path: string) => t.request.get(path).set(t.auth('reports'));

async function ok(res: PromiseLike<Answer>, status = 201) {
  const answer = await res;
  expect(answer.status, answer.text).toBe(status);
  return answer.body as Record<string, unknown> & { position: string };
}

const address = { line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' };

async function setUp() {
  await ok(
    post('/v1/customers', {
      customerId: 'ACME',
      name: 'Acme GmbH',
      email: 'billing@acme.example',
      billingAddress: address,
      currency: 'EUR',
      paymentTermsDays: 30,
    }),
  );
  await ok(openAccount(t, { code: '41000', name: 'Services', type: 'revenue', currency: 'EUR' }));
  await ok(openAccount(t, { code: '17700', name: 'VAT 19 %', type: 'liability', currency: 'EUR' }));
  await ok(openAccount(t, { code: '17701', name: 'VAT 7 %', type: 'liability', currency: 'EUR' }));
  await ok(
    post('/v1/tax-codes', { code: 'VAT19', name: 'Standard', rate: '19', outputAccount: '17700' }),
  );
  await ok(
    post('/v1/tax-codes', { code: 'VAT7', name: 'Reduced', rate: '7.00', outputAccount: '17701' }),
  );
}

const line = (unitPrice: string, taxCode?: string, revenueAccount = '40000', quantity = '1') => ({
  description: `Item at ${taxCode ?? 'no tax'}`,
  quantity,
  unitPrice,
  revenueAccount,
  ...(taxCode ? { taxCode } : {}),
});

function issue(invoiceId: string, lines: object[], issueDate = '2026-03-02') {
  return ok(post('/v1/invoices', { invoiceId, customerId: 'ACME', issueDate, lines }));
}

function credit(invoiceId: string, body: object) {
  return post(`/v1/invoices/${invoiceId}/credit-notes`, { reason: 'Returned', ...body });
}

async function vat(from: string, to: string, position: string) {
  const res = await get(`/v1/reports/vat?from=${from}&to=${to}&consistentWith=${position}`);
  expect(res.status, res.text).toBe(200);
  return res.body as {
    codes: { taxCode: string; base: string; tax: string; invoiced: object; credited: object }[];
    totals: { currency: string; base: string; tax: string }[];
  };
}

async function aging(asOf: string, position: string) {
  const res = await get(`/v1/reports/ar-aging?asOf=${asOf}&consistentWith=${position}`);
  expect(res.status, res.text).toBe(200);
  return res.body as {
    customers: { customerId: string; credit: string; total: string }[];
    totals: { total: string; credit: string }[];
  };
}

describe.each(stores)('tax codes, credit notes and refunds, $name', (store) => {
  beforeEach(async () => {
    env = store.env();
    // The default chart: cash 10000, receivable 12000, sales revenue 40000.
    t = startTestService({ CHART_OF_ACCOUNTS: '', ...env });
    await t.service.started;
    await setUp();
  });
  afterEach(async () => {
    await t.close();
    await dropStores(env);
  });

  it('creates tax codes, lists them and changes a rate only forward from an effective date', async () => {
    expectProblem(
      await post('/v1/tax-codes', {
        code: 'VAT19',
        name: 'Again',
        rate: '19',
        outputAccount: '17700',
      }),
      409,
      'tax-code-already-exists',
    );
    expectProblem(
      await post('/v1/tax-codes', {
        code: 'X',
        name: 'On cash',
        rate: '5',
        outputAccount: '10000',
      }),
      400,
      'invalid-tax-code',
    );
    expectProblem(
      await post('/v1/tax-codes', {
        code: 'X',
        name: 'Big',
        rate: '100.5',
        outputAccount: '17700',
      }),
      400,
      'invalid-tax-code',
    );
    expectProblem(
      await post('/v1/tax-codes', {
        code: 'X',
        name: 'Fine',
        rate: '1.23456',
        outputAccount: '17700',
      }),
      400,
    );
    const changed = await ok(
      post('/v1/tax-codes/VAT19/rates', { rate: '16', effectiveFrom: '2026-07-01' }),
    );
    expect(changed.rates).toEqual([
      { effectiveFrom: null, rate: '19.00' },
      { effectiveFrom: '2026-07-01', rate: '16.00' },
    ]);
    expectProblem(
      await post('/v1/tax-codes/VAT19/rates', { rate: '19', effectiveFrom: '2026-07-01' }),
      409,
      'tax-rate-not-after-last-change',
    );
    expectProblem(
      await post('/v1/tax-codes/NOPE/rates', { rate: '19', effectiveFrom: '2026-08-01' }),
      404,
    );
    const closed = await closePeriod(t, '2026-01');
    expect([200, 201], closed.text).toContain(closed.status);
    expectProblem(
      await post('/v1/tax-codes/VAT7/rates', { rate: '5', effectiveFrom: '2026-01-15' }),
      409,
      'period-closed',
    );
    const list = await get(`/v1/tax-codes?consistentWith=${changed.position}`);
    expect(list.status, list.text).toBe(200);
    expect((list.body.items as { code: string }[]).map((item) => item.code)).toEqual([
      'VAT19',
      'VAT7',
    ]);
    const one = await get(`/v1/tax-codes/VAT19?consistentWith=${changed.position}`);
    expect(one.body).toMatchObject({ code: 'VAT19', outputAccount: '17700', currency: 'EUR' });
    expectProblem(await get('/v1/tax-codes/NOPE'), 404);
  });

  it('taxes an invoice per code at the rate of its issue date, rounded once per invoice, and posts net, tax and total', async () => {
    await ok(post('/v1/tax-codes/VAT19/rates', { rate: '16', effectiveFrom: '2026-07-01' }));
    // Three lines of 0.10 at 7 %: 0.021 in all → 0.02, where rounding per line would give 0.03.
    const invoice = await issue('INV-1', [
      line('100.00', 'VAT19'),
      line('0.10', 'VAT7'),
      line('0.10', 'VAT7'),
      line('0.10', 'VAT7'),
      line('10.00', undefined, '41000'),
    ]);
    expect(invoice).toMatchObject({
      net: '110.30',
      taxes: [
        { taxCode: 'VAT19', rate: '19.00', base: '100.00', tax: '19.00', outputAccount: '17700' },
        { taxCode: 'VAT7', rate: '7.00', base: '0.30', tax: '0.02', outputAccount: '17701' },
      ],
      total: '129.32',
      outstanding: '129.32',
    });
    const later = await issue('INV-2', [line('100.00', 'VAT19')], '2026-07-01');
    expect(later).toMatchObject({ taxes: [{ rate: '16.00', tax: '16.00' }], total: '116.00' });

    const ledger = await balancesAt(t, later.position);
    expect(ledger).toMatchObject({
      '12000': '245.32',
      '40000': '-200.30',
      '41000': '-10.00',
      '17700': '-35.00',
      '17701': '-0.02',
    });
    const march = await vat('2026-03-01', '2026-03-31', later.position);
    expect(march.totals).toEqual([{ currency: 'EUR', base: '100.30', tax: '19.02' }]);
    const year = await vat('2026-01-01', '2026-12-31', later.position);
    expect(year.codes.map(({ taxCode, base, tax }) => ({ taxCode, base, tax }))).toEqual([
      { taxCode: 'VAT19', base: '200.00', tax: '35.00' },
      { taxCode: 'VAT7', base: '0.30', tax: '0.02' },
    ]);

    const unknown = await post('/v1/invoices', {
      customerId: 'ACME',
      issueDate: '2026-03-02',
      lines: [line('1.00', 'NOPE')],
    });
    expectProblem(unknown, 400, 'invalid-invoice');
    expect(unknown.text).toContain('lines[0].taxCode');
    expectProblem(await get('/v1/reports/vat?from=2026-03-02&to=2026-03-01'), 400);
  });

  it('credits part of an invoice as the mirror of its posting, then the rest exactly', async () => {
    await issue('INV-1', [line('100.00', 'VAT19'), line('0.04', 'VAT19', '41000')]);
    // 100.04 at 19 %: 19.0076 → 19.01; total 119.05.
    const partial = await ok(
      credit('INV-1', {
        creditNoteId: 'CN-1',
        date: '2026-03-10',
        lines: [
          {
            description: 'One returned',
            amount: '0.02',
            taxCode: 'VAT19',
            revenueAccount: '41000',
          },
        ],
      }),
    );
    // 0.02 × 19 % = 0.0038 → 0.00.
    expect(partial).toMatchObject({
      credited: '0.02',
      outstanding: '119.03',
      status: 'open',
      creditNotes: [{ creditNoteId: 'CN-1', net: '0.02', total: '0.02', toCustomerCredit: '0.00' }],
    });
    expectProblem(
      await credit('INV-1', {
        date: '2026-03-10',
        lines: [
          { description: 'Too much', amount: '0.03', taxCode: 'VAT19', revenueAccount: '41000' },
        ],
      }),
      409,
      'credit-exceeds-invoice',
    );
    const ambiguous = await credit('INV-1', {
      date: '2026-03-10',
      lines: [{ description: 'Which account?', amount: '1.00', taxCode: 'VAT19' }],
    });
    expectProblem(ambiguous, 400, 'invalid-credit-note');
    expect(ambiguous.text).toContain('lines[0].revenueAccount');
    expectProblem(
      await credit('INV-1', {
        date: '2026-03-10',
        lines: [{ description: 'Untaxed?', amount: '1.00' }],
      }),
      400,
      'invalid-credit-note',
    );
    expectProblem(
      await credit('INV-1', {
        creditNoteId: 'CN-1',
        date: '2026-03-10',
        lines: [
          { description: 'Again', amount: '0.01', taxCode: 'VAT19', revenueAccount: '41000' },
        ],
      }),
      409,
      'credit-note-already-recorded',
    );
    expectProblem(
      await credit('NOPE', { date: '2026-03-10', lines: [{ description: 'x', amount: '1' }] }),
      404,
    );

    const rest = await ok(
      credit('INV-1', {
        creditNoteId: 'CN-2',
        date: '2026-04-02',
        lines: [
          { description: 'The rest', amount: '100.00', taxCode: 'VAT19', revenueAccount: '40000' },
          { description: 'The rest', amount: '0.02', taxCode: 'VAT19', revenueAccount: '41000' },
        ],
      }),
    );
    // The rest of the base takes the rest of the tax: 19.01 − 0.00, not 100.02 × 19 % = 19.00.
    expect(rest).toMatchObject({
      credited: '119.05',
      outstanding: '0.00',
      status: 'credited',
      overdue: false,
    });
    expect((rest.creditNotes as { taxes: { tax: string }[] }[])[1]!.taxes[0]!.tax).toBe('19.01');
    const ledger = await balancesAt(t, rest.position);
    for (const code of ['12000', '40000', '41000', '17700']) expect(ledger[code]).toBe('0.00');
    const vatMarch = await vat('2026-03-01', '2026-03-31', rest.position);
    expect(vatMarch.totals).toEqual([{ currency: 'EUR', base: '100.02', tax: '19.01' }]);
    const vatApril = await vat('2026-04-01', '2026-04-30', rest.position);
    expect(vatApril.totals).toEqual([{ currency: 'EUR', base: '-100.02', tax: '-19.01' }]);
    expectProblem(
      await post('/v1/invoices/INV-1/payments', {
        amount: '1.00',
        receivedOn: '2026-04-03',
        method: 'card',
      }),
      409,
      'invoice-already-paid',
    );
    expectProblem(
      await post('/v1/invoices/INV-1/void', { reason: 'no', voidedOn: '2026-04-03' }),
      409,
      'invoice-has-credit-notes',
    );
    const list = await get(`/v1/invoices?status=credited&consistentWith=${rest.position}`);
    expect((list.body.items as { invoiceId: string }[]).map((i) => i.invoiceId)).toEqual(['INV-1']);
  });

  it('leaves a credit beyond what is unpaid to the customer, shown negative, paid out by a refund never beyond it', async () => {
    await issue('INV-1', [line('100.00', 'VAT19')]);
    await ok(
      post('/v1/invoices/INV-1/payments', {
        amount: '100.00',
        receivedOn: '2026-03-05',
        method: 'bank_transfer',
      }),
    );
    const credited = await ok(
      credit('INV-1', {
        date: '2026-03-20',
        lines: [{ description: 'Discount', amount: '40.00', taxCode: 'VAT19' }],
      }),
    );
    // 47.60 credited, 19.00 was unpaid: 28.60 is the customer's.
    expect(credited).toMatchObject({ status: 'paid', outstanding: '0.00', credited: '47.60' });
    expect((credited.creditNotes as { toCustomerCredit: string }[])[0]!.toCustomerCredit).toBe(
      '28.60',
    );

    const customer = await get(`/v1/customers/ACME?consistentWith=${credited.position}`);
    expect(customer.body).toMatchObject({ openBalance: '-28.60', creditBalance: '28.60' });
    const before = await aging('2026-03-19', credited.position);
    expect(before.totals[0]).toMatchObject({ credit: '0.00', total: '19.00' });
    const after = await aging('2026-03-31', credited.position);
    expect(after.customers).toEqual([
      expect.objectContaining({ customerId: 'ACME', credit: '-28.60', total: '-28.60' }),
    ]);
    expect((await balancesAt(t, credited.position))['12000']).toBe('-28.60');

    expectProblem(
      await post('/v1/customers/ACME/refunds', {
        amount: '28.61',
        paidOn: '2026-03-25',
        method: 'bank_transfer',
      }),
      409,
      'refund-exceeds-credit',
    );
    // Before the credit note's date there was no credit to refund.
    expectProblem(
      await post('/v1/customers/ACME/refunds', {
        amount: '1.00',
        paidOn: '2026-03-19',
        method: 'bank_transfer',
      }),
      409,
      'refund-exceeds-credit',
    );
    expectProblem(
      await post('/v1/customers/ACME/refunds', {
        amount: '1.001',
        paidOn: '2026-03-25',
        method: 'bank_transfer',
      }),
      400,
      'invalid-refund',
    );
    expectProblem(
      await post('/v1/customers/NOPE/refunds', {
        amount: '1.00',
        paidOn: '2026-03-25',
        method: 'bank_transfer',
      }),
      404,
    );
    const refund = await ok(
      post('/v1/customers/ACME/refunds', {
        refundId: 'R-1',
        amount: '20.00',
        paidOn: '2026-03-25',
        method: 'bank_transfer',
        reference: 'SEPA-1',
      }),
    );
    expect(refund).toMatchObject({
      customerId: 'ACME',
      refundId: 'R-1',
      amount: '20.00',
      currency: 'EUR',
    });
    const rest = await ok(
      post('/v1/customers/ACME/refunds', {
        refundId: 'R-2',
        amount: '8.60',
        paidOn: '2026-03-26',
        method: 'bank_transfer',
      }),
    );
    expectProblem(
      await post('/v1/customers/ACME/refunds', {
        amount: '0.01',
        paidOn: '2026-03-27',
        method: 'bank_transfer',
      }),
      409,
      'refund-exceeds-credit',
    );
    expectProblem(
      await post('/v1/customers/ACME/refunds', {
        refundId: 'R-1',
        amount: '0.01',
        paidOn: '2026-03-27',
        method: 'cash',
      }),
      409,
    );
    const ledger = await balancesAt(t, rest.position);
    expect(ledger).toMatchObject({ '12000': '0.00', '10000': '71.40' });
    const shown = await get(`/v1/customers/ACME?consistentWith=${rest.position}`);
    expect(shown.body).toMatchObject({ openBalance: '0.00', creditBalance: '0.00' });
    expect((shown.body.refunds as unknown[]).length).toBe(2);
    // Between the refunds the aging shows what was left, and agrees with the account.
    const between = await aging('2026-03-25', rest.position);
    expect(between.totals[0]).toMatchObject({ credit: '-8.60', total: '-8.60' });
    expect((await aging('2026-03-31', rest.position)).customers).toEqual([]);
  });

  it('gives one of two racing refunds the credit, and one of two racing credit notes the rest', async () => {
    await issue('INV-1', [line('50.00')]);
    await ok(
      post('/v1/invoices/INV-1/payments', {
        amount: '50.00',
        receivedOn: '2026-03-03',
        method: 'card',
      }),
    );
    await ok(
      credit('INV-1', { date: '2026-03-04', lines: [{ description: 'All', amount: '30.00' }] }),
    );
    const refunds = await Promise.all(
      [1, 2, 3].map((n) =>
        post('/v1/customers/ACME/refunds', {
          refundId: `R-${n}`,
          amount: '30.00',
          paidOn: '2026-03-05',
          method: 'card',
        }),
      ),
    );
    expect(refunds.map((res) => res.status).sort()).toEqual([201, 409, 409]);

    await issue('INV-2', [line('10.00', 'VAT7')]);
    const notes = await Promise.all(
      [1, 2, 3].map((n) =>
        credit('INV-2', {
          creditNoteId: `CN-${n}`,
          date: '2026-03-06',
          lines: [{ description: 'All', amount: '10.00', taxCode: 'VAT7' }],
        }),
      ),
    );
    expect(notes.map((res) => res.status).sort()).toEqual([201, 409, 409]);
    const last = await get('/v1/invoices/INV-2');
    expect(last.status).toBe(200);
    const winner = notes.find((res) => res.status === 201)!.body as { position: string };
    const ledger = await balancesAt(t, winner.position);
    expect(ledger).toMatchObject({ '12000': '0.00', '17701': '0.00', '10000': '20.00' });
  });

  it('reverses a taxed invoice’s tax when it is voided, in the VAT report too', async () => {
    await issue('INV-1', [line('200.00', 'VAT19')]);
    const voided = await ok(
      post('/v1/invoices/INV-1/void', { reason: 'Wrong customer', voidedOn: '2026-04-01' }),
      200,
    );
    const year = await vat('2026-01-01', '2026-12-31', voided.position);
    expect(year.codes[0]).toMatchObject({
      invoiced: { base: '200.00', tax: '38.00' },
      credited: { base: '200.00', tax: '38.00' },
      base: '0.00',
      tax: '0.00',
    });
    expect((await vat('2026-03-01', '2026-03-31', voided.position)).totals[0]?.tax).toBe('38.00');
    expect((await balancesAt(t, voided.position))['17700']).toBe('0.00');
  });
});
