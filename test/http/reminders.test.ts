import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropStores, storeModes } from '../support/store-modes.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { expectProblem, expectValidationError, type KeyName } from './fixtures.js';

const RUNS = '/v1/reminders/runs';
const TODAY = '2026-12-31';

const stores = storeModes('reminders');

let t: TestService;
let env: Record<string, string>;

const post = (path: string, body: object = {}, key: KeyName = 'finance') =>
  t.request.post(path).set(t.auth(key)).send(body);
const get = (path: string, key: KeyName = 'reports') => t.request.get(path).set(t.auth(key));

const run = (asOf?: string, headers: Record<string, string> = {}) =>
  t.request
    .post(RUNS)
    .set(t.auth())
    .set(headers)
    .send(asOf === undefined ? {} : { asOf });

interface Reminder {
  reminderId: string;
  invoiceId: string;
  customerId: string;
  level: number;
  levelDays: number;
  asOf: string;
  dueDate: string;
  daysOverdue: number;
  amountOutstanding: string;
  currency: string;
  status: string;
  sent: { sentOn: string; channel: string; reference: string } | null;
}

async function customer(customerId: string) {
  const res = await post('/v1/customers', {
    customerId,
    name: `Customer ${customerId}`,
    email: `${customerId.toLowerCase()}@example.com`,
    billingAddress: { line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    currency: 'EUR',
    paymentTermsDays: 30,
  });
  expect(res.status, res.text).toBe(201);
}

/** Issued 2026-10-01, due 2026-10-31 (30 days' terms) unless told otherwise. */
async function invoice(invoiceId: string, total: string, overrides: Record<string, unknown> = {}) {
  const res = await post('/v1/invoices', {
    invoiceId,
    customerId: 'ACME',
    issueDate: '2026-10-01',
    lines: [{ description: 'Work', quantity: '1', unitPrice: total, revenueAccount: '40000' }],
    ...overrides,
  });
  expect(res.status, res.text).toBe(201);
}

async function pay(invoiceId: string, amount: string, receivedOn: string) {
  const res = await post(`/v1/invoices/${invoiceId}/payments`, {
    amount,
    receivedOn,
    method: 'bank_transfer',
  });
  expect(res.status, res.text).toBe(201);
}

async function issuedEvents() {
  const events = await t.service.eventStore.readAll({
    filter: { eventTypes: ['PaymentReminderIssued'] },
  });
  return events.map((event) => `${String(event.data.invoiceId)}:${String(event.data.level)}`);
}

async function listed(query: string, consistentWith: string): Promise<Reminder[]> {
  const res = await get(`/v1/reminders?${query}&consistentWith=${consistentWith}`);
  expect(res.status, res.text).toBe(200);
  return res.body.items as Reminder[];
}

describe.each(stores)('payment reminders over HTTP, $name', (store) => {
  beforeEach(async () => {
    env = store.env();
    // The default chart: revenue 40000, receivable 12000, cash 10000 in EUR.
    t = startTestService(
      { CHART_OF_ACCOUNTS: '', ...env },
      { clock: () => new Date(`${TODAY}T10:00:00Z`) },
    );
    await t.service.started;
    await customer('ACME');
  });
  afterEach(async () => {
    await t.close();
    await dropStores(env);
  });

  it('issues each level once as the invoice grows overdue, and nothing new on a repeat', async () => {
    await invoice('INV-1', '100.00');

    const early = await run('2026-11-06'); // 6 days overdue: below level 1 (7 days)
    expect(early.status, early.text).toBe(200);
    expect(early.body).toMatchObject({ asOf: '2026-11-06', issued: 0, reminders: [] });

    const first = await run('2026-11-07');
    expect(first.status, first.text).toBe(201);
    expect(first.headers['x-position']).toBe(first.body.position);
    expect(first.body).toEqual({
      asOf: '2026-11-07',
      levels: [
        { level: 1, days: 7 },
        { level: 2, days: 21 },
        { level: 3, days: 45 },
      ],
      examined: 1,
      issued: 1,
      reminders: [
        {
          reminderId: 'INV-1.R1',
          invoiceId: 'INV-1',
          customerId: 'ACME',
          level: 1,
          levelDays: 7,
          asOf: '2026-11-07',
          dueDate: '2026-10-31',
          daysOverdue: 7,
          amountOutstanding: '100.00',
          currency: 'EUR',
          status: 'issued',
          sent: null,
        },
      ],
      position: expect.stringMatching(/^\d+$/),
    });

    const again = await run('2026-11-07');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ issued: 0, reminders: [] });
    // Level 1 again at a later date is still level 1: nothing.
    expect((await run('2026-11-20')).body.issued).toBe(0);

    const second = await run('2026-11-21');
    expect(second.status).toBe(201);
    expect(second.body.reminders).toMatchObject([
      { reminderId: 'INV-1.R2', level: 2, daysOverdue: 21 },
    ]);
    const third = await run('2026-12-15');
    expect(third.body.reminders).toMatchObject([
      { reminderId: 'INV-1.R3', level: 3, daysOverdue: 45 },
    ]);
    const after = await run(); // today, 61 days: past the last level
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ asOf: TODAY, issued: 0 });

    expect(await issuedEvents()).toEqual(['INV-1:1', 'INV-1:2', 'INV-1:3']);
    const all = await listed('invoiceId=INV-1', third.body.position as string);
    expect(all.map((reminder) => reminder.reminderId)).toEqual([
      'INV-1.R1',
      'INV-1.R2',
      'INV-1.R3',
    ]);
  });

  it('issues only the highest level a first run finds, and no lower level later', async () => {
    await invoice('INV-1', '80.00');
    const jump = await run('2026-12-20'); // 50 days overdue
    expect(jump.body.reminders).toMatchObject([
      { reminderId: 'INV-1.R3', level: 3, levelDays: 45, daysOverdue: 50 },
    ]);
    // A run of an earlier date reaches level 1 or 2 only: below what the invoice had.
    expect((await run('2026-11-10')).body.issued).toBe(0);
    expect((await run('2026-11-25')).body.issued).toBe(0);
    expect(await issuedEvents()).toEqual(['INV-1:3']);
  });

  it('issues each level once when runs race', async () => {
    for (let n = 1; n <= 6; n += 1) await invoice(`INV-${n}`, `${n}0.00`);
    const racing = await Promise.all(Array.from({ length: 5 }, () => run('2026-11-21')));
    for (const res of racing) expect([200, 201], res.text).toContain(res.status);
    const issued = racing.flatMap((res) =>
      (res.body.reminders as Reminder[]).map((r) => r.reminderId),
    );
    expect(issued.sort()).toEqual(
      ['INV-1', 'INV-2', 'INV-3', 'INV-4', 'INV-5', 'INV-6'].map((id) => `${id}.R2`),
    );
    expect(racing.reduce((sum, res) => sum + (res.body.issued as number), 0)).toBe(6);
    expect((await issuedEvents()).sort()).toEqual(
      ['INV-1', 'INV-2', 'INV-3', 'INV-4', 'INV-5', 'INV-6'].map((id) => `${id}:2`),
    );
    // Racing runs of two dates: each level of each invoice once, whoever wins.
    await Promise.all([run('2026-12-15'), run('2026-12-15'), run('2026-12-20')]);
    const events = await issuedEvents();
    expect(events.filter((event) => event.endsWith(':3')).length).toBe(6);
    expect(new Set(events).size).toBe(events.length);
  });

  it('reminds of what is outstanding as of the run date; paid, void and not due get none', async () => {
    await invoice('PAID', '100.00');
    await pay('PAID', '100.00', '2026-11-02');
    await invoice('PART', '100.00');
    await pay('PART', '30.50', '2026-11-05');
    // Paid in part after the run date: the reminder asks for the whole as of then.
    await invoice('LATE', '50.00');
    await pay('LATE', '20.00', '2026-11-20');
    // Paid in full after the run date: settled by now, so no reminder at all.
    await invoice('SETTLED', '70.00');
    await pay('SETTLED', '70.00', '2026-11-25');
    await invoice('VOID', '40.00');
    expect((await post('/v1/invoices/VOID/void', { reason: 'Wrong customer' })).status).toBe(200);
    await invoice('NOTDUE', '60.00', { issueDate: '2026-11-01' }); // due 2026-12-01

    const res = await run('2026-11-10');
    expect(res.status, res.text).toBe(201);
    const byId = new Map(
      (res.body.reminders as Reminder[]).map((reminder) => [reminder.invoiceId, reminder]),
    );
    expect([...byId.keys()].sort()).toEqual(['LATE', 'PART']);
    expect(byId.get('PART')).toMatchObject({ amountOutstanding: '69.50', level: 1 });
    expect(byId.get('LATE')).toMatchObject({ amountOutstanding: '50.00', level: 1 });

    // By 2026-12-31 LATE's payment counts, and NOTDUE is 30 days overdue: level 2 each.
    const later = await run();
    const levels = (later.body.reminders as Reminder[]).map(
      (reminder) => `${reminder.invoiceId}.${reminder.level}:${reminder.amountOutstanding}`,
    );
    expect(levels.sort()).toEqual(['LATE.3:30.00', 'NOTDUE.2:60.00', 'PART.3:69.50']);
    expect((await issuedEvents()).filter((event) => /PAID|SETTLED|VOID/.test(event))).toEqual([]);
  });

  it('reminds of what credit notes leave, and not of an invoice credited in full', async () => {
    await invoice('CREDITED', '80.00');
    await invoice('PARTCREDIT', '100.00');
    const credit = (invoiceId: string, amount: string, date: string) =>
      post(`/v1/invoices/${invoiceId}/credit-notes`, {
        date,
        reason: 'Returned',
        lines: [{ description: 'Back', amount }],
      });
    expect((await credit('CREDITED', '80.00', '2026-11-03')).status).toBe(201);
    expect((await credit('PARTCREDIT', '25.00', '2026-11-03')).status).toBe(201);
    const res = await run('2026-11-10');
    expect(res.status, res.text).toBe(201);
    expect(
      (res.body.reminders as Reminder[]).map((r) => `${r.invoiceId}:${r.amountOutstanding}`),
    ).toEqual(['PARTCREDIT:75.00']);
    expect((await issuedEvents()).filter((event) => event.includes('CREDITED'))).toEqual([]);
  });

  it('lists reminders by status, customer and level, a page at a time', async () => {
    await customer('BETA');
    await invoice('A-1', '10.00');
    await invoice('A-2', '20.00', { dueDate: '2026-11-15' });
    await invoice('B-1', '30.00', { customerId: 'BETA' });
    await run('2026-11-08'); // A-1 and B-1 at level 1 (A-2 is not due long enough)
    const res = await run('2026-12-01'); // A-1 and B-1 at 2 (31 days), A-2 at 1 (16 days)
    const position = res.body.position as string;
    const sent = await post('/v1/reminders/A-1.R1/sent', {
      sentOn: '2026-11-09',
      channel: 'email',
    });
    expect(sent.status, sent.text).toBe(200);
    const at = sent.body.position as string;

    const ids = (items: Reminder[]) => items.map((reminder) => reminder.reminderId);
    expect(ids(await listed('limit=50', position))).toEqual([
      'A-1.R1',
      'B-1.R1',
      'A-1.R2',
      'A-2.R1',
      'B-1.R2',
    ]);
    expect(ids(await listed('status=sent', at))).toEqual(['A-1.R1']);
    expect(ids(await listed('status=issued', at))).toEqual([
      'B-1.R1',
      'A-1.R2',
      'A-2.R1',
      'B-1.R2',
    ]);
    expect(ids(await listed('customerId=BETA', at))).toEqual(['B-1.R1', 'B-1.R2']);
    expect(ids(await listed('level=2&customerId=ACME', at))).toEqual(['A-1.R2']);
    expect(ids(await listed('asOf=2026-11-08', at))).toEqual(['A-1.R1', 'B-1.R1']);

    const first = await get(`/v1/reminders?limit=2&consistentWith=${at}`);
    expect(ids(first.body.items as Reminder[])).toEqual(['A-1.R1', 'B-1.R1']);
    const next = await get(`/v1/reminders?limit=2&cursor=${first.body.nextCursor as string}`);
    expect(ids(next.body.items as Reminder[])).toEqual(['A-1.R2', 'A-2.R1']);

    const one = await get(`/v1/reminders/A-1.R1?consistentWith=${at}`);
    expect(one.status).toBe(200);
    expect(one.headers.etag).toBe(sent.headers.etag);
    expect(one.body).toMatchObject({
      status: 'sent',
      sent: { sentOn: '2026-11-09', channel: 'email', reference: '' },
    });
    expectProblem(await get('/v1/reminders/A-9.R1'), 404, 'not-found');

    expectValidationError(await get('/v1/reminders?level=0'), 'query.level');
    expectValidationError(await get('/v1/reminders?status=pending'), 'query.status');
    expectValidationError(await get('/v1/reminders?colour=red'), 'query.colour');
    expectProblem(await get('/v1/reminders?cursor=nope!'), 400);
  });

  it('marks a reminder sent once, judging If-Match on the reminder itself', async () => {
    await invoice('INV-1', '100.00');
    await run('2026-11-07');
    const issued = await get(
      `/v1/reminders/INV-1.R1?consistentWith=${(await run('2026-11-07')).body.position as string}`,
    );
    expect(issued.status, issued.text).toBe(200);
    const etag = issued.headers.etag as string;
    // Level 2 moves the invoice's reminder stream on, not reminder 1.
    await run('2026-11-21');

    expectValidationError(
      await post('/v1/reminders/INV-1.R1/sent', { sentOn: '2026-11-06', channel: 'email' }),
      'sentOn',
    );
    expectProblem(
      await post('/v1/reminders/INV-1.R1/sent', { sentOn: '2027-01-01', channel: 'email' }),
      400,
      'invalid-reminder-sent',
    );
    expectValidationError(
      await post('/v1/reminders/INV-1.R1/sent', { sentOn: '2026-11-08', channel: 'pigeon' }),
      'channel',
    );
    expectProblem(
      await post('/v1/reminders/INV-1.R9/sent', { channel: 'email' }),
      404,
      'reminder-not-found',
    );
    expectProblem(
      await post('/v1/reminders/NOPE.R1/sent', { channel: 'email' }),
      404,
      'reminder-not-found',
    );
    expectProblem(await post('/v1/reminders/INV-1/sent', { channel: 'email' }), 404);
    expectProblem(
      await t.request
        .post('/v1/reminders/INV-1.R1/sent')
        .set(t.auth())
        .set('If-Match', '"7"')
        .send({ channel: 'letter' }),
      412,
      'precondition-failed',
    );
    expectProblem(await post('/v1/reminders/INV-1.R1/sent', { channel: 'email' }, 'reports'), 403);

    const sent = await t.request
      .post('/v1/reminders/INV-1.R1/sent')
      .set(t.auth())
      .set('If-Match', etag)
      .send({ sentOn: '2026-11-08', channel: 'letter', reference: 'DHL 123' });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.body).toMatchObject({
      reminderId: 'INV-1.R1',
      status: 'sent',
      sent: { sentOn: '2026-11-08', channel: 'letter', reference: 'DHL 123' },
    });
    expect(sent.headers.etag).toBe('"2"');

    expectProblem(
      await post('/v1/reminders/INV-1.R1/sent', { channel: 'email' }),
      409,
      'reminder-already-sent',
    );
    const shown = await get(
      `/v1/reminders/INV-1.R1?consistentWith=${sent.body.position as string}`,
    );
    expect(shown.body.sent).toEqual({
      sentOn: '2026-11-08',
      channel: 'letter',
      reference: 'DHL 123',
    });
    // Sent today by default.
    const level2 = await post('/v1/reminders/INV-1.R2/sent', { channel: 'phone' });
    expect(level2.body.sent).toEqual({ sentOn: TODAY, channel: 'phone', reference: '' });
  });

  it('refuses a run dated after today or badly, and a caller without finance:write', async () => {
    await invoice('INV-1', '100.00');
    expectProblem(await run('2027-01-01'), 400, 'invalid-reminder-run');
    expectValidationError(await run('2026-02-30'), 'asOf');
    expectValidationError(await post(RUNS, { asOf: TODAY, dryRun: true }), 'dryRun');
    expectProblem(await post(RUNS, {}, 'reports'), 403);
    expectProblem(await t.request.post(RUNS).send({}), 401);
    expect(await issuedEvents()).toEqual([]);
  });

  it('answers a repeated run with the same Idempotency-Key from the first', async () => {
    await invoice('INV-1', '100.00');
    const first = await run('2026-11-07', { 'Idempotency-Key': 'dunning-2026-11-07' });
    expect(first.status).toBe(201);
    const replay = await run('2026-11-07', { 'Idempotency-Key': 'dunning-2026-11-07' });
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await issuedEvents()).toEqual(['INV-1:1']);
  });
});
