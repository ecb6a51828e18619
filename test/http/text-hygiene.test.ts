/**
 * Text hygiene: no stored text holds a control character (tabs and line breaks only in a
 * description or a reason), a bidirectional control, a lone surrogate, or nothing visible where
 * something must be; a body that is not UTF-8 is refused, not read with U+FFFD. Every string
 * field of every operation is tried, found in the served document, so a field added later is
 * held to the same rules without a line here.
 */
import { gzipSync } from 'node:zlib';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  sendRequest,
  stringFields,
  validRequest,
  type StringField,
} from '../support/documented-requests.js';
import { openApiChecker, operationsOf, type OpenApiDocument } from '../support/openapi-checker.js';
import { startTestService, testKeys } from '../support/test-service.js';
import { allEvents, cash, expectProblem, openAccount } from './fixtures.js';

const t = startTestService();
const request = supertest(t.service.app);
const document = (await request.get('/openapi.json')).body as OpenApiDocument;
const checker = openApiChecker(document);
const operations = operationsOf(document).filter((operation) => operation.path.startsWith('/v1/'));
const admin = `Bearer ${testKeys.admin}`;

beforeAll(() => t.service.started);
afterAll(() => t.close());

/** The fields whose text may run over lines: descriptions and reasons. */
const MULTI_LINE = /(?:^|\.|\])(?:description|reason)$/;

/** Refused in every field, multi-line ones included. */
const NEVER = {
  NUL: 'a\u0000b',
  ESC: 'a\u001bb',
  DEL: 'a\u007fb',
  'NEL (C1)': 'a\u0085b',
  'CSI (C1)': 'a\u009bb',
  'vertical tab': 'a\u000bb',
  'right-to-left override': 'inv\u202eoice',
  'left-to-right embedding': 'a\u202ab',
  'first strong isolate': 'a\u2068b',
  'pop directional isolate': 'a\u2069b',
  'lone high surrogate': 'a\ud800b',
  'lone low surrogate': 'a\udc00b',
};
/** Refused in one-line fields only. */
const LINE_BREAKS = {
  newline: 'a\nb',
  'carriage return': 'a\rb',
  tab: 'a\tb',
  'U+2028': 'a\u2028b',
};
/** Nothing that shows: refused wherever an empty value is. */
const BLANKS = { 'U+200B': '\u200b', 'spaces and invisibles': ' \u00a0\u200b\ufeff\u2060 ' };

const refusedIn = (field: StringField) =>
  MULTI_LINE.test(field.path) ? NEVER : { ...NEVER, ...LINE_BREAKS };

const fieldsByOperation = operations.map((operation) => {
  const built = validRequest(operation);
  return [operation.operationId, operation, stringFields(operation, built)] as const;
});

async function answerTo(operationIndex: number, field: StringField, value: string) {
  const operation = fieldsByOperation[operationIndex]![1];
  return sendRequest(request, operation, field.with(value), admin);
}

function namesField(res: supertest.Response, field: StringField): boolean {
  const errors = (res.body as { errors?: { path: string }[] }).errors ?? [];
  return res.status === 400 && errors.some((error) => error.path === field.path);
}

describe.each(
  fieldsByOperation
    .map(([id, , fields], index) => [id, index, fields] as const)
    .filter(([, , fields]) => fields.length > 0),
)('%s', (_id, index, fields) => {
  it('refuses control and bidirectional characters and lone surrogates in every string field, naming it', async () => {
    const before = await t.service.eventStore.headPosition();
    for (const field of fields) {
      for (const [what, value] of Object.entries(refusedIn(field))) {
        // A URL cannot carry a lone surrogate (a client encodes U+FFFD instead); what
        // would stand for one is refused as no UTF-8, below.
        if (!field.inBody && /[\ud800-\udfff]/.test(value)) continue;
        const res = await answerTo(index, field, value);
        expect(namesField(res, field), `${field.path} with ${what}: ${res.text}`).toBe(true);
        expectProblem(res, 400);
      }
    }
    expect(await t.service.eventStore.headPosition()).toBe(before);
  });

  const multiLine = fields.filter((field) => MULTI_LINE.test(field.path));
  if (multiLine.length > 0)
    it('lets a description or a reason hold line breaks and tabs', async () => {
      for (const field of multiLine) {
        for (const value of ['first line\nsecond line', 'a\tb', 'a\r\nb']) {
          const res = await answerTo(index, field, value);
          expect(namesField(res, field), `${field.path}: ${res.text}`).toBe(false);
        }
      }
    });

  // A field that refuses "" (by its document) refuses what only looks empty.
  const nonBlank = fields.filter((field) => checker.errorsOf(field.schema, '') !== null);
  if (nonBlank.length > 0)
    it('refuses text with nothing visible where it refuses ""', async () => {
      for (const field of nonBlank) {
        for (const [what, value] of Object.entries(BLANKS)) {
          const res = await answerTo(index, field, value);
          expect(namesField(res, field), `${field.path} with ${what}: ${res.text}`).toBe(true);
          expect(
            checker.errorsOf(field.schema, value),
            `${field.path} documents ${what}`,
          ).not.toBeNull();
        }
      }
    });

  // The document says what is accepted: a client reading it never sends one of these.
  it('documents every refusal in the field’s own schema', () => {
    for (const field of fields) {
      for (const [what, value] of Object.entries(refusedIn(field))) {
        expect(checker.errorsOf(field.schema, value), `${field.path} with ${what}`).not.toBeNull();
      }
    }
  });
});

it('covers the free-text fields of every module', () => {
  const paths = new Set(
    fieldsByOperation.flatMap(([id, , fields]) => fields.map((f) => `${id} ${f.path}`)),
  );
  for (const expected of [
    'openAccount name',
    'postJournalEntry description',
    'reverseJournalEntry reason',
    'registerCustomer name',
    'registerCustomer email',
    'registerCustomer billingAddress.line1',
    'issueInvoice lines[0].description',
    'recordPayment reference',
    'voidInvoice reason',
    'hireEmployee name',
    'hireEmployee department',
    'eraseEmployeePersonalData legalBasis',
    'listEmployees query.department',
    'listAuditEvents query.actor',
  ]) {
    expect(paths, expected).toContain(expected);
  }
});

describe('a body that is not UTF-8', () => {
  const latin1 = Buffer.concat([
    Buffer.from('{"code":"1000","name":"Caf'),
    Buffer.from([0xe9]),
    Buffer.from('","type":"asset","currency":"EUR"}'),
  ]);

  it.each([
    ['as sent', latin1, {}],
    ['once gunzipped', gzipSync(latin1), { 'Content-Encoding': 'gzip' }],
    ['cut inside a character', Buffer.from('{"name":"\u00e9', 'utf8').subarray(0, 10), {}],
  ])('is a 400 invalid-utf8 %s, and nothing is written', async (_what, bytes, headers) => {
    const res = await t.request
      .post('/v1/ledger/accounts')
      .set(t.auth())
      .set('Content-Type', 'application/json')
      .set(headers)
      .serialize((body) => body as string)
      .send(bytes);
    expectProblem(res, 400, 'invalid-utf8');
    expect((await allEvents(t)).map((event) => event.type)).not.toContain('AccountOpened');
  });

  it('is read when it is UTF-8, whatever it holds', async () => {
    const res = await openAccount(t, { ...cash, code: '1001', name: 'Café ☕ 🧾' });
    expect(res.status, res.text).toBe(201);
    expect(res.body.name).toBe('Café ☕ 🧾');
  });
});

it.each([
  ['a lone surrogate, as CESU-8', '%ED%A0%80'],
  ['a byte that starts no character', '%FF'],
  ['a character cut short', '%C3'],
])(
  'refuses a query value that percent-encodes %s, not reading it as U+FFFD',
  async (_what, value) => {
    const res = await t.request.get(`/v1/employees?department=${value}`).set(t.auth('people'));
    expectProblem(res, 400, 'bad-request');
  },
);

describe('headers the service stores', () => {
  const post = (headers: Record<string, string>, code: string) =>
    t.request
      .post('/v1/ledger/accounts')
      .set(t.auth())
      .set(headers)
      .set('Content-Type', 'application/json')
      // As bytes, so the header values travel as Latin-1 (see documented-requests.ts).
      .serialize((body) => body as string)
      .send(Buffer.from(JSON.stringify({ ...cash, code })));

  it.each([
    ['X-On-Behalf-Of', 'a\u0085b', 'a C1 control'],
    ['X-On-Behalf-Of', '\u00a0', 'only a no-break space'],
    ['X-On-Behalf-Of', '\u00ad', 'only a soft hyphen'],
    ['X-On-Behalf-Of', 'x'.repeat(201), '201 characters'],
    ['X-Correlation-Id', 'a\u00e9', 'a letter outside its set'],
    ['X-Correlation-Id', 'x'.repeat(129), '129 characters'],
    ['Idempotency-Key', 'a\u0085b', 'a C1 control'],
    ['Idempotency-Key', '\u00a0', 'a no-break space'],
    ['Idempotency-Key', 'x'.repeat(256), '256 characters'],
  ])('refuses %s with %j (%s), naming it', async (name, value, _what) => {
    const before = await t.service.eventStore.headPosition();
    const res = await post({ [name]: value }, '1002');
    expectProblem(res, 400, 'invalid-header');
    expect(res.body.errors).toEqual([
      { path: `header.${name.toLowerCase()}`, message: expect.any(String) },
    ]);
    expect(await t.service.eventStore.headPosition()).toBe(before);
  });

  it('stores a Latin-1 X-On-Behalf-Of with inner spaces as sent', async () => {
    const res = await post({ 'X-On-Behalf-Of': 'José\u00a0Müller' }, '1003');
    expect(res.status, res.text).toBe(201);
    const [event] = await t.service.eventStore.readStream('account-1003');
    expect(event?.metadata.onBehalfOf).toBe('José\u00a0Müller');
  });
});
