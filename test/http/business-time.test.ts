/**
 * Business time: a command may say when the action happened (`occurredAt`), for importing
 * history. The events keep it beside the server's `recordedAt`, and the audit trail shows both.
 * Only the `import` scope may set it, and never in the future.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';
import { expectProblem, openStandardAccounts, sale } from './fixtures.js';

let t: TestService;
beforeEach(async () => {
  t = startTestService();
  await t.service.started;
  await openStandardAccounts(t);
});
afterEach(() => t.close());

const post = (body: object, key: 'importer' | 'finance' = 'importer') =>
  t.request.post('/v1/ledger/journal-entries').set(t.auth(key)).send(body);

describe('occurredAt on commands', () => {
  it('stores the business time beside the recording time, and the audit trail shows both', async () => {
    const res = await post({ ...sale('12.00', '2019-06-30'), occurredAt: '2019-06-30T16:45:00Z' });
    expect(res.status, res.text).toBe(201);
    const events = await t.request
      .get(`/v1/audit/events?type=JournalEntryPosted&consistentWith=${res.body.position}`)
      .set(t.auth('auditor'));
    expect(events.status, events.text).toBe(200);
    const [event] = events.body.items as { occurredAt: string; recordedAt: string }[];
    expect(event!.occurredAt).toBe('2019-06-30T16:45:00Z');
    expect(Date.parse(event!.recordedAt)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
    // Without it, the business time is the recording time.
    const plain = await post(sale('1.00', '2026-11-02'));
    expect(plain.status).toBe(201);
    const later = await t.request
      .get(`/v1/audit/events?type=JournalEntryPosted&consistentWith=${plain.body.position}`)
      .set(t.auth('auditor'));
    const last = later.body.items.at(-1) as { occurredAt: string; recordedAt: string };
    expect(last.occurredAt).toBe(last.recordedAt);
  });

  it('refuses it without the import scope, in the future, or malformed, writing nothing', async () => {
    const head = async () => (await t.service.eventStore.headPosition()).toString();
    const before = await head();
    expectProblem(
      await post({ ...sale('1.00'), occurredAt: '2019-06-30T16:45:00Z' }, 'finance'),
      403,
      'forbidden',
    );
    const future = new Date(Date.now() + 60 * 60_000).toISOString();
    expectProblem(await post({ ...sale('1.00'), occurredAt: future }), 400, 'invalid-occurred-at');
    for (const bad of ['2019-06-30', '2019-06-30T16:45:00+02:00', '1850-01-01T00:00:00Z', 42]) {
      expectProblem(await post({ ...sale('1.00'), occurredAt: bad }), 400, 'validation');
    }
    expect(await head()).toBe(before);
    // A few minutes of clock drift are tolerated.
    const drift = new Date(Date.now() + 60_000).toISOString();
    expect((await post({ ...sale('1.00'), occurredAt: drift })).status).toBe(201);
  });
});
