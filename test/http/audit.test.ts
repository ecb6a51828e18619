import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';
import { expectProblem, expectValidationError, type KeyName } from './fixtures.js';

/**
 * The audit trail over HTTP: a morning of activity by two API keys acting for two users within
 * two correlation ids, then finance follows one request across records, pages, exports and
 * verifies.
 */
let t: TestService;
let now: Date;

/** The service on a fresh store, with a clock that moves on a second per call. */
async function startAuditedService(env: Record<string, string> = {}): Promise<void> {
  now = new Date('2026-11-23T09:00:00.000Z');
  t = startTestService(
    { CHART_OF_ACCOUNTS: '', ...env },
    {
      // Each call moves time on a second, so from/to windows have events on both sides.
      clock: () => {
        now = new Date(now.getTime() + 1000);
        return now;
      },
    },
  );
  await t.service.started;
}

/**
 * The queries run on the embedded read models and, whenever MONGODB_URL is set (CI sets it to
 * a FerretDB it starts), again on MongoDB, where every filter has its index too.
 */
const readModelStores: { name: string; env: () => Record<string, string> }[] = [
  { name: 'SQLite read models', env: () => ({}) },
];
const mongoUrl = process.env.MONGODB_URL;
if (mongoUrl) {
  readModelStores.push({
    name: 'MongoDB read models',
    env: () => ({
      MONGODB_URL: mongoUrl,
      MONGODB_DATABASE: `audit_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      // FerretDB's upserts of new documents are slow: give the projections the time they need.
      READ_FRESHNESS_WAIT_MS: '20000',
      CONSISTENCY_WAIT_MS: '20000',
    }),
  });
}

interface AuditEvent {
  position: string;
  stream: string;
  entityType: string;
  entityId: string;
  revision: number;
  eventId: string;
  type: string;
  occurredAt: string | null;
  recordedAt: string;
  actor: string | null;
  onBehalfOf: string | null;
  correlationId: string | null;
  causationId: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
}

const acme = {
  customerId: 'ACME',
  name: 'Acme, "the" =company; second line',
  email: 'billing@acme.example',
  billingAddress: { line1: '=1+1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  currency: 'EUR',
  paymentTermsDays: 30,
};

function post(path: string, body: object, headers: Record<string, string>, key: KeyName) {
  return t.request.post(path).set(t.auth(key)).set(headers).send(body);
}

function audit(path: string, key: KeyName = 'auditor') {
  return t.request.get(path).set(t.auth(key));
}

/** Activity by two keys for two users; returns the position of the last write. */
async function activity(): Promise<{ last: string; requestId: string }> {
  const alice = { 'X-On-Behalf-Of': 'alice@example.com', 'X-Correlation-Id': 'order-1001' };
  const bob = { 'X-On-Behalf-Of': 'bob@example.com', 'X-Correlation-Id': 'close-2026-11' };
  const customer = await post('/v1/customers', acme, alice, 'finance');
  expect(customer.status, customer.text).toBe(201);
  const invoice = await post(
    '/v1/invoices',
    {
      invoiceId: 'INV-7',
      customerId: 'ACME',
      issueDate: '2026-11-02',
      lines: [
        { description: 'Widgets', quantity: '2', unitPrice: '50.00', revenueAccount: '40000' },
      ],
    },
    alice,
    'finance',
  );
  expect(invoice.status, invoice.text).toBe(201);
  const paid = await post(
    '/v1/invoices/INV-7/payments',
    { amount: '40.00', receivedOn: '2026-11-10', method: 'bank_transfer', reference: 'SEPA 7' },
    alice,
    'finance',
  );
  expect(paid.status, paid.text).toBe(201);
  const entry = await post(
    '/v1/ledger/journal-entries',
    {
      entryId: 'BONUS-11',
      date: '2026-11-20',
      description: 'Bonus paid in cash',
      lines: [
        { account: '60000', debit: '900.00' },
        { account: '10000', credit: '900.00' },
      ],
    },
    bob,
    'admin',
  );
  expect(entry.status, entry.text).toBe(201);
  // The invoice's ledger postings are written by a reactor; a read of what they feed (the
  // journal entries) at the payment's position waits for them.
  const settled = await audit(
    `/v1/ledger/journal-entries?consistentWith=${paid.body.position}`,
    'admin',
  );
  expect(settled.status, settled.text).toBe(200);
  return { last: String(entry.body.position), requestId: String(invoice.headers['x-request-id']) };
}

/** Every event of the log, by walking the unfiltered list. */
async function everyEvent(consistentWith: string): Promise<AuditEvent[]> {
  const all: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const res = await audit(
      `/v1/audit/events?limit=500&consistentWith=${consistentWith}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status, res.text).toBe(200);
    all.push(...(res.body.items as AuditEvent[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return all;
}

describe.each(readModelStores)('GET /v1/audit/events on $name', (stores) => {
  let env: Record<string, string>;
  beforeEach(async () => {
    env = stores.env();
    await startAuditedService(env);
  });
  afterEach(async () => {
    await t.close();
    if (env.MONGODB_URL && env.MONGODB_DATABASE) {
      const client = new MongoClient(env.MONGODB_URL);
      await client.db(env.MONGODB_DATABASE).dropDatabase();
      await client.close();
    }
  });

  it('lists every event in log order with who, when, on whose behalf and within which request', async () => {
    const { last } = await activity();
    const events = await everyEvent(last);
    const stored = await t.service.eventStore.readAll({ maxCount: Infinity });
    // Every event of the store up to the listing, whatever its module, in position order.
    expect(events.map((event) => event.eventId)).toEqual(
      stored.slice(0, events.length).map((event) => event.id),
    );
    const registered = events.find((event) => event.type === 'CustomerRegistered')!;
    expect(registered).toMatchObject({
      stream: 'customer-ACME',
      entityType: 'customer',
      entityId: 'ACME',
      revision: 0,
      actor: 'finance-app',
      onBehalfOf: 'alice@example.com',
      correlationId: 'order-1001',
      // The customer's name is personal data, which an audit:read key does not read.
      data: { customerId: 'ACME', name: { redacted: true }, currency: 'EUR' },
    });
    expect(registered.requestId).toEqual(expect.any(String));
    expect(registered.causationId).toBe(registered.requestId);
    expect(Date.parse(registered.recordedAt)).not.toBeNaN();
  });

  it('follows one request across customer, invoice and ledger records by correlation id', async () => {
    const { last } = await activity();
    const res = await audit(`/v1/audit/events?correlationId=order-1001&consistentWith=${last}`);
    expect(res.status, res.text).toBe(200);
    const items = res.body.items as AuditEvent[];
    expect(new Set(items.map((item) => item.entityType))).toEqual(
      new Set(['customer', 'invoice', 'journalEntry']),
    );
    // The reactor books each invoice event a moment after it, so the postings' place varies.
    expect(items.map((item) => item.type).sort()).toEqual([
      'CustomerRegistered',
      'InvoiceIssued',
      'JournalEntryPosted',
      'JournalEntryPosted',
      'PaymentReceived',
    ]);
    const positions = items.map((item) => BigInt(item.position));
    expect(positions.every((position, i) => i === 0 || positions[i - 1]! < position)).toBe(true);
    // The reactor's postings carry the request's correlation and name their cause.
    const postings = items.filter((item) => item.entityType === 'journalEntry');
    const causes = new Set(
      items.filter((item) => item.entityType === 'invoice').map((i) => i.eventId),
    );
    for (const posting of postings) expect(causes.has(posting.causationId!)).toBe(true);
    expect(items.every((item) => item.correlationId === 'order-1001')).toBe(true);
  });

  it('filters by each field exactly as the full list says', async () => {
    const { last } = await activity();
    const all = await everyEvent(last);
    const early = all[2]!;
    const middle = all[Math.floor(all.length / 2)]!;
    const cases: [string, (event: AuditEvent) => boolean][] = [
      ['stream=invoice-INV-7', (e) => e.stream === 'invoice-INV-7'],
      ['entityType=journalEntry', (e) => e.entityType === 'journalEntry'],
      ['entityId=ACME', (e) => e.entityId === 'ACME'],
      ['entityType=invoice&entityId=INV-7', (e) => e.stream === 'invoice-INV-7'],
      ['actor=admin-key', (e) => e.actor === 'admin-key'],
      ['actor=system%3Achart-of-accounts', (e) => e.actor === 'system:chart-of-accounts'],
      ['type=JournalEntryPosted', (e) => e.type === 'JournalEntryPosted'],
      ['correlationId=close-2026-11', (e) => e.correlationId === 'close-2026-11'],
      [`from=${encodeURIComponent(middle.recordedAt)}`, (e) => e.recordedAt >= middle.recordedAt],
      [`to=${encodeURIComponent(middle.recordedAt)}`, (e) => e.recordedAt <= middle.recordedAt],
      [
        `from=${encodeURIComponent(early.recordedAt)}&to=${encodeURIComponent(middle.recordedAt)}&actor=system%3Achart-of-accounts`,
        (e) =>
          e.recordedAt >= early.recordedAt &&
          e.recordedAt <= middle.recordedAt &&
          e.actor === 'system:chart-of-accounts',
      ],
      ['from=2026-11-23&to=2026-11-23', () => true],
      ['to=2026-11-22', () => false],
      ['type=NoSuchEvent', () => false],
    ];
    for (const [query, keep] of cases) {
      const res = await audit(`/v1/audit/events?limit=500&${query}`);
      expect(res.status, `${query}: ${res.text}`).toBe(200);
      const expected = all.filter(keep).map((event) => event.position);
      const got = (res.body.items as AuditEvent[]).map((event) => event.position);
      // Later audit-access events may follow the snapshot; the snapshot's part must match.
      expect(
        got.filter((position) => BigInt(position) <= BigInt(all.at(-1)!.position)),
        query,
      ).toEqual(expected);
    }
  });

  it('a date in from/to stands for its whole UTC day, and an offset is converted to UTC', async () => {
    const { last } = await activity();
    const all = await everyEvent(last);
    const first = all[0]!;
    // 10:00 at +01:00 is 09:00Z, before every event of the morning.
    const res = await audit(
      `/v1/audit/events?from=${encodeURIComponent('2026-11-23T10:00:00+01:00')}`,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.items[0].position).toBe(first.position);
    const none = await audit(
      `/v1/audit/events?to=${encodeURIComponent('2026-11-23T10:00:00+01:00')}`,
    );
    expect(none.body.items).toEqual([]);
  });

  it('an offset that moves an instant past 9999 or before 0000 still bounds every event', async () => {
    const { last } = await activity();
    const all = await everyEvent(last);
    const latest = encodeURIComponent('9999-12-31T18:30:00-05:30');
    const earliest = encodeURIComponent('0000-01-01T00:30:00+01:00');
    const res = await audit(`/v1/audit/events?from=${earliest}&to=${latest}&limit=500`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.items[0].position).toBe(all[0]!.position);
    const none = await audit(`/v1/audit/events?to=${earliest}`);
    expect(none.body.items).toEqual([]);
  });

  it('refuses an instant whose month or day does not exist with a 400, not a crash', async () => {
    for (const value of ['0000-00-00T00:00:00Z', '2026-13-01', '2026-00-10T10:00:00Z']) {
      expectValidationError(
        await audit(`/v1/audit/events?to=${encodeURIComponent(value)}`),
        'query.to',
      );
    }
  });

  it('pages in log order: no event twice or skipped while new events are written between pages', async () => {
    const { last } = await activity();
    const seen: AuditEvent[] = [];
    let cursor: string | null = null;
    let writes = 0;
    do {
      const res = await audit(
        `/v1/audit/events?actor=finance-app&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : `&consistentWith=${last}`}`,
      );
      expect(res.status, res.text).toBe(200);
      seen.push(...(res.body.items as AuditEvent[]));
      cursor = res.body.nextCursor as string | null;
      if (writes < 4) {
        // Concurrent activity by the same key lands after the pages already read.
        writes += 1;
        const paid = await post(
          '/v1/invoices/INV-7/payments',
          { amount: '1.00', receivedOn: '2026-11-11', method: 'cash', reference: `c${writes}` },
          {},
          'finance',
        );
        expect(paid.status, paid.text).toBe(201);
        await audit(`/v1/audit/events?limit=1&consistentWith=${paid.body.position}`);
      }
    } while (cursor);
    const positions = seen.map((event) => BigInt(event.position));
    expect(new Set(positions).size).toBe(positions.length);
    expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
    // Exactly the key's events, the ones written while paging included: each write lands
    // after the pages already read, so paging one event at a time reaches all of them.
    const lastSeen = positions.at(-1)!;
    const stored = (await t.service.eventStore.readAll({ maxCount: Infinity })).filter(
      (event) => event.metadata.actor === 'finance-app' && event.position <= lastSeen,
    );
    expect(seen.map((event) => event.eventId)).toEqual(stored.map((event) => event.id));
    expect(seen.filter((event) => event.type === 'PaymentReceived')).toHaveLength(5);
  });

  it('records each query as an AuditTrailAccessed event with who asked, the filters and the row count', async () => {
    const { last } = await activity();
    const asked = await t.request
      .get(`/v1/audit/events?actor=finance-app&type=InvoiceIssued&consistentWith=${last}`)
      .set(t.auth('auditor'))
      .set({ 'X-On-Behalf-Of': 'carol@audit.example', 'X-Correlation-Id': 'audit-2026' });
    expect(asked.status, asked.text).toBe(200);
    expect(asked.body.items).toHaveLength(1);
    const head = (await t.service.eventStore.headPosition()).toString();
    const res = await audit(
      `/v1/audit/events?type=AuditTrailAccessed&correlationId=audit-2026&consistentWith=${head}`,
    );
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      stream: 'auditAccess-2026-11-23',
      entityType: 'auditAccess',
      actor: 'auditor',
      onBehalfOf: 'carol@audit.example',
      requestId: asked.headers['x-request-id'],
      data: {
        operation: 'events',
        filters: { actor: 'finance-app', type: 'InvoiceIssued' },
        rowCount: 1,
        completed: true,
      },
    });
  });

  it('refuses bad filters with a 400 naming the parameter, and records nothing', async () => {
    await activity();
    const before = await t.service.eventStore.headPosition();
    expectValidationError(await audit('/v1/audit/events?user=alice'), 'query.user');
    expectValidationError(await audit('/v1/audit/events?from=yesterday'), 'query.from');
    expectValidationError(await audit('/v1/audit/events?to=2026-02-30'), 'query.to');
    expectValidationError(await audit('/v1/audit/events?from=2026-11-23T10:00:00'), 'query.from');
    expectValidationError(
      await audit('/v1/audit/events?from=2026-11-24&to=2026-11-23'),
      'query.from',
    );
    expectValidationError(await audit('/v1/audit/events?entityType=Bad-Type'), 'query.entityType');
    expectValidationError(await audit('/v1/audit/events?actor=a%0Ab'), 'query.actor');
    expectValidationError(
      await audit(`/v1/audit/events?stream=${'x'.repeat(257)}`),
      'query.stream',
    );
    expectValidationError(await audit('/v1/audit/events?limit=0'), 'query.limit');
    expectProblem(await audit('/v1/audit/events?cursor=not-a-cursor'), 400, 'invalid-query');
    expectProblem(await audit('/v1/audit/events', 'reports'), 403, 'forbidden');
    expectProblem(await t.request.get('/v1/audit/events'), 401, 'unauthorized');
    expect(await t.service.eventStore.headPosition()).toBe(before);
  });
});

describe('GET /v1/audit/entities/{type}/{id}/history', () => {
  beforeEach(async () => {
    await startAuditedService();
  });
  afterEach(async () => {
    await t.close();
  });

  it('gives every event of one record in order with a readable summary of what changed', async () => {
    await activity();
    const changed = await post(
      '/v1/customers/ACME/changes',
      { paymentTermsDays: 14 },
      { 'X-On-Behalf-Of': 'alice@example.com' },
      'finance',
    );
    expect(changed.status, changed.text).toBe(200);
    const res = await audit('/v1/audit/entities/customer/ACME/history');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      entityType: 'customer',
      entityId: 'ACME',
      stream: 'customer-ACME',
    });
    const [registered, termsChanged] = res.body.items;
    expect(res.body.items).toHaveLength(2);
    expect(registered).toMatchObject({
      revision: 0,
      type: 'CustomerRegistered',
      actor: 'finance-app',
    });
    expect(registered.summary).toMatch(/^Customer registered: /);
    expect(registered.changes).toContainEqual({ field: 'currency', to: 'EUR' });
    // Personal fields are one sealed leaf each, redacted for an audit:read key.
    expect(registered.changes).toContainEqual({ field: 'email', to: { redacted: true } });
    expect(registered.changes).toContainEqual({ field: 'billingAddress', to: { redacted: true } });
    expect(registered.summary).toContain('email (personal data)');
    expect(termsChanged).toMatchObject({
      revision: 1,
      type: 'CustomerDetailsChanged',
      onBehalfOf: 'alice@example.com',
      summary: 'Customer details changed: paymentTermsDays 30 → 14',
      changes: [{ field: 'paymentTermsDays', from: 30, to: 14 }],
    });
  });

  it('pages through a long history with the same summaries as one page', async () => {
    await activity();
    for (let i = 1; i <= 5; i += 1) {
      const paid = await post(
        '/v1/invoices/INV-7/payments',
        { amount: `${i}.00`, receivedOn: '2026-11-12', method: 'card', reference: `p${i}` },
        {},
        'finance',
      );
      expect(paid.status, paid.text).toBe(201);
    }
    const whole = await audit('/v1/audit/entities/invoice/INV-7/history?limit=500');
    expect(whole.body.items).toHaveLength(7);
    expect(whole.body.nextCursor).toBeNull();
    const paged: unknown[] = [];
    let cursor: string | null = null;
    do {
      const res = await audit(
        `/v1/audit/entities/invoice/INV-7/history?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status, res.text).toBe(200);
      paged.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(whole.body.items);
    // A payment's fields are described against the previous payment's.
    const [second, third] = [whole.body.items[3], whole.body.items[4]];
    expect(second.summary).toMatch(/^Payment received: /);
    expect(second.summary).toContain('amount "1.00" → "2.00"');
    expect(second.summary).toContain('reference "p1" → "p2"');
    expect(third.changes).toContainEqual({ field: 'amount', from: '2.00', to: '3.00' });
    expect(third.changes.map((change: { field: string }) => change.field)).not.toContain('method');
  });

  it('answers 404 for a record that does not exist and 400 for a malformed type or cursor', async () => {
    expectProblem(await audit('/v1/audit/entities/invoice/NOPE/history'), 404, 'not-found');
    expectValidationError(await audit('/v1/audit/entities/In-voice/X/history'), 'path.type');
    await activity();
    expectProblem(
      await audit('/v1/audit/entities/invoice/INV-7/history?cursor=abc'),
      400,
      'invalid-query',
    );
    expectProblem(await audit('/v1/audit/entities/invoice/INV-7/history', 'finance'), 403);
  });
});

/** RFC 4180 rows, quoted fields and doubled quotes included. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += char;
  }
  expect(field).toBe('');
  return rows;
}

describe('GET /v1/audit/export', () => {
  beforeEach(async () => {
    await startAuditedService();
  });
  afterEach(async () => {
    await t.close();
  });

  it('streams CSV with the list filters, escaping commas, quotes, newlines and formulas', async () => {
    const { last } = await activity();
    // An admin key reads the customer's personal data: the name and address are quoted here.
    const res = await audit(
      `/v1/audit/export?format=csv&entityId=ACME&consistentWith=${last}`,
      'admin',
    );
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="audit-events-.*\.csv"$/,
    );
    const rows = parseCsv(res.text);
    expect(rows[0]).toEqual([
      'position',
      'recordedAt',
      'occurredAt',
      'stream',
      'entityType',
      'entityId',
      'revision',
      'type',
      'actor',
      'onBehalfOf',
      'correlationId',
      'causationId',
      'requestId',
      'eventId',
      'data',
    ]);
    expect(rows).toHaveLength(2);
    const [row] = rows.slice(1);
    expect(row!.slice(3, 11)).toEqual([
      'customer-ACME',
      'customer',
      'ACME',
      '0',
      'CustomerRegistered',
      'finance-app',
      'alice@example.com',
      'order-1001',
    ]);
    // The data cell is the event data as JSON, intact through the quoting.
    expect(JSON.parse(row![14]!)).toMatchObject({
      name: acme.name,
      billingAddress: acme.billingAddress,
    });
  });

  it('neutralises cells that a spreadsheet would run as a formula', async () => {
    await activity();
    const hostile = await t.request.get('/v1/audit/events?limit=1').set(t.auth('auditor')).set({
      'X-On-Behalf-Of': '=HYPERLINK("http://evil.example","x")',
      'X-Correlation-Id': '-2+3',
    });
    expect(hostile.status).toBe(200);
    const head = (await t.service.eventStore.headPosition()).toString();
    const res = await audit(`/v1/audit/export?type=AuditTrailAccessed&consistentWith=${head}`);
    const rows = parseCsv(res.text);
    const row = rows.find((cells) => cells[10] === "'-2+3")!;
    expect(row, res.text).toBeDefined();
    expect(row[9]).toBe('\'=HYPERLINK("http://evil.example","x")');
    for (const cells of rows) for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('streams NDJSON that is exactly what the list returns', async () => {
    const { last } = await activity();
    const listed = await everyEvent(last);
    const res = await audit(`/v1/audit/export?format=ndjson&consistentWith=${last}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const upTo = BigInt(String(res.headers['x-position']));
    const lines = res.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEvent);
    expect(lines.every((line) => BigInt(line.position) <= upTo)).toBe(true);
    expect(lines.slice(0, listed.length)).toEqual(listed);
  });

  it('records the export with its format, filters and row count', async () => {
    const { last } = await activity();
    const res = await audit(`/v1/audit/export?format=csv&actor=admin-key&consistentWith=${last}`);
    expect(res.status).toBe(200);
    const exported = parseCsv(res.text).length - 1;
    expect(exported).toBeGreaterThan(0);
    const head = (await t.service.eventStore.headPosition()).toString();
    const access = await audit(`/v1/audit/events?type=AuditTrailAccessed&consistentWith=${head}`);
    const exportAccess = (access.body.items as AuditEvent[]).find(
      (item) => item.data.operation === 'export',
    );
    expect(exportAccess?.data).toEqual({
      operation: 'export',
      filters: { actor: 'admin-key', format: 'csv' },
      rowCount: exported,
      completed: true,
    });
  });

  it('refuses an unknown format or filter with a 400 before streaming anything', async () => {
    expectValidationError(await audit('/v1/audit/export?format=xlsx'), 'query.format');
    expectValidationError(await audit('/v1/audit/export?limit=5'), 'query.limit');
    expectProblem(await audit('/v1/audit/export', 'reports'), 403);
  });
});

describe('GET /v1/audit/verify', () => {
  beforeEach(async () => {
    await startAuditedService();
  });
  afterEach(async () => {
    await t.close();
  });

  it('verifies the whole log after the activity and records who verified it', async () => {
    await activity();
    const res = await t.request
      .get('/v1/audit/verify')
      .set(t.auth('auditor'))
      .set({ 'X-On-Behalf-Of': 'carol@audit.example' });
    expect(res.status, res.text).toBe(200);
    // The log as verified: the verification's own access event follows it.
    const stored = (await t.service.eventStore.readAll({ maxCount: Infinity })).filter(
      (event) => event.position <= BigInt(res.body.toPosition),
    );
    expect(stored.at(-1)!.type).not.toBe('AuditTrailAccessed');
    expect(res.body).toMatchObject({
      mode: 'full',
      status: 'intact',
      fromPosition: '0',
      eventsChecked: stored.length,
      streamsChecked: new Set(stored.map((event) => event.streamId)).size,
      brokenStreams: [],
      brokenStreamCount: 0,
      digest: { position: stored.at(-1)!.position.toString(), events: stored.length },
    });
    const head = (await t.service.eventStore.headPosition()).toString();
    const access = await audit(`/v1/audit/events?type=AuditTrailAccessed&consistentWith=${head}`);
    expect((access.body.items as AuditEvent[]).at(-1)).toMatchObject({
      actor: 'auditor',
      onBehalfOf: 'carol@audit.example',
      data: {
        operation: 'verify',
        filters: { mode: 'full' },
        rowCount: stored.length,
        outcome: 'intact',
      },
    });
  });
});
