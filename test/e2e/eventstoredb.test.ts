/**
 * End to end on EventStoreDB: the built service with EVENTSTORE_URL pointing at the in-process
 * test server (or at a real server when EVENTSTORE_URL is set for this test run) must answer a
 * scripted session exactly as it does on the embedded SQLite store, and ride out an outage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/wait-until.js';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server/index.js';
import {
  call,
  newDataDir,
  startService,
  useChildServices,
  freePort,
  spawnService,
  type Reply,
  type RunningService,
} from '../support/child-service.js';

useChildServices();

const SECRET = 'e2e-esdb-finance-secret-01';
const AUDITOR = 'e2e-esdb-auditor-secret-01';
const API_KEYS = JSON.stringify([
  { id: 'finance-app', secret: SECRET, scopes: ['finance:write'] },
  { id: 'auditor', secret: AUDITOR, scopes: ['audit:read'] },
]);

let server: EsdbTestServer | undefined;
const realServer = process.env.EVENTSTORE_URL;

beforeAll(async () => {
  if (!realServer) server = await startEsdbTestServer();
});
afterAll(async () => {
  await server?.close();
});

const connectionString = () => realServer ?? server!.connectionString;

/** A run-unique suffix, so the session can run twice against one shared real server. */
function scriptedSession(service: RunningService, suffix: string) {
  const cash = `1000-${suffix}`;
  const sales = `4000-${suffix}`;
  const entry = `E1-${suffix}`;
  const post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    call(service, 'POST', path, { secret: SECRET, body, headers });
  const get = (path: string) => call(service, 'GET', path, { secret: SECRET });
  const sale = (amount: string, extra: Record<string, unknown> = {}) => ({
    date: '2026-11-02',
    description: 'sale',
    lines: [
      { account: cash, debit: amount },
      { account: sales, credit: amount },
    ],
    ...extra,
  });

  return [
    () => post('/v1/ledger/accounts', { code: cash, name: 'Cash', type: 'asset', currency: 'EUR' }),
    () =>
      post('/v1/ledger/accounts', { code: sales, name: 'Sales', type: 'revenue', currency: 'EUR' }),
    () =>
      post('/v1/ledger/accounts', { code: cash, name: 'Again', type: 'asset', currency: 'EUR' }),
    () => post('/v1/ledger/journal-entries', sale('100.00', { entryId: entry })),
    () => post('/v1/ledger/journal-entries', sale('100.00', { entryId: entry })),
    () =>
      post('/v1/ledger/journal-entries', {
        ...sale('1.00'),
        lines: [
          { account: cash, debit: '1.00' },
          { account: sales, credit: '0.99' },
        ],
      }),
    () => post('/v1/ledger/journal-entries', sale('1.001')),
    () => post('/v1/ledger/journal-entries', sale('1.00', { surprise: true })),
    () => post('/v1/ledger/journal-entries', sale('25.50'), { 'Idempotency-Key': `k-${suffix}` }),
    () => post('/v1/ledger/journal-entries', sale('25.50'), { 'Idempotency-Key': `k-${suffix}` }),
    () => post('/v1/ledger/journal-entries', sale('26.00'), { 'Idempotency-Key': `k-${suffix}` }),
    () =>
      post(
        `/v1/ledger/journal-entries/${entry}/reversal`,
        { date: '2026-11-05', reason: 'x' },
        {
          'If-Match': '"7"',
        },
      ),
    () => post(`/v1/ledger/journal-entries/${entry}/reversal`, { date: '2026-11-05', reason: 'x' }),
    () => post(`/v1/ledger/journal-entries/${entry}/reversal`, { date: '2026-11-06', reason: 'y' }),
    () => post(`/v1/ledger/periods/2026-10/close`),
    () => post('/v1/ledger/journal-entries', sale('5.00', { date: '2026-10-15' })),
    () => get(`/v1/ledger/accounts/${cash}`),
    () => get(`/v1/ledger/accounts/${sales}`),
    () => get(`/v1/ledger/journal-entries/${entry}`),
  ];
}

/** What must match across stores: status, ETag and body, minus store-specific positions and run-unique names. */
function comparable(reply: Reply, suffix: string) {
  const text = JSON.stringify(reply.body).replaceAll(suffix, '<run>');
  const body = JSON.parse(text) as Record<string, unknown>;
  delete body.position;
  // Generated entry ids derive from the API key and Idempotency-Key, which include the suffix.
  if (typeof body.id === 'string' && !body.id.startsWith('E1-')) body.id = '<generated>';
  return { status: reply.status, etag: reply.headers.get('etag'), body };
}

async function runSession(env: Record<string, string>, suffix: string) {
  const service = await startService({ DATA_DIR: newDataDir(), API_KEYS, ...env });
  const replies = [];
  for (const step of scriptedSession(service, suffix))
    replies.push(comparable(await step(), suffix));
  return replies;
}

describe('the service on EventStoreDB', () => {
  it('answers a scripted session exactly as on the embedded store', async () => {
    const onSqlite = await runSession({}, `s${Date.now()}`);
    const onEsdb = await runSession({ EVENTSTORE_URL: connectionString() }, `e${Date.now()}`);

    expect(onEsdb).toEqual(onSqlite);
    // The session is not vacuous: it saw creations, refusals of every kind and balances.
    expect(onSqlite.map((reply) => reply.status)).toEqual([
      201, 201, 409, 201, 409, 400, 400, 400, 201, 201, 422, 412, 201, 409, 200, 409, 200, 200, 200,
    ]);
    expect(onSqlite.at(-3)?.body).toMatchObject({ debits: '125.50', credits: '100.00' });
  });

  it('keeps the audit trail and verifies the log read back from EventStoreDB', async () => {
    const suffix = `a${Date.now()}`;
    const service = await startService({
      DATA_DIR: newDataDir(),
      API_KEYS,
      EVENTSTORE_URL: connectionString(),
    });
    const post = (path: string, body: unknown) =>
      call(service, 'POST', path, {
        secret: SECRET,
        body,
        headers: { 'X-Correlation-Id': `flow-${suffix}`, 'X-On-Behalf-Of': 'dora' },
      });
    const audit = (path: string) => call(service, 'GET', path, { secret: AUDITOR });
    for (const [code, type] of [
      [`1000-${suffix}`, 'asset'],
      [`4000-${suffix}`, 'revenue'],
    ]) {
      expect(
        (await post('/v1/ledger/accounts', { code, name: code, type, currency: 'EUR' })).status,
      ).toBe(201);
    }
    const posted = await post('/v1/ledger/journal-entries', {
      entryId: `E-${suffix}`,
      date: '2026-11-02',
      description: 'sale',
      lines: [
        { account: `1000-${suffix}`, debit: '10.00' },
        { account: `4000-${suffix}`, credit: '10.00' },
      ],
    });
    expect(posted.status).toBe(201);

    const followed = await audit(
      `/v1/audit/events?correlationId=flow-${suffix}&consistentWith=${posted.body.position as string}`,
    );
    expect(followed.status).toBe(200);
    expect(
      (followed.body.items as { stream: string; onBehalfOf: string }[]).map((item) => item.stream),
    ).toEqual([`account-1000-${suffix}`, `account-4000-${suffix}`, `journalEntry-E-${suffix}`]);
    const history = await audit(`/v1/audit/entities/journalEntry/E-${suffix}/history`);
    expect(history.body.items).toEqual([
      expect.objectContaining({
        type: 'JournalEntryPosted',
        actor: 'finance-app',
        onBehalfOf: 'dora',
      }),
    ]);

    const full = await audit('/v1/audit/verify');
    expect(full.body).toMatchObject({ mode: 'full', status: 'intact', brokenStreamCount: 0 });
    expect(full.body.eventsChecked).toBeGreaterThanOrEqual(3);
    expect(
      (
        await post('/v1/ledger/journal-entries/E-' + suffix + '/reversal', {
          date: '2026-11-03',
          reason: 'x',
        })
      ).status,
    ).toBe(201);
    const incremental = await audit('/v1/audit/verify?mode=incremental');
    expect(incremental.body).toMatchObject({
      mode: 'incremental',
      status: 'intact',
      fromPosition: (full.body.digest as { position: string }).position,
    });
    // The reversal and the access events written since: the new part only.
    expect(incremental.body.eventsChecked).toBeGreaterThanOrEqual(2);
    expect(incremental.body.eventsChecked).toBeLessThan(full.body.eventsChecked as number);
    // It started from the full run's checkpoint, an event stored in EventStoreDB itself (paged
    // through whole: a shared real server may hold many).
    const digest = full.body.digest as { position: string; events: number; value: string };
    const checkpoints: { type: string; data: Record<string, unknown> }[] = [];
    for (let cursor = ''; ;) {
      const page = await audit(`/v1/audit/entities/auditDigest/log/history?limit=500${cursor}`);
      expect(page.status).toBe(200);
      checkpoints.push(...(page.body.items as typeof checkpoints));
      if (!page.body.nextCursor) break;
      cursor = `&cursor=${encodeURIComponent(page.body.nextCursor as string)}`;
    }
    expect(checkpoints).toContainEqual(
      expect.objectContaining({
        type: 'AuditDigestCheckpointed',
        data: {
          position: digest.position,
          events: digest.events,
          digest: digest.value,
          mode: 'full',
        },
      }),
    );
  });

  it.skipIf(realServer !== undefined)(
    'answers writes 503 and reads from the read models during an outage, recovers by itself, and applies a retried key once',
    async () => {
      const service = await startService({
        DATA_DIR: newDataDir(),
        API_KEYS,
        EVENTSTORE_URL: connectionString(),
        EVENTSTORE_HEALTH_INTERVAL_MS: '100',
      });
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        call(service, 'POST', path, { secret: SECRET, body, headers });
      expect(
        (
          await post('/v1/ledger/accounts', {
            code: 'C',
            name: 'C',
            type: 'asset',
            currency: 'EUR',
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await post('/v1/ledger/accounts', {
            code: 'R',
            name: 'R',
            type: 'revenue',
            currency: 'EUR',
          })
        ).status,
      ).toBe(201);
      const entry = {
        date: '2026-11-02',
        description: 'during outage',
        lines: [
          { account: 'C', debit: '10.00' },
          { account: 'R', credit: '10.00' },
        ],
      };

      // The read models hold both accounts before the outage (a read with the head checked
      // waits for them): what they show during it is what they held when it began.
      const before = await call(service, 'GET', '/v1/ledger/accounts/R', { secret: SECRET });
      expect(before.status, JSON.stringify(before.body)).toBe(200);
      expect(before.headers.get('x-read-freshness')).toBeNull();

      await server!.stop();
      const duringOutage = await post('/v1/ledger/journal-entries', entry, {
        'Idempotency-Key': 'outage-1',
      });
      expect(duringOutage.status).toBe(503);
      expect(duringOutage.headers.get('content-type')).toContain('application/problem+json');
      expect(duringOutage.headers.get('retry-after')).not.toBeNull();
      // The cause (hosts, ports) is logged, not shown to the caller.
      expect(JSON.stringify(duringOutage.body)).not.toContain('127.0.0.1');
      expect(duringOutage.body.detail).toContain('Idempotency-Key');
      expect((await call(service, 'GET', '/readyz')).status).toBe(503);
      // Reads go on from the read models, saying that the log's head could not be checked.
      const read = await call(service, 'GET', '/v1/ledger/accounts/C', { secret: SECRET });
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.headers.get('x-read-freshness')).toBe('head-unchecked');
      expect(read.body.debits).toBe('0.00');
      await waitFor(() => service.output().includes('EventStoreDB unreachable'));

      await server!.start();
      const ready = await waitUntil(
        async () => (await call(service, 'GET', '/readyz')).status === 200,
        { timeoutMs: 10_000 },
      );
      expect(ready).toBe(true);
      await waitFor(() => service.output().includes('EventStoreDB reachable again'));

      const retried = await post('/v1/ledger/journal-entries', entry, {
        'Idempotency-Key': 'outage-1',
      });
      const again = await post('/v1/ledger/journal-entries', entry, {
        'Idempotency-Key': 'outage-1',
      });
      expect(retried.status).toBe(201);
      expect(again.body).toEqual(retried.body);
      // A plain read right after the write shows it, and says nothing of freshness.
      const cash = await call(service, 'GET', '/v1/ledger/accounts/C', { secret: SECRET });
      expect(cash.body.debits).toBe('10.00');
      expect(cash.headers.get('x-read-freshness')).toBeNull();
    },
  );

  it('refuses to start when the server cannot be reached, saying where it looked', async () => {
    const port = await freePort();
    const url = `esdb://127.0.0.1:${await freePort()}?tls=false`;
    const service = spawnService(
      {
        DATA_DIR: newDataDir(),
        API_KEYS,
        EVENTSTORE_URL: url,
        EVENTSTORE_CONNECT_TIMEOUT_MS: '300',
      },
      port,
    );
    const exit = await service.exited;
    expect(exit.code).toBe(1);
    expect(service.stderr()).toContain(`Could not reach EventStoreDB at ${url} within 300 ms`);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  if (!(await waitUntil(async () => condition(), { timeoutMs }))) {
    throw new Error('condition not met in time');
  }
}
