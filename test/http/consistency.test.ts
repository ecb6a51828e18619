import type { IncomingMessage, Server } from 'node:http';
import supertest, { type Response } from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/wait-until.js';
import { holdBackProjections } from '../support/held-read-models.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { expectProblem, openStandardAccounts, postEntry, sale } from './fixtures.js';

describe('?consistentWith= (read your writes)', () => {
  let t: TestService;

  beforeEach(() => {
    t = startTestService({ CONSISTENCY_WAIT_MS: '200' });
  });
  afterEach(() => t.close());

  it('answers at once for a position the write returned', async () => {
    const write = await t.request
      .post('/v1/ledger/accounts')
      .set(t.auth())
      .send({ code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' });
    expect(write.status).toBe(201);

    const read = await t.request
      .get(`/v1/ledger/accounts/1000?consistentWith=${write.body.position as string}`)
      .set(t.auth());
    expect(read.status).toBe(200);
    expect(read.body.code).toBe('1000');
  });

  it('is 400 position-beyond-head, at once, for a position beyond the head of the log', async () => {
    const write = await t.request
      .post('/v1/ledger/accounts')
      .set(t.auth())
      .send({ code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' });
    // No write has answered it: waiting cannot help, so it is not "retry shortly" (a 503).
    for (const beyond of [BigInt(write.body.position as string) + 1n, 9223372036854775807n]) {
      const read = await t.request
        .get(`/v1/ledger/accounts/1000?consistentWith=${beyond}`)
        .set(t.auth());
      expectProblem(read, 400, 'position-beyond-head');
      expect(read.body.errors).toEqual([
        { path: 'query.consistentWith', message: expect.stringContaining('beyond the head') },
      ]);
      expect(read.headers['retry-after']).toBeUndefined();
    }
  });

  it.each([
    ['-1'],
    ['1.5'],
    ['1e3'],
    ['01'],
    // One past the largest position a store can give (2^63 - 1), and far past it.
    ['9223372036854775808'],
    ['99999999999999999999'],
  ])('is 400 validation for %s, which is no position', async (value) => {
    const read = await t.request
      .get(`/v1/ledger/accounts/1000?consistentWith=${value}`)
      .set(t.auth());
    expectProblem(read, 400, 'validation');
    expect(read.body.errors[0].path).toBe('query.consistentWith');
  });
});

/**
 * Queries without consistentWith also wait, up to READ_FRESHNESS_WAIT_MS, for their read models
 * to reach the head of the log; with a read model that keeps up, both look the same. Here one is
 * held back on purpose, so only a query that really waits for its position can see the write.
 */
describe('?consistentWith= on a read model held back', () => {
  const FRESHNESS_MS = 100;
  let t: TestService;
  let hold: ReturnType<typeof holdBackProjections>;
  let server: Server | undefined;

  afterEach(async () => {
    hold.release();
    server?.close();
    server = undefined;
    await t.close();
  });

  /** An account the read model shows with no postings, then a posting it is held before. */
  async function postWhileHeld(consistencyWaitMs: number): Promise<string> {
    hold = holdBackProjections(['ledger_accounts']);
    t = startTestService(
      {
        CONSISTENCY_WAIT_MS: String(consistencyWaitMs),
        READ_FRESHNESS_WAIT_MS: String(FRESHNESS_MS),
      },
      { wrapReadModels: hold.wrap },
    );
    await openStandardAccounts(t);
    const before = await account(`consistentWith=${await t.service.eventStore.headPosition()}`);
    expect(before.body).toMatchObject({ debits: '0.00', balance: '0.00' });

    hold.hold();
    const posted = await postEntry(t, sale('100.00'));
    expect(posted.status).toBe(201);
    await hold.held;
    return posted.body.position as string;
  }

  const account = (query = '') =>
    t.request.get(`/v1/ledger/accounts/1000${query ? `?${query}` : ''}`).set(t.auth('reports'));

  async function expectStale(): Promise<void> {
    const started = performance.now();
    const stale = await account();
    expect(stale.status).toBe(200);
    expect(stale.body).toMatchObject({ debits: '0.00', balance: '0.00' });
    // It gave the read model its bound to catch up first (a lower bound: it cannot be sooner).
    expect(performance.now() - started).toBeGreaterThanOrEqual(FRESHNESS_MS);
  }

  it('answers only once the read model has the write, while queries without it answer stale', async () => {
    const position = await postWhileHeld(10_000);
    server = t.service.app.listen(0);
    let arrived!: () => void;
    const hasArrived = new Promise<void>((resolve) => (arrived = resolve));
    server.on('request', (req: IncomingMessage) => {
      if (req.url?.includes('consistentWith=')) arrived();
    });

    let answered = false;
    const consistent = supertest(server)
      .get(`/v1/ledger/accounts/1000?consistentWith=${position}`)
      .set(t.auth('reports'))
      .then((res) => {
        answered = true;
        return res;
      });
    await hasArrived;
    // Two freshness bounds go by, each ending in a stale answer, and it is still waiting.
    await expectStale();
    await expectStale();
    expect(answered).toBe(false);

    hold.release();
    const read = await consistent;
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ debits: '100.00', balance: '100.00' });
  });

  it('is 503 not-yet-consistent with Retry-After when CONSISTENCY_WAIT_MS passes while held', async () => {
    const position = await postWhileHeld(200);
    const read = await account(`consistentWith=${position}`);
    expect(read.status).toBe(503);
    expect(read.headers['retry-after']).toBe('1');
    expect(read.headers['content-type']).toContain('application/problem+json');
    expect(read.body.type).toBe('urn:backoffice:problem:not-yet-consistent');
    await expectStale();

    hold.release();
    let caughtUp: Response | undefined;
    const consistent = await waitUntil(
      async () => {
        caughtUp = await account(`consistentWith=${position}`);
        return caughtUp.status === 200;
      },
      { timeoutMs: 10_000 },
    );
    expect(consistent, caughtUp?.text).toBe(true);
    expect(caughtUp?.body).toMatchObject({ debits: '100.00', balance: '100.00' });
  });
});
