/**
 * An event store outage, with the read models still up: queries go on answering from them and
 * say that the log's head could not be checked; writes are 503. Once the store is back,
 * /readyz stays not-ready until every projection has caught up with the head again, and a
 * plain read right after a write shows it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError, type EventStore } from '../../src/stores/event-store.js';
import { waitUntil } from '../../src/wait-until.js';
import { holdBackProjections } from '../support/held-read-models.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { openStandardAccounts, postEntry, sale } from './fixtures.js';

let t: TestService;
let hold: ReturnType<typeof holdBackProjections>;
afterEach(async () => {
  hold.release();
  await t.close();
});

/** An event store that can be switched off: every call then fails as an unreachable one does. */
function switchable() {
  let down = false;
  const failing = () => {
    if (down) throw new StoreUnavailableError('event store unreachable (test)');
  };
  return {
    set down(value: boolean) {
      down = value;
    },
    wrap: (store: EventStore): EventStore => ({
      append: async (...args) => (failing(), store.append(...args)),
      readStream: async (...args) => (failing(), store.readStream(...args)),
      readAll: async (...args) => (failing(), store.readAll(...args)),
      subscribeToAll: (...args) => store.subscribeToAll(...args),
      headPosition: async () => (failing(), store.headPosition()),
      ping: async () => (failing(), store.ping()),
      close: () => store.close(),
    }),
  };
}

describe('an event store outage', () => {
  it('keeps the reads answering, and readiness honest until the read models catch up', async () => {
    const outage = switchable();
    hold = holdBackProjections(['ledger_accounts']);
    t = startTestService(
      { PROJECTION_TICK_MS: '20' },
      { wrapEventStore: outage.wrap, wrapReadModels: hold.wrap },
    );
    await t.service.started;
    await openStandardAccounts(t);
    const before = await postEntry(t, sale('5.00'));
    expect(before.status).toBe(201);
    const settled = await t.request
      .get(`/v1/ledger/accounts/1000?consistentWith=${before.body.position as string}`)
      .set(t.auth('reports'));
    expect(settled.body.debits).toBe('5.00');

    outage.down = true;
    const readyz = () => t.request.get('/readyz');
    expect(
      await waitUntil(async () => (await readyz()).body.checks?.ledger_accounts === 'paused', {
        timeoutMs: 5_000,
      }),
    ).toBe(true);
    expect((await readyz()).status).toBe(503);
    const read = await t.request.get('/v1/ledger/accounts/1000').set(t.auth('reports'));
    expect(read.status, read.text).toBe(200);
    expect(read.headers['x-read-freshness']).toBe('head-unchecked');
    expect(read.body.debits).toBe('5.00');
    expect((await postEntry(t, sale('1.00'))).status).toBe(503);

    // Back, but one read model is slow to catch up: not ready until it has.
    hold.hold();
    outage.down = false;
    const after = await postEntry(t, sale('2.00'));
    expect(after.status, after.text).toBe(201);
    await hold.held;
    const behind = await readyz();
    expect(behind.status).toBe(503);
    expect(behind.body.checks.ledger_accounts).toBe('catching_up');
    hold.release();
    expect(await waitUntil(async () => (await readyz()).status === 200, { timeoutMs: 5_000 })).toBe(
      true,
    );
    // A plain read right after a write shows it, without a word on freshness.
    const last = await postEntry(t, sale('3.00'));
    const plain = await t.request.get('/v1/ledger/accounts/1000').set(t.auth('reports'));
    expect(plain.body.debits).toBe('10.00');
    expect(plain.headers['x-read-freshness']).toBeUndefined();
    expect(last.status).toBe(201);
  });
});
