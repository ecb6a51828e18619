import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/wait-until.js';
import { holdBackProjections } from '../support/held-read-models.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { openStandardAccounts, postEntry, sale } from './fixtures.js';

/**
 * READ_MODEL_MAX_LAG_MS: a write waits while a read model that had caught up is further behind
 * the log than that, so no load can leave the read models far behind. Here one is held back on
 * purpose, and writes then wait for it (or, past READ_MODEL_MAX_LAG_WAIT_MS, go ahead).
 */
describe('writes wait for read models too far behind', () => {
  const MAX_LAG_MS = 50;
  let t: TestService;
  let hold: ReturnType<typeof holdBackProjections>;

  afterEach(async () => {
    hold.release();
    await t.close();
  });

  /** The ledger's accounts held back, one entry behind, for longer than the bound. */
  async function heldBehind(waitMs: number): Promise<void> {
    hold = holdBackProjections(['ledger_accounts']);
    t = startTestService(
      {
        READ_MODEL_MAX_LAG_MS: String(MAX_LAG_MS),
        READ_MODEL_MAX_LAG_WAIT_MS: String(waitMs),
        READ_FRESHNESS_WAIT_MS: '0',
      },
      { wrapReadModels: hold.wrap },
    );
    await openStandardAccounts(t);
    // The accounts in the read model before it is held, so that only the entry is behind.
    const opened = await waitUntil(
      async () =>
        (await t.request.get('/v1/ledger/accounts/1000').set(t.auth('reports'))).status === 200,
      { timeoutMs: 5_000 },
    );
    expect(opened).toBe(true);
    hold.hold();
    const first = await postEntry(t, sale('1.00'));
    expect(first.status).toBe(201);
    await hold.held;
    await new Promise((resolve) => setTimeout(resolve, MAX_LAG_MS * 3));
  }

  it('holds a command until the read model has caught up, and answers it then', async () => {
    await heldBehind(60_000);
    let answered = false;
    const second = postEntry(t, sale('2.00')).then((res) => {
      answered = true;
      return res;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);

    // Meanwhile queries, refusals and operators' routes answer at once.
    const read = await t.request.get('/v1/ledger/accounts/1000').set(t.auth('reports'));
    expect(read.status).toBe(200);
    const invalid = await postEntry(t, { ...sale('3.00'), lines: [] });
    expect(invalid.status).toBe(400);
    const status = await t.request.get('/v1/admin/projections').set(t.auth('admin'));
    expect(status.status).toBe(200);
    expect(answered).toBe(false);

    hold.release();
    const res = await second;
    expect(res.status).toBe(201);
    const entries = await t.request
      .get(`/v1/ledger/journal-entries?consistentWith=${res.body.position as string}`)
      .set(t.auth('reports'));
    expect(entries.body.items).toHaveLength(2);
  });

  it('lets a command go ahead after READ_MODEL_MAX_LAG_WAIT_MS, still behind', async () => {
    await heldBehind(200);
    const started = performance.now();
    const res = await postEntry(t, sale('2.00'));
    expect(res.status).toBe(201);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('never waits with READ_MODEL_MAX_LAG_MS=0', async () => {
    hold = holdBackProjections(['ledger_accounts']);
    t = startTestService({ READ_MODEL_MAX_LAG_MS: '0' }, { wrapReadModels: hold.wrap });
    await openStandardAccounts(t);
    hold.hold();
    expect((await postEntry(t, sale('1.00'))).status).toBe(201);
    await hold.held;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const started = performance.now();
    expect((await postEntry(t, sale('2.00'))).status).toBe(201);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
