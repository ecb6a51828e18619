/**
 * `npm run console:screenshots`: the service with the demo business, Chromium at 1280×800 and
 * at phone width, a PNG of every console page in docs/console/. Fails on any console error, so
 * a picture is never of a broken page.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { demoKeys, startDemoService } from './demo-service.js';

type KeyName = keyof typeof demoKeys;

interface Shot {
  readonly name: string;
  readonly key?: KeyName;
  readonly route: string;
  readonly phone?: boolean;
  /** Something to do on the page before the picture (a click that runs the verification). */
  readonly before?: (page: Page) => Promise<void>;
}

const OUT = join(process.cwd(), 'docs', 'console');

async function main(): Promise<void> {
  const demo = await startDemoService();
  const browser = await launchChromium();
  const errors: string[] = [];
  try {
    // The ledger posting of the oldest invoice: a drill-down with the invoice's own events.
    const ledger = (await (
      await fetch(`${demo.url}/v1/ledger/accounts/12000/entries`, {
        headers: { Authorization: `Bearer ${demoKeys.admin}` },
      })
    ).json()) as { items: { entryId: string }[] };
    const invoiceEntry = ledger.items[0]!.entryId;
    const shots: Shot[] = [
      { name: 'sign-in', route: '' },
      { name: 'trial-balance', key: 'admin', route: '#/trial-balance?asOf=2026-11-23' },
      { name: 'balance-sheet', key: 'admin', route: '#/balance-sheet?asOf=2026-11-23' },
      { name: 'account', key: 'admin', route: '#/account/10000' },
      { name: 'journal-entry', key: 'admin', route: `#/entry/${invoiceEntry}` },
      { name: 'customers', key: 'reports', route: '#/customers' },
      { name: 'invoices', key: 'reports', route: '#/invoices' },
      { name: 'invoice', key: 'finance', route: '#/invoice/INV-1002' },
      { name: 'ar-aging', key: 'reports', route: '#/aging?asOf=2026-11-23' },
      {
        name: 'vat',
        key: 'reports',
        route: `#/vat?from=${demo.seeded.vatRange.from}&to=${demo.seeded.vatRange.to}`,
      },
      { name: 'reminders', key: 'finance', route: '#/reminders' },
      { name: 'periods', key: 'reports', route: '#/periods' },
      { name: 'audit-trail', key: 'auditor', route: '#/audit' },
      { name: 'record-history', key: 'auditor', route: '#/audit/history/invoice/INV-1002' },
      { name: 'audit-verify', key: 'auditor', route: '#/audit/verify?mode=full' },
      { name: 'projections', key: 'admin', route: '#/projections' },
      { name: 'employees', key: 'people', route: '#/employees' },
      { name: 'headcount', key: 'reports', route: '#/headcount' },
      { name: 'stock', key: 'logistics', route: '#/stock' },
      { name: 'shipments', key: 'logistics', route: '#/shipments' },
      { name: 'trial-balance-phone', key: 'reports', route: '#/trial-balance', phone: true },
      { name: 'ar-aging-phone', key: 'reports', route: '#/aging', phone: true },
    ];
    mkdirSync(OUT, { recursive: true });
    for (const shot of shots) await take(browser, demo.url, shot, errors);
  } finally {
    await browser.close();
    await demo.close();
  }
  if (errors.length > 0) throw new Error(`console errors:\n${errors.join('\n')}`);
}

async function take(browser: Browser, url: string, shot: Shot, errors: string[]): Promise<void> {
  const context = await browser.newContext({
    viewport: shot.phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
    deviceScaleFactor: 1,
  });
  try {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`${shot.name}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`${shot.name}: ${error.message}`));
    await page.goto(`${url}/console/${shot.route}`);
    if (shot.key) {
      await page.getByLabel('API key').fill(demoKeys[shot.key]);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator(`#main[data-rendered=${JSON.stringify(shot.route)}]`).waitFor();
    } else {
      await page.locator('#sign-in').waitFor();
    }
    await shot.before?.(page);
    // The pointer and the focus ring are not part of the page.
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    const file = join(OUT, `${shot.name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    await context.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
