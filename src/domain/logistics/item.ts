/** The item register: one stream per SKU, so a SKU is registered once however requests race. */
import type { Decider } from '../shared/decider.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import type { RegisterItem } from './commands.js';
import type { LogisticsEvent } from './events.js';

export type ItemState =
  | { readonly status: 'none' }
  | {
      readonly status: 'registered';
      readonly sku: string;
      readonly name: string;
      readonly unit: string;
    };

export const initialItemState: ItemState = { status: 'none' };

export function decideItem(command: RegisterItem, state: ItemState): LogisticsEvent[] {
  const issues = [
    ...(command.name.trim() === '' ? [{ path: 'name', message: 'must not be blank' }] : []),
    ...(command.unit.trim() === '' ? [{ path: 'unit', message: 'must not be blank' }] : []),
  ];
  if (issues.length > 0) refuseInvalid('InvalidItem', issues);
  if (state.status !== 'none') {
    refuse({
      kind: 'conflict',
      code: 'ItemAlreadyExists',
      message: `An item with SKU ${command.sku} is already registered`,
    });
  }
  return [
    {
      type: 'ItemRegistered',
      data: { sku: command.sku, name: command.name, unit: command.unit },
    },
  ];
}

export function evolveItem(state: ItemState, event: LogisticsEvent): ItemState {
  return event.type === 'ItemRegistered' ? { status: 'registered', ...event.data } : state;
}

export const itemDecider: Decider<ItemState, RegisterItem, LogisticsEvent> = {
  initialState: initialItemState,
  evolve: evolveItem,
  decide: decideItem,
};
