import { describe, expect, it } from 'vitest';
import type {
  ChangeCustomerDetails,
  EraseCustomerPersonalData,
  RegisterCustomer,
} from '../../../src/domain/receivables/commands.js';
import {
  customerDecider,
  type CustomerFacts,
  decideCustomer,
  evolveCustomer,
  initialCustomerState,
  MAX_PAYMENT_TERMS_DAYS,
} from '../../../src/domain/receivables/customer.js';
import {
  receivablesEventSchemas,
  type BillingAddress,
  type ReceivablesEvent,
} from '../../../src/domain/receivables/events.js';
import { givenWhenThen } from '../ledger/given-when-then.js';

type CustomerRegistered = Extract<ReceivablesEvent, { type: 'CustomerRegistered' }>;
type CustomerDetailsChanged = Extract<ReceivablesEvent, { type: 'CustomerDetailsChanged' }>;

const given = givenWhenThen({
  initialState: initialCustomerState,
  evolve: evolveCustomer,
  decide: decideCustomer,
});

const address: BillingAddress = {
  line1: '12 Rue de la Paix',
  city: 'Lyon',
  postalCode: '69001',
  country: 'FR',
};

function register(overrides: Partial<RegisterCustomer> = {}): RegisterCustomer {
  return {
    type: 'RegisterCustomer',
    customerId: 'C-1',
    name: 'Acme SARL',
    email: 'billing@acme.example',
    billingAddress: address,
    currency: 'EUR',
    paymentTermsDays: 30,
    ...overrides,
  };
}

function change(overrides: Partial<ChangeCustomerDetails> = {}): ChangeCustomerDetails {
  return { type: 'ChangeCustomerDetails', customerId: 'C-1', ...overrides };
}

const acmeRegistered: CustomerRegistered = {
  type: 'CustomerRegistered',
  data: {
    customerId: 'C-1',
    name: 'Acme SARL',
    email: 'billing@acme.example',
    billingAddress: {
      line1: '12 Rue de la Paix',
      city: 'Lyon',
      postalCode: '69001',
      country: 'FR',
    },
    currency: 'EUR',
    paymentTermsDays: 30,
  },
};

function detailsChanged(
  changes: CustomerDetailsChanged['data']['changes'],
): CustomerDetailsChanged {
  return { type: 'CustomerDetailsChanged', data: { customerId: 'C-1', changes } };
}

describe('registering a customer', () => {
  it('registers a new customer with the details of the command', () => {
    given([]).when(register()).then([acmeRegistered]);
  });

  it('keeps a second address line', () => {
    const billingAddress = { ...address, line2: 'Bâtiment B' };
    given([])
      .when(register({ billingAddress }))
      .then([
        {
          type: 'CustomerRegistered',
          data: {
            ...acmeRegistered.data,
            billingAddress: {
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

  it.each(['EUR', 'JPY', 'KWD', 'USD'])('registers a customer invoiced in %s', (currency) => {
    given([])
      .when(register({ currency }))
      .then([{ ...acmeRegistered, data: { ...acmeRegistered.data, currency } }]);
  });

  it.each([0, 1, 365])('accepts payment terms of %d days', (paymentTermsDays) => {
    given([])
      .when(register({ paymentTermsDays }))
      .then([{ ...acmeRegistered, data: { ...acmeRegistered.data, paymentTermsDays } }]);
  });

  it('allows at most 365 days of payment terms', () => {
    expect(MAX_PAYMENT_TERMS_DAYS).toBe(365);
  });

  it('emits an event that matches the stored event schema', () => {
    const [event] = decideCustomer(
      register({ billingAddress: { ...address, line2: 'Bâtiment B' } }),
      initialCustomerState,
    );
    expect(event?.type).toBe('CustomerRegistered');
    expect(() => receivablesEventSchemas.CustomerRegistered.parse(event?.data)).not.toThrow();
  });

  it('refuses a customer that already exists', () => {
    given([acmeRegistered])
      .when(register())
      .thenRefuses({ kind: 'conflict', code: 'CustomerAlreadyExists', message: 'C-1' });
  });

  it('refuses a customer that already exists even with other details', () => {
    given([acmeRegistered])
      .when(register({ name: 'Other', currency: 'USD', paymentTermsDays: 10 }))
      .thenRefuses({ kind: 'conflict', code: 'CustomerAlreadyExists' });
  });

  it.each(['eur', 'XAU', 'XXX', 'EURO', ''])('refuses the currency %j', (currency) => {
    given([])
      .when(register({ currency }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidCustomer',
        issues: ['currency'],
        message: 'currency: must be an ISO 4217 currency code',
      });
  });

  it.each([-1, 366, 1000, 1.5, 29.99, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses payment terms of %d days',
    (paymentTermsDays) => {
      given([])
        .when(register({ paymentTermsDays }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidCustomer',
          issues: ['paymentTermsDays'],
          message: 'paymentTermsDays: must be a whole number of days from 0 to 365',
        });
    },
  );

  it.each(['', ' ', '\t\n  '])('refuses the blank name %j', (name) => {
    given([])
      .when(register({ name }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidCustomer',
        issues: ['name'],
        message: 'name: must not be blank',
      });
  });

  it('reports every invalid part at once', () => {
    given([])
      .when(register({ currency: 'XAU', paymentTermsDays: -5, name: ' ' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidCustomer',
        issues: ['currency', 'paymentTermsDays', 'name'],
      });
  });
});

describe('changing customer details', () => {
  it('refuses to change a customer that does not exist', () => {
    given([])
      .when(change({ name: 'New name' }))
      .thenRefuses({ kind: 'not_found', code: 'CustomerNotFound', message: 'C-1' });
  });

  it('records only the fields that differ from the current details', () => {
    given([acmeRegistered])
      .when(
        change({
          name: 'Acme SAS',
          email: 'billing@acme.example',
          billingAddress: { ...address },
          paymentTermsDays: 45,
        }),
      )
      .then([detailsChanged({ name: 'Acme SAS', paymentTermsDays: 45 })]);
  });

  it.each([
    ['name', { name: 'Acme SAS' }],
    ['email', { email: 'accounts@acme.example' }],
    ['paymentTermsDays', { paymentTermsDays: 0 }],
    ['paymentTermsDays', { paymentTermsDays: 365 }],
    ['billingAddress', { billingAddress: { ...address, city: 'Paris', postalCode: '75002' } }],
  ])('records a change of %s alone', (_field, fields: Partial<ChangeCustomerDetails>) => {
    given([acmeRegistered])
      .when(change(fields))
      .then([detailsChanged(fields)]);
  });

  it('records every field that differs', () => {
    const billingAddress = { ...address, line2: 'Bâtiment B' };
    given([acmeRegistered])
      .when(
        change({
          name: 'Acme SAS',
          email: 'accounts@acme.example',
          billingAddress,
          paymentTermsDays: 60,
        }),
      )
      .then([
        detailsChanged({
          name: 'Acme SAS',
          email: 'accounts@acme.example',
          billingAddress: {
            line1: '12 Rue de la Paix',
            line2: 'Bâtiment B',
            city: 'Lyon',
            postalCode: '69001',
            country: 'FR',
          },
          paymentTermsDays: 60,
        }),
      ]);
  });

  it('records the whole new address when one part of it changes', () => {
    given([acmeRegistered])
      .when(change({ billingAddress: { ...address, country: 'BE' } }))
      .then([
        detailsChanged({
          billingAddress: {
            line1: '12 Rue de la Paix',
            city: 'Lyon',
            postalCode: '69001',
            country: 'BE',
          },
        }),
      ]);
  });

  it('changes nothing when every value is the current one', () => {
    given([acmeRegistered])
      .when(
        change({
          name: 'Acme SARL',
          email: 'billing@acme.example',
          billingAddress: { ...address },
          paymentTermsDays: 30,
        }),
      )
      .then([]);
  });

  it('changes nothing when no field is given', () => {
    given([acmeRegistered]).when(change()).then([]);
  });

  it('compares against the details as last changed', () => {
    const renamed = detailsChanged({ name: 'Acme SAS' });
    given([acmeRegistered, renamed])
      .when(change({ name: 'Acme SAS' }))
      .then([]);
    given([acmeRegistered, renamed])
      .when(change({ name: 'Acme SARL' }))
      .then([detailsChanged({ name: 'Acme SARL' })]);
  });

  it('treats a missing second address line like an empty one', () => {
    const withEmptyLine2: CustomerRegistered = {
      ...acmeRegistered,
      data: { ...acmeRegistered.data, billingAddress: { ...address, line2: '' } },
    };
    given([withEmptyLine2])
      .when(change({ billingAddress: { ...address } }))
      .then([]);
    given([acmeRegistered])
      .when(change({ billingAddress: { ...address, line2: '' } }))
      .then([]);
  });

  it('records a second address line that differs', () => {
    given([acmeRegistered])
      .when(change({ billingAddress: { ...address, line2: 'Bâtiment B' } }))
      .then([detailsChanged({ billingAddress: { ...address, line2: 'Bâtiment B' } })]);
  });

  it('records removing a second address line', () => {
    const withLine2: CustomerRegistered = {
      ...acmeRegistered,
      data: { ...acmeRegistered.data, billingAddress: { ...address, line2: 'Bâtiment B' } },
    };
    given([withLine2])
      .when(change({ billingAddress: { ...address } }))
      .then([detailsChanged({ billingAddress: { ...address } })]);
  });

  it('emits an event that matches the stored event schema', () => {
    const state = evolveCustomer(initialCustomerState, acmeRegistered);
    const [event] = decideCustomer(
      change({ name: 'Acme SAS', billingAddress: { ...address, line2: 'B' } }),
      state,
    );
    expect(event?.type).toBe('CustomerDetailsChanged');
    expect(() => receivablesEventSchemas.CustomerDetailsChanged.parse(event?.data)).not.toThrow();
  });

  it.each(['', ' ', '\t\n  '])('refuses the blank name %j', (name) => {
    given([acmeRegistered])
      .when(change({ name }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidCustomer',
        issues: ['name'],
        message: 'name: must not be blank',
      });
  });

  it.each([-1, 366, 1.5, Number.NaN])('refuses payment terms of %d days', (paymentTermsDays) => {
    given([acmeRegistered])
      .when(change({ paymentTermsDays }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidCustomer',
        issues: ['paymentTermsDays'],
        message: 'paymentTermsDays: must be a whole number of days from 0 to 365',
      });
  });

  it('reports every invalid part at once', () => {
    given([acmeRegistered])
      .when(change({ name: '', paymentTermsDays: 400, email: 'new@acme.example' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidCustomer',
        issues: ['paymentTermsDays', 'name'],
      });
  });
});

describe('customer state', () => {
  it('is active with the details of CustomerRegistered', () => {
    expect(evolveCustomer(initialCustomerState, acmeRegistered)).toEqual({
      status: 'active',
      customerId: 'C-1',
      name: 'Acme SARL',
      email: 'billing@acme.example',
      billingAddress: address,
      erased: false,
      currency: 'EUR',
      paymentTermsDays: 30,
      refunds: expect.anything(),
      refundedMinor: 0n,
    });
  });

  it('applies the changed fields and keeps the others', () => {
    const registered = evolveCustomer(initialCustomerState, acmeRegistered);
    const newAddress = { ...address, line2: 'Bâtiment B', city: 'Paris' };
    const changed = [
      detailsChanged({ name: 'Acme SAS', paymentTermsDays: 0 }),
      detailsChanged({ email: 'accounts@acme.example', billingAddress: newAddress }),
    ].reduce(evolveCustomer, registered);
    expect(changed).toEqual({
      status: 'active',
      customerId: 'C-1',
      name: 'Acme SAS',
      email: 'accounts@acme.example',
      billingAddress: newAddress,
      erased: false,
      currency: 'EUR',
      paymentTermsDays: 0,
      refunds: expect.anything(),
      refundedMinor: 0n,
    });
  });

  it('ignores a change with no registration before it', () => {
    expect(evolveCustomer(initialCustomerState, detailsChanged({ name: 'Acme SAS' }))).toEqual({
      status: 'none',
    });
  });

  it('ignores invoice events', () => {
    const registered = evolveCustomer(initialCustomerState, acmeRegistered);
    expect(
      evolveCustomer(registered, {
        type: 'InvoiceVoided',
        data: {
          invoiceId: 'INV-1',
          customerId: 'C-1',
          voidedOn: '2026-03-12',
          reason: 'Wrong customer',
          total: '10.00',
        },
      }),
    ).toBe(registered);
  });
});

describe("erasing a customer's personal data", () => {
  type Erased = Extract<ReceivablesEvent, { type: 'CustomerPersonalDataErased' }>;

  /** Nothing outstanding, nothing in plain text: the facts of an erasure that may go ahead. */
  const clear: CustomerFacts = { outstandingInvoices: [], plaintextEvents: [] };
  const withFacts = (facts: CustomerFacts) => givenWhenThen(customerDecider, facts);

  function erase(overrides: Partial<EraseCustomerPersonalData> = {}): EraseCustomerPersonalData {
    return {
      type: 'EraseCustomerPersonalData',
      customerId: 'C-1',
      reason: 'asked to be forgotten',
      legalBasis: 'GDPR Art. 17(1)(a)',
      erasedAt: '2026-11-23T10:00:00.000Z',
      ...overrides,
    };
  }

  const erased: Erased = {
    type: 'CustomerPersonalDataErased',
    data: {
      customerId: 'C-1',
      reason: 'asked to be forgotten',
      legalBasis: 'GDPR Art. 17(1)(a)',
      erasedAt: '2026-11-23T10:00:00.000Z',
    },
  };

  it('records the erasure, with no personal data in it', () => {
    withFacts(clear)([acmeRegistered]).when(erase()).then([erased]);
    expect(JSON.stringify(erased.data)).not.toContain('Acme');
    expect(() =>
      receivablesEventSchemas.CustomerPersonalDataErased.parse(erased.data),
    ).not.toThrow();
  });

  it('leaves the customer with null personal fields, erased, and the terms as they were', () => {
    const state = [acmeRegistered, erased].reduce(evolveCustomer, initialCustomerState);
    expect(state).toEqual({
      status: 'active',
      customerId: 'C-1',
      name: null,
      email: null,
      billingAddress: null,
      erased: true,
      currency: 'EUR',
      paymentTermsDays: 30,
      refunds: expect.anything(),
      refundedMinor: 0n,
    });
  });

  it('refuses a customer never registered', () => {
    withFacts(clear)([]).when(erase()).thenRefuses({ kind: 'not_found', code: 'CustomerNotFound' });
  });

  it('refuses a second erasure', () => {
    withFacts(clear)([acmeRegistered, erased])
      .when(erase())
      .thenRefuses({ kind: 'conflict', code: 'PersonalDataAlreadyErased' });
  });

  it('refuses a blank reason or legal basis, or a timestamp that is not UTC, all at once', () => {
    withFacts(clear)([acmeRegistered])
      .when(erase({ reason: ' ', legalBasis: '', erasedAt: '2026-11-23 10:00' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidErasure',
        issues: ['reason', 'legalBasis', 'erasedAt'],
      });
  });

  it('refuses while invoices are outstanding, naming them', () => {
    withFacts({ ...clear, outstandingInvoices: ['INV-1', 'INV-7'] })([acmeRegistered])
      .when(erase())
      .thenRefuses({
        kind: 'conflict',
        code: 'CustomerHasOutstandingInvoices',
        message: 'INV-1, INV-7',
      });
  });

  it('refuses a history with personal data in plain text, saying why it cannot be shredded', () => {
    withFacts({ outstandingInvoices: ['INV-1'], plaintextEvents: [0n, 2n] })([acmeRegistered])
      .when(erase())
      .thenRefuses({
        kind: 'conflict',
        // Before the outstanding invoices: it can never be mended, so the caller learns it first.
        code: 'PersonalDataInPlainText',
        message: /revisions 0, 2\). Events are immutable, so that data cannot be shredded/,
      });
  });

  it('will not guess without the facts: an erasure cannot be undone', () => {
    expect(() =>
      decideCustomer(erase(), evolveCustomer(initialCustomerState, acmeRegistered)),
    ).toThrow(/needs facts/);
  });

  it('refuses to record personal data again once erased, but lets the terms change', () => {
    const afterErasure = given([acmeRegistered, erased]);
    afterErasure
      .when(change({ name: 'Acme again' }))
      .thenRefuses({ kind: 'conflict', code: 'CustomerErased' });
    afterErasure
      .when(change({ billingAddress: address }))
      .thenRefuses({ kind: 'conflict', code: 'CustomerErased' });
    afterErasure
      .when(change({ paymentTermsDays: 14 }))
      .then([detailsChanged({ paymentTermsDays: 14 })]);
  });
});
