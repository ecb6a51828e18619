/**
 * A shipment's life: created, packed, dispatched, delivered; or cancelled before dispatch. The
 * shipment's stream decides its status; the stock it takes is decided in the warehouse's stream
 * (warehouse.ts), first. `MarkShipmentPacked` therefore records a pack already made, and the
 * command layer and a reactor keep the two in step (see createLogisticsCommands).
 */
import type { Decider } from '../shared/decider.js';
import { isAccountingDate } from '../shared/dates.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import type { CreateShipment, ShipmentCommand } from './commands.js';
import type { LogisticsEvent, ShippingAddress } from './events.js';
import { MAX_QUANTITY, refuseUnknownItems } from './warehouse.js';

export type ShipmentStatus = 'created' | 'packed' | 'dispatched' | 'delivered' | 'cancelled';

export const MAX_SHIPMENT_LINES = 100;

export interface Shipment {
  readonly status: ShipmentStatus;
  readonly shipmentId: string;
  readonly orderReference: string;
  readonly customerId: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number }[];
  /** Personal data of the customer: `null` once read back after their erasure. */
  readonly address: ShippingAddress | null;
  /** The date of the last dated step: the next may not be before it. */
  readonly lastDate: string | null;
}

export type ShipmentState = { readonly status: 'none' } | Shipment;

export const initialShipmentState: ShipmentState = { status: 'none' };

export interface ShipmentFacts {
  /** Creation: whether the customer is registered. */
  readonly customerExists?: boolean;
  /** Creation: which of the SKUs named are registered items. */
  readonly registeredSkus?: ReadonlySet<string>;
}

export function decideShipment(
  command: ShipmentCommand,
  state: ShipmentState,
  facts: ShipmentFacts,
): LogisticsEvent[] {
  if (command.type === 'CreateShipment') return create(command, state, facts);
  const shipment = existing(state, command.shipmentId);
  switch (command.type) {
    case 'MarkShipmentPacked':
      // Recorded once, by whichever gets there first: the pack itself or the reconciler.
      if (shipment.status === 'packed') return [];
      refuseUnlessDated(command.packedOn, 'packedOn', shipment);
      refuseUnlessPackable(shipment, shipment.shipmentId);
      return [
        {
          type: 'ShipmentPacked',
          data: {
            shipmentId: shipment.shipmentId,
            packedOn: command.packedOn,
            totalCost: command.totalCost,
          },
        },
      ];
    case 'DispatchShipment': {
      refuseUnlessDated(command.dispatchedOn, 'dispatchedOn', shipment);
      const blanks = [
        ...(command.carrier.trim() === ''
          ? [{ path: 'carrier', message: 'must not be blank' }]
          : []),
        ...(command.trackingNumber.trim() === ''
          ? [{ path: 'trackingNumber', message: 'must not be blank' }]
          : []),
      ];
      if (blanks.length > 0) refuseInvalid('InvalidShipmentStep', blanks);
      if (shipment.status !== 'packed') refuseTransition(shipment, 'dispatched');
      return [
        {
          type: 'ShipmentDispatched',
          data: {
            shipmentId: shipment.shipmentId,
            carrier: command.carrier,
            trackingNumber: command.trackingNumber,
            dispatchedOn: command.dispatchedOn,
          },
        },
      ];
    }
    case 'DeliverShipment':
      refuseUnlessDated(command.deliveredOn, 'deliveredOn', shipment);
      if (shipment.status !== 'dispatched') refuseTransition(shipment, 'delivered');
      return [
        {
          type: 'ShipmentDelivered',
          data: {
            shipmentId: shipment.shipmentId,
            deliveredOn: command.deliveredOn,
            receivedBy: command.receivedBy ?? null,
          },
        },
      ];
    case 'CancelShipment':
      refuseUnlessDated(command.cancelledOn, 'cancelledOn', shipment);
      if (command.reason.trim() === '') {
        refuseInvalid('InvalidShipmentStep', [{ path: 'reason', message: 'must not be blank' }]);
      }
      if (shipment.status !== 'created' && shipment.status !== 'packed') {
        refuseTransition(shipment, 'cancelled');
      }
      return [
        {
          type: 'ShipmentCancelled',
          data: {
            shipmentId: shipment.shipmentId,
            reason: command.reason,
            cancelledOn: command.cancelledOn,
          },
        },
      ];
  }
}

function create(
  command: CreateShipment,
  state: ShipmentState,
  facts: ShipmentFacts,
): LogisticsEvent[] {
  const issues: { path: string; message: string }[] = [];
  if (command.items.length < 1 || command.items.length > MAX_SHIPMENT_LINES) {
    issues.push({ path: 'items', message: `must hold 1 to ${MAX_SHIPMENT_LINES} lines` });
  }
  const seen = new Set<string>();
  command.items.forEach((line, index) => {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
      issues.push({
        path: `items[${index}].quantity`,
        message: `must be a whole number from 1 to ${MAX_QUANTITY}`,
      });
    }
    if (seen.has(line.sku)) {
      issues.push({ path: `items[${index}].sku`, message: `${line.sku} is on another line` });
    }
    seen.add(line.sku);
  });
  for (const field of ['line1', 'city', 'postalCode'] as const) {
    if (command.address[field].trim() === '') {
      issues.push({ path: `address.${field}`, message: 'must not be blank' });
    }
  }
  if (command.orderReference.trim() === '') {
    issues.push({ path: 'orderReference', message: 'must not be blank' });
  }
  if (issues.length > 0) refuseInvalid('InvalidShipment', issues);
  if (state.status !== 'none') {
    refuse({
      kind: 'conflict',
      code: 'ShipmentAlreadyExists',
      message: `Shipment ${command.shipmentId} already exists`,
    });
  }
  if (facts.customerExists !== true) {
    refuse({
      kind: 'conflict',
      code: 'CustomerNotFoundForShipment',
      message: `Customer ${command.customerId} is not registered`,
    });
  }
  refuseUnknownItems(
    command.items.map((line) => line.sku),
    { registeredSkus: facts.registeredSkus ?? new Set() },
  );
  return [
    {
      type: 'ShipmentCreated',
      data: {
        shipmentId: command.shipmentId,
        orderReference: command.orderReference,
        customerId: command.customerId,
        items: command.items.map((line) => ({ sku: line.sku, quantity: line.quantity })),
        address: {
          line1: command.address.line1,
          ...(command.address.line2 !== undefined ? { line2: command.address.line2 } : {}),
          city: command.address.city,
          postalCode: command.address.postalCode,
          country: command.address.country,
        },
      },
    },
  ];
}

export function evolveShipment(state: ShipmentState, event: LogisticsEvent): ShipmentState {
  if (event.type === 'ShipmentCreated') {
    const { data } = event;
    return {
      status: 'created',
      shipmentId: data.shipmentId,
      orderReference: data.orderReference,
      customerId: data.customerId,
      items: data.items,
      address: data.address,
      lastDate: null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ShipmentPacked':
      return { ...state, status: 'packed', lastDate: event.data.packedOn };
    case 'ShipmentDispatched':
      return { ...state, status: 'dispatched', lastDate: event.data.dispatchedOn };
    case 'ShipmentDelivered':
      return { ...state, status: 'delivered', lastDate: event.data.deliveredOn };
    case 'ShipmentCancelled':
      return { ...state, status: 'cancelled', lastDate: event.data.cancelledOn };
    default:
      return state;
  }
}

function existing(state: ShipmentState, shipmentId: string): Shipment {
  if (state.status === 'none') {
    refuse({
      kind: 'not_found',
      code: 'ShipmentNotFound',
      message: `Shipment ${shipmentId} does not exist`,
    });
  }
  return state;
}

/** A calendar date not before the shipment's last dated step (400 otherwise). */
function refuseUnlessDated(date: string, path: string, shipment: Shipment): void {
  if (!isAccountingDate(date)) {
    refuseInvalid('InvalidShipmentStep', [
      { path, message: 'must be a calendar date, YYYY-MM-DD' },
    ]);
  }
  if (shipment.lastDate !== null && date < shipment.lastDate) {
    refuseInvalid('InvalidShipmentStep', [
      { path, message: `must not be before the shipment's last step, on ${shipment.lastDate}` },
    ]);
  }
}

/** Only a created shipment can be packed: a second pack is refused like any other step. */
export function refuseUnlessPackable(
  shipment: ShipmentState,
  shipmentId: string,
): asserts shipment is Shipment {
  const found = existing(shipment, shipmentId);
  if (found.status !== 'created') refuseTransition(found, 'packed');
}

function refuseTransition(shipment: Shipment, to: ShipmentStatus): never {
  const allowed: Record<ShipmentStatus, string> = {
    created: '',
    packed: 'a created shipment',
    dispatched: 'a packed shipment',
    delivered: 'a dispatched shipment',
    cancelled: 'a shipment not yet dispatched',
  };
  refuse({
    kind: 'conflict',
    code: 'ShipmentTransitionNotAllowed',
    message: `Shipment ${shipment.shipmentId} is ${shipment.status}: only ${allowed[to]} can be ${to}`,
  });
}

export const shipmentDecider: Decider<
  ShipmentState,
  ShipmentCommand,
  LogisticsEvent,
  ShipmentFacts
> = {
  initialState: initialShipmentState,
  evolve: evolveShipment,
  decide: decideShipment,
};
