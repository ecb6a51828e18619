import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';
import {
  allEvents,
  closePeriod,
  expectProblem,
  getAccount,
  getEntry,
  openAccount,
  openStandardAccounts,
  postEntry,
  reverseEntry,
  sale,
} from './fixtures.js';

let t: TestService;
beforeEach(async () => {
  t = startTestService();
  await openStandardAccounts(t);
});
afterEach(async () => {
  await t.close();
});

const countBy = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((counts, status) => {
    counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }, {});

describe('If-Match', () => {
  it('reverses with the current ETag (201) and refuses a stale one with 412, writing nothing', async () => {
    const posted = await postEntry(t, sale('10.00', '2026-11-02', 'JE-im'));
    expect(posted.headers.etag).toBe('"0"');

    const current = await reverseEntry(
      t,
      'JE-im',
      { date: '2026-11-03', reason: 'current' },
      { 'If-Match': posted.headers.etag! },
    );
    expect(current.status, current.text).toBe(201);
    expect(current.headers.etag).toBe('"1"');
    const before = (await allEvents(t)).length;

    const stale = await reverseEntry(
      t,
      'JE-im',
      { date: '2026-11-04', reason: 'stale' },
      { 'If-Match': '"0"' },
    );

    expectProblem(stale, 412, 'precondition-failed');
    expect(stale.headers.etag).toBe('"1"');
    expect(await allEvents(t)).toHaveLength(before);
    expect((await getEntry(t, 'JE-im')).body.reversal).toEqual({
      date: '2026-11-03',
      reason: 'current',
    });
  });

  it('answers 412 (not 409) when the If-Match is stale even if the command would be refused', async () => {
    await postEntry(t, sale('1.00', '2026-11-02', 'JE-im2'));
    await reverseEntry(t, 'JE-im2', { date: '2026-11-03', reason: 'x' });
    const res = await reverseEntry(
      t,
      'JE-im2',
      { date: '2026-11-03', reason: 'x' },
      { 'If-Match': '"0"' },
    );
    expectProblem(res, 412);
  });

  it('accepts a weak ETag form and "*"', async () => {
    await postEntry(t, sale('1.00', '2026-11-02', 'JE-w'));
    const weak = await reverseEntry(
      t,
      'JE-w',
      { date: '2026-11-03', reason: 'weak' },
      { 'If-Match': 'W/"0"' },
    );
    expect(weak.status, weak.text).toBe(201);

    await postEntry(t, sale('1.00', '2026-11-02', 'JE-star'));
    const star = await reverseEntry(
      t,
      'JE-star',
      { date: '2026-11-03', reason: 'star' },
      { 'If-Match': '*' },
    );
    expect(star.status, star.text).toBe(201);
  });

  it('honours If-Match on opening an account, like every other write (412 for a revision the account is not at)', async () => {
    const account = { code: '7100', name: 'Guarded', type: 'asset', currency: 'EUR' };
    const res = await openAccount(t, account, 'finance', { 'If-Match': '"3"' });
    expectProblem(res, 412, 'precondition-failed');
    expect(await t.service.eventStore.readStream('account-7100')).toHaveLength(0);
  });

  it('answers 412 for an If-Match on a journal entry that does not exist yet', async () => {
    const res = await postEntry(t, sale('1.00', '2026-11-02', 'JE-new'), 'finance', {
      'If-Match': '"0"',
    });
    expectProblem(res, 412, 'precondition-failed');
    expect(await t.service.eventStore.readStream('journalEntry-JE-new')).toHaveLength(0);
  });

  it('answers 412 for an If-Match on a lock stream that does not exist yet', async () => {
    const res = await closePeriod(t, '2026-04', { 'If-Match': '"0"' });
    expectProblem(res, 412);
    expect(await t.service.eventStore.readStream('periodLock-ledger')).toHaveLength(0);
  });

  it('lets exactly one of 20 concurrent reversals with the same If-Match win; the rest are 412', async () => {
    await postEntry(t, sale('10.00', '2026-11-02', 'JE-im-race'));
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        reverseEntry(
          t,
          'JE-im-race',
          { date: '2026-11-03', reason: `r${i}` },
          { 'If-Match': '"0"' },
        ),
      ),
    );
    expect(countBy(responses.map((res) => res.status))).toEqual({ 201: 1, 412: 19 });
    for (const res of responses.filter((r) => r.status === 412)) expectProblem(res, 412);
    expect(await t.service.eventStore.readStream('journalEntry-JE-im-race')).toHaveLength(2);
  });
});

describe('racing requests', () => {
  it('opens an account once out of 20 concurrent requests: one 201, nineteen 409', async () => {
    const account = { code: '7000', name: 'Race', type: 'expense', currency: 'EUR' };
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => openAccount(t, { ...account, name: `Race ${i}` })),
    );

    expect(countBy(responses.map((res) => res.status))).toEqual({ 201: 1, 409: 19 });
    for (const res of responses.filter((r) => r.status === 409)) {
      expectProblem(res, 409, 'account-already-exists');
    }
    const winner = responses.find((res) => res.status === 201)!;
    const stream = await t.service.eventStore.readStream('account-7000');
    expect(stream).toHaveLength(1);
    expect(stream[0]?.data.name).toBe(winner.body.name);
    expect((await getAccount(t, '7000')).body.name).toBe(winner.body.name);
  });

  it('reverses an entry once out of 20 concurrent reversals', async () => {
    await postEntry(t, sale('50.00', '2026-11-02', 'JE-race'));

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        reverseEntry(t, 'JE-race', { date: '2026-11-10', reason: `attempt ${i}` }),
      ),
    );

    expect(countBy(responses.map((res) => res.status))).toEqual({ 201: 1, 409: 19 });
    for (const res of responses.filter((r) => r.status === 409)) {
      expectProblem(res, 409, 'journal-entry-already-reversed');
    }
    expect(await t.service.eventStore.readStream('journalEntry-JE-race')).toHaveLength(2);
    expect((await getAccount(t, '1000')).body).toMatchObject({
      debits: '50.00',
      credits: '50.00',
      balance: '0.00',
    });
  });

  it('posts 30 concurrent entries: all 201, distinct positions, balances add up exactly', async () => {
    const amounts = Array.from(
      { length: 30 },
      (_, i) => `${i + 1}.${String(i % 100).padStart(2, '0')}`,
    );
    const responses = await Promise.all(
      amounts.map((amount, i) => postEntry(t, sale(amount, '2026-11-02', `JE-par-${i}`))),
    );

    for (const res of responses) {
      expect(res.status, res.text).toBe(201);
      expect(res.headers['x-position']).toBe(res.body.position);
    }
    const positions = new Set(responses.map((res) => res.body.position as string));
    expect(positions.size).toBe(30);

    const totalCents = amounts.reduce((sum, amount) => sum + Math.round(Number(amount) * 100), 0);
    const total = `${Math.floor(totalCents / 100)}.${String(totalCents % 100).padStart(2, '0')}`;
    expect((await getAccount(t, '1000')).body).toMatchObject({
      debits: total,
      credits: '0.00',
      balance: total,
    });
    expect((await getAccount(t, '4000')).body).toMatchObject({
      debits: '0.00',
      credits: total,
      balance: `-${total}`,
    });
    expect((await allEvents(t)).filter((e) => e.type === 'JournalEntryPosted')).toHaveLength(30);
  });

  it('posts an entry id once out of 15 concurrent posts with that id', async () => {
    const responses = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        postEntry(t, sale(`${i + 1}.00`, '2026-11-02', 'JE-same')),
      ),
    );
    expect(countBy(responses.map((res) => res.status))).toEqual({ 201: 1, 409: 14 });
    const winner = responses.find((res) => res.status === 201)!;
    expect((await getAccount(t, '1000')).body.debits).toBe(winner.body.lines[0].debit);
  });

  it('never acknowledges a posting into a period that a concurrent close has closed', async () => {
    const postings = Array.from({ length: 20 }, (_, i) =>
      postEntry(t, sale('1.00', `2026-06-${String(i + 1).padStart(2, '0')}`, `JE-jun-${i}`)),
    );
    const close = closePeriod(t, '2026-06');
    const [closed, ...posted] = await Promise.all([close, ...postings]);

    expect(closed.status, closed.text).toBe(200);
    const closePosition = BigInt(closed.body.position);
    for (const res of posted) {
      if (res.status === 201) {
        expect(BigInt(res.body.position)).toBeLessThan(closePosition);
      } else {
        expectProblem(res, 409, 'period-closed');
      }
    }
    const accepted = posted.filter((res) => res.status === 201).length;
    const stored = (await allEvents(t)).filter((e) => e.type === 'JournalEntryPosted');
    expect(stored).toHaveLength(accepted);
    for (const event of stored) expect(event.position).toBeLessThan(closePosition);
    expect((await getAccount(t, '1000')).body.debits).toBe(`${accepted}.00`);
  });
});
