/**
 * Period control over HTTP: the lock date. Closing a month closes every earlier one; a reopen
 * (admin) moves the lock back to the month before, with who and why; GET /v1/ledger/periods
 * shows the lock and its history. Months are of 2026 before November, all past by the clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';
import {
  closePeriod,
  expectProblem,
  expectValidationError,
  getAccount,
  postEntry,
  sale,
} from './fixtures.js';

let t: TestService;
beforeEach(async () => {
  // The default chart: cash 10000, receivable 12000, sales revenue 40000.
  t = startTestService({ CHART_OF_ACCOUNTS: '' });
  await t.service.started;
});
afterEach(async () => {
  await t.close();
});

const cashSale = (amount: string, date: string, entryId?: string) => ({
  ...sale(amount, date, entryId),
  lines: [
    { account: '10000', debit: amount },
    { account: '40000', credit: amount },
  ],
});

function reopen(period: string, body: object = { reason: 'late supplier invoice' }, key = 'admin') {
  return t.request
    .post(`/v1/ledger/periods/${period}/reopen`)
    .set(t.auth(key as 'admin'))
    .send(body);
}

const periods = () => t.request.get('/v1/ledger/periods').set(t.auth('reports'));

function monthAfter(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}

describe('the lock date', () => {
  it('closes every earlier month with the one closed: out of order is 409', async () => {
    const october = await closePeriod(t, '2026-10');
    expect(october.status, october.text).toBe(200);
    expect(october.body).toMatchObject({ status: 'closed', lockDate: '2026-10-31' });

    expectProblem(await closePeriod(t, '2026-08'), 409, 'period-already-closed');
    expectProblem(await closePeriod(t, '2026-10'), 409, 'period-already-closed');
    const later = await closePeriod(t, '2026-11');
    expect(later.status, later.text).toBe(200);
    expect(later.body.lockDate).toBe('2026-11-30');
  });

  it('refuses a posting dated on or before the lock date, accepts one after it', async () => {
    expect((await closePeriod(t, '2026-09')).status).toBe(200);
    for (const date of ['2026-09-30', '2026-09-01', '2026-03-15', '1999-12-31']) {
      const res = await postEntry(t, cashSale('1.00', date));
      expectProblem(res, 409, 'period-closed');
    }
    const after = await postEntry(t, cashSale('2.00', '2026-10-01'));
    expect(after.status, after.text).toBe(201);
    expect((await getAccount(t, '10000')).body.debits).toBe('2.00');
  });

  it('closes the current month, not the next one (409), and no year before 1900 (400)', async () => {
    const current = new Date().toISOString().slice(0, 7);
    expectProblem(await closePeriod(t, monthAfter(current)), 409, 'period-in-future');
    expectProblem(await closePeriod(t, '9999-12'), 409, 'period-in-future');
    expectValidationError(await closePeriod(t, '1899-12'), 'path.period');
    expect((await closePeriod(t, current)).status).toBe(200);
  });
});

describe('POST /v1/ledger/periods/{period}/reopen', () => {
  it('moves the lock date back to the end of the month before; postings there are accepted again', async () => {
    await closePeriod(t, '2026-10');
    const res = await reopen('2026-10');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ period: '2026-10', status: 'open', lockDate: '2026-09-30' });

    expect((await postEntry(t, cashSale('5.00', '2026-10-15'))).status).toBe(201);
    expectProblem(await postEntry(t, cashSale('5.00', '2026-09-30')), 409, 'period-closed');
  });

  it('reopens every later month with an earlier one', async () => {
    await closePeriod(t, '2026-10');
    expect((await reopen('2026-08')).body.lockDate).toBe('2026-07-31');
    expect((await postEntry(t, cashSale('1.00', '2026-08-01'))).status).toBe(201);
    expect((await postEntry(t, cashSale('1.00', '2026-10-31'))).status).toBe(201);
    expectProblem(await postEntry(t, cashSale('1.00', '2026-07-31')), 409, 'period-closed');
  });

  it('refuses an open month (409), a year before 1900 or no reason (400), and any key but admin (403)', async () => {
    expectProblem(await reopen('2026-10'), 409, 'period-not-closed');
    await closePeriod(t, '2026-10');
    expectProblem(await reopen('2026-11'), 409, 'period-not-closed');
    expectValidationError(await reopen('1899-12'), 'path.period');
    expectValidationError(await reopen('2026-10', {}), 'reason');
    expectProblem(await reopen('2026-10', { reason: 'x' }, 'finance'), 403);
    // Nothing moved.
    expect((await periods()).body.lockDate).toBe('2026-10-31');
  });
});

describe('GET /v1/ledger/periods', () => {
  it('shows no lock date before any close', async () => {
    const res = await periods();
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ lockDate: null, lockedThrough: null, changes: [] });
  });

  it('lists the lock date and every close and reopen, with who and why, oldest first', async () => {
    const closed = await closePeriod(t, '2026-10');
    await reopen('2026-09', { reason: 'supplier invoice of September arrived late' });
    await closePeriod(t, '2026-09');

    const res = await periods();
    expect(res.status, res.text).toBe(200);
    expect(res.body.lockDate).toBe('2026-09-30');
    expect(res.body.lockedThrough).toBe('2026-09');
    expect(res.body.changes).toEqual([
      {
        action: 'close',
        period: '2026-10',
        lockDate: '2026-10-31',
        reason: null,
        actor: 'finance-app',
        onBehalfOf: null,
        recordedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        position: closed.body.position,
      },
      expect.objectContaining({
        action: 'reopen',
        period: '2026-09',
        lockDate: '2026-08-31',
        reason: 'supplier invoice of September arrived late',
        actor: 'admin-key',
      }),
      expect.objectContaining({ action: 'close', period: '2026-09', actor: 'finance-app' }),
    ]);
  });

  it('needs a reading scope', async () => {
    const res = await t.request.get('/v1/ledger/periods').set(t.auth('people'));
    expectProblem(res, 403);
  });
});

describe('postings of other modules', () => {
  const customer = {
    customerId: 'ACME',
    name: 'Acme GmbH',
    email: 'billing@acme.example',
    billingAddress: { line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    currency: 'EUR',
    paymentTermsDays: 30,
  };
  const invoice = (invoiceId: string, issueDate: string) => ({
    invoiceId,
    customerId: 'ACME',
    issueDate,
    lines: [{ description: 'Work', quantity: '1', unitPrice: '80.00', revenueAccount: '40000' }],
  });
  const post = (path: string, body: object) => t.request.post(path).set(t.auth()).send(body);

  it('refuses an invoice dated before the lock date, and accepts it once reopened', async () => {
    expect((await post('/v1/customers', customer)).status).toBe(201);
    await closePeriod(t, '2026-10');
    expectProblem(await post('/v1/invoices', invoice('INV-1', '2026-09-20')), 409, 'period-closed');

    await reopen('2026-09');
    const issued = await post('/v1/invoices', invoice('INV-1', '2026-09-20'));
    expect(issued.status, issued.text).toBe(201);
    const balance = await t.request
      .get(`/v1/ledger/accounts/12000?consistentWith=${issued.body.position}`)
      .set(t.auth('reports'));
    expect(balance.body.debits).toBe('80.00');
  });
});
