/**
 * The console in a real browser, records and operations: the audit trail, projections, people
 * and logistics, what a reports:read key is offered, phone width and the keyboard.
 */
import { describe, expect, it } from 'vitest';
import { consoleHarness, demoKeys } from './harness.js';

const { api, demo, openConsole, rows, signIn, visit } = consoleHarness();

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
      .toBe(demo().seeded.invoices.length);
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
    expect(lines).toHaveLength(1 + demo().seeded.invoices.length);

    const ndjsonDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export NDJSON' }).click();
    const ndjson = await ndjsonDownload;
    const records = Buffer.concat(await (await ndjson.createReadStream()).toArray())
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(records.filter((record) => record.type === 'InvoiceIssued')).toHaveLength(
      demo().seeded.invoices.length,
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
      'Periods',
      'Customers',
      'Invoices',
      'AR aging',
      'VAT',
      'Payment reminders',
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
    const page = await openConsole({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
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
