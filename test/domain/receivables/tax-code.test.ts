import { describe, expect, it } from 'vitest';
import type { AccountState } from '../../../src/domain/ledger/account.js';
import type { ChangeTaxRate, CreateTaxCode } from '../../../src/domain/receivables/commands.js';
import { receivablesEventSchemas } from '../../../src/domain/receivables/events.js';
import {
  decideTaxCode,
  evolveTaxCode,
  initialTaxCodeState,
  rateOn,
  taxCodeDecider,
  type TaxCodeFacts,
  type TaxCodeState,
} from '../../../src/domain/receivables/tax-code.js';
import { givenWhenThen } from '../ledger/given-when-then.js';
import { account, taxCodeCreated, taxCodeState, taxRateChanged } from './taxed-fixtures.js';

const output = account('2200', 'liability', 'EUR');

function taxCode(facts: TaxCodeFacts = { outputAccount: output }) {
  return givenWhenThen(taxCodeDecider, facts);
}
const given = taxCode();

function create(overrides: Partial<CreateTaxCode> = {}): CreateTaxCode {
  return {
    type: 'CreateTaxCode',
    code: 'VAT19',
    name: 'VAT standard',
    rate: '19',
    outputAccount: '2200',
    ...overrides,
  };
}

function change(overrides: Partial<ChangeTaxRate> = {}): ChangeTaxRate {
  return {
    type: 'ChangeTaxRate',
    code: 'VAT19',
    rate: '21',
    effectiveFrom: '2026-07-01',
    ...overrides,
  };
}

const vat19 = taxCodeCreated('VAT19', '19.00', '2200');
const vat19Created = { ...vat19, data: { ...vat19.data, name: 'VAT standard' } };

describe('creating a tax code', () => {
  it('records the code with its rate formatted and the output account’s currency', () => {
    given([])
      .when(create())
      .then([
        {
          type: 'TaxCodeCreated',
          data: {
            code: 'VAT19',
            name: 'VAT standard',
            rate: '19.00',
            outputAccount: '2200',
            currency: 'EUR',
          },
        },
      ]);
  });

  it('takes the currency of the output account', () => {
    taxCode({ outputAccount: account('2300', 'liability', 'JPY') })([])
      .when(create({ code: 'JCT10', rate: '10', outputAccount: '2300' }))
      .then([
        {
          type: 'TaxCodeCreated',
          data: {
            code: 'JCT10',
            name: 'VAT standard',
            rate: '10.00',
            outputAccount: '2300',
            currency: 'JPY',
          },
        },
      ]);
  });

  it.each([
    ['0', '0.00'],
    ['7.125', '7.125'],
    ['5.5000', '5.50'],
    ['100', '100.00'],
  ])('accepts the rate %j, recorded as %j', (rate, recorded) => {
    given([])
      .when(create({ rate }))
      .then([{ ...vat19Created, data: { ...vat19Created.data, rate: recorded } }]);
  });

  it('emits an event that matches the stored event schema', () => {
    const events = decideTaxCode(create(), initialTaxCodeState, { outputAccount: output });
    expect(events.map((event) => event.type)).toEqual(['TaxCodeCreated']);
    for (const event of events) {
      expect(() => receivablesEventSchemas[event.type].parse(event.data)).not.toThrow();
    }
  });

  it.each(['100.0001', '101', '12.34567', '-5', 'nineteen', '19%', ''])(
    'refuses the rate %j',
    (rate) => {
      given([])
        .when(create({ rate }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidTaxCode',
          issues: ['rate'],
          message: 'rate: must be a percentage from 0 to 100 with at most 4 decimals',
        });
    },
  );

  it.each(['', '   '])('refuses the name %j', (name) => {
    given([])
      .when(create({ name }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidTaxCode',
        issues: ['name'],
        message: 'name: must not be blank',
      });
  });

  it.each<[string, TaxCodeFacts]>([
    ['no facts of it', {}],
    ['an account never opened', { outputAccount: { status: 'none' } }],
  ])('refuses an output account that does not exist (%s)', (_case, facts) => {
    taxCode(facts)([])
      .when(create())
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidTaxCode',
        issues: ['outputAccount'],
        message: 'outputAccount: account 2200 does not exist',
      });
  });

  it.each<AccountState>([
    account('2200', 'revenue', 'EUR'),
    account('2200', 'asset', 'EUR'),
    account('2200', 'expense', 'EUR'),
    account('2200', 'equity', 'EUR'),
  ])('refuses an output account that is not a liability ($type)', (outputAccount) => {
    const type = outputAccount.status === 'open' ? outputAccount.type : '';
    taxCode({ outputAccount })([])
      .when(create())
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidTaxCode',
        issues: ['outputAccount'],
        message: `account 2200 is a ${type} account; tax owed is a liability`,
      });
  });

  it('reports every invalid part at once', () => {
    taxCode({})([])
      .when(create({ rate: '120', name: ' ' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidTaxCode',
        issues: ['rate', 'name', 'outputAccount'],
      });
  });

  it('refuses a code that already exists, whatever its rate', () => {
    given([vat19Created])
      .when(create({ rate: '20' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'TaxCodeAlreadyExists',
        message: 'Tax code VAT19 already exists',
      });
  });

  it('refuses a code that already exists and had its rate changed', () => {
    given([vat19Created, taxRateChanged('VAT19', '21.00', '2026-07-01')])
      .when(create())
      .thenRefuses({ kind: 'conflict', code: 'TaxCodeAlreadyExists' });
  });
});

describe('changing a tax rate', () => {
  it('records the new rate from its effective date', () => {
    given([vat19Created])
      .when(change())
      .then([
        {
          type: 'TaxRateChanged',
          data: { code: 'VAT19', rate: '21.00', effectiveFrom: '2026-07-01' },
        },
      ]);
  });

  it('may take effect on any date for the first change, the past included', () => {
    given([vat19Created])
      .when(change({ effectiveFrom: '2001-01-01', rate: '16' }))
      .then([taxRateChanged('VAT19', '16.00', '2001-01-01')]);
  });

  it('takes effect after the last change', () => {
    given([vat19Created, taxRateChanged('VAT19', '21.00', '2026-07-01')])
      .when(change({ rate: '7.125', effectiveFrom: '2026-07-02' }))
      .then([taxRateChanged('VAT19', '7.125', '2026-07-02')]);
  });

  it('emits an event that matches the stored event schema', () => {
    const events = decideTaxCode(change(), taxCodeState(vat19Created));
    for (const event of events) {
      expect(() => receivablesEventSchemas[event.type].parse(event.data)).not.toThrow();
    }
  });

  it.each(['2026-07-01', '2026-06-30', '2020-01-01'])(
    'refuses a change effective %s, not after the last change on 2026-07-01',
    (effectiveFrom) => {
      given([vat19Created, taxRateChanged('VAT19', '21.00', '2026-07-01')])
        .when(change({ rate: '22', effectiveFrom }))
        .thenRefuses({
          kind: 'conflict',
          code: 'TaxRateNotAfterLastChange',
          message: 'Tax code VAT19 already changes rate on 2026-07-01',
        });
    },
  );

  it('compares with the last change, not the first', () => {
    given([
      vat19Created,
      taxRateChanged('VAT19', '20.00', '2026-01-01'),
      taxRateChanged('VAT19', '21.00', '2026-07-01'),
    ])
      .when(change({ effectiveFrom: '2026-03-01' }))
      .thenRefuses({ kind: 'conflict', code: 'TaxRateNotAfterLastChange', message: '2026-07-01' });
  });

  it('refuses a rate taking effect in a closed period', () => {
    taxCode({ closedPeriods: new Set(['2026-07']) })([vat19Created])
      .when(change({ effectiveFrom: '2026-07-31' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'PeriodClosed',
        message: 'Period 2026-07 is closed',
      });
  });

  it('says what lifts the closed period refusal', () => {
    const refusal = taxCode({ closedPeriods: new Set(['2026-07']) })([vat19Created])
      .when(change())
      .thenRefuses({ kind: 'conflict', code: 'PeriodClosed' });
    expect(refusal.until).toBe('period 2026-07 is reopened');
  });

  it('takes effect in the open period right after a closed one', () => {
    taxCode({ closedPeriods: new Set(['2026-06']) })([vat19Created])
      .when(change())
      .then([taxRateChanged('VAT19', '21.00', '2026-07-01')]);
  });

  it('refuses a change of a code that does not exist', () => {
    given([])
      .when(change({ code: 'VAT99' }))
      .thenRefuses({
        kind: 'not_found',
        code: 'TaxCodeNotFound',
        message: 'Tax code VAT99 does not exist',
      });
  });

  it.each(['101', '1.23456', 'x'])('refuses the rate %j', (rate) => {
    given([vat19Created])
      .when(change({ rate }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidTaxRate', issues: ['rate'] });
  });

  it.each(['2026-02-30', '2026-7-01', '20260701', ''])(
    'refuses the effective date %j',
    (effectiveFrom) => {
      given([vat19Created])
        .when(change({ effectiveFrom }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidTaxRate',
          issues: ['effectiveFrom'],
          message: 'effectiveFrom: must be a calendar date, YYYY-MM-DD',
        });
    },
  );

  it('reports every invalid part at once, before looking for the code', () => {
    given([])
      .when(change({ rate: '-1', effectiveFrom: 'soon' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidTaxRate', issues: ['rate', 'effectiveFrom'] });
  });
});

describe('tax code state', () => {
  it('is active with the created rate in effect from the beginning', () => {
    expect(taxCodeState(vat19Created)).toEqual({
      status: 'active',
      code: 'VAT19',
      name: 'VAT standard',
      outputAccount: '2200',
      currency: 'EUR',
      rates: [{ effectiveFrom: null, rate: '19.00' }],
    });
  });

  it('appends each rate change in order', () => {
    const state = taxCodeState(
      vat19Created,
      taxRateChanged('VAT19', '20.00', '2026-01-01'),
      taxRateChanged('VAT19', '21.00', '2026-07-01'),
    );
    expect(state.status === 'active' && state.rates).toEqual([
      { effectiveFrom: null, rate: '19.00' },
      { effectiveFrom: '2026-01-01', rate: '20.00' },
      { effectiveFrom: '2026-07-01', rate: '21.00' },
    ]);
  });

  it('ignores a rate change with no code created before it', () => {
    expect(
      evolveTaxCode(initialTaxCodeState, taxRateChanged('VAT19', '20.00', '2026-01-01')),
    ).toEqual({ status: 'none' });
  });
});

describe('rateOn', () => {
  const state = taxCodeState(
    vat19Created,
    taxRateChanged('VAT19', '20.00', '2026-01-01'),
    taxRateChanged('VAT19', '21.00', '2026-07-01'),
    taxRateChanged('VAT19', '7.125', '2027-01-01'),
  ) as Extract<TaxCodeState, { status: 'active' }>;

  it.each([
    ['0001-01-01', null, '19.00'],
    ['2025-12-31', null, '19.00'],
    ['2026-01-01', '2026-01-01', '20.00'],
    ['2026-01-02', '2026-01-01', '20.00'],
    ['2026-06-30', '2026-01-01', '20.00'],
    ['2026-07-01', '2026-07-01', '21.00'],
    ['2026-07-02', '2026-07-01', '21.00'],
    ['2026-12-31', '2026-07-01', '21.00'],
    ['2027-01-01', '2027-01-01', '7.125'],
    ['2027-01-02', '2027-01-01', '7.125'],
    ['9999-12-31', '2027-01-01', '7.125'],
  ])('on %s is the rate effective from %s: %s', (date, effectiveFrom, rate) => {
    expect(rateOn(state, date)).toEqual({ effectiveFrom, rate });
  });

  it('is the created rate on every date when the rate never changed', () => {
    const unchanged = taxCodeState(vat19Created) as Extract<TaxCodeState, { status: 'active' }>;
    for (const date of ['0001-01-01', '2026-03-10', '9999-12-31']) {
      expect(rateOn(unchanged, date)).toEqual({ effectiveFrom: null, rate: '19.00' });
    }
  });
});
