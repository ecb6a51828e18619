/**
 * Customers' personal data over HTTP: stored only sealed with a key per customer, shown to the
 * keys that may read it, erased for good (with the refusals that guard an erasure), and the
 * customers registered before it was sealed (schema version 1, plain text) still read, fold
 * and project. Files are searched as bytes, answers as text.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../src/commands/hash-chain.js';
import { sealEvent } from '../../src/commands/seal-event.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { expectProblem, openAccount, type KeyName } from './fixtures.js';

const quillmoor = {
  customerId: 'QM',
  name: 'Quillmoor Trading',
  email: 'ap@quillmoor.example',
  billingAddress: {
    line1: 'Brackenweg 17',
    city: 'Osnabrueck',
    postalCode: '49074',
    country: 'DE',
  },
  currency: 'EUR',
  paymentTermsDays: 30,
};
const ACCOUNTS = [
  { code: '12000', name: 'Receivables', type: 'asset', currency: 'EUR' },
  { code: '10000', name: 'Cash', type: 'asset', currency: 'EUR' },
  { code: '40000', name: 'Sales', type: 'revenue', currency: 'EUR' },
] as const;
/** Every personal value the tests write, as they would be found in a file or an answer. */
const SECRETS = ['Quillmoor', 'quillmoor.example', 'Brackenweg', 'Osnabrueck', 'Fernhollow'];

/** SQLite read models always; MongoDB ones too when MONGODB_URL is set (CI: FerretDB). */
const readModelStores: { name: string; env: () => Record<string, string> }[] = [
  { name: 'SQLite read models', env: () => ({}) },
];
const mongoUrl = process.env.MONGODB_URL;
if (mongoUrl) {
  readModelStores.push({
    name: 'MongoDB read models',
    env: () => ({
      MONGODB_URL: mongoUrl,
      MONGODB_DATABASE: `customers_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      READ_FRESHNESS_WAIT_MS: '20000',
      CONSISTENCY_WAIT_MS: '20000',
    }),
  });
}

let t: TestService;
/** Where the read models and the keys of the running test service are. */
let stores: (typeof readModelStores)[number] = readModelStores[0]!;
beforeEach(async () => {
  t = startTestService(stores.env(), { clock: () => new Date('2026-11-23T10:00:00Z') });
  await t.service.started;
  for (const account of ACCOUNTS) expect((await openAccount(t, account)).status).toBe(201);
});
afterEach(() => t.close());

const post = (path: string, body: object, key: KeyName = 'finance', idempotencyKey?: string) => {
  const request = t.request.post(path).set(t.auth(key));
  return (idempotencyKey ? request.set('Idempotency-Key', idempotencyKey) : request).send(body);
};
const get = (path: string, key: KeyName = 'finance') => t.request.get(path).set(t.auth(key));
const erase = (customerId = 'QM', key: KeyName = 'admin') =>
  post(
    `/v1/customers/${customerId}/erasure`,
    { reason: 'asked to be forgotten', legalBasis: 'GDPR Art. 17(1)(a)' },
    key,
  );
const issue = (invoiceId: string, unitPrice = '100.00') =>
  post('/v1/invoices', {
    invoiceId,
    customerId: 'QM',
    issueDate: '2026-10-01',
    lines: [{ description: 'Ledger paper', quantity: '1', unitPrice, revenueAccount: '40000' }],
  });

function expectNoSecretIn(text: string, where: string) {
  for (const secret of SECRETS) expect(text, `${secret} in ${where}`).not.toContain(secret);
}

function expectNoSecretInFiles(dataDir: string) {
  const files = readdirSync(dataDir).filter((file) => !file.endsWith('.lock'));
  expect(files).toContain('backoffice.db');
  // With MongoDB the keys are in its `personal_keys`, not in a file.
  if (stores === readModelStores[0]) expect(files).toContain('keys.db');
  for (const file of files) {
    const bytes = readFileSync(join(dataDir, file));
    for (const secret of SECRETS) {
      expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
    }
  }
}

describe('customers: personal data sealed', () => {
  it('keeps name, email and address out of the event store file, the read models and the idempotency records', async () => {
    const registered = await post('/v1/customers', quillmoor, 'finance', 'register-qm');
    expect(registered.status, registered.text).toBe(201);
    const replay = await post('/v1/customers', quillmoor, 'finance', 'register-qm');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.name).toBe('Quillmoor Trading');
    const moved = await post(
      '/v1/customers/QM/changes',
      { billingAddress: { ...quillmoor.billingAddress, line1: 'Fernhollow 2' } },
      'finance',
      'move-qm',
    );
    expect(moved.status, moved.text).toBe(200);
    const shown = await get(`/v1/customers/QM?consistentWith=${moved.body.position as string}`);
    expect(shown.body).toMatchObject({
      name: 'Quillmoor Trading',
      email: 'ap@quillmoor.example',
      billingAddress: { line1: 'Fernhollow 2', city: 'Osnabrueck' },
      erased: false,
    });

    const [stored, changed] = await t.service.eventStore.readStream('customer-QM');
    expect(stored!.metadata.schemaVersion).toBe(2);
    for (const field of ['name', 'email', 'billingAddress']) {
      expect(stored!.data[field]).toMatchObject({ $personal: 1, subject: 'customer-QM', field });
    }
    expect(stored!.data.currency).toBe('EUR');
    expect(changed!.data.changes).toMatchObject({
      billingAddress: { $personal: 1, field: 'changes.billingAddress' },
    });
    await t.service.close();
    expectNoSecretInFiles(t.dataDir);
  });

  it('shows the personal data to finance:write and admin; reports:read and auditors see it redacted', async () => {
    expect((await post('/v1/customers', quillmoor)).status).toBe(201);
    const issued = await issue('INV-1');
    expect(issued.status, issued.text).toBe(201);
    const at = `consistentWith=${issued.body.position as string}`;

    const asReports = [
      await get(`/v1/customers/QM?${at}`, 'reports'),
      await get(`/v1/customers?${at}`, 'reports'),
      await get(`/v1/reports/ar-aging?asOf=2026-11-23&${at}`, 'reports'),
    ];
    for (const answer of asReports) {
      expect(answer.status, answer.text).toBe(200);
      expectNoSecretIn(answer.text, 'an answer to reports:read');
    }
    expect(asReports[0]!.body).toMatchObject({
      name: { redacted: true },
      billingAddress: { redacted: true },
      openBalance: '100.00',
    });
    expect(asReports[2]!.body.customers[0]).toMatchObject({
      customerId: 'QM',
      name: { redacted: true },
      total: '100.00',
    });
    const aging = await get(`/v1/reports/ar-aging?asOf=2026-11-23&${at}`, 'admin');
    expect(aging.body.customers[0].name).toBe('Quillmoor Trading');

    const auditor = await get('/v1/audit/entities/customer/QM/history', 'auditor');
    expect(auditor.status, auditor.text).toBe(200);
    expect(auditor.body.items[0].data.name).toEqual({ redacted: true });
    expect(auditor.body.items[0].data.currency).toBe('EUR');
    expect(auditor.body.items[0].summary).toContain('name (personal data)');
    expectNoSecretIn(auditor.text, 'the audit history for an auditor');
    const events = await get(`/v1/audit/events?${at}`, 'auditor');
    expectNoSecretIn(events.text, 'the audit events for an auditor');
    const csv = await get(`/v1/audit/export?format=csv&${at}`, 'auditor');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('CustomerRegistered');
    expectNoSecretIn(csv.text, 'the CSV export for an auditor');

    const admin = await get('/v1/audit/entities/customer/QM/history', 'admin');
    expect(admin.body.items[0].data.name).toBe('Quillmoor Trading');
  });
});

describe.each(readModelStores)('customers: erasure of personal data on $name', (each) => {
  // Before the file's beforeEach of every test here, which starts the service on `stores`.
  beforeAll(() => {
    stores = each;
  });
  afterAll(() => {
    stores = readModelStores[0]!;
  });

  it('erases for good: every answer shows null with erased: true, invoices still list and sum, the log verifies', async () => {
    expect((await post('/v1/customers', quillmoor, 'finance', 'register-qm')).status).toBe(201);
    const renamed = await post(
      '/v1/customers/QM/changes',
      { name: 'Quillmoor Trading Fernhollow' },
      'finance',
      'rename-qm',
    );
    expect(renamed.status, renamed.text).toBe(200);
    expect((await issue('INV-1', '100.00')).status).toBe(201);
    expect((await issue('INV-2', '30.00')).status).toBe(201);

    expect((await erase('QM', 'finance')).status).toBe(403);
    const blocked = await erase();
    expectProblem(blocked, 409, 'customer-has-outstanding-invoices');
    expect(blocked.body.detail).toContain('INV-1, INV-2');
    // A refused erasure destroys nothing.
    expect((await get('/v1/customers/QM')).body.name).toBe('Quillmoor Trading Fernhollow');

    const paid = await post('/v1/invoices/INV-1/payments', {
      amount: '100.00',
      receivedOn: '2026-10-20',
      method: 'bank_transfer',
    });
    expect(paid.status, paid.text).toBe(201);
    expectProblem(await erase(), 409, 'customer-has-outstanding-invoices');
    expect((await post('/v1/invoices/INV-2/void', { reason: 'sent twice' })).status).toBe(200);

    const erased = await erase();
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body).toMatchObject({
      customerId: 'QM',
      name: null,
      email: null,
      billingAddress: null,
      erased: true,
      currency: 'EUR',
      paymentTermsDays: 30,
    });
    expectProblem(await erase(), 409, 'personal-data-already-erased');
    expectProblem(
      await post('/v1/customers/QM/changes', { email: 'new@quillmoor.example' }),
      409,
      'customer-erased',
    );
    expectProblem(await issue('INV-3'), 409, 'customer-erased');
    const terms = await post('/v1/customers/QM/changes', { paymentTermsDays: 14 });
    expect(terms.status, terms.text).toBe(200);
    const position = terms.body.position as string;
    const at = `consistentWith=${position}`;

    const [last] = await t.service.eventStore.readStream('customer-QM', {
      direction: 'backwards',
      fromRevision: 2n,
      maxCount: 1,
    });
    expect(last!.type).toBe('CustomerPersonalDataErased');
    expect(Object.keys(last!.data).sort()).toEqual([
      'customerId',
      'erasedAt',
      'legalBasis',
      'reason',
    ]);

    const answers = [
      erased,
      terms,
      await get(`/v1/customers/QM?${at}`),
      await get(`/v1/customers?${at}`),
      await get(`/v1/customers/QM?${at}`, 'reports'),
      await get(`/v1/invoices?customerId=QM&${at}`),
      await get(`/v1/invoices/INV-1?${at}`),
      await get(`/v1/reports/ar-aging?asOf=2026-10-10&${at}`, 'admin'),
      await get('/v1/audit/entities/customer/QM/history', 'admin'),
      await get(`/v1/audit/events?${at}`, 'admin'),
      await get(`/v1/audit/export?format=csv&${at}`, 'admin'),
      await get(`/v1/audit/export?format=ndjson&${at}`, 'admin'),
      await post('/v1/customers', quillmoor, 'finance', 'register-qm'),
      await post(
        '/v1/customers/QM/changes',
        { name: 'Quillmoor Trading Fernhollow' },
        'finance',
        'rename-qm',
      ),
    ];
    for (const answer of answers) {
      expect(answer.status, answer.text).toBeLessThan(300);
      expectNoSecretIn(answer.text, `answer ${answers.indexOf(answer)}`);
    }
    expect(answers[2]!.body).toMatchObject({ name: null, erased: true, openBalance: '0.00' });
    expect(answers[4]!.body).toMatchObject({ name: null, billingAddress: null, erased: true });
    // The invoices stay, with their amounts.
    expect(
      answers[5]!.body.items.map((item: { invoiceId: string; total: string; status: string }) => [
        item.invoiceId,
        item.total,
        item.status,
      ]),
    ).toEqual([
      ['INV-1', '100.00', 'paid'],
      ['INV-2', '30.00', 'void'],
    ]);
    // On a date both were open, the aging still sums them, without the name.
    expect(answers[7]!.body.customers).toEqual([
      expect.objectContaining({ customerId: 'QM', name: null, total: '130.00' }),
    ]);
    expect(answers[7]!.body.totals[0].total).toBe('130.00');
    const history = answers[8]!.body.items as { type: string; data: Record<string, unknown> }[];
    expect(history.map((entry) => entry.type)).toEqual([
      'CustomerRegistered',
      'CustomerDetailsChanged',
      'CustomerPersonalDataErased',
      'CustomerDetailsChanged',
    ]);
    expect(history[0]!.data).toMatchObject({ name: null, email: null, billingAddress: null });
    // Remembered answers of the customer's data answer without it once erased.
    expect(answers[12]!.headers['idempotent-replayed']).toBe('true');
    expect(answers[12]!.body).toMatchObject({ erased: true });
    expect(answers[13]!.body).toMatchObject({ erased: true });
    // The ledger keeps the postings: receivable paid, the void reversed.
    const receivable = await get(`/v1/ledger/accounts/12000?asOf=2026-10-10&${at}`, 'reports');
    expect(receivable.body.balance).toBe('130.00');

    const verify = await get('/v1/audit/verify', 'admin');
    expect(verify.status, verify.text).toBe(200);
    expect(verify.body.status).toBe('intact');

    await t.service.close();
    expectNoSecretInFiles(t.dataDir);
  });

  it('refuses an erasure of a customer never registered', async () => {
    expectProblem(await erase('NOBODY'), 404, 'customer-not-found');
  });
});

describe('customers registered before their personal data was sealed (schema version 1)', () => {
  /** Appends a customer's events as the code before schema version 2 did: in plain text. */
  async function appendAsVersion1(
    events: readonly { type: string; data: Record<string, unknown> }[],
  ) {
    let prevHash = GENESIS_HASH;
    const stored = events.map((event) => {
      const sealed = sealEvent({
        id: randomUUID(),
        ...event,
        context: {
          actor: 'finance-app',
          correlationId: 'legacy',
          causationId: 'legacy',
          requestId: 'legacy',
        },
        recordedAt: '2025-06-01T09:00:00.000Z',
        prevHash,
      });
      prevHash = sealed.metadata.hash as string;
      return sealed;
    });
    return t.service.eventStore.append('customer-QM', stored, { expectedRevision: 'no_stream' });
  }

  it('still folds, projects and queries them as they were written, and refuses to claim their erasure', async () => {
    await appendAsVersion1([
      { type: 'CustomerRegistered', data: quillmoor },
      {
        type: 'CustomerDetailsChanged',
        data: { customerId: 'QM', changes: { name: 'Quillmoor Trading Fernhollow' } },
      },
    ]);
    const [first] = await t.service.eventStore.readStream('customer-QM');
    expect(first!.metadata.schemaVersion).toBe(1);
    expect(first!.data.name).toBe('Quillmoor Trading');

    // The commands fold the plain text: the invoice is due after the customer's 30 days.
    const issued = await issue('INV-1');
    expect(issued.status, issued.text).toBe(201);
    expect(issued.body.dueDate).toBe('2026-10-31');
    // A change on top is sealed, at version 2, chained to the version 1 events.
    const changed = await post('/v1/customers/QM/changes', { email: 'billing@quillmoor.example' });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({
      name: 'Quillmoor Trading Fernhollow',
      email: 'billing@quillmoor.example',
    });
    const latest = (await t.service.eventStore.readStream('customer-QM')).at(-1)!;
    expect(latest.metadata.schemaVersion).toBe(2);
    expect(latest.data.changes).toMatchObject({ email: { $personal: 1 } });

    const at = `consistentWith=${changed.body.position as string}`;
    const shown = await get(`/v1/customers/QM?${at}`);
    expect(shown.body).toMatchObject({
      name: 'Quillmoor Trading Fernhollow',
      email: 'billing@quillmoor.example',
      billingAddress: quillmoor.billingAddress,
      erased: false,
      openBalance: '100.00',
    });
    // Plain text is personal data all the same: redacted for a key that may not read it.
    const reported = await get(`/v1/customers/QM?${at}`, 'reports');
    expect(reported.body).toMatchObject({ name: { redacted: true }, email: { redacted: true } });
    expectNoSecretIn(reported.text, 'the customer for reports:read');
    const aging = await get(`/v1/reports/ar-aging?asOf=2026-11-23&${at}`, 'reports');
    expect(aging.body.customers[0]).toMatchObject({ name: { redacted: true }, total: '100.00' });

    const verify = await get('/v1/audit/verify', 'admin');
    expect(verify.body.status).toBe('intact');

    // Paid in full, nothing is outstanding: the plain text alone refuses the erasure.
    const paid = await post('/v1/invoices/INV-1/payments', {
      amount: '100.00',
      receivedOn: '2026-10-20',
      method: 'bank_transfer',
    });
    expect(paid.status, paid.text).toBe(201);
    const refused = await erase();
    expectProblem(refused, 409, 'personal-data-in-plain-text');
    expect(refused.body.detail).toContain('revisions 0, 1');
    expect(refused.body.detail).toContain('Events are immutable');
    // Nothing was destroyed: the sealed email still opens.
    expect((await get('/v1/customers/QM')).body.email).toBe('billing@quillmoor.example');
  });
});
