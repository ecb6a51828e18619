/**
 * Hostile input, generated for every operation from its own schemas in the served document:
 * bodies, query strings, path values, headers, methods, keys and raw bytes a client library
 * would never send. Whatever comes, the answer is never a 5xx; an error is problem+json of a
 * registered type, under 16 KB; and a 4xx writes nothing (the log's head does not move).
 *
 * Seeded: a failure prints its seed and path, and FUZZ_SEED=<seed> replays the run (fast-check
 * shrinks the case first). FUZZ_RUNS scales the number of cases (1 by default: over 10 000).
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import supertest, { type Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_TYPE_PREFIX, problemRegistry } from '../../src/http/problem-types.js';
import { createHttpServer } from '../../src/http/server.js';
import { modules } from '../../src/modules.js';
import { targetOf, validRequest } from '../support/documented-requests.js';
import { validValues } from '../support/json-schema-arbitrary.js';
import { operationsOf, type OpenApiDocument, type Operation } from '../support/openapi-checker.js';
import { startTestService, testKeys } from '../support/test-service.js';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const RUNS_PER_OPERATION = Math.round(250 * SCALE);
const RAW_RUNS = Math.round(1500 * SCALE);
const MAX_ERROR_BYTES = 16 * 1024;

const t = startTestService();
const server: Server = createHttpServer(t.service.app).listen(0, '127.0.0.1');
// Listening before the first request: supertest would otherwise start (and stop) it itself.
await once(server, 'listening');
const request = supertest(server);
const document = (await request.get('/openapi.json')).body as OpenApiDocument;
const operations = operationsOf(document);
const slugs = new Set(
  [...problemRegistry(modules).keys()].map((slug) => `${PROBLEM_TYPE_PREFIX}${slug}`),
);
let cases = 0;
/** Answers by status, printed at the end: what the cases reached (a 2xx got past validation). */
const statuses = new Map<number, number>();
const tally = (status: number) => {
  cases += 1;
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
};

beforeAll(async () => {
  await t.service.started;
  // Printed first, so a run that times out can be replayed too.
  // eslint-disable-next-line no-console -- the seed must be seen to replay a run
  console.log(`fuzz: FUZZ_SEED=${SEED}, ${RUNS_PER_OPERATION} cases per operation`);
});
afterAll(async () => {
  const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
  // eslint-disable-next-line no-console -- what the cases reached, for the record
  console.log(`fuzz: ${cases} cases with FUZZ_SEED=${SEED} (${byStatus.join(', ')})`);
  server.close();
  await t.close();
});

// ---- what is sent ------------------------------------------------------------------------

/** Text that has broken parsers, stores, logs and terminals. */
const NASTY = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u001b[31mred',
  '\u0085',
  '\u009b',
  '\u202eevil',
  '\u2066x\u2069',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '🧾'.repeat(300),
  'x'.repeat(70_000),
  '__proto__',
  'constructor',
  'toString',
  '../../etc/passwd',
  '%00',
  '%E0%A4%A',
  '<script>alert(1)</script>',
  "'; DROP TABLE events; --",
  '{"$gt":""}',
  '$where',
  'NaN',
  '-0',
  '1e309',
  '9223372036854775808',
  '18446744073709551616',
  '0x10',
  '2026-02-30',
  '0000-01-01',
  '2026-13-01',
  '\r\n\r\nGET / HTTP/1.1',
];

const hostileString = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.stringMatching(/^[\d.-]{1,25}$/),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, 0, -1, 2 ** 53, 1e21),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** The request's body, as the bytes sent. */
function hostileBody(operation: Operation): fc.Arbitrary<Buffer> {
  const schema = operation.requestBody?.content['application/json'].schema;
  const valid = schema ? validValues(schema) : fc.constant({});
  const json = fc.oneof(
    { weight: 4, arbitrary: withOneFieldReplaced(valid) },
    // Valid bodies reach the deciders, whose refusals must write nothing either.
    { weight: 4, arbitrary: valid },
    fc
      .tuple(valid, fc.dictionary(hostileString, hostileValue, { minKeys: 1, maxKeys: 5 }))
      .map(([body, extra]) => (isObject(body) ? { ...extra, ...body } : extra)),
    fc
      .nat({ max: 3000 })
      .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
    fc
      .nat({ max: 2000 })
      .map((depth) => JSON.parse(`${'['.repeat(depth + 1)}${']'.repeat(depth + 1)}`)),
    hostileValue,
  );
  return fc.oneof(
    { weight: 6, arbitrary: json.map((value) => Buffer.from(JSON.stringify(value) ?? 'null')) },
    // Bytes a serializer would not write: cut short, a byte flipped, Latin-1, no JSON at all.
    fc.tuple(json, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([value, at, byte]) => {
      const bytes = Buffer.from(JSON.stringify(value) ?? 'null');
      if (bytes.length > 0) bytes[at % bytes.length] = byte;
      return bytes;
    }),
    fc.tuple(json, fc.nat()).map(([value, at]) => {
      const bytes = Buffer.from(JSON.stringify(value) ?? 'null');
      return bytes.subarray(0, at % (bytes.length + 1));
    }),
    json.map((value) => Buffer.from(JSON.stringify(value) ?? 'null', 'latin1')),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A valid value with one field, at any depth, set to something hostile. */
function withOneFieldReplaced(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), hostileValue).map(([value, pick, replacement]) => {
    const slots: ((v: unknown) => unknown)[] = [];
    const walk = (node: unknown, set: (v: unknown) => unknown) => {
      slots.push(set);
      if (Array.isArray(node)) {
        node.forEach((item, i) => walk(item, (v) => set(node.map((x, j) => (i === j ? v : x)))));
      } else if (isObject(node)) {
        for (const key of Object.keys(node)) walk(node[key], (v) => set({ ...node, [key]: v }));
      }
    };
    walk(value, (v) => v);
    return slots[pick % slots.length]!(replacement);
  });
}

/** A header value Node's client will send: Latin-1 without control characters but tab. */
const headerValue = fc.oneof(
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c < 0x7f || c > 0x9f)
      .map((c) => String.fromCharCode(c)),
    maxLength: 300,
  }),
  fc.constantFrom(
    '',
    ' ',
    '\t',
    '\u00a0',
    '\u00ad',
    '*',
    '"3"',
    'W/"1"',
    '"-1"',
    '"99999999999999999999"',
    'x'.repeat(300),
  ),
  fc.string({
    unit: fc.integer({ min: 0x80, max: 0x9f }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 3,
  }),
);

const STORED_HEADERS = [
  'X-Correlation-Id',
  'X-On-Behalf-Of',
  'Idempotency-Key',
  'If-Match',
  'X-Request-Id',
];

const headers = fc.record(
  {
    ...Object.fromEntries(STORED_HEADERS.map((name) => [name, headerValue])),
    'Content-Type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/problem+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=',
    ),
    'Content-Encoding': fc.constantFrom(
      'gzip',
      'deflate',
      'br',
      'identity',
      'compress',
      'gzip, br',
      'zstd',
    ),
    Accept: fc.constantFrom('application/xml', '*/*', 'text/csv'),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, string>>;

const keys = fc.constantFrom(
  ...Object.values(testKeys).map((secret) => `Bearer ${secret}`),
  `Bearer ${testKeys.admin}`,
  `Bearer ${testKeys.admin}`,
  undefined,
  'Bearer ',
  'Bearer wrong-secret-0000000000',
  `Basic ${Buffer.from('admin:admin').toString('base64')}`,
  `bearer ${testKeys.admin} trailing`,
);

/** What a client sends for a lone surrogate: U+FFFD. */
const wellFormed = (value: string) =>
  value.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );

/** Percent-encodes the UTF-8 of `value` (a lone surrogate goes as U+FFFD, as clients send it). */
const encoded = (value: string) =>
  [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

interface Hostile {
  readonly method: string;
  readonly target: string;
  readonly headers: Record<string, string>;
  readonly auth: string | undefined;
  readonly body?: Buffer;
}

function hostileRequests(operation: Operation): fc.Arbitrary<Hostile> {
  const base = validRequest(operation, SEED);
  const parameters = operation.parameters.filter((p) => p.in !== 'header');
  const parameterValue = fc.oneof(
    fc
      .oneof(
        ...(parameters.length > 0
          ? parameters.map((p) => validValues(p.schema))
          : [fc.constant('')]),
      )
      .map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
    hostileString,
  );
  const query = fc.oneof(
    fc.constant(base.query),
    fc
      .dictionary(
        fc.constantFrom(
          ...parameters.map((p) => p.name),
          'from',
          'to',
          'limit',
          'cursor',
          'consistentWith',
        ),
        parameterValue,
        { maxKeys: 4 },
      )
      .map((q) => ({ ...base.query, ...q })),
    fc.dictionary(hostileString, parameterValue, { maxKeys: 20 }),
  );
  const path = fc.oneof(
    fc.constant(base.path),
    fc
      .dictionary(
        fc.constantFrom(...Object.keys(base.path), 'x'),
        hostileString.filter((s) => s !== ''),
        { maxKeys: 2 },
      )
      .map((p) => ({ ...base.path, ...p })),
  );
  return fc
    .record({
      method: fc.oneof(
        { weight: 12, arbitrary: fc.constant(operation.method.toUpperCase()) },
        fc.constantFrom(
          'PUT',
          'DELETE',
          'PATCH',
          'OPTIONS',
          'HEAD',
          operation.method === 'get' ? 'POST' : 'GET',
        ),
      ),
      path,
      query,
      rawQuery: fc.oneof(
        { weight: 8, arbitrary: fc.constant('') },
        fc.constantFrom(
          '&%ZZ',
          '&a=%FF',
          '&=&&',
          '&limit=1&limit=2',
          '&from[$gt]=',
          '&a%00=b',
          '&x=%ED%A0%80',
        ),
      ),
      // Mostly none: one hostile header is refused before anything else is looked at.
      headers: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, headers),
      auth: fc.oneof({ weight: 3, arbitrary: fc.constant(`Bearer ${testKeys.admin}`) }, keys),
      body: hostileBody(operation),
      sendsBody: fc.boolean(),
    })
    .map(({ method, path, query, rawQuery, headers: given, auth, body, sendsBody }) => {
      const url = operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        encoded(path[name] ?? 'x'),
      );
      const search = new URLSearchParams(
        Object.entries(query).map(([k, v]): [string, string] => [
          wellFormed(k),
          wellFormed(String(v)),
        ]),
      ).toString();
      const target = `${url}${search || rawQuery ? `?${search}${rawQuery}` : ''}`;
      const withBody = method === 'POST' || (sendsBody && method !== 'GET' && method !== 'HEAD');
      return { method, target, headers: given, auth, body: withBody ? body : undefined };
    });
}

// ---- what is asserted --------------------------------------------------------------------

async function expectSound(res: Response, what: string): Promise<void> {
  tally(res.status);
  expect(res.status, `${what}: ${res.text?.slice(0, 500)}`).toBeLessThan(500);
  if (res.status < 400) return;
  expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
  const text = res.text ?? '';
  expect(Buffer.byteLength(text), what).toBeLessThan(MAX_ERROR_BYTES);
  if (res.request.method === 'HEAD') return;
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(slugs, `${what}: ${text}`).toContain(body.type);
  expect(body.status, what).toBe(res.status);
  expect(typeof body.title === 'string' && typeof body.detail === 'string', what).toBe(true);
}

async function expectNothingWritten(before: bigint, what: string): Promise<void> {
  const after = await t.service.eventStore.headPosition();
  if (after === before) return;
  const written = await t.service.eventStore.readAll({ after: before, maxCount: 5 });
  expect.fail(`${what} wrote ${JSON.stringify(written.map((event) => [event.type, event.data]))}`);
}

/** After a write, until what it set off (reactions, projections) is done: heads stay still. */
async function settle(position: string | undefined): Promise<void> {
  if (position === undefined) return;
  const res = await request
    .get(`/v1/admin/projections?consistentWith=${position}`)
    .set('Authorization', `Bearer ${testKeys.admin}`);
  expect(res.status, res.text).toBe(200);
}

function send(hostile: Hostile) {
  const method = hostile.method.toLowerCase() as
    'get' | 'post' | 'put' | 'delete' | 'patch' | 'options' | 'head';
  const req = request[method](hostile.target);
  if (hostile.auth) req.set('Authorization', hostile.auth);
  if (hostile.body !== undefined) req.set('Content-Type', 'application/json');
  req.set(hostile.headers);
  if (hostile.body === undefined) return req;
  return req.serialize((bytes) => bytes as string).send(hostile.body);
}

describe.each(
  operations.map(
    (operation) => [`${operation.method.toUpperCase()} ${operation.path}`, operation] as const,
  ),
)('%s', (_name, operation) => {
  it('answers hostile requests soundly and writes nothing on a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequests(operation), async (hostile) => {
        const before = await t.service.eventStore.headPosition();
        const res = await send(hostile);
        const what = `${hostile.method} ${hostile.target.slice(0, 300)}`;
        await expectSound(res, what);
        if (res.status >= 400) {
          await expectNothingWritten(before, `${what} → ${res.status} ${res.text}`);
        } else {
          await settle(res.headers['x-position'] as string | undefined);
        }
      }),
      { numRuns: RUNS_PER_OPERATION, seed: SEED, endOnFailure: true },
    );
  }, 120_000);
});

// ---- what only a raw socket can send ------------------------------------------------------

interface RawAnswer {
  readonly statusLine: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/**
 * Sends `raw` and reads until the server closes. The client closes its side first only when the
 * server waits for more body (a longer Content-Length, chunked): otherwise Node drops the answer
 * of a request it is still running when the client half-closes, and that request's writes would
 * be seen, later, as another's.
 */
function sendRaw({ bytes: raw, halfClose }: RawRequest): Promise<RawAnswer> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      let all = Buffer.concat(chunks);
      // Past interim answers (100 Continue): the final one is the one judged.
      while (/^HTTP\/1\.[01] 1\d\d/.test(all.subarray(0, 12).toString('latin1'))) {
        const next = all.indexOf('\r\n\r\n');
        if (next < 0) break;
        all = all.subarray(next + 4);
      }
      const end = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, end < 0 ? all.length : end).toString('latin1');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ statusLine, headers, body: end < 0 ? Buffer.alloc(0) : all.subarray(end + 4) });
    });
    if (halfClose) socket.end(raw);
    else socket.write(raw);
  });
}

const rawLine = fc.oneof(
  fc.constantFrom(
    'Content-Length: abc',
    'Content-Length: -1',
    'Content-Length: 1, 2',
    'Content-Length: 99999999999999999999',
    'Transfer-Encoding: chunked',
    'Transfer-Encoding: gzip',
    'Content-Encoding: gzip',
    `X-Filler: ${'x'.repeat(17_000)}`,
    'X Bad: 1',
    ': empty',
    'Host:',
    'Expect: 100-continue',
    'Connection: upgrade',
    'Upgrade: websocket',
  ),
  fc
    .tuple(
      fc.constantFrom(
        'X-Correlation-Id',
        'X-On-Behalf-Of',
        'Idempotency-Key',
        'If-Match',
        'Content-Type',
      ),
      fc.uint8Array({ minLength: 1, maxLength: 12 }),
    )
    .map(([name, bytes]) => `${name}: ${Buffer.from(bytes).toString('latin1')}`),
);

const rawRequests = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'BREW', 'G\u0001T', ''),
    target: fc.oneof(
      fc.constantFrom(
        ...operations.map((operation) => targetOf(operation, validRequest(operation, SEED))),
      ),
      fc.constantFrom(
        '*',
        '//',
        '/v1/../../etc/passwd',
        `/${'a'.repeat(17_000)}`,
        '/v1/ledger/accounts/%ZZ',
        'http://evil/v1/ledger/accounts',
      ),
    ),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 extra', ''),
    lines: fc.array(rawLine, { maxLength: 3 }),
    auth: fc.boolean(),
    body: fc.oneof(
      fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes)),
      fc.constant(
        Buffer.from('{"code":"1000","name":"Caf\xe9","type":"asset","currency":"EUR"}', 'latin1'),
      ),
      fc.constant(Buffer.from('{"code":"1000","name":"\\ud800","type":"asset","currency":"EUR"}')),
    ),
    length: fc.constantFrom('exact', 'exact', 'short', 'long', 'none'),
  })
  .map(({ method, target, version, lines, auth, body, length }) => {
    const declared =
      length === 'exact'
        ? body.length
        : length === 'short'
          ? Math.max(0, body.length - 3)
          : body.length + 5;
    const head = [
      `${method} ${target} ${version}`.trim(),
      'Host: localhost',
      'Content-Type: application/json',
      ...(auth ? [`Authorization: Bearer ${testKeys.admin}`] : []),
      ...(length === 'none' ? [] : [`Content-Length: ${declared}`]),
      ...lines,
      'Connection: close',
    ].join('\r\n');
    return {
      bytes: Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body]),
      halfClose: length === 'long' || /^transfer-encoding/im.test(lines.join('\n')),
    };
  });

interface RawRequest {
  readonly bytes: Buffer;
  readonly halfClose: boolean;
}

describe('raw requests', () => {
  it('are answered soundly, or the connection closed, and write nothing on a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(rawRequests, async (raw) => {
        const before = await t.service.eventStore.headPosition();
        const answer = await sendRaw(raw);
        const what = raw.bytes.subarray(0, 200).toString('latin1');
        // A request cut short (Content-Length over the bytes sent) may get no answer once the
        // client closes: there is nobody left to answer, and nothing was run.
        if (answer.statusLine === '') {
          tally(0);
          return;
        }
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer.statusLine)?.[1]);
        tally(status);
        expect(status, `${what} → ${answer.statusLine}`).toBeLessThan(500);
        if (status >= 400) {
          expect(answer.headers['content-type'], `${what} → ${answer.statusLine}`).toMatch(
            /^application\/problem\+json/,
          );
          expect(answer.body.length).toBeLessThan(MAX_ERROR_BYTES);
          await expectNothingWritten(before, `${what} → ${answer.statusLine} ${answer.body}`);
        }
      }),
      { numRuns: RAW_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 120_000);
});

it('ran at least 10 000 cases', () => {
  // Declared last, so it runs after every property above.
  expect(cases).toBeGreaterThanOrEqual(Math.min(10_000, 10_000 * SCALE));
});
