/**
 * Control accounts over HTTP: the receivable, inventory and payroll liability accounts refuse
 * manual journal entries and manual reversals (409 `control-account`, nothing written), while
 * the subledgers' reactors go on posting to them, so each subledger and its account agree.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { modules } from '../../src/modules.js';
import { createService } from '../../src/service.js';
import { payrollStreams } from '../../src/domain/people/payroll-streams.js';
import { receivablesStreams } from '../../src/domain/receivables/streams.js';
import { dropStores, storeModes } from '../support/store-modes.js';
import { startTestService, type TestService } from '../support/test-service.js';
import {
  allEvents,
  balancesAt,
  expectProblem,
  openAccount,
  postEntry,
  reverseEntry,
  type KeyName,
  type LineInput,
} from './fixtures.js';

const stores = storeModes('control');

let t: TestService;
let env: Record<string, string>;

const post = (path: string, body: object, key: KeyName = 'finance') =>
  t.request.post(path).set(t.auth(key)).send(body);
const get = (path: string) => t.request.get(path).set(t.auth('reports'));

async function ok(request: PromiseLike<{ status: number; text: string; body: unknown }>) {
  const res = await request;
  expect([200, 201], res.text).toContain(res.status);
  return res.body as { position: string } & Record<string, unknown>;
}

const entry = (lines: LineInput[], entryId?: string) => ({
  ...(entryId === undefined ? {} : { entryId }),
  date: '2026-03-10',
  description: 'By hand',
  lines,
});

/** Asserts the 409 names the account and its module, and that nothing reached the log. */
async function expectRefused(
  request: () => PromiseLike<Response>,
  account: string,
  module: string,
) {
  const before = (await allEvents(t)).length;
  const res = await request();
  expectProblem(res, 409, 'control-account');
  expect(res.body.detail).toContain(`Account ${account} is a control account of ${module}`);
  expect(res.body.detail).toContain(`Correct it through ${module}`);
  expect((await allEvents(t)).length).toBe(before);
}

async function customer() {
  await ok(
    post('/v1/customers', {
      customerId: 'ACME',
      name: 'Acme GmbH',
      email: 'billing@acme.example',
      billingAddress: { line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
      currency: 'EUR',
      paymentTermsDays: 30,
    }),
  );
}

const invoice = (invoiceId: string, unitPrice: string) =>
  ok(
    post('/v1/invoices', {
      invoiceId,
      customerId: 'ACME',
      issueDate: '2026-03-02',
      lines: [{ description: 'Widgets', quantity: '1', unitPrice, revenueAccount: '40000' }],
    }),
  );

/** The id of the journal entry the receivables reactor posted for an invoice's issue. */
async function issueEntryOf(invoiceId: string): Promise<string> {
  const [issued] = await t.service.eventStore.readStream(receivablesStreams.invoice(invoiceId));
  return `ar-issue-${issued!.id}`;
}

describe.each(stores)('control accounts, $name', (store) => {
  beforeEach(async () => {
    env = store.env();
    // The default chart: 12000 receivable, 13000 inventory, 21000 payroll liabilities, and
    // 10000 cash, 20500 goods received, 40000 revenue, 50000/51000/60000 expenses.
    t = startTestService({ CHART_OF_ACCOUNTS: '', ...env });
    await t.service.started;
  });
  afterEach(async () => {
    await t.close();
    await dropStores(env);
  });

  it('refuses a manual entry to a receivable account, in any currency, and posts nothing', async () => {
    await ok(openAccount(t, { code: '12000-EUR', name: 'AR', type: 'asset', currency: 'EUR' }));
    await ok(openAccount(t, { code: '12000-USD', name: 'AR', type: 'asset', currency: 'USD' }));
    await ok(openAccount(t, { code: '10000-USD', name: 'Cash', type: 'asset', currency: 'USD' }));

    const toReceivable = (code: string, cash = '10000') =>
      entry(
        [
          { account: code, debit: '25.00' },
          { account: cash, credit: '25.00' },
        ],
        `BY-HAND-${code}`,
      );
    await expectRefused(() => postEntry(t, toReceivable('12000')), '12000', 'receivables');
    await expectRefused(() => postEntry(t, toReceivable('12000-EUR')), '12000-EUR', 'receivables');
    await expectRefused(
      () => postEntry(t, toReceivable('12000-USD', '10000-USD')),
      '12000-USD',
      'receivables',
    );
    // Business time does not open a way round it: an import posts through the subledgers too.
    await expectRefused(
      () =>
        t.request
          .post('/v1/ledger/journal-entries')
          .set(t.auth('importer'))
          .send({ ...toReceivable('12000'), occurredAt: '2025-12-31T12:00:00Z' }),
      '12000',
      'receivables',
    );
    // The id was not taken by the refusal.
    const reused = await postEntry(
      t,
      entry(
        [
          { account: '10000', debit: '25.00' },
          { account: '40000', credit: '25.00' },
        ],
        'BY-HAND-12000',
      ),
    );
    expect(reused.status, reused.text).toBe(201);
  });

  it('posts manual entries to cash and revenue', async () => {
    const res = await postEntry(
      t,
      entry([
        { account: '10000', debit: '12.00' },
        { account: '40000', credit: '12.00' },
      ]),
    );
    expect(res.status, res.text).toBe(201);
    expect(await balancesAt(t, res.body.position as string)).toMatchObject({
      '10000': '12.00',
      '40000': '-12.00',
    });
  });

  it('keeps invoices and payments posting, and the aging total equal to the receivable', async () => {
    await customer();
    const issued = await invoice('INV-1', '100.00');
    // Its posting is in (no reactor appends while the refusal is checked for writing nothing).
    expect((await balancesAt(t, issued.position))['12000']).toBe('100.00');
    await expectRefused(
      () =>
        postEntry(
          t,
          entry([
            { account: '40000', debit: '30.00' },
            { account: '12000', credit: '30.00' },
          ]),
        ),
      '12000',
      'receivables',
    );
    const paid = await ok(
      post('/v1/invoices/INV-1/payments', {
        amount: '40.00',
        receivedOn: '2026-03-05',
        method: 'bank_transfer',
        reference: 'SEPA',
      }),
    );
    const ledger = await balancesAt(t, paid.position);
    expect(ledger['12000']).toBe('60.00');
    expect(ledger['10000']).toBe('40.00');
    const aging = await get(`/v1/reports/ar-aging?asOf=2026-03-31&consistentWith=${paid.position}`);
    expect(aging.status, aging.text).toBe(200);
    expect(aging.body.totals).toMatchObject([{ currency: 'EUR', total: ledger['12000'] }]);
  });

  it('refuses to reverse an invoice’s posting by hand; the void reverses it', async () => {
    await customer();
    const issued = await invoice('INV-2', '80.00');
    const entryId = await issueEntryOf('INV-2');
    const posted = await get(
      `/v1/ledger/journal-entries/${entryId}?consistentWith=${issued.position}`,
    );
    expect(posted.body).toMatchObject({ status: 'posted' });

    await expectRefused(
      () => reverseEntry(t, entryId, { date: '2026-03-03', reason: 'By hand' }),
      '12000',
      'receivables',
    );
    const voided = await ok(
      post('/v1/invoices/INV-2/void', { reason: 'Wrong customer', voidedOn: '2026-03-04' }),
    );
    const after = await get(
      `/v1/ledger/journal-entries/${entryId}?consistentWith=${voided.position}`,
    );
    expect(after.body).toMatchObject({
      status: 'reversed',
      reversal: { date: '2026-03-04', reason: 'Invoice INV-2 voided: Wrong customer' },
    });
    expect((await balancesAt(t, voided.position))['12000'] ?? '0.00').toBe('0.00');
  });

  it('refuses manual entries to inventory, while stock movements post to it', async () => {
    await ok(post('/v1/items', { sku: 'BOLT', name: 'Bolt M8', unit: 'piece' }, 'logistics'));
    const received = await ok(
      post(
        '/v1/stock/BOLT/receipts',
        { quantity: 10, unitCost: '1.50', receivedOn: '2026-03-01', reference: 'PO-1' },
        'logistics',
      ),
    );
    const ledger = await balancesAt(t, received.position);
    expect(ledger['13000']).toBe('15.00');
    expect(ledger['20500']).toBe('-15.00');
    await expectRefused(
      () =>
        postEntry(
          t,
          entry([
            { account: '51000', debit: '2.00' },
            { account: '13000', credit: '2.00' },
          ]),
        ),
      '13000',
      'logistics',
    );

    // Goods received not invoiced is cleared by hand (the supplier's invoice): not a control account.
    const cleared = await postEntry(
      t,
      entry([
        { account: '20500', debit: '15.00' },
        { account: '10000', credit: '15.00' },
      ]),
    );
    expect(cleared.status, cleared.text).toBe(201);
  });

  it('refuses manual entries to payroll liabilities and the reversal of an accrual by hand', async () => {
    const hired = await post(
      '/v1/employees',
      {
        employeeId: 'E1',
        name: 'Person E1',
        email: 'e1@example.com',
        department: 'Engineering',
        title: 'Engineer',
        currency: 'EUR',
        startDate: '2025-01-01',
        annualSalary: '60000.00',
      },
      'people',
    );
    expect(hired.status, hired.text).toBe(201);
    await ok(post('/v1/payroll-runs', { runId: 'PR-1', period: '2026-01' }, 'people'));
    const approved = await ok(post('/v1/payroll-runs/PR-1/approval', {}, 'payrollApprover'));
    expect((await balancesAt(t, approved.position))['21000']).toBe('-5000.00');

    await expectRefused(
      () =>
        postEntry(
          t,
          entry([
            { account: '21000', debit: '5000.00' },
            { account: '10000', credit: '5000.00' },
          ]),
        ),
      '21000',
      'people',
    );
    const run = await t.service.eventStore.readStream(payrollStreams.run('PR-1'));
    const accrual = `payroll-accrual-${run.find((event) => event.type === 'PayrollRunApproved')!.id}`;
    await expectRefused(
      () => reverseEntry(t, accrual, { date: '2026-02-01', reason: 'By hand' }),
      '21000',
      'people',
    );
    // The subledger's own way: the payment clears the liability.
    const paid = await ok(
      post('/v1/payroll-runs/PR-1/payment', { paidOn: '2026-02-01' }, 'people'),
    );
    expect((await balancesAt(t, paid.position))['21000'] ?? '0.00').toMatch(/^-?0\.00$/);
  });

  it('names the module that owns each account in the chart', async () => {
    await ok(openAccount(t, { code: '12000-USD', name: 'AR', type: 'asset', currency: 'USD' }));
    const res = await get('/v1/ledger/accounts?limit=500');
    expect(res.status, res.text).toBe(200);
    const owners = Object.fromEntries(
      (res.body.items as { code: string; controlledBy: string | null }[]).map((account) => [
        account.code,
        account.controlledBy,
      ]),
    );
    expect(owners).toEqual({
      '10000': null,
      '12000': 'receivables',
      '12000-USD': 'receivables',
      '13000': 'logistics',
      '20500': null,
      '21000': 'people',
      '30000': null,
      '40000': null,
      '50000': null,
      '51000': null,
      '60000': null,
    });
    const one = await get('/v1/ledger/accounts/21000');
    expect(one.body).toMatchObject({ code: '21000', controlledBy: 'people' });
  });
});

describe('control accounts follow the configuration', () => {
  it('moves with RECEIVABLE_ACCOUNT and leaves the default code free', async () => {
    t = startTestService({ CHART_OF_ACCOUNTS: '', RECEIVABLE_ACCOUNT: '11000' });
    try {
      await t.service.started;
      await ok(openAccount(t, { code: '12000', name: 'Other', type: 'asset', currency: 'EUR' }));
      await expectRefused(
        () =>
          postEntry(
            t,
            entry([
              { account: '11000', debit: '1.00' },
              { account: '40000', credit: '1.00' },
            ]),
          ),
        '11000',
        'receivables',
      );
      const free = await postEntry(
        t,
        entry([
          { account: '12000', debit: '1.00' },
          { account: '40000', credit: '1.00' },
        ]),
      );
      expect(free.status, free.text).toBe(201);
    } finally {
      await t.close();
    }
  });

  it('refuses to start with one account owned by two modules, before opening anything', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'backoffice-control-'));
    try {
      const config = loadConfig(
        { DATA_DIR: dataDir, RECEIVABLE_ACCOUNT: '21000', PAYROLL_LIABILITIES_ACCOUNT: '21000' },
        modules,
      );
      expect(() => createService(config, createLogger('silent'))).toThrow(
        'Account 21000 is declared a control account by both receivables and people',
      );
      // DATA_DIR's lock was taken and given back; no store was opened.
      expect(readdirSync(dataDir)).toEqual(['service.lock']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
