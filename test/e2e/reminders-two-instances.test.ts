/**
 * Reminder runs racing on two instances of the BUILT service (`npm run build` first) behind one
 * EventStoreDB (the in-process test server, or EVENTSTORE_URL) and one MongoDB (MONGODB_URL):
 * each instance has its own locks, state cache and index of candidate invoices, so only the
 * expected revision of each append keeps a level from being issued twice.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsdbEventStore } from '../../src/stores/eventstoredb/esdb-event-store.js';
import { startEsdbTestServer, type EsdbTestServer } from '../support/esdb-test-server/index.js';
import { TEST_MASTER_KEY } from '../support/test-service.js';
import { call, newDataDir, startService, useChildServices } from '../support/child-service.js';

useChildServices();

const mongoUrl = process.env.MONGODB_URL;
const realEventStore = process.env.EVENTSTORE_URL;
const SECRET = 'e2e-reminders-finance-0001';

let esdb: EsdbTestServer | undefined;
let esdbClient: EventStoreDBClient | undefined;
const database = `reminders_e2e_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

beforeAll(async () => {
  if (!mongoUrl) return;
  if (!realEventStore) esdb = await startEsdbTestServer();
  esdbClient = EventStoreDBClient.connectionString(realEventStore ?? esdb!.connectionString);
});

afterAll(async () => {
  await esdbClient?.dispose();
  await esdb?.close();
  if (mongoUrl) {
    const client = new MongoClient(mongoUrl);
    await client.db(database).dropDatabase();
    await client.close();
  }
});

async function instance(name: string) {
  const service = await startService({
    API_KEYS: JSON.stringify([{ id: 'finance-app', secret: SECRET, scopes: ['finance:write'] }]),
    EVENTSTORE_URL: realEventStore ?? esdb!.connectionString,
    MONGODB_URL: mongoUrl!,
    MONGODB_DATABASE: database,
    MASTER_KEY: TEST_MASTER_KEY,
    CHART_OF_ACCOUNTS: '[]',
    PROJECTION_TICK_MS: '100',
    DATA_DIR: newDataDir(),
    INSTANCE_ID: name,
  });
  return {
    post: (path: string, body: unknown) => call(service, 'POST', path, { secret: SECRET, body }),
    get: (path: string) => call(service, 'GET', path, { secret: SECRET }),
  };
}

if (mongoUrl) {
  describe('reminder runs on two instances on one EventStoreDB and one MongoDB', () => {
    it('issue each level of each invoice once, whichever instance each racing run reaches', async () => {
      const a = await instance('instance-a');
      const b = await instance('instance-b');
      // The log may be a real server's, shared with other runs: ids of this run's own.
      const suffix = randomUUID().slice(0, 8);
      for (const [code, type] of [
        ['12000', 'asset'],
        ['40000', 'revenue'],
      ] as const) {
        const opened = await a.post('/v1/ledger/accounts', {
          code,
          name: code,
          type,
          currency: 'EUR',
        });
        expect([201, 409], JSON.stringify(opened.body)).toContain(opened.status);
      }
      const customerId = `C-${suffix}`;
      const registered = await a.post('/v1/customers', {
        customerId,
        name: 'Acme',
        email: 'ap@acme.example',
        billingAddress: { line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
        currency: 'EUR',
        paymentTermsDays: 30,
      });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      const invoiceIds = Array.from({ length: 4 }, (_, index) => `INV-${suffix}-${index}`);
      for (const invoiceId of invoiceIds) {
        const issued = await (invoiceId.endsWith('1') ? b : a).post('/v1/invoices', {
          invoiceId,
          customerId,
          issueDate: '2026-09-01',
          dueDate: '2026-10-01',
          lines: [
            { description: 'Work', quantity: '1', unitPrice: '25.00', revenueAccount: '40000' },
          ],
        });
        expect(issued.status, JSON.stringify(issued.body)).toBe(201);
      }

      // Level 1 (8 days overdue) from eight runs at once, then level 3 (45 days) the same way.
      let position = 0n;
      for (const asOf of ['2026-10-09', '2026-11-15']) {
        const runs = await Promise.all(
          Array.from({ length: 8 }, (_, index) =>
            (index % 2 === 0 ? a : b).post('/v1/reminders/runs', { asOf }),
          ),
        );
        for (const run of runs) {
          expect([200, 201], JSON.stringify(run.body)).toContain(run.status);
          const at = BigInt(run.body.position as string);
          if (at > position) position = at;
        }
      }

      const eventStore = createEsdbEventStore(esdbClient!);
      const levels: string[] = [];
      for (const invoiceId of invoiceIds) {
        for (const event of await eventStore.readStream(`paymentReminders-${invoiceId}`)) {
          levels.push(String(event.data.reminderId));
        }
      }
      expect(levels.sort()).toEqual(
        invoiceIds.flatMap((invoiceId) => [`${invoiceId}.R1`, `${invoiceId}.R3`]).sort(),
      );

      // Either instance's answer covers the reminders the other wrote: read them at its position.
      const listed = await b.get(
        `/v1/reminders?customerId=${customerId}&limit=50&consistentWith=${position}`,
      );
      expect(listed.status, JSON.stringify(listed.body)).toBe(200);
      const items = listed.body.items as { reminderId: string }[];
      expect(items.map((item) => item.reminderId).sort()).toEqual(levels);
    });
  });
} else {
  describe.skip('reminder runs on two instances (set MONGODB_URL to run)', () => {});
}
