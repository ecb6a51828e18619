import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, testKeys, type TestService } from '../support/test-service.js';
import {
  ACCOUNTS,
  ENTRIES,
  allEvents,
  cash,
  closePeriod,
  expectProblem,
  expectValidationError,
  getAccount,
  openAccount,
  openStandardAccounts,
  postEntry,
  reverseEntry,
  sale,
} from './fixtures.js';

/** Makes superagent send a Buffer as is instead of JSON-encoding it. */
const asRawBytes = (body: unknown) => body as string;

let t: TestService;
beforeEach(() => {
  t = startTestService();
});
afterEach(async () => {
  await t.close();
});

describe('authentication and scopes', () => {
  it('answers 401 with WWW-Authenticate: Bearer and a problem when no key is sent', async () => {
    for (const res of [
      await t.request.get(`${ACCOUNTS}/1000`),
      await t.request.post(ACCOUNTS).send(cash),
    ]) {
      expectProblem(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    expect(await allEvents(t)).toHaveLength(0);
  });

  it.each([
    ['an unknown key', 'Bearer not-a-key-we-issued'],
    ['a key of another scheme', `Basic ${Buffer.from('finance:x').toString('base64')}`],
    ['a bare key without the scheme', testKeys.finance],
    ['an empty bearer', 'Bearer '],
    ['a key with a trailing character', `Bearer ${testKeys.finance}x`],
  ])('answers 401 for %s', async (_label, header) => {
    const res = await t.request.post(ACCOUNTS).set('Authorization', header).send(cash);
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(await allEvents(t)).toHaveLength(0);
  });

  it('accepts the scheme name in any case', async () => {
    const res = await t.request
      .post(ACCOUNTS)
      .set('Authorization', `bearer ${testKeys.finance}`)
      .send(cash);
    expect(res.status, res.text).toBe(201);
  });

  it('answers 403 to a reports key that tries to write, and writes nothing', async () => {
    const res = await openAccount(t, cash, 'reports');
    expectProblem(res, 403, 'forbidden');
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(await allEvents(t)).toHaveLength(0);

    for (const other of [
      await t.request.post(`/v1/ledger/periods/2026-01/close`).set(t.auth('reports')),
      await t.request.post(ENTRIES).set(t.auth('reports')).send(sale('1.00')),
      await t.request
        .post(`${ENTRIES}/x/reversal`)
        .set(t.auth('reports'))
        .send({ date: '2026-01-01', reason: 'x' }),
    ]) {
      expectProblem(other, 403, 'forbidden');
    }
    expect(await allEvents(t)).toHaveLength(0);
  });

  it('answers 403 to a people key reading a ledger account', async () => {
    await openAccount(t, cash);
    expectProblem(await getAccount(t, '1000', 'people'), 403, 'forbidden');
    expectProblem(await t.request.get(`${ENTRIES}/x`).set(t.auth('people')), 403, 'forbidden');
    expectProblem(await openAccount(t, { ...cash, code: '1001' }, 'people'), 403, 'forbidden');
  });

  it('checks the scope before looking at the body', async () => {
    const res = await t.request
      .post(ACCOUNTS)
      .set(t.auth('reports'))
      .set('Content-Type', 'application/json')
      .send('{not json');
    expectProblem(res, 403, 'forbidden');
    const anonymous = await t.request
      .post(ACCOUNTS)
      .set('Content-Type', 'application/json')
      .send('{not json');
    expectProblem(anonymous, 401, 'unauthorized');
  });

  it('lets a reports key read', async () => {
    await openAccount(t, cash);
    const res = await getAccount(t, '1000', 'reports');
    expect(res.status).toBe(200);
    expect(res.body.code).toBe('1000');
  });

  it('lets an admin key do everything', async () => {
    for (const account of [
      cash,
      { code: '4000', name: 'Sales', type: 'revenue', currency: 'EUR' },
    ]) {
      expect((await openAccount(t, account, 'admin')).status).toBe(201);
    }
    const posted = await postEntry(t, sale('10.00', '2026-05-02', 'JE-admin'), 'admin');
    expect(posted.status, posted.text).toBe(201);
    const reversed = await t.request
      .post(`${ENTRIES}/JE-admin/reversal`)
      .set(t.auth('admin'))
      .send({ date: '2026-05-03', reason: 'admin' });
    expect(reversed.status, reversed.text).toBe(201);
    const closed = await t.request.post('/v1/ledger/periods/2026-05/close').set(t.auth('admin'));
    expect(closed.status, closed.text).toBe(200);
    expect((await getAccount(t, '1000', 'admin')).status).toBe(200);
    expect((await t.request.get(`${ENTRIES}/JE-admin`).set(t.auth('admin'))).status).toBe(200);
  });
});

describe('request bodies', () => {
  it('answers 400 problem+json for malformed JSON', async () => {
    const res = await t.request
      .post(ACCOUNTS)
      .set(t.auth())
      .set('Content-Type', 'application/json')
      .send('{"code": "1000",');
    expectProblem(res, 400, 'malformed-json');
  });

  it('answers 413 problem+json for a body over 1 MB', async () => {
    const res = await t.request
      .post(ENTRIES)
      .set(t.auth())
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ ...sale('1.00'), description: 'x'.repeat(1024 * 1024 + 1) }));
    expectProblem(res, 413, 'body-too-large');
    expect(await allEvents(t)).toHaveLength(0);
  });

  it('accepts a body just under the limit as far as the schema (400, not 413)', async () => {
    const res = await t.request
      .post(ENTRIES)
      .set(t.auth())
      .send({ ...sale('1.00'), description: 'x'.repeat(1000 * 1000) });
    expectValidationError(res, 'description');
  });

  it('answers 415 problem+json for a text/plain body', async () => {
    const res = await t.request
      .post(ACCOUNTS)
      .set(t.auth())
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(cash));
    expectProblem(res, 415, 'unsupported-media-type');
    expect(await allEvents(t)).toHaveLength(0);
  });

  it('answers 415 for a form-encoded body', async () => {
    const res = await t.request
      .post(ACCOUNTS)
      .set(t.auth())
      .type('form')
      .send('code=1000&name=Cash&type=asset&currency=EUR');
    expectProblem(res, 415, 'unsupported-media-type');
  });

  it('accepts application/json with a charset parameter', async () => {
    const res = await t.request
      .post(ACCOUNTS)
      .set(t.auth())
      .set('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify(cash));
    expect(res.status, res.text).toBe(201);
  });

  it('answers 415 for an unsupported charset', async () => {
    const res = await t.request
      .post(ACCOUNTS)
      .set(t.auth())
      .set('Content-Type', 'application/json; charset=latin1')
      .send(JSON.stringify(cash));
    expectProblem(res, 415);
  });

  it('accepts a gzip-encoded JSON body', async () => {
    const res = await t.request
      .post(ACCOUNTS)
      .set(t.auth())
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize(asRawBytes)
      .send(gzipSync(JSON.stringify(cash)));
    expect(res.status, res.text).toBe(201);
    expect(res.body.code).toBe(cash.code);
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/nope'],
    ['GET', '/v1/ledger'],
    ['DELETE', '/v1/nope/1000'],
  ])('answers 404 problem for %s %s (authenticated)', async (method, path) => {
    const res = await t.request[method.toLowerCase() as 'get' | 'delete'](path).set(t.auth());
    expectProblem(res, 404, 'not-found');
  });

  it.each([
    ['DELETE', '/v1/ledger/accounts/1000', 'GET, HEAD, OPTIONS'],
    ['PUT', '/v1/ledger/accounts', 'GET, HEAD, POST, OPTIONS'],
    ['POST', '/v1/Ledger/Accounts/1000/', 'GET, HEAD, OPTIONS'],
    ['GET', '/v1/ledger/periods/2026-11/close', 'POST, OPTIONS'],
    ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
  ])(
    'answers 405 with Allow for %s %s, a path that has other methods',
    async (method, path, allow) => {
      const res = await t.request[method.toLowerCase() as 'get' | 'delete' | 'put' | 'post'](
        path,
      ).set(t.auth());
      expectProblem(res, 405, 'method-not-allowed');
      expect(res.headers.allow).toBe(allow);
      expect(await allEvents(t)).toHaveLength(0);
    },
  );

  it('answers OPTIONS on a known path with 204 and Allow, without a key', async () => {
    const res = await t.request.options('/v1/ledger/accounts/1000/entries');
    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(res.text).toBe('');
  });

  it('answers OPTIONS on an unknown path with a 404 problem', async () => {
    expectProblem(await t.request.options('/v1/nope').set(t.auth()), 404, 'not-found');
  });
});

describe('request and correlation ids', () => {
  it('echoes a given X-Request-Id and X-Correlation-Id', async () => {
    const res = await openAccount(t, cash, 'finance', {
      'X-Request-Id': 'req-abc-123',
      'X-Correlation-Id': 'corr-123',
    });
    expect(res.status).toBe(201);
    expect(res.headers['x-request-id']).toBe('req-abc-123');
    expect(res.headers['x-correlation-id']).toBe('corr-123');
  });

  it('echoes them on errors too, including before authentication', async () => {
    const res = await t.request
      .get(`${ACCOUNTS}/1000`)
      .set('X-Request-Id', 'req-401')
      .set('X-Correlation-Id', 'corr-401');
    expectProblem(res, 401);
    expect(res.headers['x-request-id']).toBe('req-401');
    expect(res.headers['x-correlation-id']).toBe('corr-401');
  });

  it('generates both when absent, fresh for every request', async () => {
    const first = await t.request.get('/healthz');
    const second = await t.request.get('/healthz');
    for (const res of [first, second]) {
      expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9._:@/+=-]{8,128}$/);
      expect(res.headers['x-correlation-id']).toMatch(/^[A-Za-z0-9._:@/+=-]{8,128}$/);
    }
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    expect(first.headers['x-correlation-id']).not.toBe(second.headers['x-correlation-id']);
  });

  it('does not echo an unsafe X-Request-Id but replaces it', async () => {
    const unsafe = 'r'.repeat(300);
    const res = await t.request.get('/healthz').set('X-Request-Id', unsafe);
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).not.toBe(unsafe);
    expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9._:@/+=-]{8,128}$/);
  });

  it('answers 400 for an invalid X-Correlation-Id (300 characters) and writes nothing', async () => {
    const bad = 'c'.repeat(300);
    const res = await openAccount(t, cash, 'finance', { 'X-Correlation-Id': bad });
    expectValidationError(res, 'header.x-correlation-id');
    expectProblem(res, 400, 'invalid-header');
    expect(res.headers['x-correlation-id']).not.toBe(bad);
    expect(await allEvents(t)).toHaveLength(0);
  });

  it('answers 400 for an X-Correlation-Id with characters outside the safe set', async () => {
    const res = await getAccount(t, '1000').set('X-Correlation-Id', 'a b');
    expectValidationError(res, 'header.x-correlation-id');
  });

  it('answers 400 for an invalid X-On-Behalf-Of, Idempotency-Key or If-Match', async () => {
    expectValidationError(
      await openAccount(t, cash, 'finance', { 'X-On-Behalf-Of': 'u'.repeat(201) }),
      'header.x-on-behalf-of',
    );
    expectValidationError(
      await openAccount(t, cash, 'finance', { 'Idempotency-Key': 'has space' }),
      'header.idempotency-key',
    );
    expectValidationError(
      await openAccount(t, cash, 'finance', { 'Idempotency-Key': 'k'.repeat(256) }),
      'header.idempotency-key',
    );
    expectValidationError(
      await closePeriod(t, '2026-01', { 'If-Match': 'yesterday' }),
      'header.if-match',
    );
    expect(await allEvents(t)).toHaveLength(0);
  });
});

describe('OpenAPI, docs and health', () => {
  const ledgerPaths = {
    '/v1/ledger/accounts': ['post'],
    '/v1/ledger/accounts/{code}': ['get'],
    '/v1/ledger/journal-entries': ['post'],
    '/v1/ledger/journal-entries/{id}': ['get'],
    '/v1/ledger/journal-entries/{id}/reversal': ['post'],
    '/v1/ledger/periods/{period}/close': ['post'],
  };

  interface JsonSchema {
    type?: string;
    properties?: Record<string, JsonSchema>;
    items?: JsonSchema;
    additionalProperties?: unknown;
    required?: string[];
    anyOf?: JsonSchema[];
    allOf?: JsonSchema[];
    oneOf?: JsonSchema[];
  }

  /** Every object schema reachable from `schema`, for the strictness check. */
  function objectSchemas(schema: JsonSchema): JsonSchema[] {
    const nested = [
      ...Object.values(schema.properties ?? {}),
      ...(schema.items ? [schema.items] : []),
      ...(schema.anyOf ?? []),
      ...(schema.allOf ?? []),
      ...(schema.oneOf ?? []),
    ];
    return [...(schema.type === 'object' ? [schema] : []), ...nested.flatMap(objectSchemas)];
  }

  it('serves an OpenAPI 3.1 document listing every ledger path', async () => {
    const res = await t.request.get('/openapi.json');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.openapi).toMatch(/^3\.1\./);
    expect(res.body.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    for (const [path, methods] of Object.entries(ledgerPaths)) {
      expect(Object.keys(paths[path] ?? {}), path).toEqual(expect.arrayContaining(methods));
    }
    expect(res.body.components.securitySchemes).toMatchObject({
      apiKey: { type: 'http', scheme: 'bearer' },
    });
  });

  it('declares strict request schemas (additionalProperties: false) for every write', async () => {
    const res = await t.request.get('/openapi.json');
    const paths = res.body.paths as Record<
      string,
      Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>
    >;
    for (const [path, methods] of Object.entries(ledgerPaths)) {
      if (!methods.includes('post')) continue;
      const schema = paths[path]?.post?.requestBody?.content['application/json']?.schema;
      expect(schema, `${path} has no JSON request schema`).toBeDefined();
      const objects = objectSchemas(schema!);
      expect(objects.length, path).toBeGreaterThan(0);
      for (const object of objects) {
        expect(object.additionalProperties, `${path}: ${JSON.stringify(object)}`).toBe(false);
      }
    }
    const entry =
      paths['/v1/ledger/journal-entries']!.post!.requestBody!.content['application/json']!.schema;
    expect(entry.required).toEqual(expect.arrayContaining(['date', 'description', 'lines']));
    expect(entry.properties?.lines?.items?.additionalProperties).toBe(false);
    const account =
      paths['/v1/ledger/accounts']!.post!.requestBody!.content['application/json']!.schema;
    expect(account.required).toEqual(expect.arrayContaining(['code', 'name', 'type', 'currency']));
  });

  it('renders /docs as HTML naming the ledger operations', async () => {
    const res = await t.request.get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/<html/i);
    expect(res.text).toContain('/v1/ledger/journal-entries');
  });

  it('answers /healthz and /readyz with 200 without a key', async () => {
    const health = await t.request.get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await t.request.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });
});

describe('hostile input never breaks the app', () => {
  beforeEach(async () => {
    await openStandardAccounts(t);
  });

  /** After every hostile request the app must still answer a valid one. */
  async function expectStillWorking(): Promise<void> {
    const res = await postEntry(t, sale('1.00'));
    expect(res.status, res.text).toBe(201);
    expect((await t.request.get('/healthz')).status).toBe(200);
  }

  const json = (text: string) => (r: ReturnType<TestService['request']['post']>) =>
    r.set('Content-Type', 'application/json').send(text);

  const hostile: [string, string, (r: ReturnType<TestService['request']['post']>) => unknown][] = [
    ['deeply nested arrays', ENTRIES, json('['.repeat(400_000) + ']'.repeat(400_000))],
    ['deeply nested objects', ENTRIES, json('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000))],
    [
      'deep nesting inside a known field',
      ENTRIES,
      json(
        `{"date":"2026-11-02","description":"x","lines":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      ),
    ],
    ['a __proto__ member', ENTRIES, json('{"__proto__":{"x":1}}')],
    ['a __proto__ member on an account', ACCOUNTS, json('{"__proto__":{"polluted":true}}')],
    ['a constructor.prototype member', ACCOUNTS, json('{"constructor":{"prototype":{"x":1}}}')],
    [
      'a huge description',
      ENTRIES,
      (r) => r.send({ ...sale('1.00'), description: 'd'.repeat(900_000) }),
    ],
    [
      'a huge account name',
      ACCOUNTS,
      (r) => r.send({ ...cash, code: '7000', name: 'n'.repeat(500_000) }),
    ],
    ['a huge account code', ACCOUNTS, (r) => r.send({ ...cash, code: '7'.repeat(500_000) })],
    ['a huge entry id', ENTRIES, (r) => r.send({ ...sale('1.00'), entryId: 'e'.repeat(500_000) })],
    ['a huge amount string', ENTRIES, (r) => r.send(sale('9'.repeat(500_000)))],
    ['an amount with 19 integer digits', ENTRIES, (r) => r.send(sale('1234567890123456789'))],
    ['an array instead of an object', ENTRIES, (r) => r.send([sale('1.00')])],
    ['an array of accounts', ACCOUNTS, (r) => r.send([cash])],
    [
      'lines as an object',
      ENTRIES,
      (r) => r.send({ ...sale('1.00'), lines: { 0: { account: '1000' } } }),
    ],
    ['null lines', ENTRIES, (r) => r.send({ ...sale('1.00'), lines: [null, null] })],
    [
      'a number as debit',
      ENTRIES,
      (r) =>
        r.send({
          ...sale('1.00'),
          lines: [
            { account: '1000', debit: 100 },
            { account: '4000', credit: 100 },
          ],
        }),
    ],
    ['a JSON null body', ENTRIES, json('null')],
    ['a JSON string body', ENTRIES, json('"hello"')],
    ['a JSON number body', ENTRIES, json('12')],
    ['an empty JSON body', ENTRIES, json('')],
    ['trailing garbage', ENTRIES, json('{}garbage')],
    [
      '10 000 lines',
      ENTRIES,
      (r) =>
        r.send({
          ...sale('1.00'),
          lines: Array.from({ length: 10_000 }, () => ({ account: '1000', debit: '1.00' })),
        }),
    ],
    ['a date object', ENTRIES, (r) => r.send({ ...sale('1.00'), date: { $gt: '' } })],
    ['a boolean type', ACCOUNTS, (r) => r.send({ ...cash, type: true })],
    [
      'a truncated gzip body',
      ACCOUNTS,
      (r) =>
        r
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', 'gzip')
          .serialize(asRawBytes)
          .send(gzipSync(JSON.stringify(cash)).subarray(0, 10)),
    ],
    [
      'a body claiming gzip that is not',
      ACCOUNTS,
      (r) =>
        r
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', 'gzip')
          .send(JSON.stringify(cash)),
    ],
  ];

  it.each(hostile)('answers %s with a 4xx problem', async (_label, path, send) => {
    const before = (await allEvents(t)).length;
    const res = (await send(t.request.post(path).set(t.auth()))) as Awaited<
      ReturnType<typeof postEntry>
    >;

    expect(res.status, res.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
    expectProblem(res, res.status);
    expect(await allEvents(t)).toHaveLength(before);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectStillWorking();
  });

  it.each([
    ['GET', `${ACCOUNTS}/%E0%A4%A`],
    ['POST', `${ENTRIES}/%E0%A4%A/reversal`],
  ])('answers a malformed percent-encoding in %s %s with a 400 problem', async (method, path) => {
    const req =
      method === 'GET'
        ? t.request.get(path).set(t.auth())
        : t.request.post(path).set(t.auth()).send({ date: '2026-11-02', reason: 'x' });
    const res = await req;
    expectProblem(res, 400);
    await expectStillWorking();
  });

  it('stores a description with unusual but valid unicode exactly', async () => {
    const description = 'Zoë ☃ 🧾 \t "quoted" \\ <script>\nline two';
    const res = await postEntry(t, { ...sale('1.00', '2026-11-02', 'JE-unicode'), description });
    expect(res.status, res.text).toBe(201);
    expect(res.body.description).toBe(description);
    const get = await t.request.get(`${ENTRIES}/JE-unicode`).set(t.auth());
    expect(get.body.description).toBe(description);
  });

  it('keeps working after a reversal of a hostile id', async () => {
    const res = await reverseEntry(t, '../../etc/passwd', { date: '2026-11-02', reason: 'x' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await expectStillWorking();
  });
});
