import { describe, expect, it } from 'vitest';
import type { LogisticsEvent, MovedLineRecord } from '../../src/domain/logistics/events.js';
import { logisticsStreams } from '../../src/domain/logistics/streams.js';
import type { SealedValue } from '../../src/domain/shared/sealed-value.js';
import {
  itemsProjection,
  logisticsProjections,
  movementId,
  movementsProjection,
  shipmentsProjection,
  type MovementDocument,
  type ShipmentDocument,
} from '../../src/projections/logistics/logistics-projections.js';
import { collectionFor } from '../../src/projections/projection.js';
import type { JsonObject, RecordedEvent } from '../../src/stores/event-store.js';
import { given, givenEvents } from './given-events.js';

// --- fixtures ---------------------------------------------------------------------------------

type Of<Type extends LogisticsEvent['type']> = Extract<LogisticsEvent, { type: Type }>['data'];

const address = { line1: '12 Rue de la Paix', city: 'Lyon', postalCode: '69001', country: 'FR' };

const sealedAddress: SealedValue = {
  $personal: 1,
  subject: 'customer-C-1',
  event: '00000000-0000-4000-8000-000000000001',
  field: 'address',
  iv: 'AAAAAAAAAAAAAAAA',
  data: 'c2VhbGVkLWFkZHJlc3MtYW5kLXRhZw',
};

/**
 * A fresh global log: every event gets the next position (from 1), the next revision of its own
 * stream (from 0) and a time one second after the previous, as the store would assign them.
 * Item events go to `item-<sku>`, stock movements to `warehouse-main`, shipment steps to
 * `shipment-<id>`.
 */
function logisticsLog() {
  let position = 0n;
  const revisions = new Map<string, bigint>();
  function record(
    streamId: string,
    event: LogisticsEvent,
    metadata: JsonObject = {},
  ): RecordedEvent {
    position += 1n;
    const revision = (revisions.get(streamId) ?? -1n) + 1n;
    revisions.set(streamId, revision);
    return {
      id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
      type: event.type,
      streamId,
      revision,
      position,
      data: JSON.parse(JSON.stringify(event.data)) as JsonObject,
      metadata,
      recordedAt: new Date(Date.UTC(2026, 2, 1) + Number(position) * 1000).toISOString(),
    };
  }
  const warehouse = logisticsStreams.warehouse();
  return {
    itemRegistered: (sku: string, name = `Item ${sku}`, unit = 'piece') =>
      record(logisticsStreams.item(sku), { type: 'ItemRegistered', data: { sku, name, unit } }),
    stockReceived: (data: Of<'StockReceived'>) =>
      record(warehouse, { type: 'StockReceived', data }),
    stockAdjusted: (data: Of<'StockAdjusted'>) =>
      record(warehouse, { type: 'StockAdjusted', data }),
    stockIssued: (data: Of<'StockIssued'>) => record(warehouse, { type: 'StockIssued', data }),
    stockReturned: (data: Of<'StockReturned'>) =>
      record(warehouse, { type: 'StockReturned', data }),
    shipmentCreated: (
      shipmentId: string,
      options: { address?: unknown; metadata?: JsonObject; customerId?: string } = {},
    ) =>
      record(
        logisticsStreams.shipment(shipmentId),
        {
          type: 'ShipmentCreated',
          data: {
            shipmentId,
            orderReference: `ORD-${shipmentId}`,
            customerId: options.customerId ?? 'C-1',
            items: [
              { sku: 'SKU-1', quantity: 7 },
              { sku: 'SKU-2', quantity: 2 },
            ],
            // As the log holds it: sealed, plain (older history) or erased.
            address: ('address' in options
              ? options.address
              : address) as Of<'ShipmentCreated'>['address'],
          },
        },
        options.metadata,
      ),
    shipmentStep: (
      event: Extract<LogisticsEvent, { data: { shipmentId: string } }>,
      metadata: JsonObject = {},
    ) =>
      record(
        event.type === 'StockIssued' || event.type === 'StockReturned'
          ? warehouse
          : logisticsStreams.shipment(event.data.shipmentId),
        event,
        metadata,
      ),
  };
}

const line = (
  sku: string,
  quantity: number,
  cost: string,
  onHandAfter: number,
  valueAfter: string,
): MovedLineRecord => ({ sku, quantity, cost, onHandAfter, valueAfter });

const firstReceipt: Of<'StockReceived'> = {
  receiptId: 'R-1',
  sku: 'SKU-1',
  quantity: 10,
  unitCost: '1.00',
  value: '10.00',
  receivedOn: '2026-03-02',
  reference: 'PO-1',
  onHandAfter: 10,
  valueAfter: '10.00',
};

const secondReceipt: Of<'StockReceived'> = {
  receiptId: 'R-2',
  sku: 'SKU-1',
  quantity: 20,
  unitCost: '1.30',
  value: '26.00',
  receivedOn: '2026-03-03',
  reference: 'PO-2',
  onHandAfter: 30,
  valueAfter: '36.00',
};

const skuTwoReceipt: Of<'StockReceived'> = {
  receiptId: 'R-3',
  sku: 'SKU-2',
  quantity: 3,
  unitCost: '5.00',
  value: '15.00',
  receivedOn: '2026-03-02',
  reference: 'PO-3',
  onHandAfter: 3,
  valueAfter: '15.00',
};

const issuedBoth: Of<'StockIssued'> = {
  shipmentId: 'S-1',
  issuedOn: '2026-03-10',
  lines: [line('SKU-1', 7, '8.40', 23, '27.60'), line('SKU-2', 2, '10.00', 1, '5.00')],
  totalCost: '18.40',
};

const returnedBoth: Of<'StockReturned'> = {
  shipmentId: 'S-1',
  returnedOn: '2026-03-12',
  reason: 'Customer cancelled',
  lines: [line('SKU-1', 7, '8.40', 30, '36.00'), line('SKU-2', 2, '10.00', 3, '15.00')],
  totalCost: '18.40',
};

const movement = (document: MovementDocument): JsonObject => ({ ...document });

// --- all three --------------------------------------------------------------------------------

describe('the logistics projections', () => {
  it('are the items, stock movements and shipments, each with the events that change it', () => {
    expect(logisticsProjections.map((projection) => projection.name)).toEqual([
      'logistics_items',
      'logistics_stock_movements',
      'logistics_shipments',
    ]);
    expect(logisticsProjections.map(collectionFor)).toEqual([
      'logistics_items_v1',
      'logistics_stock_movements_v1',
      'logistics_shipments_v1',
    ]);
    expect(itemsProjection.eventTypes).toEqual(['ItemRegistered']);
    expect(movementsProjection.eventTypes).toEqual([
      'StockReceived',
      'StockAdjusted',
      'StockIssued',
      'StockReturned',
    ]);
    expect(shipmentsProjection.eventTypes).toEqual([
      'ShipmentCreated',
      'ShipmentPacked',
      'ShipmentDispatched',
      'ShipmentDelivered',
      'ShipmentCancelled',
      'StockReturned',
    ]);
  });

  it('touch no document for events they do not handle', () => {
    const log = logisticsLog();
    const registered = log.itemRegistered('SKU-1');
    const received = log.stockReceived(firstReceipt);
    expect(movementsProjection.documentIds(registered)).toEqual([]);
    expect(shipmentsProjection.documentIds(received)).toEqual([]);
    expect(itemsProjection.documentIds(received)).toEqual([]);
  });

  it('refuse a stored event that no longer fits its schema', () => {
    const log = logisticsLog();
    const broken = { ...log.itemRegistered('SKU-1'), data: { sku: 'SKU-1', name: 'Mug' } };
    expect(() => itemsProjection.documentIds(broken)).toThrow();
  });
});

// --- logistics_items --------------------------------------------------------------------------

describe('logistics_items', () => {
  it('ItemRegistered creates the item by SKU, registered when the log recorded it', () => {
    const { itemRegistered } = logisticsLog();
    given(itemsProjection, [
      itemRegistered('SKU-1', 'Blue mug'),
      itemRegistered('SKU-2', 'Tea', 'box'),
    ]).thenDocuments({
      'SKU-1': {
        sku: 'SKU-1',
        name: 'Blue mug',
        unit: 'piece',
        registeredAt: '2026-03-01T00:00:01.000Z',
      },
      'SKU-2': { sku: 'SKU-2', name: 'Tea', unit: 'box', registeredAt: '2026-03-01T00:00:02.000Z' },
    });
  });
});

// --- logistics_stock_movements ----------------------------------------------------------------

describe('logistics_stock_movements', () => {
  it('names one document per SKU per movement, by SKU and global position', () => {
    const log = logisticsLog();
    const received = log.stockReceived(firstReceipt);
    const issued = log.stockIssued(issuedBoth);
    expect(movementsProjection.documentIds(received)).toEqual([movementId('SKU-1', 1n)]);
    expect(movementsProjection.documentIds(issued)).toEqual([
      movementId('SKU-1', 2n),
      movementId('SKU-2', 2n),
    ]);
    expect(movementId('SKU-1', 2n)).toBe('["SKU-1","2"]');
  });

  it('StockReceived is a receipt of its quantity and value, with the stock after it', () => {
    const log = logisticsLog();
    given(movementsProjection, [
      log.stockReceived(firstReceipt),
      log.stockReceived(secondReceipt),
    ]).thenDocuments({
      [movementId('SKU-1', 1n)]: movement({
        sku: 'SKU-1',
        date: '2026-03-02',
        kind: 'receipt',
        quantity: 10,
        quantityAfter: 10,
        valueChange: '10.00',
        valueAfter: '10.00',
        reference: 'PO-1',
        shipmentId: null,
        position: 1,
      }),
      [movementId('SKU-1', 2n)]: movement({
        sku: 'SKU-1',
        date: '2026-03-03',
        kind: 'receipt',
        quantity: 20,
        quantityAfter: 30,
        valueChange: '26.00',
        valueAfter: '36.00',
        reference: 'PO-2',
        shipmentId: null,
        position: 2,
      }),
    });
  });

  it('StockAdjusted is an adjustment by its signed delta and value change, with its reason', () => {
    const log = logisticsLog();
    const events = [
      log.stockReceived(firstReceipt),
      log.stockReceived(secondReceipt),
      log.stockAdjusted({
        adjustmentId: 'A-1',
        sku: 'SKU-1',
        delta: -3,
        countedQuantity: 27,
        valueChange: '-3.60',
        adjustedOn: '2026-03-15',
        reason: 'Stock count',
        onHandAfter: 27,
        valueAfter: '32.40',
      }),
      log.stockAdjusted({
        adjustmentId: 'A-2',
        sku: 'SKU-1',
        delta: 2,
        countedQuantity: null,
        valueChange: '2.40',
        adjustedOn: '2026-03-16',
        reason: 'Found behind the shelf',
        onHandAfter: 29,
        valueAfter: '34.80',
      }),
    ];
    given(movementsProjection, events)
      .then(
        movementId('SKU-1', 3n),
        movement({
          sku: 'SKU-1',
          date: '2026-03-15',
          kind: 'adjustment',
          quantity: -3,
          quantityAfter: 27,
          valueChange: '-3.60',
          valueAfter: '32.40',
          reference: 'Stock count',
          shipmentId: null,
          position: 3,
        }),
      )
      .and(
        movementId('SKU-1', 4n),
        movement({
          sku: 'SKU-1',
          date: '2026-03-16',
          kind: 'adjustment',
          quantity: 2,
          quantityAfter: 29,
          valueChange: '2.40',
          valueAfter: '34.80',
          reference: 'Found behind the shelf',
          shipmentId: null,
          position: 4,
        }),
      );
  });

  it('StockIssued is an issue per line, negative in quantity and value, for its shipment', () => {
    const log = logisticsLog();
    given(movementsProjection, [
      log.stockReceived(firstReceipt),
      log.stockReceived(secondReceipt),
      log.stockReceived(skuTwoReceipt),
      log.stockIssued(issuedBoth),
    ])
      .then(
        movementId('SKU-1', 4n),
        movement({
          sku: 'SKU-1',
          date: '2026-03-10',
          kind: 'issue',
          quantity: -7,
          quantityAfter: 23,
          valueChange: '-8.40',
          valueAfter: '27.60',
          reference: 'packed',
          shipmentId: 'S-1',
          position: 4,
        }),
      )
      .and(
        movementId('SKU-2', 4n),
        movement({
          sku: 'SKU-2',
          date: '2026-03-10',
          kind: 'issue',
          quantity: -2,
          quantityAfter: 1,
          valueChange: '-10.00',
          valueAfter: '5.00',
          reference: 'packed',
          shipmentId: 'S-1',
          position: 4,
        }),
      );
  });

  it('writes an issue that cost nothing as zero, not minus zero', () => {
    const log = logisticsLog();
    given(movementsProjection, [
      log.stockIssued({
        shipmentId: 'S-9',
        issuedOn: '2026-03-10',
        lines: [line('FREE', 1, '0.00', 0, '0.00')],
        totalCost: '0.00',
      }),
    ]).then(movementId('FREE', 1n), {
      sku: 'FREE',
      date: '2026-03-10',
      kind: 'issue',
      quantity: -1,
      quantityAfter: 0,
      valueChange: '0.00',
      valueAfter: '0.00',
      reference: 'packed',
      shipmentId: 'S-9',
      position: 1,
    });
  });

  it('StockReturned is a return per line, at the cost it left with, with the reason', () => {
    const log = logisticsLog();
    const events = [
      log.stockReceived(firstReceipt),
      log.stockReceived(secondReceipt),
      log.stockReceived(skuTwoReceipt),
      log.stockIssued(issuedBoth),
      log.stockReturned(returnedBoth),
    ];
    const documents = givenEvents(movementsProjection, events);
    expect(documents.size).toBe(7);
    given(movementsProjection, events)
      .then(
        movementId('SKU-1', 5n),
        movement({
          sku: 'SKU-1',
          date: '2026-03-12',
          kind: 'return',
          quantity: 7,
          quantityAfter: 30,
          valueChange: '8.40',
          valueAfter: '36.00',
          reference: 'Customer cancelled',
          shipmentId: 'S-1',
          position: 5,
        }),
      )
      .and(
        movementId('SKU-2', 5n),
        movement({
          sku: 'SKU-2',
          date: '2026-03-12',
          kind: 'return',
          quantity: 2,
          quantityAfter: 3,
          valueChange: '10.00',
          valueAfter: '15.00',
          reference: 'Customer cancelled',
          shipmentId: 'S-1',
          position: 5,
        }),
      );
  });

  it('is a stock ledger: each SKU’s movements add up to its quantity and value after them', () => {
    const log = logisticsLog();
    const documents = givenEvents(movementsProjection, [
      log.stockReceived(firstReceipt),
      log.stockReceived(secondReceipt),
      log.stockReceived(skuTwoReceipt),
      log.stockIssued(issuedBoth),
      log.stockReturned(returnedBoth),
    ]);
    const cents = (amount: string) => Number(amount.replace('.', ''));
    for (const sku of ['SKU-1', 'SKU-2']) {
      const ledger = [...documents.values()]
        .map((document) => document as unknown as MovementDocument)
        .filter((document) => document.sku === sku)
        .sort((a, b) => a.position - b.position);
      let quantity = 0;
      let value = 0;
      for (const entry of ledger) {
        quantity += entry.quantity;
        value += cents(entry.valueChange);
        expect(entry.quantityAfter).toBe(quantity);
        expect(cents(entry.valueAfter)).toBe(value);
      }
    }
  });
});

// --- logistics_shipments ----------------------------------------------------------------------

const whoDidIt = { actor: 'key-warehouse', onBehalfOf: 'alice@example.com', requestId: 'req-1' };

describe('logistics_shipments', () => {
  function shipment(overrides: Partial<ShipmentDocument> = {}): JsonObject {
    const document: ShipmentDocument = {
      shipmentId: 'S-1',
      orderReference: 'ORD-S-1',
      customerId: 'C-1',
      items: [
        { sku: 'SKU-1', quantity: 7 },
        { sku: 'SKU-2', quantity: 2 },
      ],
      address: sealedAddress,
      status: 'created',
      createdOn: '2026-03-01',
      packedOn: null,
      dispatchedOn: null,
      deliveredOn: null,
      cancelledOn: null,
      carrier: null,
      trackingNumber: null,
      receivedBy: null,
      cancellationReason: null,
      costOfGoods: null,
      stockReturned: false,
      timeline: [
        {
          step: 'created',
          date: null,
          recordedAt: '2026-03-01T00:00:01.000Z',
          actor: 'key-warehouse',
          onBehalfOf: 'alice@example.com',
          requestId: 'req-1',
        },
      ],
      revision: 0,
      ...overrides,
    };
    return { ...document };
  }

  it('ShipmentCreated creates the shipment, its address kept sealed as the log holds it', () => {
    const log = logisticsLog();
    given(shipmentsProjection, [
      log.shipmentCreated('S-1', { address: sealedAddress, metadata: whoDidIt }),
    ]).thenDocuments({
      'S-1': shipment(),
    });
  });

  it('keeps a plain address of older history, and an erased one as null', () => {
    const plain = logisticsLog();
    given(shipmentsProjection, [
      plain.shipmentCreated('S-1', { address, metadata: whoDidIt }),
    ]).then('S-1', shipment({ address }));
    const erased = logisticsLog();
    given(shipmentsProjection, [
      erased.shipmentCreated('S-1', { address: null, metadata: whoDidIt }),
    ]).then('S-1', shipment({ address: null }));
  });

  it('leaves the timeline’s who unknown when the metadata does not say, or says it oddly', () => {
    const log = logisticsLog();
    given(shipmentsProjection, [
      log.shipmentCreated('S-1', {
        address: sealedAddress,
        metadata: { actor: 7, requestId: 'req-2' },
      }),
    ]).then(
      'S-1',
      shipment({
        timeline: [
          {
            step: 'created',
            date: null,
            recordedAt: '2026-03-01T00:00:01.000Z',
            actor: null,
            onBehalfOf: null,
            requestId: 'req-2',
          },
        ],
      }),
    );
  });

  it('follows every step to delivery, each on the timeline with its date and revision', () => {
    const log = logisticsLog();
    const events = [
      log.shipmentCreated('S-1', { address: sealedAddress, metadata: whoDidIt }),
      log.shipmentStep(
        {
          type: 'ShipmentPacked',
          data: { shipmentId: 'S-1', packedOn: '2026-03-10', totalCost: '18.40' },
        },
        { actor: 'system:stock-reconciler' },
      ),
      log.shipmentStep({
        type: 'ShipmentDispatched',
        data: {
          shipmentId: 'S-1',
          carrier: 'La Poste',
          trackingNumber: 'LP-123',
          dispatchedOn: '2026-03-11',
        },
      }),
      log.shipmentStep({
        type: 'ShipmentDelivered',
        data: { shipmentId: 'S-1', deliveredOn: '2026-03-13', receivedBy: 'J. Martin' },
      }),
    ];
    const step = (name: string, date: string, second: number, actor: string | null = null) => ({
      step: name,
      date,
      recordedAt: `2026-03-01T00:00:0${second}.000Z`,
      actor,
      onBehalfOf: null,
      requestId: null,
    });
    given(shipmentsProjection, events.slice(0, 2)).then(
      'S-1',
      shipment({
        status: 'packed',
        packedOn: '2026-03-10',
        costOfGoods: '18.40',
        timeline: [
          ...(shipment().timeline as ShipmentDocument['timeline']),
          step('packed', '2026-03-10', 2, 'system:stock-reconciler'),
        ],
        revision: 1,
      }),
    );
    given(shipmentsProjection, events).then(
      'S-1',
      shipment({
        status: 'delivered',
        packedOn: '2026-03-10',
        dispatchedOn: '2026-03-11',
        deliveredOn: '2026-03-13',
        carrier: 'La Poste',
        trackingNumber: 'LP-123',
        receivedBy: 'J. Martin',
        costOfGoods: '18.40',
        timeline: [
          ...(shipment().timeline as ShipmentDocument['timeline']),
          step('packed', '2026-03-10', 2, 'system:stock-reconciler'),
          step('dispatched', '2026-03-11', 3),
          step('delivered', '2026-03-13', 4),
        ],
        revision: 3,
      }),
    );
  });

  it('ShipmentCancelled records the reason; StockReturned marks the stock back without a revision', () => {
    const log = logisticsLog();
    const events = [
      log.shipmentCreated('S-1', { address: sealedAddress, metadata: whoDidIt }),
      log.shipmentStep({
        type: 'ShipmentPacked',
        data: { shipmentId: 'S-1', packedOn: '2026-03-10', totalCost: '18.40' },
      }),
      log.shipmentStep({
        type: 'ShipmentCancelled',
        data: { shipmentId: 'S-1', reason: 'Customer cancelled', cancelledOn: '2026-03-12' },
      }),
      log.stockReturned(returnedBoth),
    ];
    const entry = (name: string, date: string, second: number) => ({
      step: name,
      date,
      recordedAt: `2026-03-01T00:00:0${second}.000Z`,
      actor: null,
      onBehalfOf: null,
      requestId: null,
    });
    given(shipmentsProjection, events).thenDocuments({
      'S-1': shipment({
        status: 'cancelled',
        packedOn: '2026-03-10',
        cancelledOn: '2026-03-12',
        cancellationReason: 'Customer cancelled',
        costOfGoods: '18.40',
        stockReturned: true,
        timeline: [
          ...(shipment().timeline as ShipmentDocument['timeline']),
          entry('packed', '2026-03-10', 2),
          entry('cancelled', '2026-03-12', 3),
          entry('stock returned', '2026-03-12', 4),
        ],
        // The return is in the warehouse's stream: the shipment's revision (its ETag) stays.
        revision: 2,
      }),
    });
  });

  it('keeps shipments apart, by id', () => {
    const log = logisticsLog();
    given(shipmentsProjection, [
      log.shipmentCreated('S-1', { address: sealedAddress, metadata: whoDidIt }),
      log.shipmentCreated('S-2', { address: sealedAddress, customerId: 'C-2' }),
      log.shipmentStep({
        type: 'ShipmentCancelled',
        data: { shipmentId: 'S-2', reason: 'Duplicate', cancelledOn: '2026-03-04' },
      }),
    ])
      .then('S-1', shipment())
      .and('S-2', {
        ...shipment({ shipmentId: 'S-2', orderReference: 'ORD-S-2', customerId: 'C-2' }),
        status: 'cancelled',
        cancelledOn: '2026-03-04',
        cancellationReason: 'Duplicate',
        timeline: [
          {
            step: 'created',
            date: null,
            recordedAt: '2026-03-01T00:00:02.000Z',
            actor: null,
            onBehalfOf: null,
            requestId: null,
          },
          {
            step: 'cancelled',
            date: '2026-03-04',
            recordedAt: '2026-03-01T00:00:03.000Z',
            actor: null,
            onBehalfOf: null,
            requestId: null,
          },
        ],
        revision: 1,
      });
  });

  it('refuses a step of a shipment it never saw created', () => {
    const log = logisticsLog();
    given(shipmentsProjection, [
      log.shipmentStep({
        type: 'ShipmentPacked',
        data: { shipmentId: 'S-1', packedOn: '2026-03-10', totalCost: '18.40' },
      }),
    ]).thenThrows('ShipmentPacked for shipment S-1, never created');
    given(shipmentsProjection, [logisticsLog().stockReturned(returnedBoth)]).thenThrows(
      'StockReturned for shipment S-1, never created',
    );
  });
});
