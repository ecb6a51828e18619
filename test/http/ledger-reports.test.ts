import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectionsOf } from '../../src/module-host.js';
import { modules } from '../../src/modules.js';
import { startTestService, type TestService } from '../support/test-service.js';
import {
  ACCOUNTS,
  ENTRIES,
  cash,
  expectProblem,
  expectValidationError,
  openAccount,
  openStandardAccounts,
  postEntry,
  reverseEntry,
  revenue,
  sale,
  yenCash,
  yenRevenue,
  type KeyName,
} from './fixtures.js';

/** Every module's projections: admin status and the CLI list each of them. */
const everyProjection = projectionsOf(modules)
  .map((projection) => projection.name)
  .sort();
/** Each projection's version, as its module declares it. */
const versionOf = new Map(
  projectionsOf(modules).map((projection) => [projection.name, projection.version]),
);

/**
 * The ledger's queries through the whole service, on the embedded read models and, whenever
 * MONGODB_URL is set (CI sets it to a FerretDB it starts), on MongoDB: the same answers.
 */
const readModelStores: { name: string; env: () => Record<string, string> }[] = [
  { name: 'SQLite read models', env: () => ({}) },
];
const mongoUrl = process.env.MONGODB_URL;
if (mongoUrl) {
  readModelStores.push({
    name: 'MongoDB read models',
    env: () => ({
      MONGODB_URL: mongoUrl,
      MONGODB_DATABASE: `ledger_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      // FerretDB's upserts of new documents are slow (milliseconds each): give projections
      // the time they need rather than read a half-built answer.
      READ_FRESHNESS_WAIT_MS: '20000',
      CONSISTENCY_WAIT_MS: '20000',
    }),
  });
}

let t: TestService;
let env: Record<string, string>;

describe.each(readModelStores)('$name', (stores) => {
  beforeEach(() => {
    env = stores.env();
    t = startTestService({ PROJECTION_TICK_MS: '20', PROJECTION_DROP_DELAY_MS: '0', ...env });
  });
  afterEach(async () => {
    await t.close();
    if (env.MONGODB_URL && env.MONGODB_DATABASE) {
      const client = new MongoClient(env.MONGODB_URL);
      await client.db(env.MONGODB_DATABASE).dropDatabase();
      await client.close();
    }
  });

  function get(path: string, key: KeyName = 'reports') {
    return t.request.get(path).set(t.auth(key));
  }

  async function post(entry: Parameters<typeof postEntry>[1]) {
    const res = await postEntry(t, entry);
    expect(res.status, res.text).toBe(201);
    return res.body as { id: string; position: string };
  }

  describe('GET /v1/ledger/accounts', () => {
    it('lists the chart by code with balances, filtered and paginated', async () => {
      await openStandardAccounts(t);
      await openAccount(t, { code: '2000', name: 'Payables', type: 'liability', currency: 'EUR' });
      await post(sale('10.00'));

      const all = await get(ACCOUNTS);
      expect(all.status, all.text).toBe(200);
      expect(all.body.items.map((item: { code: string }) => item.code)).toEqual([
        '1000',
        '1100',
        '2000',
        '4000',
        '4100',
      ]);
      expect(all.body.items[0]).toEqual({
        code: '1000',
        name: 'Cash',
        type: 'asset',
        currency: 'EUR',
        status: 'open',
        debits: '10.00',
        credits: '0.00',
        balance: '10.00',
        controlledBy: null,
      });
      expect(all.body.nextCursor).toBeNull();

      const assets = await get(`${ACCOUNTS}?type=asset`);
      expect(assets.body.items.map((item: { code: string }) => item.code)).toEqual([
        '1000',
        '1100',
      ]);
      const yen = await get(`${ACCOUNTS}?currency=JPY`);
      expect(yen.body.items.map((item: { code: string }) => item.code)).toEqual(['1100', '4100']);

      const codes: string[] = [];
      let cursor: string | null = null;
      do {
        const path: string = `${ACCOUNTS}?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await get(path);
        expect(page.status, page.text).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        codes.push(...page.body.items.map((item: { code: string }) => item.code));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(codes).toEqual(['1000', '1100', '2000', '4000', '4100']);
    });

    it('refuses bad limits, cursors and unknown parameters with a 400', async () => {
      for (const query of ['limit=0', 'limit=501', 'limit=abc', 'limit=1.5']) {
        expectValidationError(await get(`${ACCOUNTS}?${query}`), 'query.limit');
      }
      expectValidationError(await get(`${ACCOUNTS}?type=cash`), 'query.type');
      expectValidationError(await get(`${ACCOUNTS}?asOf=2026-02-30`), 'query.asOf');
      expectValidationError(await get(`${ACCOUNTS}?colour=red`), 'query.colour');
      expectProblem(await get(`${ACCOUNTS}?cursor=not-a-cursor`), 400, 'invalid-query');
    });
  });

  describe('balances as of a date', () => {
    it('counts every line dated on or before the day, across years, months and days', async () => {
      await openStandardAccounts(t);
      await post(sale('100.00', '2025-12-31'));
      await post(sale('20.00', '2026-01-15'));
      await post(sale('3.00', '2026-01-16'));
      const late = await post(sale('0.40', '2026-03-01'));
      await reverseEntry(t, late.id, { date: '2026-03-05', reason: 'duplicate' });

      const balanceOn = async (date: string) => {
        const res = await get(`${ACCOUNTS}/1000?asOf=${date}`);
        expect(res.status, res.text).toBe(200);
        return res.body.balance as string;
      };
      expect(await balanceOn('2025-12-30')).toBe('0.00');
      expect(await balanceOn('2025-12-31')).toBe('100.00');
      expect(await balanceOn('2026-01-14')).toBe('100.00');
      expect(await balanceOn('2026-01-15')).toBe('120.00');
      expect(await balanceOn('2026-01-16')).toBe('123.00');
      expect(await balanceOn('2026-03-01')).toBe('123.40');
      expect(await balanceOn('2026-03-04')).toBe('123.40');
      expect(await balanceOn('2026-03-05')).toBe('123.00');

      const asOf = await get(`${ACCOUNTS}/1000?asOf=2026-03-02`);
      expect(asOf.body).toMatchObject({ debits: '123.40', credits: '0.00', balance: '123.40' });
      const now = await get(`${ACCOUNTS}/1000`);
      expect(now.body).toMatchObject({ debits: '123.40', credits: '0.40', balance: '123.00' });
      const listed = await get(`${ACCOUNTS}?asOf=2026-01-15&type=revenue`);
      expect(listed.body.items).toEqual([
        expect.objectContaining({
          code: '4000',
          debits: '0.00',
          credits: '120.00',
          balance: '-120.00',
        }),
        expect.objectContaining({ code: '4100', debits: '0', credits: '0', balance: '0' }),
      ]);
    });
  });

  describe('GET /v1/ledger/accounts/{code}/entries', () => {
    it('lists lines in date order with the running balance, whatever order they were posted in', async () => {
      await openStandardAccounts(t);
      await post(sale('5.00', '2026-02-01', 'feb'));
      await post(sale('7.00', '2026-01-10', 'jan-late'));
      await post(sale('1.00', '2026-01-10', 'jan-later'));
      await post({
        entryId: 'refund',
        date: '2026-01-20',
        description: 'Refund',
        lines: [
          { account: revenue.code, debit: '2.00' },
          { account: cash.code, credit: '2.00' },
        ],
      });
      await reverseEntry(t, 'feb', { date: '2026-02-03', reason: 'wrong customer' });

      const res = await get(`${ACCOUNTS}/1000/entries`);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        account: '1000',
        currency: 'EUR',
        openingBalance: '0.00',
        items: [
          {
            entryId: 'jan-late',
            kind: 'posting',
            date: '2026-01-10',
            description: 'Sale of 7.00',
            debit: '7.00',
            balance: '7.00',
          },
          {
            entryId: 'jan-later',
            kind: 'posting',
            date: '2026-01-10',
            description: 'Sale of 1.00',
            debit: '1.00',
            balance: '8.00',
          },
          {
            entryId: 'refund',
            kind: 'posting',
            date: '2026-01-20',
            description: 'Refund',
            credit: '2.00',
            balance: '6.00',
          },
          {
            entryId: 'feb',
            kind: 'posting',
            date: '2026-02-01',
            description: 'Sale of 5.00',
            debit: '5.00',
            balance: '11.00',
          },
          {
            entryId: 'feb',
            kind: 'reversal',
            date: '2026-02-03',
            description: 'Reversal: wrong customer',
            credit: '5.00',
            balance: '6.00',
          },
        ],
        nextCursor: null,
      });

      // Page by page, each page's running balance continues from the one before.
      const balances: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await get(
          `${ACCOUNTS}/1000/entries?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status, page.text).toBe(200);
        if (pages > 0) expect(page.body.openingBalance).toBe(balances.at(-1));
        balances.push(...page.body.items.map((item: { balance: string }) => item.balance));
        cursor = page.body.nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(balances).toEqual(['7.00', '8.00', '6.00', '11.00', '6.00']);

      const window = await get(`${ACCOUNTS}/1000/entries?from=2026-01-15&to=2026-02-01`);
      expect(window.body.openingBalance).toBe('8.00');
      expect(window.body.items.map((item: { balance: string }) => item.balance)).toEqual([
        '6.00',
        '11.00',
      ]);
    });

    it('is a 404 for an unknown account and a 400 for a bad range or cursor', async () => {
      expectProblem(await get(`${ACCOUNTS}/9999/entries`), 404, 'not-found');
      await openAccount(t, cash);
      expectValidationError(await get(`${ACCOUNTS}/1000/entries?from=yesterday`), 'query.from');
      expectProblem(await get(`${ACCOUNTS}/1000/entries?cursor=%7B%7D`), 400, 'invalid-query');
      const foreign = Buffer.from(JSON.stringify([[1, 2], 'x'])).toString('base64url');
      expectProblem(await get(`${ACCOUNTS}/1000/entries?cursor=${foreign}`), 400, 'invalid-query');
    });
  });

  describe('GET /v1/reports/trial-balance', () => {
    it('gives debits, credits and balance per account and totals per currency that agree', async () => {
      await openStandardAccounts(t);
      await post(sale('100.00', '2026-01-05'));
      await post(sale('50.25', '2026-02-05'));
      await post({
        date: '2026-01-07',
        description: 'Yen sale',
        lines: [
          { account: yenCash.code, debit: '5000' },
          { account: yenRevenue.code, credit: '5000' },
        ],
      });

      const res = await get('/v1/reports/trial-balance');
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        asOf: null,
        accounts: [
          {
            code: '1000',
            name: 'Cash',
            type: 'asset',
            currency: 'EUR',
            debits: '150.25',
            credits: '0.00',
            balance: '150.25',
          },
          {
            code: '1100',
            name: 'Cash JPY',
            type: 'asset',
            currency: 'JPY',
            debits: '5000',
            credits: '0',
            balance: '5000',
          },
          {
            code: '4000',
            name: 'Sales',
            type: 'revenue',
            currency: 'EUR',
            debits: '0.00',
            credits: '150.25',
            balance: '-150.25',
          },
          {
            code: '4100',
            name: 'Sales JPY',
            type: 'revenue',
            currency: 'JPY',
            debits: '0',
            credits: '5000',
            balance: '-5000',
          },
        ],
        totals: [
          { currency: 'EUR', debits: '150.25', credits: '150.25' },
          { currency: 'JPY', debits: '5000', credits: '5000' },
        ],
        balanced: true,
      });

      const january = await get('/v1/reports/trial-balance?asOf=2026-01-31');
      expect(january.body.asOf).toBe('2026-01-31');
      expect(january.body.totals).toEqual([
        { currency: 'EUR', debits: '100.00', credits: '100.00' },
        { currency: 'JPY', debits: '5000', credits: '5000' },
      ]);
      expect(january.body.balanced).toBe(true);
      expectValidationError(await get('/v1/reports/trial-balance?asOf=2026-13-01'), 'query.asOf');
    });

    it('needs a reading scope', async () => {
      expectProblem(await get('/v1/reports/trial-balance', 'people'), 403, 'forbidden');
    });
  });

  describe('GET /v1/ledger/journal-entries', () => {
    it('lists entries in date order, filtered by dates and status', async () => {
      await openStandardAccounts(t);
      await post(sale('1.00', '2026-03-01', 'c'));
      await post(sale('2.00', '2026-01-01', 'a'));
      await post(sale('3.00', '2026-02-01', 'b'));
      await reverseEntry(t, 'b', { date: '2026-02-02', reason: 'typo' });

      const all = await get(ENTRIES);
      expect(all.status, all.text).toBe(200);
      expect(all.body.items.map((item: { id: string }) => item.id)).toEqual(['a', 'b', 'c']);
      expect(all.body.items[1]).toMatchObject({
        status: 'reversed',
        reversal: { date: '2026-02-02', reason: 'typo' },
      });
      const reversed = await get(`${ENTRIES}?status=reversed`);
      expect(reversed.body.items.map((item: { id: string }) => item.id)).toEqual(['b']);
      const window = await get(`${ENTRIES}?from=2026-01-15&to=2026-03-01`);
      expect(window.body.items.map((item: { id: string }) => item.id)).toEqual(['b', 'c']);
      const first = await get(`${ENTRIES}?limit=1`);
      const second = await get(`${ENTRIES}?limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((item: { id: string }) => item.id)).toEqual(['b']);
    });
  });

  describe('reading your writes', () => {
    it('every ledger query sees a write at once with ?consistentWith=', async () => {
      await openStandardAccounts(t);
      for (let i = 1; i <= 10; i += 1) {
        const { position, id } = await post(sale(`${i}.00`, '2026-04-01'));
        const total = ((i * (i + 1)) / 2).toFixed(2);
        const consistent = `consistentWith=${position}`;
        expect((await get(`${ACCOUNTS}/1000?${consistent}`)).body.balance).toBe(total);
        expect((await get(`${ENTRIES}/${id}?${consistent}`)).status).toBe(200);
        const tb = await get(`/v1/reports/trial-balance?${consistent}`);
        expect(tb.body.totals[0]).toEqual({ currency: 'EUR', debits: total, credits: total });
        const lines = await get(`${ACCOUNTS}/1000/entries?${consistent}&limit=500`);
        expect(lines.body.items.at(-1).balance).toBe(total);
      }
    });
  });

  describe('admin: projections', () => {
    it('shows every projection with its position, lag and state', async () => {
      const opened = await openAccount(t, cash);
      // Without a read-model list, consistentWith waits for every projection.
      const res = await get(
        `/v1/admin/projections?consistentWith=${opened.body.position}`,
        'admin',
      );
      expect(res.status, res.text).toBe(200);
      expect(res.body.items.map((item: { name: string }) => item.name).sort()).toEqual(
        everyProjection,
      );
      for (const item of res.body.items) {
        const version = versionOf.get(item.name as string);
        expect(item).toMatchObject({
          version,
          collection: `${item.name}_v${version}_1`,
          position: opened.body.position,
          lag: 0,
          state: 'live',
          lastError: null,
          rebuild: null,
        });
      }
      expectValidationError(
        await get('/v1/admin/projections?consistentWith=x', 'admin'),
        'query.consistentWith',
      );
      expectProblem(await get('/v1/admin/projections', 'finance'), 403, 'forbidden');
      expectProblem(await get('/v1/admin/projections/nope', 'admin'), 404, 'not-found');
      const ready = await t.request.get('/readyz');
      expect(ready.body.checks).toMatchObject({ readModels: 'ok', ledger_accounts: 'ok' });
    });

    it('rebuilds a projection without downtime and answers the same afterwards', async () => {
      await openStandardAccounts(t);
      for (let i = 1; i <= 30; i += 1)
        await post(sale(`${i}.00`, `2026-0${(i % 9) + 1}-1${i % 10}`));
      const before = await get('/v1/reports/trial-balance?asOf=2026-05-31');
      const linesBefore = await get(`${ACCOUNTS}/1000/entries?limit=500`);

      const rebuild = await t.request
        .post('/v1/admin/projections/ledger_balances/rebuild')
        .set(t.auth('admin'))
        .send({});
      expect(rebuild.status, rebuild.text).toBe(202);
      expect(rebuild.headers.location).toBe('/v1/admin/projections/ledger_balances');
      // Queries keep answering while it runs, with the same figures.
      let switched = false;
      for (let attempt = 0; attempt < 500 && !switched; attempt += 1) {
        const during = await get('/v1/reports/trial-balance?asOf=2026-05-31');
        expect(during.status, during.text).toBe(200);
        expect(during.body).toEqual(before.body);
        const status = await get('/v1/admin/projections/ledger_balances', 'admin');
        switched = status.body.collection === 'ledger_balances_v1_2';
      }
      expect(switched).toBe(true);
      expect((await get('/v1/reports/trial-balance?asOf=2026-05-31')).body).toEqual(before.body);
      expect((await get(`${ACCOUNTS}/1000/entries?limit=500`)).body).toEqual(linesBefore.body);

      expectProblem(
        await t.request.post('/v1/admin/projections/nope/rebuild').set(t.auth('admin')).send({}),
        404,
        'not-found',
      );
      expectValidationError(
        await t.request
          .post('/v1/admin/projections/ledger_lines/rebuild')
          .set(t.auth('admin'))
          .send({ now: true }),
        'now',
      );
      expectProblem(
        await t.request.post('/v1/admin/projections/ledger_lines/rebuild').set(t.auth()).send({}),
        403,
        'forbidden',
      );
    });
  });
});
