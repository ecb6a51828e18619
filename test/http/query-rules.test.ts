/**
 * The rules of queries, the same on every operation that has the parameter (found in the served
 * document, so a list added later is held to them): `from` after `to` is a 400, a limit off its
 * range is a `validation` 400, and a cursor the service did not issue is an `invalid-query`
 * 400, whatever is wrong with it.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRequest, validRequest } from '../support/documented-requests.js';
import { operationsOf, type OpenApiDocument, type Operation } from '../support/openapi-checker.js';
import { startTestService, testKeys } from '../support/test-service.js';
import { cash, expectProblem, openAccount } from './fixtures.js';

const t = startTestService();
const request = supertest(t.service.app);
const document = (await request.get('/openapi.json')).body as OpenApiDocument;
const operations = operationsOf(document);
const admin = `Bearer ${testKeys.admin}`;
beforeAll(async () => {
  await t.service.started;
  // Lists of a record answer 404 before they read a cursor: these are the records they name.
  for (const account of [
    cash,
    { code: '60000', name: 'Salaries and wages', type: 'expense', currency: 'EUR' },
    { code: '21000', name: 'Payroll liabilities', type: 'liability', currency: 'EUR' },
  ]) {
    const res = await openAccount(t, account);
    expect(res.status, res.text).toBe(201);
  }
  const hire = await t.request.post('/v1/employees').set(t.auth('people')).send({
    employeeId: 'E-1',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    department: 'Engineering',
    title: 'Engineer',
    startDate: '2026-01-01',
    annualSalary: '60000.00',
    currency: 'EUR',
  });
  expect(hire.status, hire.text).toBe(201);
  const item = await t.request
    .post('/v1/items')
    .set(t.auth('logistics'))
    .send({ sku: 'SKU-1', name: 'Widget', unit: 'piece' });
  expect(item.status, item.text).toBe(201);
});

/** The records of `beforeAll`, by the path parameter that names them. */
function knownPath(operation: Operation): Record<string, string> {
  if (operation.path.startsWith('/v1/audit/entities')) return { type: 'employee', id: 'E-1' };
  if (operation.path.startsWith('/v1/employees')) return { id: 'E-1' };
  if (operation.path.startsWith('/v1/ledger/accounts')) return { code: cash.code };
  if (operation.path.startsWith('/v1/stock/{sku}')) return { sku: 'SKU-1' };
  return {};
}
afterAll(() => t.close());

const having = (name: string) =>
  operations
    .filter((operation) => operation.parameters.some((p) => p.in === 'query' && p.name === name))
    .map((operation) => [operation.operationId, operation] as const);

function withQuery(operation: Operation, query: Record<string, string>) {
  const built = validRequest(operation);
  // `asOf` beside a range is a 400 of its own (the trial balance): not what is tested here.
  const { from: _from, to: _to, asOf: _asOf, ...rest } = built.query;
  const path = { ...built.path, ...knownPath(operation) };
  return sendRequest(request, operation, { ...built, path, query: { ...rest, ...query } }, admin);
}

const errorPaths = (res: supertest.Response) =>
  ((res.body as { errors?: { path: string }[] }).errors ?? []).map((error) => error.path);

it('finds the operations with a range, a limit and a cursor', () => {
  expect(having('from').map(([id]) => id)).toEqual(
    expect.arrayContaining([
      'listAccountEntries',
      'listJournalEntries',
      'listAuditEvents',
      'exportAuditEvents',
      'headcountReport',
      'getIncomeStatement',
      'getTrialBalance',
    ]),
  );
  expect(having('cursor').length).toBeGreaterThanOrEqual(8);
});

describe.each(having('from'))('%s', (_id, operation) => {
  it('refuses `from` after `to` with a 400 naming query.from', async () => {
    const res = await withQuery(operation, { from: '2026-11-10', to: '2026-11-01' });
    expectProblem(res, 400, 'validation');
    expect(errorPaths(res)).toEqual(['query.from']);
  });

  it('takes `from` equal to `to`', async () => {
    const res = await withQuery(operation, { from: '2026-11-01', to: '2026-11-01' });
    expect(res.status, res.text).toBeLessThan(300);
  });
});

describe.each(having('limit'))('%s', (_id, operation) => {
  it.each([['0'], ['501'], ['-1'], ['1.5'], ['abc'], ['99999']])(
    'refuses limit=%s as validation of query.limit',
    async (limit) => {
      const res = await withQuery(operation, { limit });
      expectProblem(res, 400, 'validation');
      expect(errorPaths(res)).toEqual(['query.limit']);
    },
  );
});

describe.each(having('cursor'))('%s', (_id, operation) => {
  it.each([
    ['outside base64url', 'abc$def'],
    ['that does not decode', 'bm90LWlzc3VlZA'],
    ['over 2048 characters', 'A'.repeat(3000)],
    ['empty', ''],
  ])('refuses a cursor %s as invalid-query of query.cursor', async (_what, cursor) => {
    const res = await withQuery(operation, { cursor });
    expectProblem(res, 400, 'invalid-query');
    expect(errorPaths(res)).toEqual(['query.cursor']);
  });
});
