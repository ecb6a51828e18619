import { isCurrencyCode } from '../shared/currency.js';
import type { Decider } from '../shared/decider.js';
import { refuse } from '../shared/errors.js';
import type { OpenAccount } from './commands.js';
import type { AccountType, LedgerEvent } from './events.js';

export type AccountState =
  | { readonly status: 'none' }
  | {
      readonly status: 'open';
      readonly code: string;
      readonly name: string;
      readonly type: AccountType;
      readonly currency: string;
    };

export const initialAccountState: AccountState = { status: 'none' };

export const ACCOUNT_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

export function decideAccount(command: OpenAccount, state: AccountState): LedgerEvent[] {
  if (!ACCOUNT_CODE.test(command.code)) {
    refuse({
      kind: 'invalid',
      code: 'InvalidAccountCode',
      message: 'Account code must be 1-32 letters, digits, ".", "_" or "-"',
      issues: [{ path: 'code', message: 'must be 1-32 letters, digits, ".", "_" or "-"' }],
    });
  }
  if (!isCurrencyCode(command.currency)) {
    refuse({
      kind: 'invalid',
      code: 'UnknownCurrency',
      message: `${command.currency} is not an ISO 4217 currency with minor units`,
      issues: [{ path: 'currency', message: 'must be an ISO 4217 currency code' }],
    });
  }
  if (command.name.trim() === '') {
    refuse({
      kind: 'invalid',
      code: 'InvalidAccountName',
      message: 'Account name must not be blank',
      issues: [{ path: 'name', message: 'must not be blank' }],
    });
  }
  if (state.status !== 'none') {
    refuse({
      kind: 'conflict',
      code: 'AccountAlreadyExists',
      message: `Account ${command.code} already exists`,
    });
  }
  return [
    {
      type: 'AccountOpened',
      data: {
        code: command.code,
        name: command.name,
        type: command.accountType,
        currency: command.currency,
      },
    },
  ];
}

export function evolveAccount(state: AccountState, event: LedgerEvent): AccountState {
  switch (event.type) {
    case 'AccountOpened':
      return { status: 'open', ...event.data };
    default:
      return state;
  }
}

export const accountDecider: Decider<AccountState, OpenAccount, LedgerEvent> = {
  initialState: initialAccountState,
  evolve: evolveAccount,
  decide: decideAccount,
};
