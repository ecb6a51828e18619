/**
 * The served OpenAPI document, held to what the running service does: for every operation it
 * lists, requests built from the document alone (valid ones, and per parameter ones it forbids)
 * get answers whose status the operation documents, whose body matches the schema documented
 * for that status and content type, and a valid request is never refused as malformed. What
 * `scripts/fuzz-openapi.sh` checks with schemathesis, kept in CI without Python.
 */
import type { Server } from 'node:http';
import fc from 'fast-check';
import supertest, { type Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validValues, invalidValues, type JsonSchema } from '../support/json-schema-arbitrary.js';
import {
  openApiChecker,
  operationsOf,
  type OpenApiDocument,
  type Operation,
  type Parameter,
} from '../support/openapi-checker.js';
import { startTestService, testKeys } from '../support/test-service.js';
import { createHttpServer } from '../../src/http/server.js';
import { waitUntil } from '../../src/wait-until.js';

// A consistentWith beyond the log is waited for this long before its (documented) 503.
const t = startTestService({ CONSISTENCY_WAIT_MS: '20' });
// As main.ts serves it, so that what Node's parser refuses is answered too.
const server: Server = createHttpServer(t.service.app).listen(0);
const request = supertest(server);
const document = (await request.get('/openapi.json')).body as OpenApiDocument;
const checker = openApiChecker(document);
const operations = operationsOf(document);

/** 400s that say the request is malformed: a request the document allows must never get one. */
const MALFORMED = [
  'validation',
  'invalid-header',
  'malformed-json',
  'bad-request',
  'invalid-query',
];
const problemSlug = (res: Response) =>
  String((res.body as { type?: unknown }).type ?? '').replace('urn:backoffice:problem:', '');

/** Values of path parameters that name records the seeding below created. */
const known = {
  code: ['1000', '4000'],
  entryId: ['JE-1'],
  customerId: ['C-1'],
  invoiceId: ['INV-1'],
  employeeId: ['E-1'],
  runId: ['PR-1'],
  sku: ['SKU-1'],
  shipmentId: ['SH-1'],
  period: ['2026-10'],
  projection: [] as string[],
  record: [
    ['invoice', 'INV-1'],
    ['customer', 'C-1'],
  ],
  positions: [] as string[],
};

function knownValues(operation: Operation, name: string): string[] {
  const { path } = operation;
  if (name === 'code') return known.code;
  if (name === 'period') return known.period;
  if (name === 'name') return known.projection;
  if (path.startsWith('/v1/audit/entities')) {
    return known.record.map(([type, id]) => (name === 'type' ? type! : id!));
  }
  if (path.startsWith('/v1/ledger/journal-entries')) return known.entryId;
  if (path.startsWith('/v1/customers')) return known.customerId;
  if (path.startsWith('/v1/invoices')) return known.invoiceId;
  if (path.startsWith('/v1/employees')) return known.employeeId;
  if (path.startsWith('/v1/payroll-runs')) return known.runId;
  if (name === 'sku') return known.sku;
  if (path.startsWith('/v1/shipments')) return known.shipmentId;
  return [];
}

/** The text a parameter value travels as, and what the document's schema judges of it. */
const wireText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
function asDocumented(schema: JsonSchema, text: string): unknown {
  return schema.type === 'integer' && /^-?\d+$/.test(text) ? Number(text) : text;
}

interface Built {
  readonly path: Record<string, string>;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

function send(operation: Operation, built: Built, auth = `Bearer ${testKeys.admin}`) {
  const url = operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(built.path[name]!),
  );
  const query = new URLSearchParams(built.query).toString();
  const target = `${url}${query ? `?${query}` : ''}`;
  const req = operation.method === 'get' ? request.get(target) : request.post(target);
  if (auth) req.set('Authorization', auth);
  req.set(built.headers);
  if (operation.method === 'get') return req;
  // As bytes: Node's client sends the headers in the body's encoding when the body is a string,
  // so a Latin-1 header value would arrive as UTF-8.
  return req
    .set('Content-Type', 'application/json')
    .serialize((bytes) => bytes as string)
    .send(Buffer.from(JSON.stringify(built.body ?? {}), 'utf8'));
}

function expectConforms(operation: Operation, res: Response): void {
  expect(checker.problemsWith(operation, res)).toEqual([]);
  expect(res.status, res.text).not.toBe(500);
}

/** A parameter's values a client generated from the document may send. */
function parameterValues(operation: Operation, parameter: Parameter): fc.Arbitrary<string> {
  const generated = validValues(parameter.schema).map(wireText);
  const seeds = parameter.in === 'path' ? knownValues(operation, parameter.name) : [];
  if (parameter.name === 'consistentWith' && known.positions.length > 0) {
    return fc.oneof(fc.constantFrom(...known.positions), generated);
  }
  return seeds.length > 0 ? fc.oneof(fc.constantFrom(...seeds), generated) : generated;
}

/**
 * Requests the document allows. A cursor is left out: only one the service issued is valid, and
 * the paging test follows those. `from` after `to`, and `asOf` beside a range (the trial
 * balance), are rules the description states.
 */
function validRequests(operation: Operation): fc.Arbitrary<Built> {
  const part = (where: Parameter['in']) => {
    const parameters = operation.parameters.filter((p) => p.in === where && p.name !== 'cursor');
    return fc.record(
      Object.fromEntries(parameters.map((p) => [p.name, parameterValues(operation, p)])),
      { requiredKeys: parameters.filter((p) => p.required).map((p) => p.name) },
    ) as fc.Arbitrary<Record<string, string>>;
  };
  const body = operation.requestBody?.content['application/json'].schema;
  return fc
    .record({
      path: part('path'),
      query: part('query'),
      headers: part('header'),
      body: body ? validValues(body) : fc.constant(undefined),
    })
    .map((built) => {
      const { from, to } = built.query;
      if (from !== undefined && to !== undefined && instant(from, 'start') > instant(to, 'end')) {
        // Swapped rather than dropped: a report may require both.
        return { ...built, query: { ...built.query, from: to, to: from } };
      }
      return built;
    })
    .map((built) => {
      const { asOf, from, to } = built.query;
      if (asOf !== undefined && (from !== undefined || to !== undefined)) {
        const { asOf: _dropped, ...query } = built.query;
        return { ...built, query };
      }
      return built;
    });
}

function instant(value: string, edge: 'start' | 'end'): number {
  if (value.length > 10) return Date.parse(value);
  return Date.parse(`${value}T${edge === 'start' ? '00:00:00.000' : '23:59:59.999'}Z`);
}

/**
 * One valid request to vary a part of. Without `consistentWith`, whose wait for a position the
 * log has not reached would answer before the varied part is looked at.
 */
function baseRequest(operation: Operation): Built {
  const built = fc.sample(validRequests(operation), { numRuns: 1, seed: 7 })[0]!;
  const { consistentWith: _waits, ...query } = built.query;
  return { ...built, query };
}

/** Every part of `built` is valid by the document, or the test would prove nothing. */
function expectDocumented(operation: Operation, built: Built): void {
  for (const parameter of operation.parameters) {
    const value = built[parameter.in === 'header' ? 'headers' : parameter.in][parameter.name];
    if (value === undefined) continue;
    const errors = checker.errorsOf(parameter.schema, asDocumented(parameter.schema, value));
    expect(errors, `${parameter.in} ${parameter.name}=${JSON.stringify(value)}`).toBeNull();
  }
  const body = operation.requestBody?.content['application/json'].schema;
  if (body) expect(checker.errorsOf(body, built.body), JSON.stringify(built.body)).toBeNull();
}

/** A test key none of whose scopes the operation accepts (`x-scopes`): its answer is a 403. */
/** A test key lacking every scope `operation` accepts; none for one every key may call (`/v1/me`). */
function keyWithout(operation: Operation): string | undefined {
  const accepted = (operation as { 'x-scopes'?: readonly string[] })['x-scopes'] ?? [];
  const scopeOf: Record<keyof typeof testKeys, string> = {
    admin: 'admin',
    finance: 'finance:write',
    reports: 'reports:read',
    people: 'people:write',
    payrollApprover: 'people:write',
    auditor: 'audit:read',
    logistics: 'logistics:write',
    importer: 'finance:write',
  };
  const name = (Object.keys(scopeOf) as (keyof typeof testKeys)[]).find(
    (key) => key !== 'admin' && !accepted.includes(scopeOf[key]),
  );
  return name && testKeys[name];
}

beforeAll(async () => {
  await t.service.started;
  const seed = async (operationId: string, built: Partial<Built>) => {
    const operation = operations.find((o) => o.operationId === operationId)!;
    const full = { path: {}, query: {}, headers: {}, ...built };
    expectDocumented(operation, full);
    const res = await send(operation, full);
    expectConforms(operation, res);
    expect(res.status, res.text).toBeLessThan(300);
    return res;
  };
  for (const [code, name, type] of [
    ['1000', 'Cash', 'asset'],
    ['4000', 'Sales', 'revenue'],
    ['10000', 'Cash at bank', 'asset'],
    ['12000', 'Receivables', 'asset'],
    ['60000', 'Salaries and wages', 'expense'],
    ['21000', 'Payroll liabilities', 'liability'],
    ['13000', 'Inventory', 'asset'],
    ['20500', 'Goods received not invoiced', 'liability'],
    ['51000', 'Inventory adjustments', 'expense'],
    ['50000', 'Cost of goods sold', 'expense'],
  ]) {
    await seed('openAccount', { body: { code, name, type, currency: 'EUR' } });
  }
  await seed('postJournalEntry', {
    body: {
      entryId: 'JE-1',
      date: '2026-11-02',
      description: 'Cash sale',
      lines: [
        { account: '1000', debit: '100.00' },
        { account: '4000', credit: '100.00' },
      ],
    },
  });
  const address = { line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' };
  await seed('registerCustomer', {
    body: {
      customerId: 'C-1',
      name: 'Acme',
      email: 'ap@acme.example',
      billingAddress: address,
      currency: 'EUR',
      paymentTermsDays: 30,
    },
  });
  await seed('issueInvoice', {
    body: {
      invoiceId: 'INV-1',
      customerId: 'C-1',
      issueDate: '2026-11-03',
      lines: [
        { description: 'Widgets', quantity: '2', unitPrice: '50.00', revenueAccount: '4000' },
      ],
    },
  });
  await seed('hireEmployee', {
    body: {
      employeeId: 'E-1',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      department: 'Engineering',
      title: 'Engineer',
      startDate: '2026-01-01',
      annualSalary: '60000.00',
      currency: 'EUR',
    },
  });
  await seed('draftPayrollRun', { body: { runId: 'PR-1', period: '2026-10' } });
  await seed('registerItem', { body: { sku: 'SKU-1', name: 'Widget', unit: 'piece' } });
  for (const openedOn of ['2026-11-01', '2026-11-02']) {
    await seed('receiveStock', {
      path: { sku: 'SKU-1' },
      body: { quantity: 5, unitCost: '2.00', receivedOn: openedOn, reference: 'PO-1' },
    });
  }
  await seed('createShipment', {
    body: {
      shipmentId: 'SH-1',
      orderReference: 'SO-1',
      customerId: 'C-1',
      items: [{ sku: 'SKU-1', quantity: 1 }],
      address: { line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    },
  });
  const paid = await seed('recordPayment', {
    path: { id: 'INV-1' },
    body: { amount: '40.00', receivedOn: '2026-11-04', method: 'bank_transfer' },
  });
  known.positions.push(paid.body.position as string);
  // CONSISTENCY_WAIT_MS is short here (fuzzed positions must fail fast): let the read side
  // catch up with the seed first, so the listing below needs no wait.
  const caughtUp = await waitUntil(
    async () =>
      (
        await t.request
          .get(`/v1/admin/projections?consistentWith=${paid.body.position as string}`)
          .set('Authorization', `Bearer ${testKeys.admin}`)
      ).status === 200,
    { timeoutMs: 10_000 },
  );
  expect(caughtUp).toBe(true);
  const projections = await seed('listProjections', {
    query: { consistentWith: paid.body.position as string },
  });
  known.projection.push(...(projections.body.items as { name: string }[]).map((p) => p.name));
});

afterAll(async () => {
  server.close();
  await t.close();
});

describe.each(operations.map((operation) => [operation.operationId, operation] as const))(
  '%s',
  (_id, operation) => {
    it('answers requests the document allows as the document says, never as malformed', async () => {
      await fc.assert(
        fc.asyncProperty(validRequests(operation), async (built) => {
          expectDocumented(operation, built);
          const res = await send(operation, built);
          expectConforms(operation, res);
          if (res.status === 400) expect(MALFORMED, res.text).not.toContain(problemSlug(res));
          if (problemSlug(res) === 'position-beyond-head') {
            // Documented, and a rule no schema can state: positions no write has answered yet.
            const head = await t.service.eventStore.headPosition();
            expect(BigInt(built.query.consistentWith!)).toBeGreaterThan(head);
          }
          if (res.status === 503) {
            // The one 5xx a valid request may get: a position the read models have not reached.
            expect(problemSlug(res), res.text).toBe('not-yet-consistent');
            expect(built.query.consistentWith).toBeDefined();
          }
        }),
        { numRuns: 12 },
      );
    });

    it('refuses values the document forbids with a documented 400', async () => {
      const base = baseRequest(operation);
      const cases: { what: string; built: Built }[] = [];
      for (const parameter of operation.parameters) {
        const where = parameter.in === 'header' ? 'headers' : parameter.in;
        const forbidden = invalidValues(parameter.schema)
          .map(wireText)
          .filter((text) =>
            checker.errorsOf(parameter.schema, asDocumented(parameter.schema, text)),
          )
          // What HTTP can carry in a path segment or a header at all.
          .filter((text) => parameter.in !== 'path' || text !== '')
          .filter((text) => parameter.in !== 'header' || /^[\x21-\x7e\u00a0-\u00ff]+$/.test(text));
        for (const text of forbidden.slice(0, 4)) {
          cases.push({
            what: `${parameter.in} ${parameter.name}=${JSON.stringify(text)}`,
            built: { ...base, [where]: { ...base[where], [parameter.name]: text } },
          });
        }
      }
      const body = operation.requestBody?.content['application/json'].schema;
      if (body?.properties) {
        const valid = base.body as Record<string, unknown>;
        cases.push({
          what: 'an unknown field',
          built: { ...base, body: { ...valid, unknownField: 1 } },
        });
        for (const [name, schema] of Object.entries(body.properties).slice(0, 4)) {
          const forbidden = invalidValues(schema).find(
            (value) => checker.errorsOf(body, { ...valid, [name]: value }) !== null,
          );
          cases.push({
            what: `body ${name}=${JSON.stringify(forbidden)}`,
            built: { ...base, body: { ...valid, [name]: forbidden } },
          });
        }
      }
      for (const { what, built } of cases) {
        const res = await send(operation, built);
        expectConforms(operation, res);
        expect(res.status, `${what}: ${res.text}`).toBe(400);
        // A cursor is the one value refused by what it names rather than by its form.
        const expected = what.startsWith('query cursor=') ? 'invalid-query' : 'validation';
        expect(['invalid-header', 'validation', expected], what).toContain(problemSlug(res));
      }
    });

    it('documents its refusals of who asks, and the answers Node gives before it', async () => {
      const base = baseRequest(operation);
      if (operation.security?.length !== 0) {
        const anonymous = await send(operation, base, '');
        expectConforms(operation, anonymous);
        expect(anonymous.status).toBe(401);
        const lacking = keyWithout(operation);
        if (lacking !== undefined) {
          const unscoped = await send(operation, base, `Bearer ${lacking}`);
          expectConforms(operation, unscoped);
          expect(unscoped.status).toBe(403);
        }
      }
      const tooLarge = await send(operation, {
        ...base,
        headers: { ...base.headers, 'X-Filler': 'x'.repeat(20_000) },
      });
      expect(tooLarge.status).toBe(431);
      expectConforms(operation, tooLarge);
    });

    const cursor = operation.parameters.find((p) => p.name === 'cursor');
    if (!cursor) return;
    it('pages with the cursors it issues, and refuses one it did not issue', async () => {
      const path = Object.fromEntries(
        operation.parameters
          .filter((p) => p.in === 'path')
          .map((p) => [p.name, knownValues(operation, p.name)[0]!]),
      );
      let built: Built = { path, query: { limit: '1' }, headers: {} };
      for (let page = 0; page < 3; page += 1) {
        const res = await send(operation, built);
        expectConforms(operation, res);
        expect(res.status, res.text).toBe(200);
        const next = (res.body as { nextCursor: string | null }).nextCursor;
        if (next === null) break;
        expect(checker.errorsOf(cursor.schema, next)).toBeNull();
        built = { ...built, query: { limit: '1', cursor: next } };
      }
      const foreign = await send(operation, {
        path,
        query: { cursor: 'bm90LWlzc3VlZA' },
        headers: {},
      });
      expectConforms(operation, foreign);
      expect(problemSlug(foreign), foreign.text).toBe('invalid-query');
    });
  },
);
