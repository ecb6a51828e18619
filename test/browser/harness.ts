// Code run in the page is passed as text where it names browser globals: the project's
// TypeScript has no DOM library, and adding it would type every Node module as a browser's.

/**
 * What the console's browser tests share: the service on a real port with a seeded business,
 * system Chromium, pages signed in with the demo keys, and a check after every test that no
 * page logged a console error (beyond those the test expects).
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  demoKeys,
  startDemoService,
  type DemoService,
} from '../../scripts/console/demo-service.js';
import { launchChromium } from '../../scripts/console/browser.js';

export type KeyName = keyof typeof demoKeys;
export { demoKeys };

export interface ConsoleHarness {
  readonly demo: () => DemoService;
  /** The API's answer to `key`, for comparing with what the page shows. */
  api<T = Record<string, unknown>>(path: string, key?: KeyName): Promise<T>;
  /** A fresh browser context on the sign-in page (1280×800 unless told). */
  openConsole(options?: {
    viewport?: { width: number; height: number };
    locale?: string;
  }): Promise<Page>;
  signIn(key: KeyName): Promise<Page>;
  visit(page: Page, route: string): Promise<void>;
  rows(page: Page, tableId: string): Promise<string[][]>;
  /** Console errors this test expects (the 401 of a bad key). */
  expectConsoleErrors(...patterns: RegExp[]): void;
}

/** Registers the hooks of a browser test file and answers its helpers. */
export function consoleHarness(): ConsoleHarness {
  let demo: DemoService;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let errors: string[] = [];
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

  const harness: ConsoleHarness = {
    demo: () => demo,

    async api<T>(path: string, key: KeyName = 'admin'): Promise<T> {
      const res = await fetch(demo.url + path, {
        headers: { Authorization: `Bearer ${demoKeys[key]}` },
      });
      expect(res.status, `${path}: ${res.status}`).toBe(200);
      return (await res.json()) as T;
    },

    async openConsole({ viewport = { width: 1280, height: 800 }, locale } = {}) {
      const context = await browser.newContext({ viewport, ...(locale ? { locale } : {}) });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`${message.text()} ${message.location().url}`);
      });
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      await page.goto(`${demo.url}/console/`);
      return page;
    },

    async signIn(key) {
      const page = await harness.openConsole();
      await page.getByLabel('API key').fill(demoKeys[key]);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#key-id').waitFor();
      return page;
    },

    /** Go to a console route and wait for its page to have rendered. */
    async visit(page, route) {
      await page.evaluate(`location.hash = ${JSON.stringify(route)}`);
      await page.locator(`#main[data-rendered=${JSON.stringify(route)}]`).waitFor();
      // A value the page failed to format shows as one of these.
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text, route).not.toMatch(/\[object |undefined|NaN/);
    },

    /** The text of each body cell of a table, row by row (th and td). */
    async rows(page, tableId) {
      return page
        .locator(`#${tableId} tbody tr`)
        .evaluateAll((trs) =>
          trs.map((tr) =>
            [...tr.querySelectorAll('th, td')].map((cell) => (cell.textContent ?? '').trim()),
          ),
        );
    },

    expectConsoleErrors(...patterns) {
      expected.push(...patterns);
    },
  };
  return harness;
}
