/**
 * A pack touches two streams: the warehouse's (the stock, every line at once) and the
 * shipment's (its status). Here the process "dies" at every step of a pack: before or after
 * each of the two appends, every later append fails, as if the process were gone. A restart
 * on the same DATA_DIR must converge to one of two books, never a half-packed shipment: the
 * shipment packed with all of its stock taken and its cost of goods sold posted, or the
 * shipment as created with nothing taken. Either way, packing it again then does the rest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventStore } from '../../src/stores/event-store.js';
import { startTestService, type TestService } from '../support/test-service.js';

type Point = 'before' | 'after';

/** An event store that dies at the chosen append of an event type: it and all after fail. */
function dying(type: string, point: Point) {
  let dead = false;
  return (store: EventStore): EventStore => ({
    ...store,
    append: async (streamId, events, options) => {
      if (dead) throw new Error('the process is gone');
      if (!events.some((event) => event.type === type))
        return store.append(streamId, events, options);
      dead = true;
      if (point === 'before') throw new Error('killed before the append');
      await store.append(streamId, events, options);
      throw new Error('killed after the append, before the answer');
    },
    readStream: (...args) => store.readStream(...args),
    readAll: (...args) => store.readAll(...args),
    subscribeToAll: (...args) => store.subscribeToAll(...args),
    headPosition: () => store.headPosition(),
    ping: () => store.ping(),
    close: () => store.close(),
  });
}

const address = { line1: 'Kai 1', city: 'Bremen', postalCode: '28195', country: 'DE' };

async function seed(t: TestService): Promise<void> {
  const send = async (path: string, body: object, key: 'logistics' | 'finance' = 'logistics') => {
    const res = await t.request.post(path).set(t.auth(key)).send(body);
    expect(res.status, res.text).toBeLessThan(300);
  };
  await send(
    '/v1/customers',
    {
      customerId: 'C1',
      name: 'Kunde',
      email: 'k@example.com',
      billingAddress: address,
      currency: 'EUR',
      paymentTermsDays: 14,
    },
    'finance',
  );
  for (const sku of ['A', 'B']) {
    await send('/v1/items', { sku, name: sku, unit: 'piece' });
    await send(`/v1/stock/${sku}/receipts`, {
      quantity: 4,
      unitCost: sku === 'A' ? '2.50' : '1.25',
      receivedOn: '2026-07-01',
      reference: 'PO',
    });
  }
  await send('/v1/shipments', {
    shipmentId: 'S',
    orderReference: 'SO',
    customerId: 'C1',
    items: [
      { sku: 'A', quantity: 3 },
      { sku: 'B', quantity: 1 },
    ],
    address,
  });
}

/** The books after the restart, read once the reactors have caught up with the log. */
async function books(t: TestService) {
  const head = (await t.service.eventStore.headPosition()).toString();
  const read = async (path: string) => {
    const res = await t.request
      .get(`${path}${path.includes('?') ? '&' : '?'}consistentWith=${head}`)
      .set(t.auth('reports'));
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  const trial = await read('/v1/reports/trial-balance');
  const balance = (code: string) =>
    (trial.accounts as { code: string; balance: string }[]).find((row) => row.code === code)
      ?.balance ?? '0.00';
  return {
    status: (await read('/v1/shipments/S')).status as string,
    onHand: [(await read('/v1/stock/A')).onHand, (await read('/v1/stock/B')).onHand],
    cogs: balance('50000'),
    inventory: balance('13000'),
  };
}

const PACKED = { status: 'packed', onHand: [1, 3], cogs: '8.75', inventory: '6.25' };
const CREATED = { status: 'created', onHand: [4, 4], cogs: '0.00', inventory: '15.00' };

describe('a pack killed at every step', () => {
  const cases: [Point, string][] = [
    ['before', 'StockIssued'],
    ['after', 'StockIssued'],
    ['before', 'ShipmentPacked'],
    ['after', 'ShipmentPacked'],
  ];
  it.each(cases)('killed %s the append of %s converges after a restart', async (point, type) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'backoffice-crash-'));
    const env = { DATA_DIR: dataDir, CHART_OF_ACCOUNTS: '' };
    try {
      const first = startTestService(env, { wrapEventStore: dying(type, point) });
      await first.service.started;
      await seed(first);
      const pack = await first.request
        .post('/v1/shipments/S/pack')
        .set(first.auth('logistics'))
        .send({ packedOn: '2026-07-02' });
      expect(pack.status).toBe(500);
      await first.close();

      const second = startTestService(env);
      await second.service.started;
      try {
        const after = await books(second);
        const stockTaken = !(type === 'StockIssued' && point === 'before');
        expect(after).toEqual(stockTaken ? PACKED : CREATED);
        // Packing again completes what the first attempt began, or is refused once done.
        const again = await second.request
          .post('/v1/shipments/S/pack')
          .set(second.auth('logistics'))
          .send({ packedOn: '2026-07-02' });
        expect(again.status, again.text).toBe(stockTaken ? 409 : 200);
        expect(await books(second)).toEqual(PACKED);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
