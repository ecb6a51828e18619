/**
 * GET /metrics (README, "Operating"): valid Prometheus text, counters that move with the
 * traffic sent, labels bounded (route templates, never ids), the access rule, and projection
 * lag that shows while a read model is held back.
 */
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/wait-until.js';
import { holdBackProjections } from '../support/held-read-models.js';
import { parseExposition, type Exposition } from '../support/prometheus-text.js';
import { startTestService, type TestService } from '../support/test-service.js';
import {
  cash,
  openAccount,
  openStandardAccounts,
  postEntry,
  reverseEntry,
  sale,
} from './fixtures.js';

let t: TestService | undefined;
let server: Server | undefined;
let hold: ReturnType<typeof holdBackProjections> | undefined;

afterEach(async () => {
  hold?.release();
  hold = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await t?.close();
  t = undefined;
});

async function scrape(service: TestService): Promise<Exposition> {
  const res = await service.request.get('/metrics');
  expect(res.status, res.text).toBe(200);
  return parseExposition(res.text);
}

const requests = (metrics: Exposition, labels: Record<string, string>) =>
  metrics.value('http_request_duration_seconds_count', labels) ?? 0;

describe('GET /metrics', () => {
  it('answers Prometheus text 0.0.4 with the runtime defaults and every family typed', async () => {
    t = startTestService();
    await t.service.started;
    const res = await t.request.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const metrics = parseExposition(res.text);
    expect(metrics.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(metrics.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(metrics.types.get('http_request_duration_seconds')).toBe('histogram');
    expect(metrics.types.get('commands_total')).toBe('counter');
    expect(metrics.types.get('event_store_operation_duration_seconds')).toBe('histogram');
    expect(metrics.value('store_up', { store: 'event_store' })).toBe(1);
    expect(metrics.value('store_up', { store: 'read_models' })).toBe(1);
    expect(
      metrics.value('projection_state', { projection: 'ledger_accounts', state: 'live' }),
    ).toBe(1);
    expect(
      metrics.value('projection_state', { projection: 'ledger_accounts', state: 'failed' }),
    ).toBe(0);
  });

  it('counts commands by outcome, events by type and keyed writes, as the traffic goes', async () => {
    t = startTestService();
    await t.service.started;
    const before = await scrape(t);
    expect(before.value('commands_total', { type: 'OpenAccount', outcome: 'accepted' })).toBe(
      undefined,
    );

    await openStandardAccounts(t);
    // The same code again: a business rule refuses it.
    expect((await openAccount(t, cash)).status).toBe(409);
    const key = { 'Idempotency-Key': 'metrics-sale-1' };
    const posted = await postEntry(t, sale('10.00'), 'finance', key);
    expect(posted.status).toBe(201);
    const again = await postEntry(t, sale('10.00'), 'finance', key);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await postEntry(t, sale('11.00'), 'finance', key)).status).toBe(422);
    // A stale If-Match: contention, not a refusal.
    const stale = await reverseEntry(
      t,
      posted.body.entryId as string,
      { date: '2026-11-03', reason: 'test' },
      { 'If-Match': '"7"' },
    );
    expect(stale.status).toBe(412);

    const after = await scrape(t);
    const commands = (type: string, outcome: string) =>
      after.value('commands_total', { type, outcome });
    expect(commands('OpenAccount', 'accepted')).toBe(4);
    expect(commands('OpenAccount', 'refused')).toBe(1);
    expect(commands('PostJournalEntry', 'accepted')).toBe(1);
    expect(commands('ReverseJournalEntry', 'conflict')).toBe(1);
    expect(
      after.value('command_duration_seconds_count', { type: 'OpenAccount', outcome: 'accepted' }),
    ).toBe(4);
    expect(after.value('events_appended_total', { type: 'AccountOpened' })).toBe(4);
    expect(after.value('events_appended_total', { type: 'JournalEntryPosted' })).toBe(1);
    expect(after.value('idempotency_requests_total', { outcome: 'first' })).toBe(1);
    expect(after.value('idempotency_requests_total', { outcome: 'replayed' })).toBe(1);
    expect(after.value('idempotency_requests_total', { outcome: 'key_reused' })).toBe(1);
    expect(
      after.value('event_store_operation_duration_seconds_count', {
        operation: 'append',
        outcome: 'ok',
      }),
    ).toBeGreaterThanOrEqual(5);
    expect(
      requests(after, { method: 'POST', route: '/v1/ledger/accounts', status_code: '201' }),
    ).toBe(4);
    expect(
      requests(after, { method: 'POST', route: '/v1/ledger/accounts', status_code: '409' }),
    ).toBe(1);
  });

  it('labels requests by route template: never an id, and one value for unknown paths', async () => {
    t = startTestService();
    await t.service.started;
    await openStandardAccounts(t);
    for (const code of ['1000', '4000', 'no-such-account']) {
      await t.request.get(`/v1/ledger/accounts/${code}`).set(t.auth('reports'));
    }
    // Refused before the route runs: still the template.
    expect((await t.request.get('/v1/ledger/accounts/1000')).status).toBe(401);
    for (const path of ['/nope', '/nope/123', '/v1/ledger/nothing/42']) {
      expect((await t.request.get(path).set(t.auth('reports'))).status).toBe(404);
    }
    await t.request.get('/healthz');
    const metrics = await scrape(t);
    const template = '/v1/ledger/accounts/{code}';
    expect(requests(metrics, { method: 'GET', route: template, status_code: '200' })).toBe(2);
    expect(requests(metrics, { method: 'GET', route: template, status_code: '404' })).toBe(1);
    expect(requests(metrics, { method: 'GET', route: template, status_code: '401' })).toBe(1);
    expect(requests(metrics, { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(3);
    expect(requests(metrics, { method: 'GET', route: '/healthz', status_code: '200' })).toBe(1);

    const openApi = (await t.request.get('/openapi.json')).body as { paths: object };
    const known = new Set([...Object.keys(openApi.paths), '/metrics', 'unmatched']);
    const routes = new Set(
      metrics.samples.flatMap((sample) => (sample.labels.route ? [sample.labels.route] : [])),
    );
    expect([...routes].filter((route) => !known.has(route))).toEqual([]);
    // No label anywhere carries an id the traffic named.
    const values = metrics.samples.flatMap((sample) =>
      Object.entries(sample.labels).flatMap(([name, value]) => (name === 'le' ? [] : [value])),
    );
    for (const id of ['1000', '4000', 'no-such-account', '123', '42']) {
      expect(values.filter((value) => value.includes(id))).toEqual([]);
    }
  });

  it('reads nothing from the stores: a scrape answers the same once they are closed', async () => {
    let storeCalls = 0;
    const counted = <T extends object>(store: T): T =>
      new Proxy(store, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            storeCalls += 1;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    t = startTestService({}, { wrapEventStore: counted, wrapReadModels: counted });
    await t.service.started;
    await openStandardAccounts(t);
    const before = await scrape(t);
    // The count sees the stores' calls (the service made plenty)...
    expect(storeCalls).toBeGreaterThan(0);
    // ...and then nothing follows the log any more, and the stores are shut.
    await t.service.close();
    storeCalls = 0;
    const after = await scrape(t);
    expect(storeCalls).toBe(0);
    expect(after.value('commands_total', { type: 'OpenAccount', outcome: 'accepted' })).toBe(
      before.value('commands_total', { type: 'OpenAccount', outcome: 'accepted' }),
    );
    expect(after.value('log_head_position')).toBe(4);
  });

  it('counts audit verifications by result', async () => {
    t = startTestService();
    await t.service.started;
    await openStandardAccounts(t);
    const verified = await t.request.get('/v1/audit/verify').set(t.auth('auditor'));
    expect(verified.body.status).toBe('intact');
    const metrics = await scrape(t);
    expect(metrics.value('audit_verifications_total', { mode: 'full', result: 'intact' })).toBe(1);
  });

  it('shows a projection held back as lagging, in events and seconds, then caught up', async () => {
    hold = holdBackProjections(['ledger_balances']);
    t = startTestService({}, { wrapReadModels: hold.wrap });
    await t.service.started;
    await openStandardAccounts(t);
    await waitUntil(
      async () =>
        (await scrape(t!)).value('projection_lag_events', { projection: 'ledger_balances' }) === 0,
      { timeoutMs: 5000 },
    );

    hold.hold();
    expect((await postEntry(t, sale('5.00'))).status).toBe(201);
    await hold.held;
    await new Promise((resolve) => setTimeout(resolve, 30));
    const behind = await scrape(t);
    const projection = { projection: 'ledger_balances' };
    expect(behind.value('projection_lag_events', projection)).toBeGreaterThan(0);
    expect(behind.value('projection_lag_seconds', projection)).toBeGreaterThan(0.02);
    expect(behind.value('log_head_position')).toBe(
      behind.value('projection_position', projection)! +
        behind.value('projection_lag_events', projection)!,
    );

    hold.release();
    const caughtUp = await waitUntil(
      async () => (await scrape(t!)).value('projection_lag_events', projection) === 0,
      { timeoutMs: 5000 },
    );
    expect(caughtUp).toBe(true);
    expect((await scrape(t)).value('projection_lag_seconds', projection)).toBe(0);
  });
});

describe('who may read /metrics', () => {
  it('without METRICS_TOKEN: a loopback client, but not one a proxy forwarded', async () => {
    t = startTestService();
    expect((await t.request.get('/metrics')).status).toBe(200);
    const forwarded = await t.request.get('/metrics').set('X-Forwarded-For', '203.0.113.9');
    expect(forwarded.status).toBe(403);
    expect(forwarded.headers['content-type']).toContain('application/problem+json');
    expect((await t.request.get('/metrics').set('Forwarded', 'for=203.0.113.9')).status).toBe(403);
  });

  it('without METRICS_TOKEN: not a client on another address', async (context) => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (!external) {
      context.skip();
      return;
    }
    t = startTestService();
    server = t.service.app.listen(0, external.address);
    await new Promise((resolve) => server!.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://${external.address}:${port}/metrics`);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('process_cpu');
  });

  it('with METRICS_TOKEN: only with the token, from anywhere', async () => {
    const token = 'metrics-token-0123456789';
    t = startTestService({ METRICS_TOKEN: token });
    const none = await t.request.get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(
      (await t.request.get('/metrics').set('Authorization', 'Bearer wrong-token')).status,
    ).toBe(401);
    // An API key, even an admin's, is not the metrics token.
    expect((await t.request.get('/metrics').set(t.auth('admin'))).status).toBe(401);
    const ok = await t.request
      .get('/metrics')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Forwarded-For', '203.0.113.9');
    expect(ok.status).toBe(200);
    parseExposition(ok.text);
  });

  it('refuses a METRICS_TOKEN too short to be a secret', () => {
    expect(() => startTestService({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});
