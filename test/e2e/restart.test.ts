/**
 * End to end: the BUILT service (`node dist/src/main.js`) as a child process, killed with
 * SIGKILL and started again on the same data directory. Run `npm run build` first (`npm test`
 * does).
 */
import { describe, expect, it } from 'vitest';
import {
  call,
  freePort,
  kill,
  newDataDir,
  spawnService,
  startService,
  useChildServices,
  type Reply,
} from '../support/child-service.js';

useChildServices();

const FINANCE_SECRET = 'e2e-finance-secret-0001';
const API_KEYS = JSON.stringify([
  { id: 'finance-app', secret: FINANCE_SECRET, scopes: ['finance:write'] },
]);

type Line = { account: string; debit?: string; credit?: string };
interface AcknowledgedEntry {
  readonly id: string;
  readonly request: { date: string; description: string; lines: Line[]; entryId?: string };
  /** The last acknowledged representation (the post, or the reversal when reversed). */
  body: Record<string, unknown>;
}

const ACCOUNTS = [
  { code: '1000', name: 'Cash', type: 'asset', currency: 'EUR', exponent: 2 },
  { code: '4000', name: 'Sales', type: 'revenue', currency: 'EUR', exponent: 2 },
  { code: '1100', name: 'Cash JPY', type: 'asset', currency: 'JPY', exponent: 0 },
  { code: '4100', name: 'Sales JPY', type: 'revenue', currency: 'JPY', exponent: 0 },
] as const;

const toMinor = (amount: string, exponent: number) => {
  const [integer = '0', fraction = ''] = amount.split('.');
  return BigInt(integer + fraction.padEnd(exponent, '0'));
};
const format = (minor: bigint, exponent: number) => {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const integer = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${negative ? '-' : ''}${integer}${fraction}`;
};

function entryRequest(i: number) {
  const yen = i % 4 === 3;
  const amount = yen ? String(100 + i) : `${i + 1}.${String((i * 7) % 100).padStart(2, '0')}`;
  return {
    ...(i % 3 === 0 ? { entryId: `E2E-${i}` } : {}),
    date: `2026-11-${String((i % 28) + 1).padStart(2, '0')}`,
    description: `e2e entry ${i}`,
    lines: [
      { account: yen ? '1100' : '1000', debit: amount },
      { account: yen ? '4100' : '4000', credit: amount },
    ],
  };
}

describe('the built service across SIGKILL and restart', () => {
  it('keeps every acknowledged write, and idempotent retries still replay', async () => {
    const dataDir = newDataDir();
    // Each start gets a new port: a stable instance id lets the restarted service take back the
    // leases of the killed one at once, as a restarted instance does in production.
    const env = { DATA_DIR: dataDir, API_KEYS, INSTANCE_ID: 'e2e-restart' };
    const first = await startService(env);
    const finance = { secret: FINANCE_SECRET };

    let maxPosition = 0n;
    const acknowledge = (reply: Reply) => {
      expect(reply.headers.get('x-position')).toBe(reply.body.position);
      const position = BigInt(reply.body.position as string);
      if (position > maxPosition) maxPosition = position;
    };

    for (const { exponent: _exponent, ...account } of ACCOUNTS) {
      const reply = await call(first, 'POST', '/v1/ledger/accounts', { ...finance, body: account });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      acknowledge(reply);
    }

    const entries = new Map<string, AcknowledgedEntry>();
    const idempotent: { key: string; request: unknown; reply: Reply }[] = [];
    const post = async (i: number) => {
      const request = entryRequest(i);
      const key = i % 5 === 0 ? `e2e-key-${i}` : undefined;
      const reply = await call(first, 'POST', '/v1/ledger/journal-entries', {
        ...finance,
        body: request,
        headers: key ? { 'Idempotency-Key': key } : {},
      });
      if (reply.status >= 200 && reply.status < 300) {
        acknowledge(reply);
        const id = reply.body.id as string;
        entries.set(id, { id, request, body: reply.body });
        if (key) idempotent.push({ key, request, reply });
      }
      return reply;
    };

    // Ten one after another, then thirty at once.
    for (let i = 0; i < 10; i += 1) expect((await post(i)).status).toBe(201);
    const concurrent = await Promise.all(Array.from({ length: 30 }, (_, k) => post(10 + k)));
    for (const reply of concurrent) expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(entries.size).toBe(40);

    // Two reversals and a closed period, also acknowledged.
    const reversed = ['E2E-0', 'E2E-3'];
    for (const id of reversed) {
      const reply = await call(first, 'POST', `/v1/ledger/journal-entries/${id}/reversal`, {
        ...finance,
        body: { date: '2026-11-30', reason: 'e2e reversal' },
      });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      acknowledge(reply);
      entries.get(id)!.body = reply.body;
    }
    const closed = await call(first, 'POST', '/v1/ledger/periods/2026-10/close', finance);
    expect(closed.status).toBe(200);
    acknowledge(closed);

    const killed = await kill(first, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    const second = await startService(env);

    // Every acknowledged entry is there, exactly as acknowledged, once the read models have
    // caught up with the log the killed service left (the reads say how far they must be).
    for (const entry of entries.values()) {
      const reply = await call(
        second,
        'GET',
        `/v1/ledger/journal-entries/${entry.id}?consistentWith=${maxPosition}`,
        finance,
      );
      expect(reply.status, entry.id).toBe(200);
      const { position: _position, ...expected } = entry.body;
      expect(reply.body).toEqual(expected);
    }

    // Balances equal the sum of the acknowledged entries and reversals.
    const debits = new Map<string, bigint>();
    const credits = new Map<string, bigint>();
    const add = (map: Map<string, bigint>, code: string, amount: string) => {
      const { exponent } = ACCOUNTS.find((account) => account.code === code)!;
      map.set(code, (map.get(code) ?? 0n) + toMinor(amount, exponent));
    };
    for (const entry of entries.values()) {
      const isReversed = reversed.includes(entry.id);
      for (const line of entry.request.lines) {
        if (line.debit !== undefined) {
          add(debits, line.account, line.debit);
          if (isReversed) add(credits, line.account, line.debit);
        }
        if (line.credit !== undefined) {
          add(credits, line.account, line.credit);
          if (isReversed) add(debits, line.account, line.credit);
        }
      }
    }
    for (const account of ACCOUNTS) {
      const reply = await call(second, 'GET', `/v1/ledger/accounts/${account.code}`, finance);
      expect(reply.status).toBe(200);
      const d = debits.get(account.code) ?? 0n;
      const c = credits.get(account.code) ?? 0n;
      expect(reply.body, account.code).toMatchObject({
        code: account.code,
        currency: account.currency,
        debits: format(d, account.exponent),
        credits: format(c, account.exponent),
        balance: format(d - c, account.exponent),
      });
    }

    // The closed period is still closed.
    const intoClosed = await call(second, 'POST', '/v1/ledger/journal-entries', {
      ...finance,
      body: { ...entryRequest(1), date: '2026-10-15' },
    });
    expect(intoClosed.status).toBe(409);

    // An idempotent retry after the restart returns the original answer and writes nothing.
    expect(idempotent.length).toBeGreaterThan(0);
    for (const { key, request, reply } of idempotent) {
      const retry = await call(second, 'POST', '/v1/ledger/journal-entries', {
        ...finance,
        body: request,
        headers: { 'Idempotency-Key': key },
      });
      expect(retry.status).toBe(reply.status);
      expect(retry.body).toEqual(reply.body);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.headers.get('etag')).toBe(reply.headers.get('etag'));
      expect(retry.headers.get('location')).toBe(reply.headers.get('location'));
    }
    const reused = await call(second, 'POST', '/v1/ledger/journal-entries', {
      ...finance,
      body: entryRequest(999),
      headers: { 'Idempotency-Key': idempotent[0]!.key },
    });
    expect(reused.status).toBe(422);

    // Nothing was written since the last acknowledged write: the next event follows it directly.
    const next = await call(second, 'POST', '/v1/ledger/accounts', {
      ...finance,
      body: { code: '9000', name: 'After restart', type: 'asset', currency: 'EUR' },
    });
    expect(next.status).toBe(201);
    expect(BigInt(next.body.position as string)).toBe(maxPosition + 1n);
  });

  it('prints a generated admin key once on the first start without API_KEYS, and keeps it', async () => {
    const dataDir = newDataDir();
    const first = await startService({ DATA_DIR: dataDir });

    const keys = [...first.output().matchAll(/Bearer (bok_[A-Za-z0-9_-]+)/g)].map((m) => m[1]);
    expect(keys, first.output()).toHaveLength(1);
    expect(first.output().split('bok_')).toHaveLength(2);
    const secret = keys[0]!;

    const account = { code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' };
    const opened = await call(first, 'POST', '/v1/ledger/accounts', { secret, body: account });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const anonymous = await call(first, 'GET', '/v1/ledger/accounts/1000');
    expect(anonymous.status).toBe(401);
    // The secret itself never appears in the request logs.
    const linesWithSecret = first
      .output()
      .split('\n')
      .filter((line) => line.includes(secret));
    expect(linesWithSecret).toHaveLength(1);

    const stopped = await kill(first, 'SIGTERM');
    expect(stopped.code, first.output()).toBe(0);

    const second = await startService({ DATA_DIR: dataDir });
    expect(second.output()).not.toContain('bok_');
    const read = await call(second, 'GET', '/v1/ledger/accounts/1000', { secret });
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('Cash');
    const wrong = await call(second, 'GET', '/v1/ledger/accounts/1000', {
      secret: `${secret.slice(0, -1)}x`,
    });
    expect(wrong.status).toBe(401);
    await kill(second);
    expect(second.output()).not.toContain(secret);
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['API_KEYS', { API_KEYS: 'not json' }],
  ])('refuses to start on an invalid %s, naming it on stderr', async (name, env) => {
    const dataDir = newDataDir();
    const port = await freePort();
    const service = spawnService({ DATA_DIR: dataDir, API_KEYS, PORT: String(port), ...env }, port);
    const exit = await service.exited;
    expect(exit.code, service.output()).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(service.stderr()).toContain(name);
    expect(service.output()).not.toContain('"listening"');
  });
});
