/**
 * The console in a real browser, signing in and finance: a good and a bad key, the ledger with
 * its drill-down to an event, and receivables, each figure compared with the API's answer.
 */
import { describe, expect, it } from 'vitest';
import { consoleHarness, demoKeys } from './harness.js';

const { api, demo, openConsole, rows, signIn, visit, expectConsoleErrors } = consoleHarness();

describe('signing in', () => {
  it('refuses a bad key, saying so, and keeps nothing', async () => {
    const page = await openConsole();
    expectConsoleErrors(/status of 401/);
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
    const res = await fetch(`${demo().url}/console/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const bare = await fetch(`${demo().url}/console`, { redirect: 'manual' });
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

    await page.getByRole('link', { name: demo().seeded.capitalEntryId, exact: true }).click();
    await page.locator('#entry-history').waitFor();
    expect(await page.locator('h1').textContent()).toBe(
      `Journal entry ${demo().seeded.capitalEntryId}`,
    );
    expect(await rows(page, 'entry-lines')).toEqual([
      ['10000', '50000.00 EUR', ''],
      ['31000', '', '50000.00 EUR'],
    ]);
    const history = await api<{
      items: { type: string; actor: string; recordedAt: string; requestId: string }[];
    }>(`/v1/audit/entities/journalEntry/${demo().seeded.capitalEntryId}/history`);
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
    expect(invoices.items).toHaveLength(demo().seeded.invoices.length);
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
