/**
 * End to end, as a hostile caller tries the BUILT service: what Node's parser refuses, bodies
 * that are not UTF-8 or not objects, 50 000 unknown fields, other methods. Every answer is a
 * bounded problem+json 4xx, nothing is written, and the process never restarts.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  call,
  newDataDir,
  startService,
  useChildServices,
  type RunningService,
} from '../support/child-service.js';

useChildServices();

const SECRET = 'e2e-hostile-admin-secret-0001';
const API_KEYS = JSON.stringify([{ id: 'admin', secret: SECRET, scopes: ['admin'] }]);

function sendRaw(service: RunningService, raw: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(service.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.end(raw);
  });
}

function expectProblemAnswer(answer: string, status: number, slug: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  expect(head, answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  expect(head.toLowerCase()).toContain('content-type: application/problem+json');
  expect(Buffer.byteLength(body)).toBeLessThan(16 * 1024);
  expect(JSON.parse(body)).toMatchObject({ type: `urn:backoffice:problem:${slug}`, status });
}

describe('hostile input on the built service', () => {
  it('answers every kind with a bounded problem+json 4xx, writes nothing and stays up', async () => {
    const service = await startService({ DATA_DIR: newDataDir(), API_KEYS });
    const post = (body: Buffer, headers: string[] = []) =>
      sendRaw(
        service,
        Buffer.concat([
          Buffer.from(
            [
              'POST /v1/ledger/accounts HTTP/1.1',
              'Host: x',
              `Authorization: Bearer ${SECRET}`,
              'Content-Type: application/json',
              `Content-Length: ${body.length}`,
              'Connection: close',
              ...headers,
              '',
              '',
            ].join('\r\n'),
          ),
          body,
        ]),
      );

    // The default chart of accounts is opened at start: what is written is counted from here.
    const opened = async () =>
      (
        await call(service, 'GET', '/v1/audit/events?type=AccountOpened&limit=500', {
          secret: SECRET,
        })
      ).body.items;
    const before = await opened();

    const get = (lines: string[]) => sendRaw(service, `${lines.join('\r\n')}\r\n\r\n`);
    expectProblemAnswer(
      await get(['GET /healthz HTTP/1.1', 'Host: x', `X-Filler: ${'x'.repeat(20_000)}`]),
      431,
      'headers-too-large',
    );
    expectProblemAnswer(
      await get(['POST /v1/ledger/accounts HTTP/1.1', 'Host: x', 'Content-Length: abc']),
      400,
      'bad-request',
    );
    expectProblemAnswer(
      await get(['GET /healthz HTTP/1.1', 'Host: x', 'X-Correlation-Id: a\u0001b']),
      400,
      'bad-request',
    );
    const latin1 = Buffer.from(
      '{"code":"1000","name":"Caf\xe9","type":"asset","currency":"EUR"}',
      'latin1',
    );
    expectProblemAnswer(await post(latin1), 400, 'invalid-utf8');
    expectProblemAnswer(await post(Buffer.from('null')), 400, 'validation');
    const name = '{"code":"1000","name":"\\u202eevil","type":"asset","currency":"EUR"}';
    expectProblemAnswer(await post(Buffer.from(name)), 400, 'validation');
    const many = JSON.stringify(
      Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`unknown${i}`, 1])),
    );
    expectProblemAnswer(await post(Buffer.from(many)), 400, 'validation');
    expectProblemAnswer(
      await get(['DELETE /v1/ledger/accounts/1000 HTTP/1.1', 'Host: x', 'Connection: close']),
      405,
      'method-not-allowed',
    );

    expect(await opened()).toEqual(before);
    expect(service.process.exitCode).toBeNull();
    expect(service.output()).not.toMatch(/"level":(?:50|60)/);
  });
});
