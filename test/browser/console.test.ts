// Code run in the page is passed as text where it names browser globals: the project's
// TypeScript has no DOM library, and adding it would type every Node module as a browser's.

/**
 * The console in a real browser: the service on a real port with a seeded business, Chromium
 * signing in with the demo keys. Every figure the page shows is compared with what the API
 * answers the same key, and no page may log a console error.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  demoKeys,
  startDemoService,
  type DemoService,
} from '../../scripts/console/demo-service.js';
import { launchChromium } from '../../scripts/console/browser.js';

type KeyName = keyof typeof demoKeys;

let demo: DemoService;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Console errors and page errors of the current test's pages. */
let errors: string[] = [];
/** Errors a test expects (the 401 of a bad key), removed before the check. */
let expected: RegExp[] = [];

beforeAll(async () => {
  [demo, browser] = await Promise.all([startDemoService(), launchChromium()]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  const unexpected = errors.filter((error) => !expected.some((pattern) => pattern.test(error)));
  errors = [];
  expected = [];
  expect(unexpected, 'console errors in the browser').toEqual([]);
});

async function api<T = Record<string, unknown>>(path: string, key: KeyName = 'admin'): Promise<T> {
  const res = await fetch(demo.url + path, {
    headers: { Authorization: `Bearer ${demoKeys[key]}` },
  });
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

async function openConsole(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} ${message.location().url}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  await page.goto(`${demo.url}/console/`);
  return page;
}

async function signIn(key: KeyName): Promise<Page> {
  const page = await openConsole();
  await page.getByLabel('API key').fill(demoKeys[key]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#key-id').waitFor();
  return page;
}

/** Go to a console route and wait for its page to have rendered. */
async function visit(page: Page, route: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(route)}`);
  await page.locator(`#main[data-rendered=${JSON.stringify(route)}]`).waitFor();
  // A value the page failed to format shows as one of these.
  const text = (await page.locator('main').textContent()) ?? '';
  expect(text, route).not.toMatch(/\[object |undefined|NaN/);
}

/** The text of each body cell of a table, row by row (th and td). */
async function rows(page: Page, tableId: string): Promise<string[][]> {
  return page
    .locator(`#${tableId} tbody tr`)
    .evaluateAll((trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('th, td')].map((cell) => (cell.textContent ?? '').trim()),
      ),
    );
}

describe('signing in', () => {
  it('refuses a bad key, saying so, and keeps nothing', async () => {
    const page = await openConsole();
    expected = [/status of 401/];
    await page.getByLabel('API key').fill('not-a-key-of-this-service');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid');
    expect(await page.locator('#sign-in').count()).toBe(1);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(await page.locator('nav a').count()).toBe(0);
  });

  it('signs in with a good key, kept in sessionStorage only, and signs out', async () => {
    const page = await signIn('reports');
    expect(await page.locator('#key-id').textContent()).toBe('reporting');
    expect(await page.locator('#key-scopes').textContent()).toBe('reports:read');
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([demoKeys.reports]);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(await page.evaluate('document.cookie')).toBe('');
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.locator('#sign-in').count()).toBe(1);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('serves the console with a same-origin-only content security policy', async () => {
    const res = await fetch(`${demo.url}/console/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const bare = await fetch(`${demo.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
  });
});

describe('the ledger', () => {
  it('shows the trial balance and balance sheet as the API answers them', async () => {
    const page = await signIn('reports');
    await visit(page, '#/trial-balance');
    const report = await api<{
      accounts: {
        code: string;
        name: string;
        debits: string;
        credits: string;
        balance: string;
        currency: string;
      }[];
      totals: { currency: string; debits: string; credits: string }[];
    }>('/v1/reports/trial-balance', 'reports');
    expect(report.accounts.length).toBeGreaterThan(5);
    expect(await rows(page, 'trial-balance')).toEqual(
      report.accounts.map((row) => [
        row.code,
        row.name,
        expect.any(String),
        `${row.debits} ${row.currency}`,
        `${row.credits} ${row.currency}`,
        `${row.balance} ${row.currency}`,
      ]),
    );
    const footer = await page.locator('#trial-balance tfoot').textContent();
    expect(footer).toContain(`${report.totals[0]!.debits} EUR`);
    // Money is right-aligned.
    const align = await page
      .locator('#trial-balance tbody td.num')
      .first()
      .evaluate((cell) => cell.ownerDocument.defaultView!.getComputedStyle(cell).textAlign);
    expect(align).toBe('right');

    await visit(page, '#/trial-balance?asOf=2026-03-15');
    const march = await api<{ accounts: { code: string; balance: string }[] }>(
      '/v1/reports/trial-balance?asOf=2026-03-15',
      'reports',
    );
    expect((await rows(page, 'trial-balance')).map((cells) => [cells[0], cells[5]])).toEqual(
      march.accounts.map((row) => [row.code, `${row.balance} EUR`]),
    );

    await visit(page, '#/balance-sheet?asOf=2026-11-23');
    const sheet = await api<{
      currencies: {
        assets: { total: string };
        liabilitiesAndEquity: string;
        equity: { currentYearEarnings: string };
      }[];
    }>('/v1/reports/balance-sheet?asOf=2026-11-23', 'reports');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(`${sheet.currencies[0]!.assets.total} EUR`);
    expect(text).toContain(`${sheet.currencies[0]!.liabilitiesAndEquity} EUR`);
    expect(text).toContain(`${sheet.currencies[0]!.equity.currentYearEarnings} EUR`);
  });

  it('drills down from the trial balance to an account, its ledger, an entry and its events', async () => {
    const page = await signIn('admin');
    await visit(page, '#/trial-balance');
    await page.getByRole('link', { name: '10000', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Account 10000');
    await page.locator('#general-ledger').waitFor();
    const ledger = await api<{ items: { entryId: string; date: string; balance: string }[] }>(
      '/v1/ledger/accounts/10000/entries?limit=100',
    );
    expect(
      (await rows(page, 'general-ledger')).map((cells) => [cells[0], cells[1], cells[5]]),
    ).toEqual(ledger.items.map((line) => [line.date, line.entryId, `${line.balance} EUR`]));
    // The balance over time: one point per posting date.
    const dates = new Set(ledger.items.map((line) => line.date));
    expect(await page.locator('svg.chart circle.dot').count()).toBe(dates.size);

    await page.getByRole('link', { name: demo.seeded.capitalEntryId, exact: true }).click();
    await page.locator('#entry-history').waitFor();
    expect(await page.locator('h1').textContent()).toBe(
      `Journal entry ${demo.seeded.capitalEntryId}`,
    );
    expect(await rows(page, 'entry-lines')).toEqual([
      ['10000', '50000.00 EUR', ''],
      ['31000', '', '50000.00 EUR'],
    ]);
    const history = await api<{
      items: { type: string; actor: string; recordedAt: string; requestId: string }[];
    }>(`/v1/audit/entities/journalEntry/${demo.seeded.capitalEntryId}/history`);
    const [event] = history.items;
    const [cells] = await rows(page, 'entry-history');
    expect(cells!.slice(0, 6)).toEqual([
      '0',
      event!.type,
      event!.recordedAt,
      'finance-app',
      '—',
      event!.requestId,
    ]);
    expect(cells![6]).toContain('Journal entry posted');

    // An invoice's posting leads to the invoice's own event through the request they share.
    await visit(page, '#/account/12000');
    await page
      .getByRole('link', { name: /^ar-issue-/ })
      .first()
      .click();
    await page.locator('#entry-related').waitFor();
    const related = await rows(page, 'entry-related');
    expect(related.map((row) => row[2])).toContain('InvoiceIssued');
    await page
      .getByRole('link', { name: /^invoice-INV-/ })
      .first()
      .click();
    await page.locator('#record-history').waitFor();
    expect(await page.locator('h1').textContent()).toMatch(/^History of invoice INV-/);
  });
});

describe('receivables', () => {
  it('shows customers, invoices and the aging with its chart as the API answers them', async () => {
    const page = await signIn('reports');
    await visit(page, '#/customers');
    const customers = await api<{
      items: { customerId: string; name: unknown; openBalance: string }[];
    }>('/v1/customers', 'reports');
    // Names are personal data: a reports:read key is given `{ redacted: true }`, and says so.
    expect((await rows(page, 'customers')).map((cells) => [cells[0], cells[1], cells[4]])).toEqual(
      customers.items.map((row) => [
        row.customerId,
        typeof row.name === 'string' ? row.name : 'redacted',
        `${row.openBalance} EUR`,
      ]),
    );

    await visit(page, '#/invoices');
    const invoices = await api<{
      items: { invoiceId: string; total: string; outstanding: string }[];
    }>('/v1/invoices', 'reports');
    expect(invoices.items).toHaveLength(demo.seeded.invoices.length);
    expect((await rows(page, 'invoices')).map((cells) => [cells[0], cells[5], cells[6]])).toEqual(
      invoices.items.map((row) => [row.invoiceId, `${row.total} EUR`, `${row.outstanding} EUR`]),
    );

    await visit(page, '#/aging');
    const aging = await api<{
      customers: { customerId: string; total: string; buckets: Record<string, string> }[];
      totals: { buckets: Record<string, string>; notYetDue: string; total: string }[];
    }>('/v1/reports/ar-aging', 'reports');
    expect((await rows(page, 'aging')).map((cells) => [cells[0], cells[3], cells[8]])).toEqual(
      aging.customers.map((row) => [
        row.customerId,
        `${row.buckets['0-30']} EUR`,
        `${row.total} EUR`,
      ]),
    );
    const bars = await page.locator('svg.chart text.value').allTextContents();
    const total = aging.totals[0]!;
    expect(bars).toEqual([
      total.notYetDue,
      total.buckets['0-30'],
      total.buckets['31-60'],
      total.buckets['61-90'],
      total.buckets['90+'],
    ]);
    expect(await page.locator('svg.chart rect.bar').count()).toBe(5);
  });

  it('lets a finance:write key record a payment, and the invoice shows it', async () => {
    const page = await signIn('finance');
    await visit(page, '#/invoice/INV-1004');
    await page.getByLabel('Amount').fill('100.00');
    await page.getByLabel('Received on').fill('2026-11-20');
    await page.getByLabel('Reference').fill('SEPA 8000');
    await page.getByRole('button', { name: 'Record payment' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('SEPA 8000');
    const invoice = await api<{ outstanding: string }>('/v1/invoices/INV-1004', 'finance');
    expect(invoice.outstanding).toBe('899.99');
    expect(await page.locator('main').textContent()).toContain('899.99 EUR');
  });
});

describe('the audit trail', () => {
  it('filters, pages, shows a record history, exports and verifies', async () => {
    const page = await signIn('auditor');
    await visit(page, '#/audit');
    const first = await rows(page, 'audit-events');
    expect(first).toHaveLength(25);
    expect(first[0]![0]).toBe('1');
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(async () => (await rows(page, 'audit-events'))[0]?.[0]).toBe('26');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(async () => (await rows(page, 'audit-events'))[0]?.[0]).toBe('1');

    await page.getByLabel('Event type').fill('InvoiceIssued');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect
      .poll(async () => (await rows(page, 'audit-events')).length)
      .toBe(demo.seeded.invoices.length);
    const filtered = await api<{ items: { position: string; stream: string }[] }>(
      '/v1/audit/events?type=InvoiceIssued',
      'auditor',
    );
    expect((await rows(page, 'audit-events')).map((cells) => [cells[0], cells[1]])).toEqual(
      filtered.items.map((event) => [event.position, event.stream]),
    );

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = await download;
    expect(csv.suggestedFilename()).toBe('audit-export.csv');
    const csvText = await (await csv.createReadStream()).toArray();
    const lines = Buffer.concat(csvText).toString('utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(1 + demo.seeded.invoices.length);

    const ndjsonDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export NDJSON' }).click();
    const ndjson = await ndjsonDownload;
    const records = Buffer.concat(await (await ndjson.createReadStream()).toArray())
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(records.filter((record) => record.type === 'InvoiceIssued')).toHaveLength(
      demo.seeded.invoices.length,
    );

    await page.getByRole('link', { name: 'invoice-INV-1001' }).click();
    await page.locator('#record-history').waitFor();
    const history = await rows(page, 'record-history');
    expect(history[0]![1]).toBe('InvoiceIssued');
    expect(history[0]![6]).toContain('customerId');

    await visit(page, '#/audit/verify');
    await page.getByRole('button', { name: 'Verify the whole log' }).click();
    await expect
      .poll(() => page.locator('#verify-status').textContent())
      .toBe('The log is intact.');
  });
});

describe('operations, people and logistics', () => {
  it('shows projections and reactors, and an admin can rebuild one', async () => {
    const page = await signIn('admin');
    await visit(page, '#/projections');
    const report = await api<{ items: { name: string }[]; reactors: { name: string }[] }>(
      '/v1/admin/projections',
    );
    expect((await rows(page, 'projections')).map((cells) => cells[0])).toEqual(
      report.items.map((item) => item.name),
    );
    expect((await rows(page, 'reactors')).map((cells) => cells[0])).toEqual(
      report.reactors.map((item) => item.name),
    );
    await page.getByRole('button', { name: 'Rebuild ledger_accounts' }).click();
    await page.waitForURL(/requested=ledger_accounts/);
    await expect
      .poll(async () => {
        const res = await api<{
          rebuildRequested: boolean;
          rebuild: unknown;
          lastSwitchAt: string;
        }>('/v1/admin/projections/ledger_accounts');
        return res.rebuildRequested || res.rebuild !== null || res.lastSwitchAt !== null;
      })
      .toBe(true);
  });

  it('shows employees, headcount, stock and shipments as the API answers them', async () => {
    const people = await signIn('people');
    await visit(people, '#/employees');
    const employees = await api<{ items: { employeeId: string; annualSalary: string }[] }>(
      '/v1/employees',
      'people',
    );
    expect((await rows(people, 'employees')).map((cells) => [cells[0], cells[7]])).toEqual(
      employees.items.map((row) => [row.employeeId, `${row.annualSalary} EUR`]),
    );
    await visit(people, '#/headcount');
    const headcount = await api<{
      departments: { department: string; headcount: number; monthlySalaryCost: string }[];
    }>('/v1/reports/headcount', 'people');
    expect(
      (await rows(people, 'headcount')).map((cells) => [cells[0], cells[1], cells[3]]),
    ).toEqual(
      headcount.departments.map((row) => [
        row.department,
        String(row.headcount),
        `${row.monthlySalaryCost} EUR`,
      ]),
    );

    const warehouse = await signIn('logistics');
    await visit(warehouse, '#/stock');
    const stock = await api<{ items: { sku: string; onHand: number; value: string }[] }>(
      '/v1/stock',
      'logistics',
    );
    expect((await rows(warehouse, 'stock')).map((cells) => [cells[0], cells[3], cells[5]])).toEqual(
      stock.items.map((row) => [row.sku, String(row.onHand), `${row.value} EUR`]),
    );
    await visit(warehouse, '#/shipments');
    const shipments = await api<{ items: { shipmentId: string; status: string }[] }>(
      '/v1/shipments',
      'logistics',
    );
    expect((await rows(warehouse, 'shipments')).map((cells) => [cells[0], cells[3]])).toEqual(
      shipments.items.map((row) => [row.shipmentId, row.status]),
    );
  });
});

describe('what a key may see', () => {
  it('shows a reports:read key no admin or write controls', async () => {
    const page = await signIn('reports');
    const nav = await page.locator('nav a').allTextContents();
    expect(nav).toEqual([
      'Trial balance',
      'Balance sheet',
      'Customers',
      'Invoices',
      'AR aging',
      'Headcount',
      'Items and stock',
      'Shipments',
    ]);
    for (const route of ['#/invoice/INV-1002', '#/entry/JE-CAPITAL', '#/stock']) {
      await visit(page, route);
      expect(await page.locator('main [data-requires]').count()).toBe(0);
      expect(await page.locator('main form:not([role=search]) button').count()).toBe(0);
    }
    expect(await page.locator('main').textContent()).not.toContain('Rebuild');
    await visit(page, '#/projections');
    expect(await page.locator('h1').textContent()).toBe('Nothing to show');
    expect(await page.locator('#projections').count()).toBe(0);
  });

  it('works at phone width and by keyboard alone', async () => {
    // en-US: the date field takes its digits month, day, year.
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'en-US',
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${demo.url}/console/`);
    // Keyboard only: the key field has focus; Enter submits; Tab reaches the first page link.
    await page.keyboard.type(demoKeys.reports);
    await page.keyboard.press('Enter');
    await page.locator('#trial-balance').waitFor();
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    // Focus moves to the new page's heading, and Tab goes on to the page's first control.
    expect(await page.evaluate('document.activeElement.tagName')).toBe('H1');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('field-asOf');
    await page.keyboard.type('03152026');
    await page.keyboard.press('Enter');
    await page.waitForURL(/asOf=2026-03-15/);
  });
});
