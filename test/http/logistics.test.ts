import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropStores, storeModes } from '../support/store-modes.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { balancesAt, expectProblem } from './fixtures.js';

const stores = storeModes('logistics');

let t: TestService;
let env: Record<string, string>;

type Key = 'logistics' | 'reports' | 'finance' | 'people' | 'admin';
const post = (path: string, body: object, key: Key = 'logistics') =>
  t.request.post(path).set(t.auth(key)).send(body);
const get = (path: string, key: Key = 'reports') => t.request.get(path).set(t.auth(key));

async function ok(
  res: Promise<{ status: number; text: string; body: Record<string, unknown> }>,
  status = 201,
) {
  const answer = await res;
  expect(answer.status, answer.text).toBe(status);
  return answer.body;
}

const address = { line1: 'Hafenstr. 9', city: 'Hamburg', postalCode: '20457', country: 'DE' };

async function customer(customerId = 'ACME') {
  await ok(
    post(
      '/v1/customers',
      {
        customerId,
        name: 'Acme GmbH',
        email: 'ap@acme.example',
        billingAddress: address,
        currency: 'EUR',
        paymentTermsDays: 30,
      },
      'finance',
    ),
  );
}

const balances = (position: string) => balancesAt(t, position);

describe.each(stores)('logistics over HTTP, $name', (store) => {
  beforeEach(async () => {
    env = store.env();
    // The default chart: inventory 13000, goods received 20500, adjustments 51000, COGS 50000.
    t = startTestService({ CHART_OF_ACCOUNTS: '', ...env });
    await t.service.started;
  });
  afterEach(async () => {
    await t.close();
    await dropStores(env);
  });

  it('values stock at moving average cost and keeps inventory equal to it', async () => {
    await ok(post('/v1/items', { sku: 'BOLT', name: 'Bolt M8', unit: 'piece' }));
    expectProblem(
      await post('/v1/items', { sku: 'BOLT', name: 'Again', unit: 'piece' }),
      409,
      'item-already-exists',
    );
    await ok(
      post('/v1/stock/BOLT/receipts', {
        quantity: 10,
        unitCost: '1.00',
        receivedOn: '2026-03-01',
        reference: 'PO-1',
      }),
    );
    const second = await ok(
      post('/v1/stock/BOLT/receipts', {
        quantity: 20,
        unitCost: '1.30',
        receivedOn: '2026-03-02',
        reference: 'PO-2',
      }),
    );
    // 10 × 1.00 + 20 × 1.30 = 36.00 for 30: 1.20 each.
    expect(second).toMatchObject({ onHand: 30, value: '36.00', averageCost: '1.20' });
    // A write-off of 7 costs 36.00 × 7 / 30 = 8.40.
    const counted = await ok(
      post('/v1/stock/BOLT/adjustments', {
        countedQuantity: 23,
        reason: 'count',
        adjustedOn: '2026-03-03',
      }),
    );
    expect(counted).toMatchObject({ onHand: 23, value: '27.60' });
    expectProblem(
      await post('/v1/stock/BOLT/adjustments', {
        delta: -24,
        reason: 'oops',
        adjustedOn: '2026-03-03',
      }),
      409,
      'stock-below-zero',
    );
    expectProblem(
      await post('/v1/stock/BOLT/adjustments', {
        delta: 1,
        countedQuantity: 2,
        reason: 'x',
        adjustedOn: '2026-03-03',
      }),
      400,
    );
    expectProblem(
      await post('/v1/stock/NOPE/receipts', {
        quantity: 1,
        unitCost: '1.00',
        receivedOn: '2026-03-03',
        reference: 'x',
      }),
      409,
      'unknown-item',
    );
    expectProblem(
      await post('/v1/stock/BOLT/receipts', {
        quantity: 1,
        unitCost: '1.00',
        receivedOn: '2026-02-01',
        reference: 'late',
      }),
      409,
      'movement-before-last',
    );

    const stock = await get(`/v1/stock/BOLT?consistentWith=${counted.position as string}`);
    expect(stock.body).toMatchObject({ onHand: 23, value: '27.60', averageCost: '1.20' });
    const asOf = await get('/v1/stock/BOLT?asOf=2026-03-01');
    expect(asOf.body).toMatchObject({ onHand: 10, value: '10.00' });
    const movements = await get('/v1/stock/BOLT/movements');
    expect(movements.body.items.map((m: { kind: string }) => m.kind)).toEqual([
      'receipt',
      'receipt',
      'adjustment',
    ]);
    expect(movements.body.items[2]).toMatchObject({
      quantity: -7,
      quantityAfter: 23,
      valueChange: '-8.40',
    });

    const ledger = await balances(counted.position as string);
    expect(ledger['13000']).toBe('27.60');
    expect(ledger['20500']).toBe('-36.00');
    expect(ledger['51000']).toBe('8.40');
    for (const asOfDate of ['2026-03-01', '2026-03-02', '2026-03-03']) {
      const valuation = await get(`/v1/reports/stock-valuation?asOf=${asOfDate}`);
      const trial = await get(`/v1/reports/trial-balance?asOf=${asOfDate}`);
      const inventory = (trial.body.accounts as { code: string; balance: string }[]).find(
        (row) => row.code === '13000',
      );
      expect(valuation.body.totalValue).toBe(inventory?.balance ?? '0.00');
    }
  });

  it('ships: pack takes every line or none, cancel brings the stock back at its cost', async () => {
    await customer();
    for (const sku of ['A', 'B'])
      await ok(post('/v1/items', { sku, name: `Item ${sku}`, unit: 'piece' }));
    await ok(
      post('/v1/stock/A/receipts', {
        quantity: 3,
        unitCost: '10.00',
        receivedOn: '2026-04-01',
        reference: 'PO',
      }),
    );
    await ok(
      post('/v1/stock/B/receipts', {
        quantity: 1,
        unitCost: '5.00',
        receivedOn: '2026-04-01',
        reference: 'PO',
      }),
    );
    const created = await ok(
      post('/v1/shipments', {
        shipmentId: 'S1',
        orderReference: 'SO-1',
        customerId: 'ACME',
        items: [
          { sku: 'A', quantity: 2 },
          { sku: 'B', quantity: 2 },
        ],
        address,
      }),
    );
    expect(created).toMatchObject({ status: 'created', address });
    const short = await post('/v1/shipments/S1/pack', { packedOn: '2026-04-02' });
    expectProblem(short, 409, 'insufficient-stock');
    expect(short.body.detail).toContain('B (1 on hand, 1 short)');
    expect(short.body.detail).not.toContain('A (');
    // Nothing of A was taken.
    expect((await get('/v1/stock/A')).body).toMatchObject({ onHand: 3 });

    await ok(
      post('/v1/stock/B/receipts', {
        quantity: 1,
        unitCost: '7.00',
        receivedOn: '2026-04-02',
        reference: 'PO',
      }),
    );
    const packed = await ok(post('/v1/shipments/S1/pack', { packedOn: '2026-04-02' }), 200);
    expect(packed.status).toBe('packed');
    expectProblem(
      await post('/v1/shipments/S1/pack', { packedOn: '2026-04-02' }),
      409,
      'shipment-transition-not-allowed',
    );
    expectProblem(await post('/v1/shipments/S1/delivery', { deliveredOn: '2026-04-03' }), 409);
    let ledger = await balances(packed.position as string);
    // A: 2 of 3 at 30.00 → 20.00; B: the last 2 → all 12.00 left.
    expect(ledger['50000']).toBe('32.00');
    expect(ledger['13000']).toBe('10.00');

    expectProblem(
      await post('/v1/shipments/S1/cancel', { reason: 'x', cancelledOn: '2026-04-01' }),
      400,
    );
    const cancelled = await ok(
      post('/v1/shipments/S1/cancel', {
        reason: 'customer changed mind',
        cancelledOn: '2026-04-05',
      }),
      200,
    );
    expect(cancelled.status).toBe('cancelled');
    ledger = await balances(cancelled.position as string);
    expect(ledger['50000'] ?? '0.00').toBe('0.00');
    expect(ledger['13000']).toBe('42.00');
    const shipment = await get(
      `/v1/shipments/S1?consistentWith=${cancelled.position as string}`,
      'logistics',
    );
    expect(shipment.body).toMatchObject({
      status: 'cancelled',
      stockReturned: true,
      address,
      addressErased: false,
    });
    expect(shipment.body.timeline.map((step: { step: string }) => step.step)).toEqual([
      'created',
      'packed',
      'cancelled',
      'stock returned',
    ]);
    expect(shipment.body.timeline[1]).toMatchObject({ actor: 'warehouse-app', date: '2026-04-02' });
    expect((await get('/v1/stock/B')).body).toMatchObject({ onHand: 2, value: '12.00' });
  });

  it('goes through dispatch and delivery, and lists shipments by status and customer', async () => {
    await customer();
    await ok(post('/v1/items', { sku: 'A', name: 'Item A', unit: 'piece' }));
    await ok(
      post('/v1/stock/A/receipts', {
        quantity: 5,
        unitCost: '2.00',
        receivedOn: '2026-05-01',
        reference: 'PO',
      }),
    );
    await ok(
      post('/v1/shipments', {
        shipmentId: 'S2',
        orderReference: 'SO-2',
        customerId: 'ACME',
        items: [{ sku: 'A', quantity: 1 }],
        address,
      }),
    );
    expectProblem(
      await post('/v1/shipments/S2/dispatch', {
        carrier: 'DHL',
        trackingNumber: 'T1',
        dispatchedOn: '2026-05-02',
      }),
      409,
    );
    await ok(post('/v1/shipments/S2/pack', { packedOn: '2026-05-02' }), 200);
    expectProblem(
      await post('/v1/shipments/S2/dispatch', {
        carrier: 'DHL',
        trackingNumber: 'T1',
        dispatchedOn: '2026-05-01',
      }),
      400,
      'invalid-shipment-step',
    );
    await ok(
      post('/v1/shipments/S2/dispatch', {
        carrier: 'DHL',
        trackingNumber: 'T1',
        dispatchedOn: '2026-05-02',
      }),
      200,
    );
    expectProblem(
      await post('/v1/shipments/S2/cancel', { reason: 'late', cancelledOn: '2026-05-03' }),
      409,
    );
    const delivered = await ok(
      post('/v1/shipments/S2/delivery', { deliveredOn: '2026-05-04', receivedBy: 'Front desk' }),
      200,
    );
    expect(delivered.status).toBe('delivered');
    const list = await get(
      `/v1/shipments?status=delivered&customerId=ACME&consistentWith=${delivered.position as string}`,
    );
    expect(list.status, list.text).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      shipmentId: 'S2',
      carrier: 'DHL',
      receivedBy: 'Front desk',
    });
    expectProblem(await get('/v1/shipments?from=2026-05-02&to=2026-05-01'), 400);
    expectProblem(
      await post('/v1/shipments', {
        orderReference: 'SO-3',
        customerId: 'NOBODY',
        items: [{ sku: 'A', quantity: 1 }],
        address,
      }),
      409,
    );
    expectProblem(
      await post('/v1/shipments', {
        orderReference: 'SO-3',
        customerId: 'ACME',
        items: [
          { sku: 'A', quantity: 1 },
          { sku: 'A', quantity: 2 },
        ],
        address,
      }),
      400,
    );
    expectProblem(await post('/v1/items', { sku: 'C', name: 'C', unit: 'piece' }, 'people'), 403);
  });

  it('lets 40 packs race for stock that covers 25: exactly 25 packed, none negative', async () => {
    await customer();
    await ok(post('/v1/items', { sku: 'W', name: 'Widget', unit: 'piece' }));
    await ok(
      post('/v1/stock/W/receipts', {
        quantity: 25,
        unitCost: '3.00',
        receivedOn: '2026-06-01',
        reference: 'PO',
      }),
    );
    for (let index = 0; index < 40; index += 1) {
      await ok(
        post('/v1/shipments', {
          shipmentId: `R${index}`,
          orderReference: `SO-${index}`,
          customerId: 'ACME',
          items: [{ sku: 'W', quantity: 1 }],
          address,
        }),
      );
    }
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        post(`/v1/shipments/R${index}/pack`, { packedOn: '2026-06-02' }),
      ),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(25);
    expect(statuses.filter((status) => status === 409)).toHaveLength(15);
    const last = answers.find((res) => res.status === 200)!;
    const stock = await get(`/v1/stock/W?consistentWith=${last.body.position as string}`);
    expect(stock.body).toMatchObject({ onHand: 0, value: '0.00' });
    const ledger = await balances(last.body.position as string);
    expect(ledger['50000']).toBe('75.00');
    expect(ledger['13000'] ?? '0.00').toBe('0.00');
  });

  it("keeps the address as the customer's personal data: sealed, redacted, erased with them", async () => {
    await customer();
    await ok(post('/v1/items', { sku: 'A', name: 'Item A', unit: 'piece' }));
    const street = { line1: 'Geheimweg 77', city: 'Lübeck', postalCode: '23552', country: 'DE' };
    const created = await ok(
      post('/v1/shipments', {
        shipmentId: 'P1',
        orderReference: 'SO-P',
        customerId: 'ACME',
        items: [{ sku: 'A', quantity: 1 }],
        address: street,
      }),
    );
    const at = `consistentWith=${created.position as string}`;
    expect((await get(`/v1/shipments/P1?${at}`, 'logistics')).body.address).toEqual(street);
    expect((await get(`/v1/shipments/P1?${at}`, 'reports')).body.address).toEqual({
      redacted: true,
    });
    const listed = await get(`/v1/shipments?${at}`, 'reports');
    expect(JSON.stringify(listed.body)).not.toContain('Geheimweg');
    for (const file of readdirSync(t.dataDir)) {
      expect(readFileSync(join(t.dataDir, file)).includes(Buffer.from('Geheimweg')), file).toBe(
        false,
      );
    }
    const erased = await ok(
      post('/v1/customers/ACME/erasure', { reason: 'asked', legalBasis: 'GDPR Art. 17' }, 'admin'),
      200,
    );
    const after = await get(
      `/v1/shipments/P1?consistentWith=${erased.position as string}`,
      'logistics',
    );
    expect(after.body).toMatchObject({
      address: null,
      addressErased: true,
      orderReference: 'SO-P',
    });
  });
});
