import { describe, expect, it } from 'vitest';
import type { RegisterItem } from '../../../src/domain/logistics/commands.js';
import {
  logisticsEventSchemas,
  type LogisticsEvent,
} from '../../../src/domain/logistics/events.js';
import { evolveItem, initialItemState, itemDecider } from '../../../src/domain/logistics/item.js';
import { logisticsEventStreams, logisticsStreams } from '../../../src/domain/logistics/streams.js';
import { givenWhenThen } from '../ledger/given-when-then.js';

const given = givenWhenThen(itemDecider);

function register(overrides: Partial<RegisterItem> = {}): RegisterItem {
  return { type: 'RegisterItem', sku: 'SKU-1', name: 'Blue mug', unit: 'piece', ...overrides };
}

const registered: LogisticsEvent = {
  type: 'ItemRegistered',
  data: { sku: 'SKU-1', name: 'Blue mug', unit: 'piece' },
};

describe('RegisterItem', () => {
  it('registers the item with its name and unit', () => {
    given().when(register()).then([registered]);
  });

  it('stores an event its schema accepts', () => {
    expect(logisticsEventSchemas.ItemRegistered.parse(registered.data)).toEqual(registered.data);
  });

  it('refuses a blank name and a blank unit, listing each', () => {
    given()
      .when(register({ name: ' ', unit: '' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidItem', issues: ['name', 'unit'] });
    given()
      .when(register({ unit: '\t' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidItem', issues: ['unit'] });
  });

  it('refuses a SKU already registered, whatever the name', () => {
    given([registered])
      .when(register({ name: 'Red mug' }))
      .thenRefuses({ kind: 'conflict', code: 'ItemAlreadyExists', message: 'SKU-1' });
  });

  it('checks the command before the state: a blank name is invalid even for a known SKU', () => {
    given([registered])
      .when(register({ name: '' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidItem', issues: ['name'] });
  });
});

describe('the item state', () => {
  it('is the registered item, and ignores other events', () => {
    const state = evolveItem(initialItemState, registered);
    expect(state).toEqual({ status: 'registered', sku: 'SKU-1', name: 'Blue mug', unit: 'piece' });
    expect(
      evolveItem(state, {
        type: 'ShipmentPacked',
        data: { shipmentId: 'S-1', packedOn: '2026-03-10', totalCost: '1.00' },
      }),
    ).toBe(state);
  });

  it('lives in one stream per SKU', () => {
    expect(logisticsStreams.item('SKU-1')).toBe('item-SKU-1');
    expect(logisticsEventStreams.ItemRegistered).toBe('item-<sku>');
  });
});
