/**
 * Random sequences of receipts, adjustments, packs and cancellations against a model written
 * here (exact moving average in cents). At every step and, at the end, as of every past day:
 * on hand is what the model says (received + adjusted − packed + returned) and never negative,
 * each SKU's value is the model's, the stock valuation equals the inventory account's balance,
 * cost of goods sold is the cost of the packs less the cost of the returns, and the trial
 * balance balances. Refusals (not enough stock, a count below zero) are predicted by the model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';

const SKUS = ['A', 'B'] as const;
type Sku = (typeof SKUS)[number];

const operation = fc.oneof(
  fc.record({
    kind: fc.constant('receive' as const),
    sku: fc.constantFrom(...SKUS),
    quantity: fc.integer({ min: 1, max: 9 }),
    unitCostCents: fc.integer({ min: 0, max: 5_000 }),
  }),
  fc.record({
    kind: fc.constant('adjust' as const),
    sku: fc.constantFrom(...SKUS),
    delta: fc.integer({ min: -6, max: 6 }).filter((delta) => delta !== 0),
  }),
  fc.record({
    kind: fc.constant('pack' as const),
    a: fc.integer({ min: 0, max: 5 }),
    b: fc.integer({ min: 0, max: 5 }),
  }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
);

interface Position {
  onHand: bigint;
  value: bigint;
  lastUnitCost: bigint | null;
}

const halfUp = (numerator: bigint, denominator: bigint) =>
  (2n * numerator + denominator) / (2n * denominator);
const cost = (position: Position, quantity: bigint) =>
  quantity === position.onHand
    ? position.value
    : halfUp(position.value * quantity, position.onHand);
const cents = (amount: string) => {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
  return negative ? -value : value;
};
const money = (value: bigint) => {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};
const dayOf = (step: number) => `2026-08-${String(step + 1).padStart(2, '0')}`;

async function play(operations: readonly Op[]): Promise<void> {
  const t: TestService = startTestService({ CHART_OF_ACCOUNTS: '' });
  try {
    await t.service.started;
    const post = (path: string, body: object, key: 'logistics' | 'finance' = 'logistics') =>
      t.request.post(path).set(t.auth(key)).send(body);
    const get = async (path: string, position: string) => {
      const res = await t.request
        .get(`${path}${path.includes('?') ? '&' : '?'}consistentWith=${position}`)
        .set(t.auth('reports'));
      expect(res.status, res.text).toBe(200);
      return res.body;
    };
    const address = { line1: 'Weg 2', city: 'Kiel', postalCode: '24103', country: 'DE' };
    let position = '0';
    const accepted = async (res: { status: number; text: string; body: { position?: string } }) => {
      expect(res.status, res.text).toBeLessThan(300);
      position = res.body.position ?? position;
    };
    await accepted(
      await post(
        '/v1/customers',
        {
          customerId: 'C',
          name: 'C',
          email: 'c@example.com',
          billingAddress: address,
          currency: 'EUR',
          paymentTermsDays: 30,
        },
        'finance',
      ),
    );
    for (const sku of SKUS)
      await accepted(await post('/v1/items', { sku, name: sku, unit: 'piece' }));

    const stock = new Map<Sku, Position>(
      SKUS.map((sku) => [sku, { onHand: 0n, value: 0n, lastUnitCost: null }]),
    );
    const packed: { id: string; lines: [Sku, bigint, bigint][] }[] = [];
    let cogs = 0n;
    const snapshots: { day: string; stock: Map<Sku, Position> }[] = [];

    for (const [step, op] of operations.entries()) {
      const day = dayOf(step);
      if (op.kind === 'receive') {
        const res = await post(`/v1/stock/${op.sku}/receipts`, {
          quantity: op.quantity,
          unitCost: money(BigInt(op.unitCostCents)),
          receivedOn: day,
          reference: `PO-${step}`,
        });
        await accepted(res);
        const p = stock.get(op.sku)!;
        p.onHand += BigInt(op.quantity);
        p.value += BigInt(op.unitCostCents) * BigInt(op.quantity);
        p.lastUnitCost = BigInt(op.unitCostCents);
      } else if (op.kind === 'adjust') {
        const p = stock.get(op.sku)!;
        const res = await post(`/v1/stock/${op.sku}/adjustments`, {
          delta: op.delta,
          reason: 'count',
          adjustedOn: day,
        });
        const delta = BigInt(op.delta);
        if (p.onHand + delta < 0n) {
          expect(res.status, res.text).toBe(409);
        } else if (delta > 0n && p.onHand === 0n && p.lastUnitCost === null) {
          expect(res.status, res.text).toBe(409);
        } else {
          await accepted(res);
          p.value +=
            delta < 0n
              ? -cost(p, -delta)
              : p.onHand > 0n
                ? halfUp(p.value * delta, p.onHand)
                : p.lastUnitCost! * delta;
          p.onHand += delta;
        }
      } else if (op.kind === 'pack') {
        const lines = (
          [
            ['A', BigInt(op.a)],
            ['B', BigInt(op.b)],
          ] as [Sku, bigint][]
        ).filter(([, quantity]) => quantity > 0n);
        if (lines.length === 0) continue;
        const id = `S${step}`;
        await accepted(
          await post('/v1/shipments', {
            shipmentId: id,
            orderReference: id,
            customerId: 'C',
            items: lines.map(([sku, quantity]) => ({ sku, quantity: Number(quantity) })),
            address,
          }),
        );
        const res = await post(`/v1/shipments/${id}/pack`, { packedOn: day });
        if (lines.some(([sku, quantity]) => stock.get(sku)!.onHand < quantity)) {
          expect(res.status, res.text).toBe(409);
        } else {
          await accepted(res);
          const taken = lines.map(([sku, quantity]): [Sku, bigint, bigint] => {
            const p = stock.get(sku)!;
            const c = cost(p, quantity);
            p.onHand -= quantity;
            p.value -= c;
            cogs += c;
            return [sku, quantity, c];
          });
          packed.push({ id, lines: taken });
        }
      } else if (packed.length > 0) {
        const [shipment] = packed.splice(op.pick % packed.length, 1);
        await accepted(
          await post(`/v1/shipments/${shipment!.id}/cancel`, { reason: 'undo', cancelledOn: day }),
        );
        for (const [sku, quantity, c] of shipment!.lines) {
          const p = stock.get(sku)!;
          p.onHand += quantity;
          p.value += c;
          cogs -= c;
        }
      }
      snapshots.push({
        day,
        stock: new Map([...stock].map(([sku, p]) => [sku, { ...p }])),
      });

      // At every step: the stock and the books as the model has them.
      const valuation = await get('/v1/reports/stock-valuation', position);
      for (const sku of SKUS) {
        const row = (valuation.skus as { sku: string; onHand: number; value: string }[]).find(
          (each) => each.sku === sku,
        )!;
        expect(row.onHand).toBeGreaterThanOrEqual(0);
        expect(BigInt(row.onHand)).toBe(stock.get(sku)!.onHand);
        expect(cents(row.value)).toBe(stock.get(sku)!.value);
      }
      const trial = await get('/v1/reports/trial-balance', position);
      expect(trial.balanced).toBe(true);
      const balance = (code: string) =>
        cents(
          (trial.accounts as { code: string; balance: string }[]).find((row) => row.code === code)
            ?.balance ?? '0.00',
        );
      expect(balance('13000')).toBe(cents(valuation.totalValue as string));
      expect(balance('50000')).toBe(cogs);
    }

    // As of every past day, the same agreement.
    for (const snapshot of snapshots) {
      const valuation = await get(`/v1/reports/stock-valuation?asOf=${snapshot.day}`, position);
      const trial = await get(`/v1/reports/trial-balance?asOf=${snapshot.day}`, position);
      const inventory =
        (trial.accounts as { code: string; balance: string }[]).find((row) => row.code === '13000')
          ?.balance ?? '0.00';
      expect(cents(valuation.totalValue as string)).toBe(cents(inventory));
      for (const sku of SKUS) {
        const row = (valuation.skus as { sku: string; onHand: number; value: string }[]).find(
          (each) => each.sku === sku,
        )!;
        expect(BigInt(row.onHand)).toBe(snapshot.stock.get(sku)!.onHand);
        expect(cents(row.value)).toBe(snapshot.stock.get(sku)!.value);
      }
    }
  } finally {
    await t.close();
  }
}

type Op = typeof operation extends fc.Arbitrary<infer T> ? T : never;

describe('stock, valuation and the books over random movements', () => {
  it('agree with a model at every step and as of every past day', async () => {
    await fc.assert(fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 14 }), play), {
      numRuns: 10,
    });
  }, 240_000);
});
