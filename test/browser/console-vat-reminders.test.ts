/**
 * The console's VAT, payment reminders and periods pages in a real browser: each figure
 * compared with the API's answer to the same key, what a reports:read key is offered, and a
 * finance:write key running reminders and marking one sent.
 */
import { describe, expect, it } from 'vitest';
import { consoleHarness, demoKeys } from './harness.js';

const { api, demo, rows, signIn, visit } = consoleHarness();

interface Reminder {
  reminderId: string;
  invoiceId: string;
  customerId: string;
  level: number;
  asOf: string;
  daysOverdue: number;
  amountOutstanding: string;
  currency: string;
  status: string;
  sent: { sentOn: string; channel: string; reference: string } | null;
}

const reminderCells = (row: Reminder) => [
  row.reminderId,
  row.invoiceId,
  row.customerId,
  String(row.level),
  row.asOf,
  String(row.daysOverdue),
  `${row.amountOutstanding} ${row.currency}`,
  row.status,
  row.sent
    ? `${row.sent.sentOn}, ${row.sent.channel}${row.sent.reference ? ` (${row.sent.reference})` : ''}`
    : '—',
];

async function postAs(key: keyof typeof demoKeys, path: string, body: unknown) {
  const res = await fetch(demo().url + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${demoKeys[key]}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return res.json();
}

describe('VAT', () => {
  it('shows the tax codes and the VAT report of a range as the API answers them', async () => {
    const page = await signIn('reports');
    const { from, to } = demo().seeded.vatRange;
    await visit(page, `#/vat?from=${from}&to=${to}`);
    const report = await api<{
      codes: {
        taxCode: string;
        name: string | null;
        outputAccount: string;
        currency: string;
        invoiced: { base: string; tax: string };
        credited: { base: string; tax: string };
        base: string;
        tax: string;
      }[];
      totals: { currency: string; base: string; tax: string }[];
    }>(`/v1/reports/vat?from=${from}&to=${to}`, 'reports');
    // The seeded invoice and credit note are in the range.
    expect(report.codes.map((row) => row.taxCode)).toEqual([demo().seeded.taxCode]);
    expect(report.codes[0]!.credited.tax).not.toBe('0.00');
    expect(await rows(page, 'vat-report')).toEqual(
      report.codes.map((row) => [
        row.taxCode,
        `${row.invoiced.base} ${row.currency}`,
        `${row.invoiced.tax} ${row.currency}`,
        `${row.credited.base} ${row.currency}`,
        `${row.credited.tax} ${row.currency}`,
        `${row.base} ${row.currency}`,
        `${row.tax} ${row.currency}`,
      ]),
    );
    const footer = await page
      .locator('#vat-report tfoot tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.children].map((cell) => (cell.textContent ?? '').trim())),
      );
    expect(footer).toEqual(
      report.totals.map((total) => [
        `Total ${total.currency}`,
        '',
        '',
        '',
        '',
        `${total.base} ${total.currency}`,
        `${total.tax} ${total.currency}`,
      ]),
    );
    expect(await page.locator('#vat-report tbody th[scope=row]').count()).toBe(report.codes.length);
    const align = await page
      .locator('#vat-report tbody td.num')
      .first()
      .evaluate((cell) => cell.ownerDocument.defaultView!.getComputedStyle(cell).textAlign);
    expect(align).toBe('right');

    const codes = await api<{
      items: {
        code: string;
        name: string;
        outputAccount: string;
        currency: string;
        rates: { effectiveFrom: string | null; rate: string }[];
      }[];
    }>('/v1/tax-codes', 'reports');
    expect(await rows(page, 'tax-codes')).toEqual(
      codes.items.map((row) => [
        row.code,
        row.name,
        row.outputAccount,
        row.currency,
        row.rates
          .map(
            (rate) =>
              `${rate.rate} %${rate.effectiveFrom ? ` from ${rate.effectiveFrom}` : ' from the start'}`,
          )
          .join(''),
      ]),
    );

    // The form takes another range; one before the taxed documents has no codes.
    await page.getByLabel('From').fill('2026-01-01');
    await page.getByLabel('To').fill('2026-01-31');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#main[data-rendered="#/vat?from=2026-01-01&to=2026-01-31"]').waitFor();
    expect(await rows(page, 'vat-report')).toEqual([['No taxed document in the range.']]);
  });
});

describe('payment reminders', () => {
  it('lists the reminders with the status and level filters as the API answers them', async () => {
    const page = await signIn('reports');
    await visit(page, '#/reminders');
    const all = await api<{ items: Reminder[] }>('/v1/reminders', 'reports');
    expect(all.items.length).toBeGreaterThan(1);
    expect(all.items.every((row) => row.asOf === demo().seeded.reminderRunAsOf)).toBe(true);
    expect(await rows(page, 'reminders')).toEqual(all.items.map(reminderCells));

    await visit(page, '#/reminders?status=issued&level=3');
    const filtered = await api<{ items: Reminder[] }>(
      '/v1/reminders?status=issued&level=3',
      'reports',
    );
    expect(filtered.items.length).toBeGreaterThan(0);
    expect(filtered.items.length).toBeLessThan(all.items.length);
    expect(await rows(page, 'reminders')).toEqual(filtered.items.map(reminderCells));
    expect(await page.getByLabel('Status').inputValue()).toBe('issued');
    expect(await page.getByLabel('Level').inputValue()).toBe('3');
  });

  it('lets a finance:write key run reminders and mark one sent', async () => {
    // An invoice overdue by 39 days on the business date, which the seeded run has not seen.
    await postAs('finance', '/v1/invoices', {
      invoiceId: 'INV-T1',
      customerId: 'GLOBEX',
      issueDate: '2026-10-01',
      lines: [
        { description: 'Support', quantity: '1', unitPrice: '90.00', revenueAccount: '40000' },
      ],
    });
    const page = await signIn('finance');
    await visit(page, '#/reminders');
    expect(await page.locator('main [data-requires="finance:write"]').count()).toBe(2);
    await page.getByLabel('As of').fill(demo().seeded.reminderRunAsOf);
    await page.getByRole('button', { name: 'Run reminders' }).click();
    await expect
      .poll(() => page.locator('#reminder-notice').textContent())
      .toContain('1 reminders issued');
    const issued = await api<{ items: Reminder[] }>('/v1/reminders?invoiceId=INV-T1', 'finance');
    expect(issued.items.map((row) => row.reminderId)).toEqual(['INV-T1.R2']);
    await expect
      .poll(() => rows(page, 'reminders'))
      .toContainEqual(reminderCells(issued.items[0]!));

    await page.getByLabel('Reminder', { exact: true }).selectOption('INV-T1.R2');
    await page.getByLabel('Sent on').fill(demo().seeded.reminderRunAsOf);
    await page.getByLabel('Channel').selectOption('letter');
    await page.getByLabel('Reference').fill('Post 4711');
    await page.getByRole('button', { name: 'Mark sent' }).click();
    await expect.poll(() => page.locator('#reminder-notice').textContent()).toContain('INV-T1.R2');
    const sent = await api<Reminder>('/v1/reminders/INV-T1.R2', 'finance');
    expect(sent.status).toBe('sent');
    expect(await rows(page, 'reminders')).toContainEqual(reminderCells(sent));
    expect(reminderCells(sent)[8]).toBe(`${demo().seeded.reminderRunAsOf}, letter (Post 4711)`);
  });
});

describe('periods', () => {
  it('shows the lock date, its history and the fiscal years as the API answers them', async () => {
    const page = await signIn('reports');
    await visit(page, '#/periods');
    const lock = await api<{
      lockDate: string | null;
      lockedThrough: string | null;
      changes: {
        action: string;
        period: string;
        lockDate: string;
        reason: string | null;
        actor: string | null;
        recordedAt: string;
      }[];
    }>('/v1/ledger/periods', 'reports');
    expect(lock.changes.map((change) => change.action)).toEqual(['close', 'reopen', 'close']);
    const text = (await page.locator('main dl.fields').textContent()) ?? '';
    expect(text).toContain(lock.lockDate!);
    expect(text).toContain(lock.lockedThrough!);
    expect(await rows(page, 'period-changes')).toEqual(
      lock.changes.map((change) => [
        change.recordedAt,
        change.action,
        change.period,
        change.lockDate,
        change.actor ?? '—',
        change.reason ?? '—',
      ]),
    );

    const fiscal = await api<{
      years: {
        year: string;
        status: string;
        entries: { entryId: string }[];
        closedBy: string | null;
        closedAt: string;
      }[];
      changes: { action: string; year: string; actor: string | null; recordedAt: string }[];
    }>('/v1/ledger/fiscal-years', 'reports');
    expect(fiscal.years.map((year) => year.year)).toEqual(['2025']);
    expect(await rows(page, 'fiscal-years')).toEqual(
      fiscal.years.map((year) => [
        year.year,
        year.status,
        year.closedBy ?? '—',
        year.closedAt,
        year.entries.length === 0 ? 'none' : year.entries.map((entry) => entry.entryId).join(', '),
      ]),
    );
    expect((await rows(page, 'fiscal-year-changes')).map((cells) => cells.slice(0, 3))).toEqual(
      fiscal.changes.map((change) => [change.recordedAt, change.action, change.year]),
    );
    // The years the seed closed had no revenue or expenses, so no closing entry.
    expect(await rows(page, 'closing-entries')).toEqual([
      ['The years closed had no revenue or expenses.'],
    ]);
  });
});

describe('what a reports:read key may do here', () => {
  it('shows the new pages but no write controls on them', async () => {
    const page = await signIn('reports');
    const nav = await page.locator('nav a').allTextContents();
    expect(nav).toEqual(expect.arrayContaining(['Periods', 'VAT', 'Payment reminders']));
    for (const route of ['#/vat', '#/reminders', '#/periods']) {
      await visit(page, route);
      expect(await page.locator('main [data-requires]').count()).toBe(0);
      expect(await page.locator('main form:not([role=search]) button').count()).toBe(0);
    }
    expect(await page.getByRole('button', { name: 'Run reminders' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Mark sent' }).count()).toBe(0);
  });
});
