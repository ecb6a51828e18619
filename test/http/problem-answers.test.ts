/**
 * Every error is problem+json: bodies that are JSON but not an object, bodies that do not
 * decompress, and requests Node's HTTP parser refuses before the app sees them, answered by the
 * server main.ts creates (sent over a raw socket: no client sends these on purpose).
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../src/http/server.js';
import { startTestService } from '../support/test-service.js';
import { ACCOUNTS, allEvents, cash, expectProblem } from './fixtures.js';

const t = startTestService();
const server = createHttpServer(t.service.app).listen(0, '127.0.0.1');
beforeAll(() => t.service.started);
afterAll(async () => {
  server.close();
  await t.close();
});

describe('a JSON body that is not an object', () => {
  it.each([['null'], ['42'], ['"text"'], ['true'], ['[]'], ['[{"code":"1000"}]']])(
    'answers %s with a 400 "must be a JSON object"',
    async (json) => {
      const res = await t.request
        .post(ACCOUNTS)
        .set(t.auth())
        .set('Content-Type', 'application/json')
        .send(json);
      expectProblem(res, 400, 'validation');
      expect(res.body.errors).toEqual([{ path: '(body)', message: 'must be a JSON object' }]);
      expect(await allEvents(t)).toHaveLength(0);
    },
  );
});

describe('a compressed body that does not decompress', () => {
  const json = Buffer.from(JSON.stringify(cash));
  it.each([
    ['gzip', Buffer.from('not gzip at all')],
    ['gzip', gzipSync(json).subarray(0, 12)],
    ['deflate', Buffer.from('not deflate')],
    ['br', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])],
    ['br', brotliCompressSync(json).subarray(0, 5)],
    ['deflate', deflateSync(json).subarray(0, 8)],
  ])(
    'answers %s that is corrupt or cut short with its own problem type',
    async (encoding, bytes) => {
      const res = await t.request
        .post(ACCOUNTS)
        .set(t.auth())
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .serialize((body) => body as string)
        .send(bytes);
      expectProblem(res, 400, 'invalid-compression');
      expect(await allEvents(t)).toHaveLength(0);
    },
  );
});

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends `raw` as it is and reads the answer until the server closes the connection. */
function sendRaw(raw: string | Buffer): Promise<RawAnswer> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.end(raw);
  });
}

function expectRawProblem(answer: RawAnswer, status: number, slug: string) {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.headers.connection).toBe('close');
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `urn:backoffice:problem:${slug}`, status });
  expect(body.title).toEqual(expect.any(String));
  expect(body.detail).toEqual(expect.any(String));
}

describe("what Node's parser refuses", () => {
  const get = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

  it('answers headers over 16 KB with a 431 problem', async () => {
    const answer = await sendRaw(
      get(['GET /healthz HTTP/1.1', 'Host: x', `X-Filler: ${'x'.repeat(20_000)}`]),
    );
    expectRawProblem(answer, 431, 'headers-too-large');
  });

  it('answers a URL over 16 KB with a 431 problem', async () => {
    const answer = await sendRaw(get([`GET /healthz?${'a'.repeat(20_000)} HTTP/1.1`, 'Host: x']));
    expectRawProblem(answer, 431, 'headers-too-large');
  });

  it.each([
    ['a Content-Length that is no number', ['Content-Length: abc']],
    ['two different Content-Lengths', ['Content-Length: 2', 'Content-Length: 3']],
    ['Content-Length and Transfer-Encoding', ['Content-Length: 2', 'Transfer-Encoding: chunked']],
    ['a control character in a header value', ['X-Correlation-Id: a\u0001b']],
    ['a header name with a space', ['X Bad: 1']],
  ])('answers %s with a 400 bad-request problem', async (_what, headers) => {
    const answer = await sendRaw(
      get([`POST ${ACCOUNTS} HTTP/1.1`, 'Host: x', 'Content-Type: application/json', ...headers]),
    );
    expectRawProblem(answer, 400, 'bad-request');
    expect(await allEvents(t)).toHaveLength(0);
  });

  it('answers a request line that is not HTTP with a 400 problem', async () => {
    expectRawProblem(await sendRaw('HELLO\r\n\r\n'), 400, 'bad-request');
  });

  it('answers a valid request before one that does not parse, pipelined behind it', async () => {
    // Answering the second's 400 in place of the first would say nothing was done, while the
    // first (here a write) was. Found by the fuzz tests, with an audit read and its record.
    const body = JSON.stringify({ ...cash, code: '1009' });
    const answer = await sendRaw(
      [
        `POST ${ACCOUNTS} HTTP/1.1`,
        'Host: x',
        'Authorization: Bearer test-finance-secret-0001',
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n') + 'NOT HTTP\r\n\r\n',
    );
    expect(answer.status, answer.body).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ code: '1009' });
  });

  it('refuses a GET whose body framing is broken before the query runs', async () => {
    // An audit read records itself: answering 400 after running it would be a write on a 4xx.
    // Found by the fuzz tests (Transfer-Encoding without chunked, with a body).
    const before = await t.service.eventStore.headPosition();
    const answer = await sendRaw(
      [
        'GET /v1/audit/events HTTP/1.0',
        'Host: x',
        'Authorization: Bearer test-admin-secret-0001',
        'Transfer-Encoding: gzip',
        '',
        '{"some":"body"}',
      ].join('\r\n'),
    );
    expectRawProblem(answer, 400, 'bad-request');
    // Had the query run, its record would be written by the time a later query answers.
    const later = await t.request.get('/v1/audit/events?limit=1').set(t.auth('auditor'));
    expect(later.status).toBe(200);
    const records = await t.service.eventStore.readAll({ after: before });
    expect(records.map((event) => event.metadata.actor)).toEqual(['auditor']);
  });

  it('still serves the next connection', async () => {
    const answer = await sendRaw(get(['GET /healthz HTTP/1.1', 'Host: x', 'Connection: close']));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ status: 'ok' });
  });
});
