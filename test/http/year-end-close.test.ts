/**
 * The year-end close over HTTP: a fiscal year is closed once its twelve months are, its closing
 * entries move revenue and expenses to retained earnings per currency, the statements stay
 * consistent across the close (as of December 31, January 1 and later), and a closed year's
 * months stay closed until the year is reopened. The default chart: cash 10000, sales 40000,
 * salaries 60000, retained earnings 30000, in EUR.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropStores, storeModes } from '../support/store-modes.js';
import { startTestService, type TestService } from '../support/test-service.js';
import {
  allEvents,
  closePeriod,
  expectProblem,
  expectValidationError,
  openAccount,
  postEntry,
  reverseEntry,
  type KeyName,
  type LineInput,
} from './fixtures.js';

const stores = storeModes('yearend');

let t: TestService;
let env: Record<string, string>;
let position = '0';

const YEARS = '/v1/ledger/fiscal-years';

function track<T extends { body: { position?: unknown } }>(res: T): T {
  if (typeof res.body.position === 'string') position = res.body.position;
  return res;
}

const closeYear = async (year: string, key: KeyName = 'admin', headers = {}) =>
  track(await t.request.post(`${YEARS}/${year}/close`).set(t.auth(key)).set(headers).send({}));
const reopenYear = async (year: string, body: object = { reason: 'audit adjustment' }) =>
  track(await t.request.post(`${YEARS}/${year}/reopen`).set(t.auth('admin')).send(body));
const reopenMonth = async (period: string) =>
  track(
    await t.request
      .post(`/v1/ledger/periods/${period}/reopen`)
      .set(t.auth('admin'))
      .send({ reason: 'late invoice' }),
  );
const closeMonth = async (period: string) => {
  const res = track(await closePeriod(t, period));
  expect(res.status, res.text).toBe(200);
};

async function post(date: string, lines: LineInput[]) {
  const res = track(await postEntry(t, { date, description: `Entry of ${date}`, lines }));
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}
const sale = (date: string, amount: string) =>
  post(date, [
    { account: '10000', debit: amount },
    { account: '40000', credit: amount },
  ]);
const salary = (date: string, amount: string) =>
  post(date, [
    { account: '60000', debit: amount },
    { account: '10000', credit: amount },
  ]);

/** A read that has seen every write so far. */
async function get<T = Record<string, unknown>>(path: string): Promise<T> {
  const separator = path.includes('?') ? '&' : '?';
  const res = await t.request
    .get(`${path}${separator}consistentWith=${position}`)
    .set(t.auth('reports'));
  expect(res.status, res.text).toBe(200);
  return res.body as T;
}

interface SheetCurrency {
  currency: string;
  assets: { total: string };
  equity: {
    accounts: { code: string; amount: string }[];
    currentYearEarnings: string;
    retainedEarningsNotClosed: string;
    total: string;
  };
  liabilitiesAndEquity: string;
  balanced: boolean;
}
interface Sheet {
  currencies: SheetCurrency[];
  balanced: boolean;
}
interface Income {
  currencies: { currency: string; revenue: { total: string }; netIncome: string }[];
}

const sheet = async (asOf: string, currency = 'EUR') => {
  const body = await get<Sheet>(`/v1/reports/balance-sheet?asOf=${asOf}`);
  expect(body.balanced, `balance sheet of ${asOf}`).toBe(true);
  return body.currencies.find((c) => c.currency === currency)!;
};
const netIncome = async (from: string, to: string, currency = 'EUR') => {
  const body = await get<Income>(`/v1/reports/income-statement?from=${from}&to=${to}`);
  return body.currencies.find((c) => c.currency === currency)?.netIncome;
};
const balance = async (code: string, asOf: string) =>
  (await get<{ balance: string }>(`/v1/ledger/accounts/${code}?asOf=${asOf}`)).balance;

/** The sheet's earnings are the income statement's from January 1, and it balances. */
async function expectConsistent(asOf: string, currency = 'EUR') {
  const row = await sheet(asOf, currency);
  expect(row.balanced).toBe(true);
  const net = (await netIncome(`${asOf.slice(0, 4)}-01-01`, asOf, currency)) ?? '0.00';
  expect(Number(row.equity.currentYearEarnings), `${currency} earnings on ${asOf}`).toBe(
    Number(net),
  );
  return row;
}

describe.each(stores)('$name', (mode) => {
  beforeEach(async () => {
    env = mode.env();
    t = startTestService({ ...env, CHART_OF_ACCOUNTS: '' });
    await t.service.started;
    position = '0';
    // 2025: sales 1000.00, salaries 400.00, net income 600.00; 2026: sales 250.00 in March.
    await post('2025-01-02', [
      { account: '10000', debit: '5000.00' },
      { account: '30000', credit: '5000.00' },
    ]);
    await sale('2025-03-10', '700.00');
    await sale('2025-11-20', '300.00');
    await salary('2025-06-30', '400.00');
    await sale('2026-03-05', '250.00');
  });
  afterEach(async () => {
    await t.close();
    await dropStores(env);
  });

  describe('POST /v1/ledger/fiscal-years/{year}/close', () => {
    it('is refused while a month of the year is open, and writes nothing', async () => {
      await closeMonth('2025-11');
      const before = (await allEvents(t)).length;
      expectProblem(await closeYear('2025'), 409, 'fiscal-year-months-open');
      expect((await allEvents(t)).length).toBe(before);
    });

    it('posts the closing entry once the twelve months are closed', async () => {
      await closeMonth('2025-12');
      const res = await closeYear('2025');
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        year: '2025',
        status: 'closed',
        entries: [
          {
            id: 'closing:2025:EUR:1',
            currency: 'EUR',
            date: '2025-12-31',
            netIncome: '600.00',
            lines: [
              { account: '40000', debit: '1000.00', currency: 'EUR' },
              { account: '60000', credit: '400.00', currency: 'EUR' },
              { account: '30000', credit: '600.00', currency: 'EUR' },
            ],
          },
        ],
        position: expect.any(String),
      });
      const entry = await get(`/v1/ledger/journal-entries/closing:2025:EUR:1`);
      expect(entry).toMatchObject({ date: '2025-12-31', status: 'posted', reversal: null });
      // The trial balance counts it: as of December 31 it is the post-closing one.
      expect(await balance('40000', '2025-12-31')).toBe('0.00');
      expect(await balance('60000', '2025-12-31')).toBe('0.00');
      expect(await balance('30000', '2025-12-31')).toBe('-5600.00');
      expect(await balance('40000', '2025-12-30')).toBe('-1000.00');
      const trial = await get<{ balanced: boolean }>('/v1/reports/trial-balance?asOf=2025-12-31');
      expect(trial.balanced).toBe(true);
      expectProblem(await closeYear('2025'), 409, 'fiscal-year-already-closed');
    });

    it('keeps the statements consistent before and after the close, at every date', async () => {
      await closeMonth('2025-12');
      const dates = ['2025-06-30', '2025-12-31', '2026-01-01', '2026-06-30'];
      const before = new Map<string, SheetCurrency>();
      for (const asOf of dates) before.set(asOf, await expectConsistent(asOf));
      expect(await netIncome('2025-01-01', '2025-12-31')).toBe('600.00');

      expect((await closeYear('2025')).status).toBe(200);
      for (const asOf of dates) await expectConsistent(asOf);
      // The closed year still shows its net income; the next starts from zero.
      expect(await netIncome('2025-01-01', '2025-12-31')).toBe('600.00');
      // December 31 alone holds only the closing entry, which no income statement counts.
      expect(await netIncome('2025-12-31', '2025-12-31')).toBeUndefined();
      expect(await netIncome('2025-07-01', '2026-06-30')).toBe('550.00');
      expect(await netIncome('2026-01-01', '2026-06-30')).toBe('250.00');
      // As of December 31 the sheet is the same closed or not.
      expect(await sheet('2025-12-31')).toEqual(before.get('2025-12-31'));
      expect((await sheet('2025-12-31')).equity).toMatchObject({
        accounts: [{ code: '30000', name: 'Retained earnings', amount: '5000.00' }],
        currentYearEarnings: '600.00',
        retainedEarningsNotClosed: '0.00',
        total: '5600.00',
      });
      // From January 1 the year's earnings are in retained earnings, none left unclosed.
      for (const [asOf, earnings] of [
        ['2026-01-01', '0.00'],
        ['2026-06-30', '250.00'],
      ] as const) {
        const row = await sheet(asOf);
        expect(row.assets).toEqual(before.get(asOf)!.assets);
        expect(row.equity).toMatchObject({
          accounts: [{ code: '30000', name: 'Retained earnings', amount: '5600.00' }],
          currentYearEarnings: earnings,
          retainedEarningsNotClosed: '0.00',
          total: before.get(asOf)!.equity.total,
        });
        expect(before.get(asOf)!.equity.retainedEarningsNotClosed).toBe('600.00');
      }
    });

    it('decides two racing closes once: one wins, the entry is booked once', async () => {
      await closeMonth('2025-12');
      const results = await Promise.all([closeYear('2025'), closeYear('2025')]);
      expect(results.map((res) => res.status).sort()).toEqual([200, 409]);
      expectProblem(
        results.find((res) => res.status === 409)!,
        409,
        'fiscal-year-already-closed',
      );
      const closes = (await allEvents(t)).filter((event) => event.type === 'FiscalYearClosed');
      expect(closes).toHaveLength(1);
      expect(await balance('30000', '2026-01-01')).toBe('-5600.00');
    });

    it('replays a retry with the same Idempotency-Key and writes nothing more', async () => {
      await closeMonth('2025-12');
      const key = { 'Idempotency-Key': 'close-2025' };
      const first = await closeYear('2025', 'admin', key);
      const again = await closeYear('2025', 'admin', key);
      expect(first.status, first.text).toBe(200);
      expect(again.status, again.text).toBe(200);
      expect(again.body).toEqual(first.body);
      const closes = (await allEvents(t)).filter((event) => event.type === 'FiscalYearClosed');
      expect(closes).toHaveLength(1);
    });

    it('refuses a year that is not YYYY of 1900 on (400) and any key but admin (403)', async () => {
      for (const year of ['1899', '25', 'abcd', '2025-12']) {
        expectValidationError(await closeYear(year), 'path.year');
      }
      await closeMonth('2025-12');
      expectProblem(await closeYear('2025', 'finance'), 403);
      expectProblem(await closeYear('2025', 'reports'), 403);
    });

    it('closes every currency in its own entry, into <code>-<currency> outside the base currency', async () => {
      for (const account of [
        { code: '10000-JPY', name: 'Cash JPY', type: 'asset', currency: 'JPY' },
        { code: '40000-JPY', name: 'Sales JPY', type: 'revenue', currency: 'JPY' },
      ]) {
        expect((await openAccount(t, account)).status).toBe(201);
      }
      await post('2025-05-05', [
        { account: '10000-JPY', debit: '12000' },
        { account: '40000-JPY', credit: '12000' },
      ]);
      await closeMonth('2025-12');
      expectProblem(await closeYear('2025'), 409, 'posting-account-missing');
      const opened = await openAccount(t, {
        code: '30000-JPY',
        name: 'Retained earnings JPY',
        type: 'equity',
        currency: 'JPY',
      });
      expect(opened.status).toBe(201);
      const res = await closeYear('2025');
      expect(res.status, res.text).toBe(200);
      expect(res.body.entries.map((entry: { id: string }) => entry.id)).toEqual([
        'closing:2025:EUR:1',
        'closing:2025:JPY:1',
      ]);
      expect(res.body.entries[1].lines).toEqual([
        { account: '40000-JPY', debit: '12000', currency: 'JPY' },
        { account: '30000-JPY', credit: '12000', currency: 'JPY' },
      ]);
      for (const asOf of ['2025-12-31', '2026-01-01']) await expectConsistent(asOf, 'JPY');
      expect(await balance('30000-JPY', '2026-01-01')).toBe('-12000');
      expect((await sheet('2026-01-01', 'JPY')).equity.retainedEarningsNotClosed).toBe('0');
    });

    it('keeps closing entry ids from postings, and closing entries from reversal by hand', async () => {
      await closeMonth('2025-12');
      expect((await closeYear('2025')).status).toBe(200);
      const taken = await postEntry(t, {
        entryId: 'closing:2026:EUR:1',
        date: '2026-02-01',
        description: 'x',
        lines: [
          { account: '10000', debit: '1.00' },
          { account: '40000', credit: '1.00' },
        ],
      });
      expectValidationError(taken, 'entryId');
      const reversal = await reverseEntry(t, 'closing:2025:EUR:1', {
        date: '2026-01-15',
        reason: 'undo',
      });
      expectProblem(reversal, 409, 'closing-entry');
    });
  });

  describe('POST /v1/ledger/fiscal-years/{year}/reopen', () => {
    beforeEach(async () => {
      await closeMonth('2025-12');
      expect((await closeYear('2025')).status).toBe(200);
    });

    it("refuses to reopen a closed year's month until the year is reopened", async () => {
      expectProblem(await reopenMonth('2025-06'), 409, 'fiscal-year-closed');
      expectProblem(await reopenMonth('2024-12'), 409, 'fiscal-year-closed');
      const res = await reopenYear('2025');
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({
        year: '2025',
        status: 'open',
        entries: [
          {
            id: 'closing:2025:EUR:1',
            lines: [
              { account: '40000', credit: '1000.00', currency: 'EUR' },
              { account: '60000', debit: '400.00', currency: 'EUR' },
              { account: '30000', debit: '600.00', currency: 'EUR' },
            ],
          },
        ],
      });
      const entry = await get(`/v1/ledger/journal-entries/closing:2025:EUR:1`);
      expect(entry).toMatchObject({
        status: 'reversed',
        reversal: { date: '2025-12-31', reason: 'audit adjustment' },
      });
      // Back to what it was before the close.
      expect(await balance('30000', '2026-01-01')).toBe('-5000.00');
      expect((await sheet('2026-01-01')).equity.retainedEarningsNotClosed).toBe('600.00');
      await expectConsistent('2025-12-31');
      await expectConsistent('2026-01-01');
      const month = await reopenMonth('2025-06');
      expect(month.status, month.text).toBe(200);
    });

    it('closes the year again after a correction, under a new entry id', async () => {
      expect((await reopenYear('2025')).status).toBe(200);
      expect((await reopenMonth('2025-12')).status).toBe(200);
      await salary('2025-12-15', '100.00');
      await closeMonth('2025-12');
      const res = await closeYear('2025');
      expect(res.status, res.text).toBe(200);
      expect(res.body.entries).toEqual([
        expect.objectContaining({ id: 'closing:2025:EUR:2', netIncome: '500.00' }),
      ]);
      expect(await netIncome('2025-01-01', '2025-12-31')).toBe('500.00');
      expect(await balance('30000', '2026-01-01')).toBe('-5500.00');
      expect(await balance('40000', '2026-01-01')).toBe('0.00');
      for (const asOf of ['2025-12-31', '2026-01-01', '2026-06-30']) await expectConsistent(asOf);
      expect((await sheet('2026-01-01')).equity.retainedEarningsNotClosed).toBe('0.00');
    });

    it('refuses a year not closed (409), no reason (400), and a key that is not admin (403)', async () => {
      expect((await reopenYear('2025')).status).toBe(200);
      expectProblem(await reopenYear('2025'), 409, 'fiscal-year-not-closed');
      expectProblem(await reopenYear('2024'), 409, 'fiscal-year-not-closed');
      expectValidationError(await reopenYear('2025', {}), 'reason');
      const finance = await t.request
        .post(`${YEARS}/2025/reopen`)
        .set(t.auth('finance'))
        .send({ reason: 'x' });
      expectProblem(finance, 403);
    });
  });

  describe('GET /v1/ledger/fiscal-years', () => {
    it('lists every closed year with its entries, who and when, and every close and reopen', async () => {
      expect(await get(YEARS)).toEqual({ years: [], changes: [] });
      await closeMonth('2025-12');
      const closed = await closeYear('2025');
      await reopenYear('2025', { reason: 'auditor found a missing accrual' });
      await closeYear('2025');
      const body = await get<{ years: unknown[]; changes: unknown[] }>(YEARS);
      expect(body.years).toEqual([
        {
          year: '2025',
          status: 'closed',
          entries: [{ entryId: 'closing:2025:EUR:2', currency: 'EUR', netIncome: '600.00' }],
          closedBy: 'admin-key',
          closedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        },
      ]);
      expect(body.changes).toEqual([
        {
          action: 'close',
          year: '2025',
          entries: [{ entryId: 'closing:2025:EUR:1', currency: 'EUR', netIncome: '600.00' }],
          reason: null,
          actor: 'admin-key',
          onBehalfOf: null,
          recordedAt: expect.any(String),
          position: closed.body.position,
        },
        expect.objectContaining({
          action: 'reopen',
          entries: [{ entryId: 'closing:2025:EUR:1', currency: 'EUR', netIncome: '600.00' }],
          reason: 'auditor found a missing accrual',
        }),
        expect.objectContaining({ action: 'close', reason: null }),
      ]);
      const people = await t.request.get(YEARS).set(t.auth('people'));
      expectProblem(people, 403);
    });
  });
});
