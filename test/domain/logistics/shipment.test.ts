import { describe, expect, it } from 'vitest';
import type {
  CancelShipment,
  CreateShipment,
  DeliverShipment,
  DispatchShipment,
  MarkShipmentPacked,
} from '../../../src/domain/logistics/commands.js';
import {
  shipmentEventSchemas,
  type LogisticsEvent,
  type ShipmentEvent,
} from '../../../src/domain/logistics/events.js';
import {
  evolveShipment,
  initialShipmentState,
  MAX_SHIPMENT_LINES,
  refuseUnlessPackable,
  shipmentDecider,
  type ShipmentFacts,
} from '../../../src/domain/logistics/shipment.js';
import { logisticsEventStreams, logisticsStreams } from '../../../src/domain/logistics/streams.js';
import { MAX_QUANTITY } from '../../../src/domain/logistics/warehouse.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';
import { DomainError } from '../../../src/domain/shared/errors.js';
import { givenWhenThen } from '../ledger/given-when-then.js';

type Of<Type extends ShipmentEvent['type']> = Extract<ShipmentEvent, { type: Type }>;

function facts(
  overrides: { customerExists?: boolean; registeredSkus?: string[] } = {},
): ShipmentFacts {
  return {
    customerExists: overrides.customerExists ?? true,
    registeredSkus: new Set(overrides.registeredSkus ?? ['SKU-1', 'SKU-2']),
  };
}

const given = givenWhenThen(shipmentDecider, facts());
const withFacts = (shipmentFacts: ShipmentFacts) => givenWhenThen(shipmentDecider, shipmentFacts);

// --- commands ---------------------------------------------------------------------------------

function create(overrides: Partial<CreateShipment> = {}): CreateShipment {
  return {
    type: 'CreateShipment',
    shipmentId: 'S-1',
    orderReference: 'ORD-1',
    customerId: 'C-1',
    items: [
      { sku: 'SKU-1', quantity: 7 },
      { sku: 'SKU-2', quantity: 2 },
    ],
    address: { line1: '12 Rue de la Paix', city: 'Lyon', postalCode: '69001', country: 'FR' },
    ...overrides,
  };
}

function pack(overrides: Partial<MarkShipmentPacked> = {}): MarkShipmentPacked {
  return {
    type: 'MarkShipmentPacked',
    shipmentId: 'S-1',
    packedOn: '2026-03-10',
    totalCost: '18.41',
    ...overrides,
  };
}

function dispatch(overrides: Partial<DispatchShipment> = {}): DispatchShipment {
  return {
    type: 'DispatchShipment',
    shipmentId: 'S-1',
    carrier: 'La Poste',
    trackingNumber: 'LP-123',
    dispatchedOn: '2026-03-11',
    ...overrides,
  };
}

function deliver(overrides: Partial<DeliverShipment> = {}): DeliverShipment {
  return { type: 'DeliverShipment', shipmentId: 'S-1', deliveredOn: '2026-03-13', ...overrides };
}

function cancel(overrides: Partial<CancelShipment> = {}): CancelShipment {
  return {
    type: 'CancelShipment',
    shipmentId: 'S-1',
    reason: 'Customer cancelled',
    cancelledOn: '2026-03-12',
    ...overrides,
  };
}

// --- events -----------------------------------------------------------------------------------

const created: Of<'ShipmentCreated'> = {
  type: 'ShipmentCreated',
  data: {
    shipmentId: 'S-1',
    orderReference: 'ORD-1',
    customerId: 'C-1',
    items: [
      { sku: 'SKU-1', quantity: 7 },
      { sku: 'SKU-2', quantity: 2 },
    ],
    address: { line1: '12 Rue de la Paix', city: 'Lyon', postalCode: '69001', country: 'FR' },
  },
};

const packed: Of<'ShipmentPacked'> = {
  type: 'ShipmentPacked',
  data: { shipmentId: 'S-1', packedOn: '2026-03-10', totalCost: '18.41' },
};

const dispatched: Of<'ShipmentDispatched'> = {
  type: 'ShipmentDispatched',
  data: {
    shipmentId: 'S-1',
    carrier: 'La Poste',
    trackingNumber: 'LP-123',
    dispatchedOn: '2026-03-11',
  },
};

const delivered: Of<'ShipmentDelivered'> = {
  type: 'ShipmentDelivered',
  data: { shipmentId: 'S-1', deliveredOn: '2026-03-13', receivedBy: null },
};

const cancelled: Of<'ShipmentCancelled'> = {
  type: 'ShipmentCancelled',
  data: { shipmentId: 'S-1', reason: 'Customer cancelled', cancelledOn: '2026-03-12' },
};

describe('the shipment stream', () => {
  it('is one stream per shipment', () => {
    expect(logisticsStreams.shipment('S-1')).toBe('shipment-S-1');
    expect(logisticsEventStreams.ShipmentPacked).toBe('shipment-<shipmentId>');
  });

  it('stores events its schemas accept', () => {
    for (const event of [created, packed, dispatched, delivered, cancelled]) {
      expect(shipmentEventSchemas[event.type].parse(event.data)).toEqual(event.data);
    }
  });
});

// --- CreateShipment ---------------------------------------------------------------------------

describe('CreateShipment', () => {
  it('creates the shipment with its items and address; no stock is taken', () => {
    given().when(create()).then([created]);
  });

  it('keeps a second address line when there is one, and only the fields it knows', () => {
    const address = {
      line1: '12 Rue de la Paix',
      line2: 'Bâtiment B',
      city: 'Lyon',
      postalCode: '69001',
      country: 'FR',
      extra: 'dropped',
    };
    given()
      .when(create({ address }))
      .then([
        {
          ...created,
          data: {
            ...created.data,
            address: {
              line1: '12 Rue de la Paix',
              line2: 'Bâtiment B',
              city: 'Lyon',
              postalCode: '69001',
              country: 'FR',
            },
          },
        },
      ]);
  });

  it('refuses no items, and more lines than a shipment holds', () => {
    given()
      .when(create({ items: [] }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidShipment', issues: ['items'] });
    const many = Array.from({ length: MAX_SHIPMENT_LINES + 1 }, (_, n) => ({
      sku: `SKU-${n}`,
      quantity: 1,
    }));
    given()
      .when(create({ items: many }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidShipment',
        issues: ['items'],
        message: `must hold 1 to ${MAX_SHIPMENT_LINES} lines`,
      });
  });

  it('accepts as many lines as a shipment holds', () => {
    const skus = Array.from({ length: MAX_SHIPMENT_LINES }, (_, n) => `SKU-${n}`);
    const [event] = shipmentDecider.decide(
      create({ items: skus.map((sku) => ({ sku, quantity: 1 })) }),
      initialShipmentState,
      facts({ registeredSkus: skus }),
    );
    expect(event?.type).toBe('ShipmentCreated');
  });

  it('refuses bad quantities, a SKU on two lines, a blank address and order reference', () => {
    given()
      .when(
        create({
          orderReference: ' ',
          items: [
            { sku: 'SKU-1', quantity: 0 },
            { sku: 'SKU-2', quantity: 1.5 },
            { sku: 'SKU-1', quantity: MAX_QUANTITY + 1 },
          ],
          address: { line1: '', city: ' ', postalCode: '', country: 'FR' },
        }),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidShipment',
        issues: [
          'items[0].quantity',
          'items[1].quantity',
          'items[2].quantity',
          'items[2].sku',
          'address.line1',
          'address.city',
          'address.postalCode',
          'orderReference',
        ],
      });
  });

  it('refuses a shipment id already taken', () => {
    given([created])
      .when(create())
      .thenRefuses({ kind: 'conflict', code: 'ShipmentAlreadyExists', message: 'S-1' });
    given([created, cancelled])
      .when(create())
      .thenRefuses({ kind: 'conflict', code: 'ShipmentAlreadyExists' });
  });

  it('refuses a customer that is not registered, or not known to be', () => {
    withFacts(facts({ customerExists: false }))()
      .when(create())
      .thenRefuses({ kind: 'conflict', code: 'CustomerNotFoundForShipment', message: 'C-1' });
    withFacts({ registeredSkus: new Set(['SKU-1', 'SKU-2']) })()
      .when(create())
      .thenRefuses({ kind: 'conflict', code: 'CustomerNotFoundForShipment' });
  });

  it('refuses SKUs that are not registered items, naming them', () => {
    withFacts(facts({ registeredSkus: ['SKU-1'] }))()
      .when(create())
      .thenRefuses({ kind: 'conflict', code: 'UnknownItem', message: 'SKU-2' });
    withFacts({ customerExists: true })().when(create()).thenRefuses({
      kind: 'conflict',
      code: 'UnknownItem',
      message: 'No item is registered with SKU SKU-1, SKU-2',
    });
  });

  it('checks the command, then the id, then the customer, then the items', () => {
    const nothingKnown = withFacts({});
    nothingKnown([created])
      .when(create({ items: [] }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidShipment' });
    nothingKnown([created])
      .when(create())
      .thenRefuses({ kind: 'conflict', code: 'ShipmentAlreadyExists' });
    nothingKnown()
      .when(create())
      .thenRefuses({ kind: 'conflict', code: 'CustomerNotFoundForShipment' });
  });
});

// --- the steps --------------------------------------------------------------------------------

describe('every later step', () => {
  it('refuses a shipment that does not exist', () => {
    for (const command of [pack(), dispatch(), deliver(), cancel()]) {
      given().when(command).thenRefuses({
        kind: 'not_found',
        code: 'ShipmentNotFound',
        message: 'S-1 does not exist',
      });
    }
  });

  it('refuses a date that is not a calendar date', () => {
    given()
      .when(pack({ packedOn: '2026-02-29' }))
      .thenRefuses({ kind: 'not_found', code: 'ShipmentNotFound' });
    given([created])
      .when(pack({ packedOn: '2026-02-29' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidShipmentStep', issues: ['packedOn'] });
    given([created, packed])
      .when(dispatch({ dispatchedOn: 'tomorrow' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidShipmentStep', issues: ['dispatchedOn'] });
    given([created, packed, dispatched])
      .when(deliver({ deliveredOn: '2026-13-01' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidShipmentStep', issues: ['deliveredOn'] });
    given([created])
      .when(cancel({ cancelledOn: '' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidShipmentStep', issues: ['cancelledOn'] });
  });

  it('refuses a date before the previous step, and takes the same day', () => {
    given([created, packed])
      .when(dispatch({ dispatchedOn: '2026-03-09' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidShipmentStep',
        issues: ['dispatchedOn'],
        message: "must not be before the shipment's last step, on 2026-03-10",
      });
    given([created, packed, dispatched])
      .when(deliver({ deliveredOn: '2026-03-10' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidShipmentStep', issues: ['deliveredOn'] });
    given([created, packed])
      .when(cancel({ cancelledOn: '2026-03-01' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidShipmentStep', issues: ['cancelledOn'] });
    given([created, packed])
      .when(dispatch({ dispatchedOn: '2026-03-10' }))
      .then([{ ...dispatched, data: { ...dispatched.data, dispatchedOn: '2026-03-10' } }]);
  });

  it('dates the first step freely: creation has no date of its own', () => {
    given([created])
      .when(pack({ packedOn: '2001-01-01' }))
      .then([{ ...packed, data: { ...packed.data, packedOn: '2001-01-01' } }]);
  });
});

describe('MarkShipmentPacked', () => {
  it('records the pack and what its stock cost', () => {
    given([created]).when(pack()).then([packed]);
  });

  it('records nothing for a shipment already packed, whatever it says', () => {
    given([created, packed]).when(pack()).then([]);
    given([created, packed])
      .when(pack({ packedOn: '2026-03-01', totalCost: '0.00' }))
      .then([]);
  });

  it('refuses a shipment past packing, or cancelled', () => {
    given([created, packed, dispatched])
      .when(pack({ packedOn: '2026-03-11' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'ShipmentTransitionNotAllowed',
        message: 'Shipment S-1 is dispatched: only a created shipment can be packed',
      });
    given([created, packed, dispatched, delivered])
      .when(pack({ packedOn: '2026-03-13' }))
      .thenRefuses({ kind: 'conflict', code: 'ShipmentTransitionNotAllowed' });
    given([created, cancelled])
      .when(pack({ packedOn: '2026-03-12' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'ShipmentTransitionNotAllowed',
        message: 'is cancelled',
      });
  });
});

describe('refuseUnlessPackable', () => {
  it('passes a created shipment and refuses any other, or none', () => {
    const state = (events: readonly LogisticsEvent[]) => foldEvents(shipmentDecider, events);
    expect(() => refuseUnlessPackable(state([created]), 'S-1')).not.toThrow();
    const refusal = (events: readonly LogisticsEvent[]) => {
      try {
        refuseUnlessPackable(state(events), 'S-1');
      } catch (error) {
        return error instanceof DomainError ? error.refusal.code : 'not a refusal';
      }
      return 'passed';
    };
    expect(refusal([])).toBe('ShipmentNotFound');
    expect(refusal([created, packed])).toBe('ShipmentTransitionNotAllowed');
    expect(refusal([created, cancelled])).toBe('ShipmentTransitionNotAllowed');
  });
});

describe('DispatchShipment', () => {
  it('dispatches a packed shipment with its carrier and tracking number', () => {
    given([created, packed]).when(dispatch()).then([dispatched]);
  });

  it('refuses a blank carrier and tracking number, listing each', () => {
    given([created, packed])
      .when(dispatch({ carrier: ' ', trackingNumber: '' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidShipmentStep',
        issues: ['carrier', 'trackingNumber'],
      });
  });

  it('refuses anything but a packed shipment', () => {
    given([created]).when(dispatch()).thenRefuses({
      kind: 'conflict',
      code: 'ShipmentTransitionNotAllowed',
      message: 'Shipment S-1 is created: only a packed shipment can be dispatched',
    });
    for (const history of [
      [created, packed, dispatched],
      [created, packed, dispatched, delivered],
      [created, cancelled],
    ]) {
      given(history)
        .when(dispatch({ dispatchedOn: '2026-03-20' }))
        .thenRefuses({ kind: 'conflict', code: 'ShipmentTransitionNotAllowed' });
    }
  });
});

describe('DeliverShipment', () => {
  it('delivers a dispatched shipment, with who signed when known', () => {
    given([created, packed, dispatched]).when(deliver()).then([delivered]);
    given([created, packed, dispatched])
      .when(deliver({ receivedBy: 'J. Martin' }))
      .then([{ ...delivered, data: { ...delivered.data, receivedBy: 'J. Martin' } }]);
  });

  it('refuses anything but a dispatched shipment', () => {
    given([created, packed]).when(deliver()).thenRefuses({
      kind: 'conflict',
      code: 'ShipmentTransitionNotAllowed',
      message: 'Shipment S-1 is packed: only a dispatched shipment can be delivered',
    });
    for (const history of [
      [created],
      [created, packed, dispatched, delivered],
      [created, cancelled],
    ]) {
      given(history)
        .when(deliver({ deliveredOn: '2026-03-20' }))
        .thenRefuses({ kind: 'conflict', code: 'ShipmentTransitionNotAllowed' });
    }
  });
});

describe('CancelShipment', () => {
  it('cancels a created or a packed shipment', () => {
    given([created]).when(cancel()).then([cancelled]);
    given([created, packed]).when(cancel()).then([cancelled]);
  });

  it('refuses a blank reason', () => {
    given([created])
      .when(cancel({ reason: ' ' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidShipmentStep', issues: ['reason'] });
  });

  it('refuses a shipment dispatched, delivered or already cancelled', () => {
    given([created, packed, dispatched]).when(cancel()).thenRefuses({
      kind: 'conflict',
      code: 'ShipmentTransitionNotAllowed',
      message: 'Shipment S-1 is dispatched: only a shipment not yet dispatched can be cancelled',
    });
    for (const history of [
      [created, packed, dispatched, delivered],
      [created, cancelled],
    ]) {
      given(history)
        .when(cancel({ cancelledOn: '2026-03-20' }))
        .thenRefuses({ kind: 'conflict', code: 'ShipmentTransitionNotAllowed' });
    }
  });
});

describe('the shipment state', () => {
  it('follows each step with its status and date', () => {
    const after = (events: readonly LogisticsEvent[]) => foldEvents(shipmentDecider, events);
    expect(after([created])).toEqual({
      status: 'created',
      shipmentId: 'S-1',
      orderReference: 'ORD-1',
      customerId: 'C-1',
      items: created.data.items,
      address: created.data.address,
      lastDate: null,
    });
    expect(after([created, packed])).toMatchObject({ status: 'packed', lastDate: '2026-03-10' });
    expect(after([created, packed, dispatched])).toMatchObject({
      status: 'dispatched',
      lastDate: '2026-03-11',
    });
    expect(after([created, packed, dispatched, delivered])).toMatchObject({
      status: 'delivered',
      lastDate: '2026-03-13',
    });
    expect(after([created, packed, cancelled])).toMatchObject({
      status: 'cancelled',
      lastDate: '2026-03-12',
    });
  });

  it('ignores steps of a shipment never created, and events of other records', () => {
    expect(evolveShipment(initialShipmentState, packed)).toBe(initialShipmentState);
    const state = evolveShipment(initialShipmentState, created);
    expect(
      evolveShipment(state, {
        type: 'ItemRegistered',
        data: { sku: 'SKU-1', name: 'Blue mug', unit: 'piece' },
      }),
    ).toBe(state);
  });
});
