import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { startTestService, type TestService } from '../support/test-service.js';
import {
  ACCOUNTS,
  allEvents,
  cash,
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

const key = (value: string) => ({ 'Idempotency-Key': value });

/** The parts of a response a retry must repeat exactly. */
function answer(res: Response) {
  return {
    status: res.status,
    body: res.body as unknown,
    etag: res.headers.etag,
    location: res.headers.location,
    position: res.headers['x-position'],
    contentType: res.headers['content-type'],
  };
}

async function countEvents(type?: string): Promise<number> {
  const events = await allEvents(t);
  return type === undefined ? events.length : events.filter((e) => e.type === type).length;
}

describe('Idempotency-Key', () => {
  it('replays the same status, headers and body for a retry and stores one event', async () => {
    const body = sale('100.00', '2026-11-02', 'JE-idem');
    const first = await postEntry(t, body, 'finance', key('k-1'));
    expect(first.status, first.text).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const eventsAfterFirst = await countEvents();

    const retry = await postEntry(t, body, 'finance', key('k-1'));

    expect(answer(retry)).toEqual(answer(first));
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await countEvents()).toBe(eventsAfterFirst);
    expect(await countEvents('JournalEntryPosted')).toBe(1);
    expect((await getAccount(t, '1000')).body.debits).toBe('100.00');
  });

  it('treats the same JSON with other key order and whitespace as the same request', async () => {
    const first = await t.request
      .post(ACCOUNTS)
      .set(t.auth())
      .set(key('k-order'))
      .set('Content-Type', 'application/json')
      .send('{"code":"5000","name":"Rent","type":"expense","currency":"EUR"}');
    const retry = await t.request
      .post(ACCOUNTS)
      .set(t.auth())
      .set(key('k-order'))
      .set('Content-Type', 'application/json')
      .send('{ "currency": "EUR", "type": "expense", "name": "Rent", "code": "5000" }');
    expect(first.status).toBe(201);
    expect(answer(retry)).toEqual(answer(first));
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('keeps the generated entry id on a retry (no entryId in the body)', async () => {
    const first = await postEntry(t, sale('7.00'), 'finance', key('k-generated'));
    const retry = await postEntry(t, sale('7.00'), 'finance', key('k-generated'));

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(await countEvents('JournalEntryPosted')).toBe(1);
    expect((await getEntry(t, first.body.id)).status).toBe(200);
  });

  it('answers 422 for the same key with a different body, and writes nothing', async () => {
    const first = await postEntry(t, sale('10.00'), 'finance', key('k-reused'));
    expect(first.status).toBe(201);
    const before = await countEvents();

    const other = await postEntry(t, sale('11.00'), 'finance', key('k-reused'));

    expectProblem(other, 422, 'idempotency-key-reused');
    expect(await countEvents()).toBe(before);
    expect((await getAccount(t, '1000')).body.debits).toBe('10.00');
  });

  it('answers 422 for the same key and body on another endpoint', async () => {
    expect((await closePeriod(t, '2026-01', key('k-path'))).status).toBe(200);
    const res = await closePeriod(t, '2026-02', key('k-path'));
    expectProblem(res, 422, 'idempotency-key-reused');
    // Only January's close is on the lock stream.
    expect(await t.service.eventStore.readStream('periodLock-ledger')).toHaveLength(1);
  });

  it('answers 422 for the same key and body on behalf of another user', async () => {
    const body = sale('3.00', '2026-11-02', 'JE-obo');
    await postEntry(t, body, 'finance', { ...key('k-obo'), 'X-On-Behalf-Of': 'alice' });
    const res = await postEntry(t, body, 'finance', { ...key('k-obo'), 'X-On-Behalf-Of': 'bob' });
    expectProblem(res, 422, 'idempotency-key-reused');
  });

  it('keeps keys of different API keys independent', async () => {
    const body = sale('5.00');
    const finance = await postEntry(t, body, 'finance', key('shared-key'));
    const admin = await postEntry(t, body, 'admin', key('shared-key'));

    expect(finance.status).toBe(201);
    expect(admin.status).toBe(201);
    expect(admin.headers['idempotent-replayed']).toBeUndefined();
    expect(admin.body.id).not.toBe(finance.body.id);
    expect(await countEvents('JournalEntryPosted')).toBe(2);

    // ...and a different body under the other API key is not a reuse either.
    const adminOther = await postEntry(t, sale('6.00'), 'admin', key('finance-only-key'));
    expect(adminOther.status).toBe(201);
    const financeRetry = await postEntry(t, body, 'finance', key('shared-key'));
    expect(financeRetry.headers['idempotent-replayed']).toBe('true');
    expect(financeRetry.body).toEqual(finance.body);
  });

  it('replays a refused first request (409) as the same 409', async () => {
    const first = await openAccount(t, cash, 'finance', key('k-409'));
    expectProblem(first, 409, 'account-already-exists');

    const retry = await openAccount(t, cash, 'finance', key('k-409'));

    expectProblem(retry, 409, 'account-already-exists');
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('replays a refusal even after the state that caused it changed', async () => {
    const reversal = { date: '2026-11-05', reason: 'not yet posted' };
    const first = await reverseEntry(t, 'JE-later', reversal, key('k-404'));
    expectProblem(first, 404, 'journal-entry-not-found');

    expect((await postEntry(t, sale('9.00', '2026-11-02', 'JE-later'))).status).toBe(201);
    const retry = await reverseEntry(t, 'JE-later', reversal, key('k-404'));

    expectProblem(retry, 404, 'journal-entry-not-found');
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await t.service.eventStore.readStream('journalEntry-JE-later')).toHaveLength(1);
  });

  it('replays a business-rule 400 (unknown account) even once the account exists', async () => {
    const body = {
      date: '2026-11-02',
      description: 'To a future account',
      lines: [
        { account: '6000', debit: '1.00' },
        { account: '4000', credit: '1.00' },
      ],
    };
    const first = await postEntry(t, body, 'finance', key('k-400'));
    expectProblem(first, 400);
    await openAccount(t, { code: '6000', name: 'Travel', type: 'expense', currency: 'EUR' });

    const retry = await postEntry(t, body, 'finance', key('k-400'));

    expect(retry.status).toBe(400);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await countEvents('JournalEntryPosted')).toBe(0);
  });

  it('gives concurrent requests with the same key and body one identical 201 and one event', async () => {
    const body = sale('25.00');
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => postEntry(t, body, 'finance', key('k-race'))),
    );

    for (const res of responses) expect(res.status, res.text).toBe(201);
    const [first, ...rest] = responses.map(answer);
    for (const other of rest) expect(other).toEqual(first);
    expect(
      responses.filter((res) => res.headers['idempotent-replayed'] === undefined),
    ).toHaveLength(1);
    expect(await countEvents('JournalEntryPosted')).toBe(1);
    expect((await getAccount(t, '1000')).body.debits).toBe('25.00');
  });

  it('gives concurrent requests with the same key and different bodies one 201, the rest 422', async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        postEntry(t, sale(`${i + 1}.00`), 'finance', key('k-race-2')),
      ),
    );
    const statuses = responses.map((res) => res.status).sort();
    expect(statuses).toEqual([201, 422, 422, 422, 422, 422]);
    expect(await countEvents('JournalEntryPosted')).toBe(1);
  });

  it('gives concurrent opens of one account with the same key one identical 201', async () => {
    const account = { code: '5100', name: 'Fees', type: 'expense', currency: 'EUR' };
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => openAccount(t, account, 'finance', key('k-open'))),
    );
    const [first, ...rest] = responses.map(answer);
    expect(first?.status).toBe(201);
    for (const other of rest) expect(other).toEqual(first);
    expect(await t.service.eventStore.readStream('account-5100')).toHaveLength(1);
  });

  it('applies to reversals and period closes too', async () => {
    await postEntry(t, sale('4.00', '2026-11-02', 'JE-rk'));
    const reversal = { date: '2026-11-03', reason: 'dup' };
    const r1 = await reverseEntry(t, 'JE-rk', reversal, key('k-rev'));
    const r2 = await reverseEntry(t, 'JE-rk', reversal, key('k-rev'));
    expect(r1.status).toBe(201);
    expect(answer(r2)).toEqual(answer(r1));
    expect(await t.service.eventStore.readStream('journalEntry-JE-rk')).toHaveLength(2);

    const c1 = await closePeriod(t, '2026-03', key('k-close'));
    const c2 = await closePeriod(t, '2026-03', key('k-close'));
    expect(c1.status).toBe(200);
    expect(answer(c2)).toEqual(answer(c1));
    expect(c2.headers['idempotent-replayed']).toBe('true');
    expect(await t.service.eventStore.readStream('periodLock-ledger')).toHaveLength(1);
  });

  it('remembers a domain refusal (EUR "1.001"), so a corrected body under that key is a 422', async () => {
    const bad = await postEntry(t, sale('1.001'), 'finance', key('k-invalid'));
    expectProblem(bad, 400);
    const fixed = await postEntry(t, sale('1.00'), 'finance', key('k-invalid'));
    expectProblem(fixed, 422, 'idempotency-key-reused');
    expect(await countEvents('JournalEntryPosted')).toBe(0);
  });

  it('answers a retried schema-invalid request with the same 400', async () => {
    const body = { ...sale('1.00'), colour: 'red' };
    const first = await postEntry(t, body, 'finance', key('k-schema'));
    const retry = await postEntry(t, body, 'finance', key('k-schema'));
    expectProblem(first, 400, 'validation');
    expect(retry.status).toBe(400);
    expect(retry.body).toEqual(first.body);
  });
});
