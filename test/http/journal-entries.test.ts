import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';
import {
  ENTRIES,
  allEvents,
  cash,
  closePeriod,
  expectProblem,
  expectValidationError,
  getAccount,
  getEntry,
  openAccount,
  openStandardAccounts,
  postEntry,
  revenue,
  reverseEntry,
  sale,
  yenCash,
  yenRevenue,
} from './fixtures.js';

let t: TestService;
beforeEach(async () => {
  t = startTestService();
  await openStandardAccounts(t);
});
afterEach(async () => {
  await t.close();
});

describe('POST /v1/ledger/journal-entries', () => {
  it('posts a balanced entry with a client entryId: 201 with id, Location, ETag, position', async () => {
    const res = await postEntry(t, sale('100.00', '2026-11-02', 'JE-1'));

    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toBe('/v1/ledger/journal-entries/JE-1');
    expect(res.headers.etag).toBe('"0"');
    expect(res.body).toEqual({
      id: 'JE-1',
      date: '2026-11-02',
      description: 'Sale of 100.00',
      status: 'posted',
      lines: [
        { account: '1000', debit: '100.00', currency: 'EUR' },
        { account: '4000', credit: '100.00', currency: 'EUR' },
      ],
      reversal: null,
      position: expect.stringMatching(/^\d+$/),
    });
    expect(res.headers['x-position']).toBe(res.body.position);
    const stream = await t.service.eventStore.readStream('journalEntry-JE-1');
    expect(stream.map((event) => event.type)).toEqual(['JournalEntryPosted']);
  });

  it('generates an id when the body has no entryId', async () => {
    const first = await postEntry(t, sale('10.00'));
    const second = await postEntry(t, sale('10.00'));

    expect(first.status, first.text).toBe(201);
    expect(second.status, second.text).toBe(201);
    expect(first.body.id).toEqual(expect.any(String));
    expect(first.body.id).not.toBe(second.body.id);
    expect(first.headers.location).toBe(`/v1/ledger/journal-entries/${first.body.id}`);
    expect(first.headers.etag).toBe('"0"');

    const get = await getEntry(t, first.body.id);
    expect(get.status).toBe(200);
    expect(get.body.id).toBe(first.body.id);
  });

  it('normalises amounts to the currency exponent ("100" is stored as "100.00")', async () => {
    const res = await postEntry(t, sale('100'));
    expect(res.status, res.text).toBe(201);
    expect(res.body.lines).toEqual([
      { account: '1000', debit: '100.00', currency: 'EUR' },
      { account: '4000', credit: '100.00', currency: 'EUR' },
    ]);
  });

  it('moves balances: debits − credits, signed (revenue shows "-100.00")', async () => {
    expect((await postEntry(t, sale('100.00'))).status).toBe(201);
    expect((await postEntry(t, sale('0.50'))).status).toBe(201);

    const cashRes = await getAccount(t, '1000');
    expect(cashRes.body).toMatchObject({ debits: '100.50', credits: '0.00', balance: '100.50' });
    const revenueRes = await getAccount(t, '4000');
    expect(revenueRes.body).toMatchObject({
      debits: '0.00',
      credits: '100.50',
      balance: '-100.50',
    });
  });

  it('posts a multi-line, multi-currency entry that balances per currency', async () => {
    const res = await postEntry(t, {
      date: '2026-11-03',
      description: 'Two currencies',
      lines: [
        { account: cash.code, debit: '60.00' },
        { account: cash.code, debit: '40.00' },
        { account: revenue.code, credit: '100.00' },
        { account: yenCash.code, debit: '1500' },
        { account: yenRevenue.code, credit: '1500' },
      ],
    });
    expect(res.status, res.text).toBe(201);
    expect((await getAccount(t, yenCash.code)).body.balance).toBe('1500');
    expect((await getAccount(t, yenRevenue.code)).body.balance).toBe('-1500');
    expect((await getAccount(t, cash.code)).body.balance).toBe('100.00');
  });

  it('refuses an unbalanced entry with 400 and writes nothing', async () => {
    const before = (await allEvents(t)).length;
    const res = await postEntry(t, {
      date: '2026-11-02',
      description: 'Unbalanced',
      lines: [
        { account: '1000', debit: '100.00' },
        { account: '4000', credit: '99.99' },
      ],
    });
    expectValidationError(res, 'lines');
    expect(res.body.detail).toContain('EUR');
    expect(await allEvents(t)).toHaveLength(before);
  });

  it('refuses an entry that balances in total but not per currency', async () => {
    const res = await postEntry(t, {
      date: '2026-11-02',
      description: 'Mixed',
      lines: [
        { account: '1000', debit: '100' },
        { account: '4100', credit: '100' },
      ],
    });
    expectValidationError(res, 'lines');
  });

  it('refuses more decimals than the currency has: EUR "1.001"', async () => {
    const res = await postEntry(t, {
      date: '2026-11-02',
      description: 'Too precise',
      lines: [
        { account: '1000', debit: '1.001' },
        { account: '4000', credit: '1.001' },
      ],
    });
    expectValidationError(res, 'lines[0].debit');
    expectValidationError(res, 'lines[1].credit');
  });

  it('refuses any decimals for JPY: "1.5"', async () => {
    const res = await postEntry(t, {
      date: '2026-11-02',
      description: 'Half a yen',
      lines: [
        { account: '1100', debit: '1.5' },
        { account: '4100', credit: '1.5' },
      ],
    });
    expectValidationError(res, 'lines[0].debit');
  });

  it('refuses a line with both debit and credit', async () => {
    const res = await postEntry(t, {
      date: '2026-11-02',
      description: 'Both',
      lines: [
        { account: '1000', debit: '1.00', credit: '1.00' },
        { account: '4000', credit: '1.00' },
      ],
    });
    expectValidationError(res, 'lines[0]');
  });

  it('refuses a line with neither debit nor credit', async () => {
    const res = await postEntry(t, {
      date: '2026-11-02',
      description: 'Neither',
      lines: [{ account: '1000' }, { account: '4000', credit: '1.00' }],
    });
    expectValidationError(res, 'lines[0]');
  });

  it.each([['0'], ['0.00'], ['-1.00'], ['1e3'], [' 1.00'], ['1,00'], ['']])(
    'refuses the amount %j',
    async (amount) => {
      const res = await postEntry(t, {
        date: '2026-11-02',
        description: 'Odd amount',
        lines: [
          { account: '1000', debit: amount },
          { account: '4000', credit: amount },
        ],
      });
      expectValidationError(res, 'lines[0].debit');
    },
  );

  it('refuses a line naming an unknown account with 400 naming the line', async () => {
    const res = await postEntry(t, {
      date: '2026-11-02',
      description: 'Ghost',
      lines: [
        { account: '9999', debit: '1.00' },
        { account: '4000', credit: '1.00' },
      ],
    });
    expectValidationError(res, 'lines[0].account');
    expect(res.body.detail).toContain('9999');
  });

  it.each([
    ['an unknown top-level field', { ...sale('1.00'), currency: 'EUR' }, 'currency'],
    [
      'an unknown line field',
      {
        ...sale('1.00'),
        lines: [
          { account: '1000', debit: '1.00', memo: 'x' },
          { account: '4000', credit: '1.00' },
        ],
      },
      'lines[0].memo',
    ],
    [
      'a single line',
      { date: '2026-11-02', description: 'One', lines: [{ account: '1000', debit: '1.00' }] },
      'lines',
    ],
    ['no lines', { date: '2026-11-02', description: 'None', lines: [] }, 'lines'],
    ['an impossible date 2026-02-30', sale('1.00', '2026-02-30'), 'date'],
    ['a date with a time', sale('1.00', '2026-02-03T10:00:00Z'), 'date'],
    ['a day-first date', sale('1.00', '03-02-2026'), 'date'],
    ['a missing description', { date: '2026-11-02', lines: sale('1.00').lines }, 'description'],
    ['an entryId with a space', sale('1.00', '2026-11-02', 'JE 1'), 'entryId'],
    [
      'a numeric debit',
      {
        ...sale('1.00'),
        lines: [
          { account: '1000', debit: 100 },
          { account: '4000', credit: '100.00' },
        ],
      },
      'lines[0].debit',
    ],
  ])('refuses %s with 400', async (_label, body, path) => {
    const before = (await allEvents(t)).length;
    const res = await t.request.post(ENTRIES).set(t.auth()).send(body);
    expectValidationError(res, path);
    expect(await allEvents(t)).toHaveLength(before);
  });

  it('accepts 29 February in a leap year', async () => {
    const res = await postEntry(t, sale('1.00', '2028-02-29'));
    expect(res.status, res.text).toBe(201);
  });

  it('refuses reusing an entryId with 409', async () => {
    expect((await postEntry(t, sale('1.00', '2026-11-02', 'JE-dup'))).status).toBe(201);
    const res = await postEntry(t, sale('2.00', '2026-11-02', 'JE-dup'));
    expectProblem(res, 409, 'journal-entry-already-exists');
    expect((await getEntry(t, 'JE-dup')).body.lines[0].debit).toBe('1.00');
  });
});

describe('GET /v1/ledger/journal-entries/{id}', () => {
  it('returns the entry with its lines and an ETag, without a position', async () => {
    const posted = await postEntry(t, sale('42.00', '2026-11-05', 'JE-get'));
    expect(posted.status).toBe(201);

    const res = await getEntry(t, 'JE-get');

    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"0"');
    const { position: _position, ...withoutPosition } = posted.body as Record<string, unknown>;
    expect(res.body).toEqual(withoutPosition);
  });

  it('answers 404 problem for an unknown entry', async () => {
    const res = await getEntry(t, 'JE-missing');
    expectProblem(res, 404, 'not-found');
  });

  it('can be read with the reports key', async () => {
    await postEntry(t, sale('1.00', '2026-11-05', 'JE-r'));
    const res = await getEntry(t, 'JE-r', 'reports');
    expect(res.status).toBe(200);
  });
});

describe('POST /v1/ledger/journal-entries/{id}/reversal', () => {
  it('reverses once: 201, status reversed, mirrored lines, balances back to zero', async () => {
    expect((await postEntry(t, sale('100.00', '2026-11-02', 'JE-rev'))).status).toBe(201);
    expect((await getAccount(t, '4000')).body.balance).toBe('-100.00');

    const res = await reverseEntry(t, 'JE-rev', { date: '2026-11-20', reason: 'Entered twice' });

    expect(res.status, res.text).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe('/v1/ledger/journal-entries/JE-rev');
    expect(res.headers['x-position']).toBe(res.body.position);
    expect(res.body).toMatchObject({
      id: 'JE-rev',
      status: 'reversed',
      reversal: { date: '2026-11-20', reason: 'Entered twice' },
    });
    const [reversed] = await t.service.eventStore.readStream('journalEntry-JE-rev', {
      fromRevision: 1n,
    });
    expect(reversed?.type).toBe('JournalEntryReversed');
    expect(reversed?.data).toMatchObject({
      date: '2026-11-20',
      lines: [
        { account: '1000', side: 'credit', amount: '100.00' },
        { account: '4000', side: 'debit', amount: '100.00' },
      ],
    });

    expect((await getAccount(t, '1000')).body).toMatchObject({
      debits: '100.00',
      credits: '100.00',
      balance: '0.00',
    });
    expect((await getAccount(t, '4000')).body).toMatchObject({
      debits: '100.00',
      credits: '100.00',
      balance: '0.00',
    });
    const get = await getEntry(t, 'JE-rev');
    expect(get.headers.etag).toBe('"1"');
    expect(get.body.status).toBe('reversed');
  });

  it('refuses a second reversal with 409 and writes nothing', async () => {
    await postEntry(t, sale('5.00', '2026-11-02', 'JE-twice'));
    expect(
      (await reverseEntry(t, 'JE-twice', { date: '2026-11-03', reason: 'first' })).status,
    ).toBe(201);
    const before = (await allEvents(t)).length;

    const res = await reverseEntry(t, 'JE-twice', { date: '2026-11-04', reason: 'second' });

    expectProblem(res, 409, 'journal-entry-already-reversed');
    expect(await allEvents(t)).toHaveLength(before);
    expect((await getAccount(t, '1000')).body.balance).toBe('0.00');
  });

  it('answers 404 for reversing an unknown entry', async () => {
    const res = await reverseEntry(t, 'JE-nope', { date: '2026-11-04', reason: 'x' });
    expectProblem(res, 404, 'journal-entry-not-found');
    expect(await t.service.eventStore.readStream('journalEntry-JE-nope')).toHaveLength(0);
  });

  it('refuses a reversal dated before the entry', async () => {
    await postEntry(t, sale('5.00', '2026-11-10', 'JE-early'));
    const res = await reverseEntry(t, 'JE-early', { date: '2026-11-09', reason: 'x' });
    expectValidationError(res, 'date');
  });

  it.each([
    ['a missing reason', { date: '2026-11-10' }, 'reason'],
    ['an invalid date', { date: '2026-11-31', reason: 'x' }, 'date'],
    ['an unknown field', { date: '2026-11-10', reason: 'x', amount: '1' }, 'amount'],
  ])('refuses %s with 400', async (_label, body, path) => {
    await postEntry(t, sale('5.00', '2026-11-10', 'JE-bad'));
    const res = await t.request.post(`${ENTRIES}/JE-bad/reversal`).set(t.auth()).send(body);
    expectValidationError(res, path);
  });
});

describe('POST /v1/ledger/periods/{period}/close', () => {
  it('closes a period (200); postings dated inside and before are then 409, the next month still 201', async () => {
    expect((await postEntry(t, sale('1.00', '2026-10-15'))).status).toBe(201);

    const res = await closePeriod(t, '2026-10');

    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      period: '2026-10',
      status: 'closed',
      lockDate: '2026-10-31',
      position: expect.stringMatching(/^\d+$/),
    });
    expect(res.headers['x-position']).toBe(res.body.position);
    expect(res.headers.etag).toBe('"0"');

    for (const date of ['2026-10-01', '2026-10-31', '2026-09-30', '2020-01-01']) {
      const inside = await postEntry(t, sale('2.00', date));
      expectProblem(inside, 409, 'period-closed');
      expect(inside.body.detail).toContain(date.slice(0, 7));
    }
    expect((await postEntry(t, sale('3.00', '2026-11-01'))).status).toBe(201);
    expect((await getAccount(t, '1000')).body.debits).toBe('4.00');
  });

  it('refuses a reversal dated inside a closed period, but allows one dated after it', async () => {
    await postEntry(t, sale('8.00', '2026-10-15', 'JE-oct'));
    expect((await closePeriod(t, '2026-10')).status).toBe(200);

    const inside = await reverseEntry(t, 'JE-oct', { date: '2026-10-20', reason: 'x' });
    expectProblem(inside, 409, 'period-closed');
    const after = await reverseEntry(t, 'JE-oct', { date: '2026-11-01', reason: 'x' });
    expect(after.status, after.text).toBe(201);
  });

  it('refuses closing twice with 409', async () => {
    expect((await closePeriod(t, '2026-10')).status).toBe(200);
    const res = await closePeriod(t, '2026-10');
    expectProblem(res, 409, 'period-already-closed');
    expect(await t.service.eventStore.readStream('periodLock-ledger')).toHaveLength(1);
  });

  it.each([
    ['2026-13'],
    ['2026-1'],
    ['26-10'],
    ['2026-10-01'],
    ['october'],
    ['1899-12'],
    ['0000-01'],
  ])('answers 400 for the period %j in the path', async (period) => {
    const res = await closePeriod(t, period);
    expectValidationError(res, 'path.period');
  });

  it('accepts an empty JSON body but refuses unknown fields', async () => {
    const extra = await closePeriod(t, '2026-08').send({ force: true });
    expectValidationError(extra, 'force');
    const empty = await closePeriod(t, '2026-07').send({});
    expect(empty.status, empty.text).toBe(200);
    expectValidationError(extra, 'force');
  });
});

describe('reading with a position', () => {
  it('accepts ?consistentWith= a position returned by a write', async () => {
    const posted = await postEntry(t, sale('1.00', '2026-11-02', 'JE-cw'));
    const res = await t.request
      .get(`${ENTRIES}/JE-cw?consistentWith=${posted.body.position as string}`)
      .set(t.auth());
    expect(res.status, res.text).toBe(200);
    const bad = await t.request.get(`${ENTRIES}/JE-cw?consistentWith=abc`).set(t.auth());
    expectValidationError(bad, 'query.consistentWith');
  });
});

describe('accounts used by entries', () => {
  it('keeps accounts of different currencies apart', async () => {
    await openAccount(t, { code: '1300', name: 'USD', type: 'asset', currency: 'USD' });
    const res = await postEntry(t, {
      date: '2026-11-02',
      description: 'USD vs EUR',
      lines: [
        { account: '1300', debit: '1.00' },
        { account: '4000', credit: '1.00' },
      ],
    });
    expectValidationError(res, 'lines');
  });
});
