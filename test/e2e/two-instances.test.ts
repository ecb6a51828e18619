/**
 * Two instances of the BUILT service (`npm run build` first) behind one EventStoreDB (the
 * in-process test server, or EVENTSTORE_URL) and one MongoDB (MONGODB_URL), as a load balancer
 * would spread a caller's requests over them. `startTwoInstances` is the setup for every
 * scenario here: each pair gets a MongoDB database of its own, and data directories of its own
 * that must stay empty, since nothing an instance needs may live on one machine's disk.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { EventStoreDBClient } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsdbEventStore } from '../../src/stores/eventstoredb/esdb-event-store.js';
import type { EventStore } from '../../src/stores/event-store.js';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server/index.js';
import { TEST_MASTER_KEY } from '../support/test-service.js';
import {
  call,
  newDataDir,
  startService,
  useChildServices,
  type Reply,
  type RunningService,
} from '../support/child-service.js';

useChildServices();

const mongoUrl = process.env.MONGODB_URL;
const realEventStore = process.env.EVENTSTORE_URL;
const SECRET = 'e2e-two-instances-finance-01';
const API_KEYS = JSON.stringify([
  { id: 'finance-app', secret: SECRET, scopes: ['finance:write', 'logistics:write'] },
]);

interface Instance {
  readonly service: RunningService;
  readonly dataDir: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply>;
  get(path: string): Promise<Reply>;
}

interface TwoInstances {
  readonly a: Instance;
  readonly b: Instance;
  /** The shared event store, read directly: what the instances wrote, not what they say. */
  readonly eventStore: EventStore;
  /** Every event of the log, system events aside. */
  countEvents(): Promise<number>;
}

let esdb: EsdbTestServer | undefined;
let esdbClient: EventStoreDBClient | undefined;
const databases: string[] = [];

beforeAll(async () => {
  if (!mongoUrl) return;
  if (!realEventStore) esdb = await startEsdbTestServer();
  esdbClient = EventStoreDBClient.connectionString(realEventStore ?? esdb!.connectionString);
});

afterAll(async () => {
  await esdbClient?.dispose();
  await esdb?.close();
  if (mongoUrl && databases.length > 0) {
    const client = new MongoClient(mongoUrl);
    for (const name of databases) await client.db(name).dropDatabase();
    await client.close();
  }
});

/** Starts instances a and b on the shared stores; `env` adds to (or overrides) both configs. */
async function startTwoInstances(env: Record<string, string> = {}): Promise<TwoInstances> {
  const database = `two_instances_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  databases.push(database);
  const shared = {
    API_KEYS,
    EVENTSTORE_URL: realEventStore ?? esdb!.connectionString,
    MONGODB_URL: mongoUrl!,
    MASTER_KEY: TEST_MASTER_KEY,
    MONGODB_DATABASE: database,
    CHART_OF_ACCOUNTS: '[]',
    PROJECTION_TICK_MS: '100',
    ...env,
  };
  const start = async (name: string): Promise<Instance> => {
    const dataDir = newDataDir();
    const service = await startService({ ...shared, DATA_DIR: dataDir, INSTANCE_ID: name });
    return {
      service,
      dataDir,
      post: (path, body, headers) => call(service, 'POST', path, { secret: SECRET, body, headers }),
      get: (path) => call(service, 'GET', path, { secret: SECRET }),
    };
  };
  // One after the other: the first takes the projection leases, as in a rolling start.
  const a = await start('instance-a');
  const b = await start('instance-b');
  const eventStore = createEsdbEventStore(esdbClient!);
  return {
    a,
    b,
    eventStore,
    async countEvents() {
      let count = 0;
      let after = 0n;
      for (;;) {
        const page = await eventStore.readAll({ after, maxCount: 1000 });
        count += page.length;
        if (page.length < 1000) return count;
        after = page.at(-1)!.position;
      }
    },
  };
}

/** The parts of an answer a replay must repeat exactly. */
function answer(reply: Reply) {
  return {
    status: reply.status,
    body: reply.body,
    etag: reply.headers.get('etag'),
    location: reply.headers.get('location'),
    position: reply.headers.get('x-position'),
  };
}

/** Opens EUR accounts through `instance`, each named by its code. */
async function openAccounts(instance: Instance, accounts: readonly (readonly [string, string])[]) {
  for (const [code, type] of accounts) {
    const opened = await instance.post('/v1/ledger/accounts', {
      code,
      name: code,
      type,
      currency: 'EUR',
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  }
}

/** Opens a cash and a sales account (through a) and gives a balanced sale between them. */
async function openSaleAccounts(pair: TwoInstances) {
  const suffix = randomUUID().slice(0, 8);
  const cash = `1000-${suffix}`;
  const sales = `4000-${suffix}`;
  await openAccounts(pair.a, [
    [cash, 'asset'],
    [sales, 'revenue'],
  ]);
  return {
    suffix,
    sale: (amount: string) => ({
      date: '2026-11-02',
      description: 'cash sale',
      lines: [
        { account: cash, debit: amount },
        { account: sales, credit: amount },
      ],
    }),
  };
}

if (mongoUrl) {
  // useChildServices kills every child after each test: each scenario starts its own pair.
  describe('two instances on one EventStoreDB and one MongoDB', () => {
    it('replays on B the answer A gave to an Idempotency-Key, and writes nothing more', async () => {
      const pair = await startTwoInstances();
      const { suffix, sale } = await openSaleAccounts(pair);
      const key = { 'Idempotency-Key': `sale-${suffix}` };
      const first = await pair.a.post('/v1/ledger/journal-entries', sale('100.00'), key);
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const events = await pair.countEvents();

      const retry = await pair.b.post('/v1/ledger/journal-entries', sale('100.00'), key);
      expect(answer(retry)).toEqual(answer(first));
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await pair.countEvents()).toBe(events);

      const reused = await pair.b.post('/v1/ledger/journal-entries', sale('99.00'), key);
      expect(reused.status).toBe(422);
      expect(reused.body.type).toMatch(/idempotency-key-reused$/);
      expect(await pair.countEvents()).toBe(events);
    });

    it('keeps nothing on either instance’s local disk', async () => {
      const pair = await startTwoInstances();
      const { suffix, sale } = await openSaleAccounts(pair);
      const posted = await pair.b.post('/v1/ledger/journal-entries', sale('5.00'), {
        'Idempotency-Key': `sale-${suffix}`,
      });
      expect(posted.status).toBe(201);
      expect(readdirSync(pair.a.dataDir)).toEqual([]);
      expect(readdirSync(pair.b.dataDir)).toEqual([]);
    });

    it('never overpays an invoice, whichever instance each racing payment reaches', async () => {
      const pair = await startTwoInstances();
      await openAccounts(pair.a, [
        ['10000', 'asset'],
        ['12000', 'asset'],
        ['40000', 'revenue'],
      ]);
      const customer = await pair.a.post('/v1/customers', {
        customerId: 'ACME',
        name: 'Acme',
        email: 'ap@acme.example',
        billingAddress: { line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
        currency: 'EUR',
        paymentTermsDays: 30,
      });
      expect(customer.status, JSON.stringify(customer.body)).toBe(201);
      const invoice = await pair.b.post('/v1/invoices', {
        invoiceId: 'INV-RACE',
        customerId: 'ACME',
        issueDate: '2026-11-02',
        lines: [
          { description: 'Work', quantity: '1', unitPrice: '100.00', revenueAccount: '40000' },
        ],
      });
      expect(invoice.status, JSON.stringify(invoice.body)).toBe(201);

      const payments = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          (index % 2 === 0 ? pair.a : pair.b).post('/v1/invoices/INV-RACE/payments', {
            paymentId: `P-${index}`,
            amount: '30.00',
            receivedOn: '2026-11-03',
            method: 'bank_transfer',
          }),
        ),
      );
      const statuses = payments.map((payment) => payment.status).sort();
      expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409, 409, 409]);
      const stored = await pair.eventStore.readStream('invoice-INV-RACE');
      expect(stored.filter((event) => event.type === 'PaymentReceived')).toHaveLength(3);
      const last = payments.filter((payment) => payment.status === 201).at(-1)!;
      const read = await pair.a.get(`/v1/invoices/INV-RACE?consistentWith=${last.body.position}`);
      expect(read.body).toMatchObject({ paid: '90.00', outstanding: '10.00' });
    });

    it('leaves no posting inside a period one instance closes while the other posts into it', async () => {
      const pair = await startTwoInstances();
      const { suffix, sale } = await openSaleAccounts(pair);
      // A month long past and before every other scenario's dates: the event log is shared by
      // every scenario of this file, and the close locks every month up to this one.
      const inJuly = (index: number) => ({
        ...sale('1.00'),
        entryId: `JUL-${suffix}-${index}`,
        date: '2001-07-20',
      });
      // Postings on A and a close on B, all in flight at once: whatever order the log gets them
      // in, a posting counts exactly when it is stored before the close.
      const postings = Array.from({ length: 24 }, (_, index) =>
        pair.a.post('/v1/ledger/journal-entries', inJuly(index)),
      );
      // The close goes once the first posting is answered, so some postings come before it.
      const close = postings[0]!.then(() => pair.b.post('/v1/ledger/periods/2001-07/close', {}));
      const [closed, ...answers] = await Promise.all([close, ...postings]);
      expect(closed!.status, JSON.stringify(closed!.body)).toBe(200);
      const closedAt = BigInt(closed!.body.position as string);
      const accepted: string[] = [];
      const refused: string[] = [];
      for (const [index, answer] of answers.entries()) {
        if (answer.status === 201) {
          expect(BigInt(answer.body.position as string)).toBeLessThan(closedAt);
          accepted.push(`JUL-${suffix}-${index}`);
        } else {
          expect(answer.status, JSON.stringify(answer.body)).toBe(409);
          expect(answer.body.type).toBe('urn:backoffice:problem:period-closed');
          refused.push(`JUL-${suffix}-${index}`);
        }
      }

      const head =
        (await pair.eventStore.readAll({ after: closedAt, maxCount: 10_000 })).at(-1)?.position ??
        closedAt;
      const entries = await pair.b.get(
        `/v1/ledger/journal-entries?from=2001-07-01&to=2001-07-31&limit=500&consistentWith=${head}`,
      );
      expect(entries.status, JSON.stringify(entries.body)).toBe(200);
      expect((entries.body.items as { id: string }[]).map((item) => item.id).sort()).toEqual(
        [...accepted].sort(),
      );
      const trial = await pair.a.get(
        `/v1/reports/trial-balance?asOf=2001-07-31&consistentWith=${head}`,
      );
      const ours = (trial.body.accounts as { code: string; debits: string; credits: string }[])
        .filter((row) => row.code.endsWith(suffix))
        .map((row) => [row.code, row.debits, row.credits]);
      const booked = `${accepted.length}.00`;
      // A refused posting was either never stored, or stored after the close and annulled.
      for (const entryId of refused) {
        const stream = await pair.eventStore.readStream(`journalEntry-${entryId}`);
        expect([[], ['JournalEntryPosted', 'JournalEntryAnnulled']]).toContainEqual(
          stream.map((event) => event.type),
        );
      }
      // The trial balance lists only accounts with something booked.
      expect(ours).toEqual(
        accepted.length === 0
          ? []
          : [
              [`1000-${suffix}`, booked, '0.00'],
              [`4000-${suffix}`, '0.00', booked],
            ],
      );
    });

    it('without API_KEYS, shares one bootstrap admin key, made and printed by the first instance', async () => {
      const pair = await startTwoInstances({ API_KEYS: '' });
      const secretOf = (instance: Instance) =>
        /Bearer (bok_[A-Za-z0-9_-]+)/.exec(instance.service.output())?.[1];
      const secret = secretOf(pair.a);
      expect(secret).toBeDefined();
      // Shown once, by the instance that made it; the other only knows its hash.
      expect(secretOf(pair.b)).toBeUndefined();
      const status = (instance: Instance, key = secret) =>
        call(instance.service, 'GET', '/v1/admin/projections', { secret: key }).then(
          (r) => r.status,
        );
      expect(await status(pair.a)).toBe(200);
      expect(await status(pair.b)).toBe(200);
      expect(await status(pair.b, 'bok_not-the-key-at-all-0000000000')).toBe(401);
      expect(readdirSync(pair.a.dataDir)).toEqual([]);
      expect(readdirSync(pair.b.dataDir)).toEqual([]);
    });

    it('never packs more than is on hand, whichever instance each racing pack reaches', async () => {
      const pair = await startTwoInstances();
      // The event store is shared by every pair of this file: ids of this scenario's own. Last
      // in the file: a later pair, with a key store of its own, could not open these shipments'
      // sealed addresses when its reconciler reads them.
      const suffix = randomUUID().slice(0, 8);
      const [customerId, sku, shipment] = [`ACME-${suffix}`, `W-${suffix}`, `S-${suffix}`];
      await openAccounts(pair.a, [
        ['13000', 'asset'],
        ['20500', 'liability'],
        ['50000', 'expense'],
      ]);
      const address = { line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' };
      const created = async (reply: Reply) => {
        expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      };
      await created(
        await pair.a.post('/v1/customers', {
          customerId,
          name: 'Acme',
          email: 'ap@acme.example',
          billingAddress: address,
          currency: 'EUR',
          paymentTermsDays: 30,
        }),
      );
      await created(await pair.a.post('/v1/items', { sku, name: 'Widget', unit: 'piece' }));
      await created(
        await pair.b.post(`/v1/stock/${sku}/receipts`, {
          quantity: 10,
          unitCost: '4.00',
          receivedOn: '2026-11-02',
          reference: 'PO-1',
        }),
      );
      for (let index = 0; index < 16; index += 1) {
        await created(
          await pair.a.post('/v1/shipments', {
            shipmentId: `${shipment}-${index}`,
            orderReference: `SO-${index}`,
            customerId,
            items: [{ sku, quantity: 1 }],
            address,
          }),
        );
      }
      const packs = await Promise.all(
        Array.from({ length: 16 }, (_, index) =>
          (index % 2 === 0 ? pair.a : pair.b).post(`/v1/shipments/${shipment}-${index}/pack`, {
            packedOn: '2026-11-03',
          }),
        ),
      );
      const statuses = packs.map((pack) => pack.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(10);
      expect(statuses.filter((status) => status === 409)).toHaveLength(6);
      const warehouse = await pair.eventStore.readStream('warehouse-main');
      const issued = warehouse.filter(
        (event) =>
          event.type === 'StockIssued' && String(event.data.shipmentId).startsWith(shipment),
      );
      expect(issued).toHaveLength(10);
      const last = packs.filter((pack) => pack.status === 200).at(-1)!;
      const stock = await pair.b.get(`/v1/stock/${sku}?consistentWith=${last.body.position}`);
      expect(stock.body).toMatchObject({ onHand: 0, value: '0.00' });
    });
  });
} else {
  describe.skip('two instances on one EventStoreDB and one MongoDB (set MONGODB_URL to run)', () => {});
}
