import { describe, expect, it } from 'vitest';
import {
  decideAccount,
  evolveAccount,
  initialAccountState,
} from '../../../src/domain/ledger/account.js';
import type { OpenAccount } from '../../../src/domain/ledger/commands.js';
import { accountTypes, type AccountOpened } from '../../../src/domain/ledger/events.js';
import { givenWhenThen } from './given-when-then.js';

const given = givenWhenThen({
  initialState: initialAccountState,
  evolve: evolveAccount,
  decide: decideAccount,
});

function openAccount(overrides: Partial<OpenAccount> = {}): OpenAccount {
  return {
    type: 'OpenAccount',
    code: '1000',
    name: 'Cash',
    accountType: 'asset',
    currency: 'EUR',
    ...overrides,
  };
}

const cashOpened: AccountOpened = {
  type: 'AccountOpened',
  data: { code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' },
};

describe('opening an account', () => {
  it('opens a new account', () => {
    given([]).when(openAccount()).then([cashOpened]);
  });

  it.each(accountTypes)('opens an account of type %s', (accountType) => {
    given([])
      .when(
        openAccount({
          code: `A-${accountType}`,
          name: 'Some account',
          accountType,
          currency: 'JPY',
        }),
      )
      .then([
        {
          type: 'AccountOpened',
          data: {
            code: `A-${accountType}`,
            name: 'Some account',
            type: accountType,
            currency: 'JPY',
          },
        },
      ]);
  });

  it.each(['1', 'a'.repeat(32), 'A.b_c-1', '4000.EUR', '0'])('accepts the code %j', (code) => {
    given([])
      .when(openAccount({ code }))
      .then([{ ...cashOpened, data: { ...cashOpened.data, code } }]);
  });

  it('refuses a code that is already open', () => {
    given([cashOpened])
      .when(openAccount())
      .thenRefuses({ kind: 'conflict', code: 'AccountAlreadyExists', message: '1000' });
  });

  it('refuses a code that is already open even with other details', () => {
    given([cashOpened])
      .when(openAccount({ name: 'Other', accountType: 'revenue', currency: 'USD' }))
      .thenRefuses({ kind: 'conflict', code: 'AccountAlreadyExists' });
  });

  it.each(['', '-1000', '.1000', '_1000', '10 00', 'a'.repeat(33), 'Kässe', '10/00', '1000\n'])(
    'refuses the code %j',
    (code) => {
      given([])
        .when(openAccount({ code }))
        .thenRefuses({ kind: 'invalid', code: 'InvalidAccountCode', issues: ['code'] });
    },
  );

  it.each(['eur', 'XAU', 'XXX', 'ABC', '', 'EURO'])('refuses the currency %j', (currency) => {
    given([])
      .when(openAccount({ currency }))
      .thenRefuses({ kind: 'invalid', code: 'UnknownCurrency', issues: ['currency'] });
  });

  it.each(['', ' ', '\t\n  '])('refuses the blank name %j', (name) => {
    given([])
      .when(openAccount({ name }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidAccountName', issues: ['name'] });
  });
});

describe('account state', () => {
  it('is open with the details of AccountOpened', () => {
    expect(evolveAccount(initialAccountState, cashOpened)).toEqual({
      status: 'open',
      code: '1000',
      name: 'Cash',
      type: 'asset',
      currency: 'EUR',
    });
  });

  it('ignores other ledger events', () => {
    expect(
      evolveAccount(initialAccountState, { type: 'PeriodClosed', data: { period: '2026-01' } }),
    ).toBe(initialAccountState);
  });
});
