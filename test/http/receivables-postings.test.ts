import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/commands/command-handler.js';
import { uuidGenerator } from '../../src/commands/ids.js';
import { createKeyedLock } from '../../src/commands/keyed-lock.js';
import { createLedgerCommands } from '../../src/commands/ledger/ledger-commands.js';
import { createPostingRules } from '../../src/commands/ledger/posting-rules.js';
import {
  receivablesPostingAccounts,
  receivablesSettings,
} from '../../src/http/receivables/receivables-module.js';
import { loadConfig } from '../../src/config.js';
import { controlAccounts } from '../../src/module-host.js';
import { modules } from '../../src/modules.js';
import { createLedgerPostingsReactor } from '../../src/projections/receivables/ledger-postings-reactor.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { expectProblem, openAccount } from './fixtures.js';

let t: TestService;
beforeEach(async () => {
  // The default chart: cash 10000, receivable 12000, sales revenue 40000.
  t = startTestService({ CHART_OF_ACCOUNTS: '' });
  await t.service.started;
});
afterEach(async () => {
  await t.close();
});

const customer = {
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

function get(path: string) {
  return t.request.get(path).set(t.auth('reports'));
}

async function issue(invoiceId: string, lines: { account: string; price: string }[], headers = {}) {
  const res = await post(
    '/v1/invoices',
    {
      invoiceId,
      customerId: 'ACME',
      issueDate: '2026-11-02',
      lines: lines.map((line) => ({
        description: `Item on ${line.account}`,
        quantity: '1',
        unitPrice: line.price,
        revenueAccount: line.account,
      })),
    },
    headers,
  );
  expect(res.status, res.text).toBe(201);
  return res.body as { position: string };
}

async function balances(position: string) {
  const res = await get(`/v1/reports/trial-balance?consistentWith=${position}`);
  expect(res.status, res.text).toBe(200);
  expect(res.body.balanced).toBe(true);
  return Object.fromEntries(
    (res.body.accounts as { code: string; balance: string }[]).map((row) => [
      row.code,
      row.balance,
    ]),
  );
}

describe('receivables posted to the ledger', () => {
  it('opens the default chart of accounts on first start', async () => {
    const res = await get('/v1/ledger/accounts');
    expect(res.body.items.map((item: { code: string }) => item.code)).toEqual([
      '10000',
      '12000',
      '13000',
      '20500',
      '21000',
      '30000',
      '40000',
      '50000',
      '51000',
      '60000',
    ]);
  });

  it('posts an invoice, its payments and a void; consistentWith of the write shows the posting', async () => {
    await openAccount(t, { code: '40100', name: 'Services', type: 'revenue', currency: 'EUR' });
    await post('/v1/customers', customer);
    const issued = await issue(
      'INV-1',
      [
        { account: '40000', price: '100.00' },
        { account: '40100', price: '50.00' },
        { account: '40000', price: '0.50' },
      ],
      { 'X-Correlation-Id': 'order-77' },
    );
    expect(await balances(issued.position)).toMatchObject({
      '12000': '150.50',
      '40000': '-100.50',
      '40100': '-50.00',
    });

    const paid = await post('/v1/invoices/INV-1/payments', {
      amount: '50.50',
      receivedOn: '2026-11-10',
      method: 'bank_transfer',
      reference: 'r1',
    });
    expect(paid.status, paid.text).toBe(201);
    expect(await balances(paid.body.position)).toMatchObject({
      '10000': '50.50',
      '12000': '100.00',
    });

    await issue('INV-2', [{ account: '40000', price: '30.00' }]);
    const voided = await post('/v1/invoices/INV-2/void', {
      reason: 'wrong customer',
      voidedOn: '2026-11-12',
    });
    expect(voided.status, voided.text).toBe(200);
    const after = await balances(voided.body.position);
    expect(after).toMatchObject({ '10000': '50.50', '12000': '100.00', '40000': '-100.50' });

    // The receivable account's balance is what the customer still owes.
    const owed = await get(`/v1/customers/ACME?consistentWith=${voided.body.position}`);
    expect(owed.body.openBalance).toBe(after['12000']);
    const admin = await t.request.get('/v1/admin/projections').set(t.auth('admin'));
    expect(admin.body.reactors).toContainEqual({
      name: 'receivables_ledger_postings',
      position: expect.stringMatching(/^\d+$/),
      head: expect.stringMatching(/^\d+$/),
      lag: 0,
      state: 'live',
      lastError: null,
      eventsProcessed: 4,
      runningOn: expect.any(String),
    });

    // Each entry is linked to the event it came from.
    const [invoiceIssued] = await t.service.eventStore.readStream('invoice-INV-1');
    const entry = await t.service.eventStore.readStream(
      `journalEntry-ar-issue-${invoiceIssued!.id}`,
    );
    expect(entry.map((event) => event.type)).toEqual(['JournalEntryPosted']);
    expect(entry[0]!.metadata).toMatchObject({
      actor: 'system:receivables-postings',
      causationId: invoiceIssued!.id,
      correlationId: 'order-77',
      requestId: invoiceIssued!.metadata.requestId,
    });
    const [voidIssued] = await t.service.eventStore.readStream('invoice-INV-2');
    const voidedEntry = await t.service.eventStore.readStream(
      `journalEntry-ar-issue-${voidIssued!.id}`,
    );
    expect(voidedEntry.map((event) => event.type)).toEqual([
      'JournalEntryPosted',
      'JournalEntryReversed',
    ]);
    expect(voidedEntry[1]!.data).toMatchObject({ date: '2026-11-12' });
  });

  it('posts nothing twice when the reactor sees the whole log again', async () => {
    await post('/v1/customers', customer);
    const issued = await issue('INV-1', [{ account: '40000', price: '10.00' }]);
    await post('/v1/invoices/INV-1/payments', {
      amount: '4.00',
      receivedOn: '2026-11-03',
      method: 'cash',
      reference: '',
    });
    await issue('INV-2', [{ account: '40000', price: '7.00' }]);
    const last = await post('/v1/invoices/INV-2/void', { reason: 'x', voidedOn: '2026-11-04' });
    const before = await balances(last.body.position);
    expect(issued.position).toBeDefined();

    const eventStore = t.service.eventStore;
    const ledger = createLedgerCommands({
      handle: createCommandHandler({
        eventStore,
        clock: () => new Date(),
        ids: uuidGenerator,
        locks: createKeyedLock(),
        maxAttempts: 5,
      }),
      postingRules: createPostingRules({ eventStore }),
      today: () => new Date().toISOString().slice(0, 10),
      controlAccounts: controlAccounts(modules, loadConfig({}, modules)),
    });
    const replay = createLedgerPostingsReactor({
      ledger: ledger.forSubledger('receivables'),
      eventStore,
      postingAccounts: receivablesPostingAccounts(receivablesSettings.parse({}), 'EUR'),
    });
    const log = await eventStore.readAll({ maxCount: 10_000 });
    for (const event of log.filter((e) => replay.eventTypes.includes(e.type))) {
      await replay.react(event);
    }
    const after = await eventStore.readAll({ maxCount: 10_000 });
    expect(after.length).toBe(log.length);
    expect(await balances(last.body.position)).toEqual(before);
  });

  it('refuses an invoice in a currency whose receivable account is not open', async () => {
    await post('/v1/customers', { ...customer, customerId: 'YANKEE', currency: 'USD' });
    await openAccount(t, {
      code: '40000-USD',
      name: 'Sales USD',
      type: 'revenue',
      currency: 'USD',
    });
    const body = {
      invoiceId: 'US-1',
      customerId: 'YANKEE',
      issueDate: '2026-11-02',
      lines: [{ description: 'x', quantity: '1', unitPrice: '5.00', revenueAccount: '40000-USD' }],
    };
    expectProblem(await post('/v1/invoices', body), 409, 'posting-account-missing');
    await openAccount(t, {
      code: '12000-USD',
      name: 'Receivable USD',
      type: 'asset',
      currency: 'USD',
    });
    const res = await post('/v1/invoices', body);
    expect(res.status, res.text).toBe(201);
    expect(await balances(res.body.position)).toMatchObject({ '12000-USD': '5.00' });
  });

  it('ages open amounts as of any date, agreeing with the receivable account on that date', async () => {
    await post('/v1/customers', customer);
    const invoice = async (invoiceId: string, issueDate: string, unitPrice: string) => {
      const res = await post('/v1/invoices', {
        invoiceId,
        customerId: 'ACME',
        issueDate,
        lines: [{ description: 'x', quantity: '1', unitPrice, revenueAccount: '40000' }],
      });
      expect(res.status, res.text).toBe(201);
      return res.body.position as string;
    };
    await invoice('I1', '2026-01-01', '100.00'); // due 2026-01-31
    await invoice('I2', '2026-03-01', '50.00'); // due 2026-03-31
    await invoice('I3', '2026-04-20', '20.00'); // due 2026-05-20
    await post('/v1/invoices/I1/payments', {
      amount: '40.00',
      receivedOn: '2026-02-15',
      method: 'bank_transfer',
      reference: '',
    });
    const last = await post('/v1/invoices/I3/void', { reason: 'x', voidedOn: '2026-05-01' });
    const position = last.body.position as string;

    const aging = async (asOf: string) => {
      const res = await get(`/v1/reports/ar-aging?asOf=${asOf}&consistentWith=${position}`);
      expect(res.status, res.text).toBe(200);
      const receivable = await get(`/v1/ledger/accounts/12000?asOf=${asOf}`);
      // The report and the ledger agree on every date.
      expect(res.body.totals[0]?.total ?? '0.00').toBe(receivable.body.balance);
      return res.body;
    };
    const row = (b: [string, string, string, string], notYetDue: string, total: string) => ({
      currency: 'EUR',
      buckets: { '0-30': b[0], '31-60': b[1], '61-90': b[2], '90+': b[3] },
      notYetDue,
      credit: '0.00',
      total,
    });

    expect((await aging('2025-12-31')).customers).toEqual([]);
    expect(await aging('2026-02-10')).toEqual({
      asOf: '2026-02-10',
      customers: [
        {
          customerId: 'ACME',
          // A reports:read key: the name is the customer's personal data.
          name: { redacted: true },
          ...row(['100.00', '0.00', '0.00', '0.00'], '0.00', '100.00'),
        },
      ],
      totals: [row(['100.00', '0.00', '0.00', '0.00'], '0.00', '100.00')],
    });
    const byFinance = await t.request
      .get(`/v1/reports/ar-aging?asOf=2026-02-10&consistentWith=${position}`)
      .set(t.auth('finance'));
    expect(byFinance.body.customers[0].name).toBe('Acme GmbH');
    expect((await aging('2026-04-05')).totals).toEqual([
      row(['50.00', '0.00', '60.00', '0.00'], '0.00', '110.00'),
    ]);
    expect((await aging('2026-04-25')).totals).toEqual([
      row(['70.00', '0.00', '60.00', '0.00'], '20.00', '130.00'),
    ]);
    expect((await aging('2026-06-01')).totals).toEqual([
      row(['0.00', '0.00', '50.00', '60.00'], '0.00', '110.00'),
    ]);
  });
});
