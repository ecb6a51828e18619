import { describe, expect, it } from 'vitest';
import type { RefundCustomer } from '../../../src/domain/receivables/commands.js';
import {
  decideCustomer,
  evolveCustomer,
  initialCustomerState,
  type CustomerFacts,
} from '../../../src/domain/receivables/customer.js';
import {
  receivablesEventSchemas,
  type ReceivablesEvent,
} from '../../../src/domain/receivables/events.js';
import { invoiceCreditAsOf, type RefundFacts } from '../../../src/domain/receivables/refund.js';
import { DomainError } from '../../../src/domain/shared/errors.js';
import { givenWhenThen } from '../ledger/given-when-then.js';
import {
  account,
  chart,
  creditNote,
  decideAll,
  issuedState,
  issueTaxed,
  pay,
  voidIt,
  wholeOfInvoice,
} from './taxed-fixtures.js';

type CustomerRefunded = Extract<ReceivablesEvent, { type: 'CustomerRefunded' }>;

function refundFacts(creditAsOfMinor: bigint, overrides: Partial<RefundFacts> = {}): RefundFacts {
  return {
    creditAsOfMinor,
    accounts: chart,
    closedPeriods: new Set(),
    receivable: { code: '12000', state: account('12000', 'asset', 'EUR') },
    cash: { code: '10000', state: account('10000', 'asset', 'EUR') },
    ...overrides,
  };
}

/** given/when/then for the customer's stream, a refund decided against `facts.refund`. */
function customer(facts: CustomerFacts) {
  return givenWhenThen({
    initialState: initialCustomerState,
    evolve: evolveCustomer,
    decide: (command: RefundCustomer, state) => decideCustomer(command, state, facts),
  });
}
/** A credit balance of 100.00 EUR as of any refund date. */
const given = customer({ refund: refundFacts(10_000n) });

const registered: ReceivablesEvent = {
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

function refund(overrides: Partial<RefundCustomer> = {}): RefundCustomer {
  const refundId = overrides.refundId ?? 'R-1';
  return {
    type: 'RefundCustomer',
    customerId: 'C-1',
    refundId,
    amount: '40.00',
    paidOn: '2026-04-01',
    method: 'bank_transfer',
    reference: `SEPA refund ${refundId.slice(2)}`,
    ...overrides,
  };
}

function refunded(refundId: string, amount: string, paidOn = '2026-04-01'): CustomerRefunded {
  return {
    type: 'CustomerRefunded',
    data: {
      customerId: 'C-1',
      refundId,
      amount,
      currency: 'EUR',
      paidOn,
      method: 'bank_transfer',
      reference: `SEPA refund ${refundId.slice(2)}`,
    },
  };
}

describe('refunding a customer', () => {
  it('pays out part of the credit balance', () => {
    given([registered])
      .when(refund())
      .then([refunded('R-1', '40.00')]);
  });

  it('emits an event that matches the stored event schema', () => {
    const events = decideCustomer(refund(), evolveCustomer(initialCustomerState, registered), {
      refund: refundFacts(10_000n),
    });
    expect(events.map((event) => event.type)).toEqual(['CustomerRefunded']);
    for (const event of events) {
      expect(() => receivablesEventSchemas[event.type].parse(event.data)).not.toThrow();
    }
  });

  it('pays out the whole credit balance, the amount formatted in the currency', () => {
    given([registered])
      .when(refund({ amount: '100', method: 'cheque', reference: '' }))
      .then([
        {
          type: 'CustomerRefunded',
          data: {
            customerId: 'C-1',
            refundId: 'R-1',
            amount: '100.00',
            currency: 'EUR',
            paidOn: '2026-04-01',
            method: 'cheque',
            reference: '',
          },
        },
      ]);
  });

  it('refuses a refund beyond the credit balance', () => {
    given([registered])
      .when(refund({ amount: '100.01' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'RefundExceedsCredit',
        message:
          'A refund of 100.01 EUR exceeds the 100.00 EUR credit balance of customer C-1 as of 2026-04-01',
      });
  });

  it('refuses any refund without a credit balance', () => {
    customer({ refund: refundFacts(0n) })([registered])
      .when(refund({ amount: '0.01' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'RefundExceedsCredit',
        message: 'Customer C-1 has no credit balance to refund as of 2026-04-01',
      });
  });

  it('pays out exactly the rest after earlier refunds, and no more', () => {
    const history = [registered, refunded('R-1', '40.00'), refunded('R-2', '0.01')];
    given(history)
      .when(refund({ refundId: 'R-3', amount: '59.99' }))
      .then([refunded('R-3', '59.99')]);
    given(history)
      .when(refund({ refundId: 'R-3', amount: '60.00' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'RefundExceedsCredit',
        message: 'exceeds the 59.99 EUR credit balance',
      });
    given([...history, refunded('R-3', '59.99')])
      .when(refund({ refundId: 'R-4', amount: '0.01' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'RefundExceedsCredit',
        message: 'has no credit balance to refund',
      });
  });

  it('counts earlier refunds whatever their date', () => {
    // A refund dated later than this one still spent the credit this one would.
    given([registered, refunded('R-1', '80.00', '2026-05-01')])
      .when(refund({ refundId: 'R-2', amount: '20.01', paidOn: '2026-04-01' }))
      .thenRefuses({ kind: 'conflict', code: 'RefundExceedsCredit', message: '20.00 EUR' });
  });

  it('refuses a refund id already recorded, even within the credit', () => {
    given([registered, refunded('R-1', '10.00')])
      .when(refund({ amount: '1.00' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'RefundAlreadyRecorded',
        message: 'Refund R-1 is already recorded for customer C-1',
      });
  });

  it('refuses a refund of a customer that does not exist', () => {
    given([])
      .when(refund({ customerId: 'C-9' }))
      .thenRefuses({
        kind: 'not_found',
        code: 'CustomerNotFound',
        message: 'Customer C-9 does not exist',
      });
  });

  it.each([
    ['0', 'must be a positive amount'],
    ['-5', 'must be a positive amount'],
    ['1.001', 'EUR amounts take at most 2 decimals'],
    ['ten', 'is not a decimal amount'],
  ])('refuses the amount %j', (amount, message) => {
    given([registered])
      .when(refund({ amount }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidRefund', issues: ['amount'], message });
  });

  it.each(['2026-02-30', '2026-4-1', ''])('refuses the payment date %j', (paidOn) => {
    given([registered])
      .when(refund({ paidOn }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidRefund',
        issues: ['paidOn'],
        message: 'paidOn: must be a calendar date, YYYY-MM-DD',
      });
  });

  it('reports every invalid part at once', () => {
    given([registered])
      .when(refund({ amount: '0', paidOn: 'x' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidRefund', issues: ['amount', 'paidOn'] });
  });

  it('refuses a refund paid in a closed period', () => {
    customer({ refund: refundFacts(10_000n, { closedPeriods: new Set(['2026-04']) }) })([
      registered,
    ])
      .when(refund())
      .thenRefuses({
        kind: 'conflict',
        code: 'PeriodClosed',
        message: 'Period 2026-04 is closed: nothing dated 2026-04-01 can be refunded',
      });
  });

  it.each(['receivable', 'cash'] as const)(
    'refuses a refund when the %s account is not an open asset account in the currency',
    (role) => {
      const usd = { code: '19999', state: account('19999', 'asset', 'USD') };
      customer({ refund: refundFacts(10_000n, { [role]: usd }) })([registered])
        .when(refund())
        .thenRefuses({
          kind: 'conflict',
          code: 'PostingAccountMissing',
          message: `The ${role} account 19999 must be an asset account in EUR`,
        });
    },
  );

  it('is a bug of the caller, not a refusal, without the credit balance', () => {
    const state = evolveCustomer(initialCustomerState, registered);
    let thrown: unknown;
    try {
      decideCustomer(refund(), state, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(DomainError);
    expect((thrown as Error).message).toBe('A refund needs facts.refund');
  });

  it('is remembered by the customer, with the total refunded', () => {
    const state = [registered, refunded('R-1', '40.00'), refunded('R-2', '0.01')].reduce(
      evolveCustomer,
      initialCustomerState,
    );
    expect(state.status === 'active' && state.refundedMinor).toBe(4_001n);
    expect(state.status === 'active' && state.refunds.toArray()).toEqual([
      {
        refundId: 'R-1',
        amount: '40.00',
        paidOn: '2026-04-01',
        method: 'bank_transfer',
        reference: 'SEPA refund 1',
      },
      {
        refundId: 'R-2',
        amount: '0.01',
        paidOn: '2026-04-01',
        method: 'bank_transfer',
        reference: 'SEPA refund 2',
      },
    ]);
  });

  it('is ignored without a customer before it', () => {
    expect(evolveCustomer(initialCustomerState, refunded('R-1', '1.00'))).toEqual({
      status: 'none',
    });
  });
});

describe('invoiceCreditAsOf', () => {
  // INV-1 (134.19, issued 2026-03-10) paid 120.00, then credited 47.60 (40.00 at 19 %): 33.41
  // beyond its total.
  const consulting40 = {
    description: 'Consulting',
    amount: '40',
    taxCode: 'VAT19',
    revenueAccount: '4000',
  };

  it('is what payments and credit notes dated by then settle beyond the total', () => {
    const invoice = issuedState(
      decideAll([
        issueTaxed,
        pay({ amount: '120', receivedOn: '2026-03-20' }),
        creditNote([consulting40], { date: '2026-03-25' }),
      ]),
    );
    expect(invoiceCreditAsOf(invoice, '2026-03-25')).toBe(3_341n);
    expect(invoiceCreditAsOf(invoice, '2099-12-31')).toBe(3_341n);
  });

  it('leaves out a credit note dated after the day', () => {
    const invoice = issuedState(
      decideAll([
        issueTaxed,
        pay({ amount: '120', receivedOn: '2026-03-20' }),
        creditNote([consulting40], { date: '2026-04-05' }),
      ]),
    );
    expect(invoiceCreditAsOf(invoice, '2026-04-04')).toBe(0n);
    expect(invoiceCreditAsOf(invoice, '2026-04-05')).toBe(3_341n);
  });

  it('leaves out a payment dated after the day, even one recorded before the credit note', () => {
    const invoice = issuedState(
      decideAll([
        issueTaxed,
        pay({ amount: '120', receivedOn: '2026-04-10' }),
        creditNote([consulting40], { date: '2026-03-15' }),
      ]),
    );
    expect(invoiceCreditAsOf(invoice, '2026-03-31')).toBe(0n);
    expect(invoiceCreditAsOf(invoice, '2026-04-09')).toBe(0n);
    expect(invoiceCreditAsOf(invoice, '2026-04-10')).toBe(3_341n);
  });

  it('counts payments and credit notes together, not each against the total', () => {
    // Two payments 60 + 60 and a note of 47.60 on different days: 167.60 − 134.19 = 33.41.
    const invoice = issuedState(
      decideAll([
        issueTaxed,
        pay({ paymentId: 'PAY-1', amount: '60', receivedOn: '2026-03-20' }),
        pay({ paymentId: 'PAY-2', amount: '60', receivedOn: '2026-03-22' }),
        creditNote([consulting40], { date: '2026-03-25' }),
      ]),
    );
    expect(invoiceCreditAsOf(invoice, '2026-03-24')).toBe(0n);
    expect(invoiceCreditAsOf(invoice, '2026-03-25')).toBe(3_341n);
  });

  it('is the whole of a credit note on an invoice paid in full', () => {
    const invoice = issuedState(
      decideAll([
        issueTaxed,
        pay({ amount: '134.19' }),
        creditNote(wholeOfInvoice, { date: '2026-03-21' }),
      ]),
    );
    expect(invoiceCreditAsOf(invoice, '2026-03-20')).toBe(0n);
    expect(invoiceCreditAsOf(invoice, '2026-03-21')).toBe(13_419n);
  });

  it('is zero for an invoice credited in full without payments', () => {
    const invoice = issuedState(decideAll([issueTaxed, creditNote(wholeOfInvoice)]));
    expect(invoiceCreditAsOf(invoice, '2099-12-31')).toBe(0n);
  });

  it('is zero before the invoice is issued', () => {
    const invoice = issuedState(
      decideAll([issueTaxed, pay({ amount: '134.19' }), creditNote(wholeOfInvoice)]),
    );
    expect(invoiceCreditAsOf(invoice, '2026-03-09')).toBe(0n);
  });

  it('is zero for a voided invoice', () => {
    const invoice = issuedState(decideAll([issueTaxed, voidIt()]));
    expect(invoiceCreditAsOf(invoice, '2026-03-11')).toBe(0n);
    expect(invoiceCreditAsOf(invoice, '2099-12-31')).toBe(0n);
  });

  it('is zero from its void date on, whatever the state says was settled', () => {
    // Not a state the decider reaches (a paid invoice cannot be voided): the guard alone.
    const settled = issuedState(
      decideAll([issueTaxed, pay({ amount: '134.19' }), creditNote(wholeOfInvoice)]),
    );
    const voided = {
      ...settled,
      status: 'void' as const,
      voided: { voidedOn: '2026-04-01', reason: 'x' },
    };
    expect(invoiceCreditAsOf(voided, '2026-03-31')).toBe(13_419n);
    expect(invoiceCreditAsOf(voided, '2026-04-01')).toBe(0n);
  });
});
