import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';
import {
  allEvents,
  expectProblem,
  expectValidationError,
  openAccount,
  type KeyName,
} from './fixtures.js';

let t: TestService;
beforeEach(async () => {
  // Business "today" is fixed, so overdue and default dates are predictable.
  // The default chart of accounts: receivable 12000, cash 10000, revenue 40000, ...
  t = startTestService(
    { CHART_OF_ACCOUNTS: '' },
    { clock: () => new Date('2026-11-23T10:00:00Z') },
  );
  await t.service.started;
});
afterEach(async () => {
  await t.close();
});

const acme = {
  customerId: 'ACME',
  name: 'Acme GmbH',
  email: 'billing@acme.example',
  billingAddress: { line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  currency: 'EUR',
  paymentTermsDays: 30,
};

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return t.request
    .post(path)
    .set(t.auth())
    .set(headers)
    .send(body as object);
}

function get(path: string, key: KeyName = 'reports') {
  return t.request.get(path).set(t.auth(key));
}

async function setUp() {
  expect(
    (await openAccount(t, { code: '4000', name: 'Sales', type: 'revenue', currency: 'EUR' }))
      .status,
  ).toBe(201);
  expect(
    (await openAccount(t, { code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' })).status,
  ).toBe(201);
  expect((await post('/v1/customers', acme)).status).toBe(201);
}

function invoice(overrides: Record<string, unknown> = {}) {
  return {
    invoiceId: 'INV-1',
    customerId: 'ACME',
    issueDate: '2026-10-01',
    lines: [
      { description: 'Widgets', quantity: '3', unitPrice: '19.99', revenueAccount: '4000' },
      { description: 'Half a cent', quantity: '0.5', unitPrice: '0.01', revenueAccount: '4000' },
    ],
    ...overrides,
  };
}

function payment(amount: string, overrides: Record<string, unknown> = {}) {
  return {
    amount,
    receivedOn: '2026-10-15',
    method: 'bank_transfer',
    reference: 'SEPA 1',
    ...overrides,
  };
}

describe('customers', () => {
  it('registers a customer and shows it with its open balance', async () => {
    const res = await post('/v1/customers', acme);
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toBe('/v1/customers/ACME');
    expect(res.headers.etag).toBe('"0"');
    expect(res.body).toEqual({ ...acme, erased: false, position: expect.stringMatching(/^\d+$/) });

    const shown = await get(`/v1/customers/ACME?consistentWith=${res.body.position}`, 'finance');
    expect(shown.status, shown.text).toBe(200);
    expect(shown.body).toEqual({
      ...acme,
      erased: false,
      openBalance: '0.00',
      creditBalance: '0.00',
      refunds: [],
    });
    // reports:read sees the balance, not the personal data (finance:write and admin read it).
    const reported = await get(`/v1/customers/ACME`);
    expect(reported.body).toEqual({
      ...acme,
      name: { redacted: true },
      email: { redacted: true },
      billingAddress: { redacted: true },
      erased: false,
      openBalance: '0.00',
      creditBalance: '0.00',
      refunds: [],
    });
    expectProblem(await post('/v1/customers', acme), 409, 'customer-already-exists');
  });

  it('refuses bad customer data with a 400 naming the field, and writes nothing', async () => {
    const before = (await allEvents(t)).length;
    expectValidationError(await post('/v1/customers', { ...acme, email: 'nope' }), 'email');
    expectValidationError(
      await post('/v1/customers', {
        ...acme,
        billingAddress: { ...acme.billingAddress, country: 'Germany' },
      }),
      'billingAddress.country',
    );
    expectValidationError(
      await post('/v1/customers', { ...acme, paymentTermsDays: -1 }),
      'paymentTermsDays',
    );
    expectValidationError(await post('/v1/customers', { ...acme, currency: 'XXX' }), 'currency');
    expectValidationError(await post('/v1/customers', { ...acme, vip: true }), 'vip');
    expect((await allEvents(t)).length).toBe(before);
  });

  it('records only what changes in contact details', async () => {
    await post('/v1/customers', acme);
    const changed = await post('/v1/customers/ACME/changes', {
      email: 'ap@acme.example',
      paymentTermsDays: 14,
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({
      email: 'ap@acme.example',
      paymentTermsDays: 14,
      name: 'Acme GmbH',
    });
    expect(changed.headers.etag).toBe('"1"');

    const same = await post('/v1/customers/ACME/changes', { email: 'ap@acme.example' });
    expect(same.status).toBe(200);
    expect(same.headers.etag).toBe('"1"');
    const events = await t.service.eventStore.readStream('customer-ACME');
    expect(events.map((event) => event.type)).toEqual([
      'CustomerRegistered',
      'CustomerDetailsChanged',
    ]);
    // The email is personal: stored sealed with the customer's key; the terms are not.
    expect(events[1]!.data).toEqual({
      customerId: 'ACME',
      changes: { email: expect.objectContaining({ $personal: 1 }), paymentTermsDays: 14 },
    });
    expect(events[1]!.metadata.schemaVersion).toBe(2);

    expectProblem(
      await post('/v1/customers/NOPE/changes', { name: 'x' }),
      404,
      'customer-not-found',
    );
    expectProblem(await post('/v1/customers/ACME/changes', {}), 400);
    const list = await get(`/v1/customers?consistentWith=${changed.body.position}`, 'finance');
    expect(list.body.items).toEqual([
      {
        ...acme,
        email: 'ap@acme.example',
        paymentTermsDays: 14,
        erased: false,
        openBalance: '0.00',
        creditBalance: '0.00',
        refunds: [],
      },
    ]);
  });
});

describe('invoices', () => {
  it('issues an invoice with exact line amounts, total and a due date from the terms', async () => {
    await setUp();
    const res = await post('/v1/invoices', invoice());
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toBe('/v1/invoices/INV-1');
    expect(res.body).toEqual({
      invoiceId: 'INV-1',
      customerId: 'ACME',
      issueDate: '2026-10-01',
      dueDate: '2026-10-31',
      currency: 'EUR',
      lines: [
        {
          description: 'Widgets',
          quantity: '3',
          unitPrice: '19.99',
          amount: '59.97',
          revenueAccount: '4000',
        },
        {
          description: 'Half a cent',
          quantity: '0.5',
          unitPrice: '0.01',
          amount: '0.01',
          revenueAccount: '4000',
        },
      ],
      net: '59.98',
      taxes: [],
      total: '59.98',
      paid: '0.00',
      credited: '0.00',
      outstanding: '59.98',
      status: 'open',
      // Judged on today, 2026-11-23: past the due date already.
      overdue: true,
      payments: [],
      creditNotes: [],
      voided: null,
      position: expect.stringMatching(/^\d+$/),
    });
    const shown = await get(`/v1/invoices/INV-1?consistentWith=${res.body.position}`);
    expect(shown.status, shown.text).toBe(200);
    expect(shown.body).toEqual({ ...res.body, position: undefined });
    const asOf = await get('/v1/invoices/INV-1?asOf=2026-10-31');
    expect(asOf.body.overdue).toBe(false);
    expectProblem(await post('/v1/invoices', invoice()), 409, 'invoice-already-exists');
  });

  it('refuses invoices for unknown customers, other currencies and non-revenue accounts', async () => {
    await setUp();
    expectValidationError(
      await post('/v1/invoices', invoice({ customerId: 'NOBODY' })),
      'customerId',
    );
    expectValidationError(await post('/v1/invoices', invoice({ currency: 'USD' })), 'currency');
    const cashLine = { description: 'x', quantity: '1', unitPrice: '1.00', revenueAccount: '1000' };
    expectValidationError(
      await post('/v1/invoices', invoice({ lines: [cashLine] })),
      'lines[0].revenueAccount',
    );
    const sub = { description: 'x', quantity: '1', unitPrice: '1.001', revenueAccount: '4000' };
    expectValidationError(
      await post('/v1/invoices', invoice({ lines: [sub] })),
      'lines[0].unitPrice',
    );
    expectValidationError(
      await post('/v1/invoices', invoice({ issueDate: '2026-10-01', dueDate: '2026-09-30' })),
      'dueDate',
    );
    expectValidationError(await post('/v1/invoices', invoice({ lines: [] })), 'lines');
  });

  it('generates an invoice number, the same one for a retried Idempotency-Key', async () => {
    await setUp();
    const body = invoice({ invoiceId: undefined });
    const first = await post('/v1/invoices', body, { 'Idempotency-Key': 'inv-key-1' });
    expect(first.status, first.text).toBe(201);
    expect(first.body.invoiceId).toMatch(/^INV-2026-[0-9A-F]{16}$/);
    const retry = await post('/v1/invoices', body, { 'Idempotency-Key': 'inv-key-1' });
    expect(retry.body.invoiceId).toBe(first.body.invoiceId);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('takes partial payments up to the total and refuses overpayment and other currencies', async () => {
    await setUp();
    await post('/v1/invoices', invoice());
    const part = await post('/v1/invoices/INV-1/payments', payment('20.00', { paymentId: 'P1' }));
    expect(part.status, part.text).toBe(201);
    expect(part.body).toMatchObject({
      status: 'partially_paid',
      paid: '20.00',
      outstanding: '39.98',
    });

    expectProblem(
      await post('/v1/invoices/INV-1/payments', payment('39.99')),
      409,
      'payment-exceeds-outstanding',
    );
    expectValidationError(
      await post('/v1/invoices/INV-1/payments', payment('1.00', { currency: 'USD' })),
      'currency',
    );
    expectValidationError(
      await post('/v1/invoices/INV-1/payments', payment('1.00', { receivedOn: '2026-09-30' })),
      'receivedOn',
    );
    expectProblem(
      await post('/v1/invoices/INV-1/payments', payment('1.00', { paymentId: 'P1' })),
      409,
      'payment-already-recorded',
    );
    const rest = await post(
      '/v1/invoices/INV-1/payments',
      payment('39.98', { paymentId: 'P2', method: 'card' }),
    );
    expect(rest.body).toMatchObject({
      status: 'paid',
      paid: '59.98',
      outstanding: '0.00',
      overdue: false,
    });
    expect(rest.body.payments).toEqual([
      {
        paymentId: 'P1',
        amount: '20.00',
        receivedOn: '2026-10-15',
        method: 'bank_transfer',
        reference: 'SEPA 1',
      },
      {
        paymentId: 'P2',
        amount: '39.98',
        receivedOn: '2026-10-15',
        method: 'card',
        reference: 'SEPA 1',
      },
    ]);
    expectProblem(
      await post('/v1/invoices/INV-1/payments', payment('0.01')),
      409,
      'invoice-already-paid',
    );
    expectProblem(
      await post('/v1/invoices/INV-1/void', { reason: 'oops' }),
      409,
      'invoice-has-payments',
    );
    expectProblem(
      await post('/v1/invoices/NOPE/payments', payment('1.00')),
      404,
      'invoice-not-found',
    );
  });

  it('voids an unpaid invoice once; a void invoice takes no payment and leaves no balance', async () => {
    await setUp();
    await post('/v1/invoices', invoice());
    await post('/v1/invoices', invoice({ invoiceId: 'INV-2' }));
    const voided = await post('/v1/invoices/INV-1/void', { reason: 'duplicate' });
    expect(voided.status, voided.text).toBe(200);
    expect(voided.body).toMatchObject({
      status: 'void',
      outstanding: '0.00',
      voided: { voidedOn: '2026-11-23', reason: 'duplicate' },
    });
    expectProblem(
      await post('/v1/invoices/INV-1/void', { reason: 'again' }),
      409,
      'invoice-already-void',
    );
    expectProblem(await post('/v1/invoices/INV-1/payments', payment('1.00')), 409, 'invoice-void');
    const customer = await get(`/v1/customers/ACME?consistentWith=${voided.body.position}`);
    expect(customer.body.openBalance).toBe('59.98');
  });

  it('lists invoices by status, customer and date ranges, overdue judged on the query date', async () => {
    await setUp();
    await post('/v1/customers', { ...acme, customerId: 'BETA', name: 'Beta' });
    await post('/v1/invoices', invoice({ invoiceId: 'A1', issueDate: '2026-09-01' }));
    await post('/v1/invoices', invoice({ invoiceId: 'A2', issueDate: '2026-11-01' }));
    await post(
      '/v1/invoices',
      invoice({ invoiceId: 'B1', customerId: 'BETA', issueDate: '2026-10-10' }),
    );
    await post('/v1/invoices/A1/payments', payment('10.00', { receivedOn: '2026-09-10' }));
    const last = await post('/v1/invoices/B1/void', { reason: 'cancelled' });

    const ids = async (query: string) => {
      const res = await get(`/v1/invoices?consistentWith=${last.body.position}${query}`);
      expect(res.status, res.text).toBe(200);
      return res.body.items.map((item: { invoiceId: string }) => item.invoiceId);
    };
    expect(await ids('')).toEqual(['A1', 'B1', 'A2']);
    expect(await ids('&customerId=ACME')).toEqual(['A1', 'A2']);
    expect(await ids('&status=void')).toEqual(['B1']);
    expect(await ids('&status=partially_paid')).toEqual(['A1']);
    expect(await ids('&status=overdue')).toEqual(['A1']);
    expect(await ids('&status=overdue&asOf=2026-12-05')).toEqual(['A1', 'A2']);
    expect(await ids('&issuedFrom=2026-10-01&issuedTo=2026-11-30')).toEqual(['B1', 'A2']);
    expect(await ids('&dueFrom=2026-11-01')).toEqual(['B1', 'A2']);
    expect(await ids('&limit=1')).toEqual(['A1']);
    expectValidationError(await get('/v1/invoices?status=late'), 'query.status');
  });

  it('never overpays an invoice, whichever of many concurrent payments arrive first', async () => {
    await setUp();
    await post(
      '/v1/invoices',
      invoice({
        lines: [{ description: 'x', quantity: '1', unitPrice: '100.00', revenueAccount: '4000' }],
      }),
    );
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        post('/v1/invoices/INV-1/payments', payment('10.00', { paymentId: `P${i}` })),
      ),
    );
    const accepted = results.filter((res) => res.status === 201);
    expect(accepted).toHaveLength(10);
    for (const res of results.filter((res) => res.status !== 201)) {
      expectProblem(res, 409, 'invoice-already-paid');
    }
    const events = await t.service.eventStore.readStream('invoice-INV-1');
    expect(events.filter((event) => event.type === 'PaymentReceived')).toHaveLength(10);
    const shown = await get(`/v1/invoices/INV-1?consistentWith=${accepted.at(-1)!.body.position}`);
    expect(shown.body).toMatchObject({ status: 'paid', paid: '100.00', outstanding: '0.00' });
  });
});
