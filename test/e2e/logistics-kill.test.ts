/**
 * End to end on the BUILT service: packs of two SKUs in flight when the process is killed with
 * SIGKILL. After a restart on the same data directory, every shipment is whole: packed with
 * both lines' stock taken, or created with none; the stock, the stock ledger, the valuation,
 * the inventory and cost of goods sold accounts and the trial balance all agree.
 */
import { describe, expect, it } from 'vitest';
import {
  call,
  kill,
  newDataDir,
  startService,
  useChildServices,
  type Reply,
  type RunningService,
} from '../support/child-service.js';

useChildServices();

const SECRET = 'e2e-logistics-secret-0001';
const API_KEYS = JSON.stringify([
  { id: 'warehouse', secret: SECRET, scopes: ['logistics:write', 'finance:write', 'reports:read'] },
]);
const SHIPMENTS = 30;

const ok = (reply: Reply, status = 201) => {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return reply;
};
const send = (service: RunningService, path: string, body: unknown) =>
  call(service, 'POST', path, { secret: SECRET, body });
const read = (service: RunningService, path: string) =>
  call(service, 'GET', path, { secret: SECRET });

describe('packing killed with SIGKILL', () => {
  it('leaves no half-packed shipment after a restart, and the books agree', async () => {
    const env = { DATA_DIR: newDataDir(), API_KEYS, INSTANCE_ID: 'e2e-logistics' };
    const first = await startService(env);
    const address = { line1: 'Dock 4', city: 'Rotterdam', postalCode: '3011', country: 'NL' };
    ok(
      await send(first, '/v1/customers', {
        customerId: 'C',
        name: 'Client',
        email: 'c@example.com',
        billingAddress: address,
        currency: 'EUR',
        paymentTermsDays: 30,
      }),
    );
    for (const [sku, cost] of [
      ['A', '3.10'],
      ['B', '0.70'],
    ] as const) {
      ok(await send(first, '/v1/items', { sku, name: sku, unit: 'piece' }));
      ok(
        await send(first, `/v1/stock/${sku}/receipts`, {
          quantity: 100,
          unitCost: cost,
          receivedOn: '2026-09-01',
          reference: 'PO',
        }),
      );
    }
    for (let index = 0; index < SHIPMENTS; index += 1) {
      ok(
        await send(first, '/v1/shipments', {
          shipmentId: `K${index}`,
          orderReference: `SO-${index}`,
          customerId: 'C',
          items: [
            { sku: 'A', quantity: 1 + (index % 3) },
            { sku: 'B', quantity: 2 },
          ],
          address,
        }),
      );
    }
    // Every pack at once; the process dies as soon as the first is answered, the others in
    // flight.
    const inFlight = Array.from({ length: SHIPMENTS }, (_, index) =>
      send(first, `/v1/shipments/K${index}/pack`, { packedOn: '2026-09-02' }),
    );
    await Promise.race(inFlight);
    await kill(first, 'SIGKILL');
    const answered = await Promise.allSettled(inFlight);
    const acknowledged = answered.flatMap((outcome, index) =>
      outcome.status === 'fulfilled' && outcome.value.status === 200 ? [`K${index}`] : [],
    );
    expect(acknowledged.length).toBeGreaterThan(0);

    const second = await startService(env);
    // Reads wait for the reconciler and the postings: write something and read after it.
    const marker = ok(await send(second, '/v1/items', { sku: 'MARK', name: 'marker', unit: 'x' }));
    const at = `consistentWith=${marker.body.position as string}`;
    let packedA = 0;
    let packedB = 0;
    let packedCost = 0;
    const cents = (amount: string) => Math.round(Number(amount) * 100);
    for (let index = 0; index < SHIPMENTS; index += 1) {
      const shipment = ok(await read(second, `/v1/shipments/K${index}?${at}`), 200).body;
      expect(['created', 'packed']).toContain(shipment.status);
      // An acknowledged pack survives the kill.
      if (acknowledged.includes(`K${index}`)) expect(shipment.status).toBe('packed');
      if (shipment.status === 'packed') {
        packedA += 1 + (index % 3);
        packedB += 2;
        packedCost += cents(shipment.costOfGoods as string);
      } else {
        expect(shipment.costOfGoods).toBeNull();
      }
    }
    const movementsOf = async (sku: string) =>
      ok(await read(second, `/v1/stock/${sku}/movements?limit=500&${at}`), 200).body.items as {
        kind: string;
        quantity: number;
        shipmentId: string | null;
      }[];
    // Each shipment's stock was taken once, for both SKUs or neither.
    const issuedA = (await movementsOf('A')).filter((m) => m.kind === 'issue');
    const issuedB = (await movementsOf('B')).filter((m) => m.kind === 'issue');
    expect(issuedA.map((m) => m.shipmentId).sort()).toEqual(
      issuedB.map((m) => m.shipmentId).sort(),
    );
    expect(new Set(issuedA.map((m) => m.shipmentId)).size).toBe(issuedA.length);

    const stockA = ok(await read(second, `/v1/stock/A?${at}`), 200).body;
    const stockB = ok(await read(second, `/v1/stock/B?${at}`), 200).body;
    expect(stockA.onHand).toBe(100 - packedA);
    expect(stockB.onHand).toBe(100 - packedB);
    const valuation = ok(await read(second, `/v1/reports/stock-valuation?${at}`), 200).body;
    const trial = ok(await read(second, `/v1/reports/trial-balance?${at}`), 200).body;
    expect(trial.balanced).toBe(true);
    const balance = (code: string) =>
      (trial.accounts as { code: string; balance: string }[]).find((row) => row.code === code)
        ?.balance ?? '0.00';
    expect(balance('13000')).toBe(valuation.totalValue);
    expect(cents(balance('50000'))).toBe(packedCost);
    expect(cents(valuation.totalValue as string) + packedCost).toBe(100 * 310 + 100 * 70);
    await kill(second, 'SIGTERM');
  });
});
