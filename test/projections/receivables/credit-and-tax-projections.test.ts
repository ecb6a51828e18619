import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldRecorded } from '../../../src/commands/read-state.js';
import type {
  InvoiceCommand,
  RefundCustomer,
  RequestedCreditLine,
} from '../../../src/domain/receivables/commands.js';
import {
  decideCustomer,
  evolveCustomer,
  initialCustomerState,
} from '../../../src/domain/receivables/customer.js';
import {
  receivablesEventSchemas,
  type ReceivablesEvent,
} from '../../../src/domain/receivables/events.js';
import {
  decideInvoice,
  evolveInvoice,
  initialInvoiceState,
  invoiceDecider,
  type InvoiceState,
} from '../../../src/domain/receivables/invoice.js';
import { invoiceCreditAsOf } from '../../../src/domain/receivables/refund.js';
import { receivablesStreams } from '../../../src/domain/receivables/streams.js';
import { isDomainError } from '../../../src/domain/shared/errors.js';
import {
  customersProjection,
  invoiceDocumentOf,
  invoicesProjection,
} from '../../../src/projections/receivables/receivables-projections.js';
import {
  taxCodesProjection,
  taxLinesProjection,
  type TaxLineDocument,
} from '../../../src/projections/receivables/tax-projections.js';
import type { JsonObject, RecordedEvent } from '../../../src/stores/event-store.js';
import {
  account,
  chart,
  creditNote,
  decideAll,
  invoiceFacts,
  issuedState,
  issueTaxed,
  pay,
  taxCodeCreated,
  taxedIssued,
  taxRateChanged,
  voidIt,
  wholeOfInvoice,
} from '../../domain/receivables/taxed-fixtures.js';
import { given, givenEvents } from '../given-events.js';

// --- fixtures ---------------------------------------------------------------------------------

/** The stream an event is appended to, as `receivablesEventStreams` has it. */
function streamOf(event: ReceivablesEvent): string {
  switch (event.type) {
    case 'TaxCodeCreated':
    case 'TaxRateChanged':
      return receivablesStreams.taxCode(event.data.code);
    case 'InvoiceIssued':
    case 'PaymentReceived':
    case 'InvoiceVoided':
    case 'CreditNoteIssued':
      return receivablesStreams.invoice(event.data.invoiceId);
    default:
      return receivablesStreams.customer(event.data.customerId);
  }
}

/**
 * A fresh global log: each event gets the next position and the next revision of its stream,
 * and its data as the store gives it back (JSON, so an optional field left undefined is gone).
 */
function receivablesLog() {
  let position = 0n;
  const revisions = new Map<string, bigint>();
  return function record(event: ReceivablesEvent): RecordedEvent {
    const streamId = streamOf(event);
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
      metadata: {},
      recordedAt: new Date(Date.UTC(2026, 0, 1) + Number(position) * 1000).toISOString(),
    };
  };
}

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

const consulting40: RequestedCreditLine = {
  description: 'Consulting',
  amount: '40',
  taxCode: 'VAT19',
  revenueAccount: '4000',
};

/** A refund decided by the customer decider, its credit as of its date read from `invoices`. */
function refundOf(
  customerEvents: readonly ReceivablesEvent[],
  invoices: readonly (readonly ReceivablesEvent[])[],
  command: Omit<RefundCustomer, 'type' | 'customerId' | 'method' | 'reference'>,
): ReceivablesEvent {
  const state = customerEvents.reduce(evolveCustomer, initialCustomerState);
  const creditAsOfMinor = invoices.reduce(
    (credit, events) => credit + invoiceCreditAsOf(issuedState(events), command.paidOn),
    0n,
  );
  const [event] = decideCustomer(
    {
      type: 'RefundCustomer',
      customerId: 'C-1',
      method: 'bank_transfer',
      reference: '',
      ...command,
    },
    state,
    {
      refund: {
        creditAsOfMinor,
        accounts: chart,
        closedPeriods: new Set(),
        receivable: { code: '12000', state: account('12000', 'asset', 'EUR') },
        cash: { code: '10000', state: account('10000', 'asset', 'EUR') },
      },
    },
  );
  return event!;
}

// --- receivables_tax_codes --------------------------------------------------------------------

describe('receivables_tax_codes', () => {
  it('handles the tax code events only', () => {
    expect(taxCodesProjection.eventTypes).toEqual(['TaxCodeCreated', 'TaxRateChanged']);
  });

  it('holds each code with its rates by effective date and the revision of its stream', () => {
    const record = receivablesLog();
    const events = [
      taxCodeCreated('VAT19', '19.00', '2200'),
      taxCodeCreated('VAT7', '7.00', '2210'),
      taxRateChanged('VAT19', '21.00', '2026-07-01'),
      taxRateChanged('VAT19', '7.125', '2027-01-01'),
    ].map(record);
    expect(taxCodesProjection.documentIds(events[2]!)).toEqual(['VAT19']);
    given(taxCodesProjection, events).thenDocuments({
      VAT19: {
        code: 'VAT19',
        name: 'Tax VAT19',
        outputAccount: '2200',
        currency: 'EUR',
        rates: [
          { effectiveFrom: null, rate: '19.00' },
          { effectiveFrom: '2026-07-01', rate: '21.00' },
          { effectiveFrom: '2027-01-01', rate: '7.125' },
        ],
        revision: 2,
      },
      VAT7: {
        code: 'VAT7',
        name: 'Tax VAT7',
        outputAccount: '2210',
        currency: 'EUR',
        rates: [{ effectiveFrom: null, rate: '7.00' }],
        revision: 0,
      },
    });
  });

  it('throws on a rate change of a code never created, so the engine stops', () => {
    const record = receivablesLog();
    given(taxCodesProjection, [record(taxRateChanged('VAT9', '9.00', '2026-01-01'))]).thenThrows(
      'TaxRateChanged for tax code VAT9, never created',
    );
  });
});

// --- receivables_tax_lines --------------------------------------------------------------------

describe('receivables_tax_lines', () => {
  const line = (
    overrides: Partial<TaxLineDocument> & Pick<TaxLineDocument, 'taxCode'>,
  ): JsonObject => {
    const vat7 = overrides.taxCode === 'VAT7';
    const document: TaxLineDocument = {
      date: '2026-03-10',
      source: 'invoice',
      invoiceId: 'INV-1',
      creditNoteId: null,
      rate: vat7 ? '7.00' : '19.00',
      currency: 'EUR',
      outputAccount: vat7 ? '2210' : '2200',
      baseMinor: vat7 ? '999' : '10000',
      taxMinor: vat7 ? '70' : '1900',
      ...overrides,
    };
    return { ...document };
  };

  it('handles the events that book tax', () => {
    expect(taxLinesProjection.eventTypes).toEqual([
      'InvoiceIssued',
      'CreditNoteIssued',
      'InvoiceVoided',
    ]);
  });

  it('holds one signed line per code of each invoice, credit note and void', () => {
    const record = receivablesLog();
    const inv1 = decideAll([
      issueTaxed,
      creditNote([consulting40]),
      creditNote(
        [
          { description: 'Books', amount: '3.33', taxCode: 'VAT7' },
          { description: 'Postage', amount: '1' },
        ],
        { creditNoteId: 'CN-2', date: '2026-04-02' },
      ),
      creditNote([{ description: 'Postage', amount: '1' }], { creditNoteId: 'CN-3' }),
    ]);
    const untaxed = decideAll([
      { ...issueTaxed, invoiceId: 'INV-2', lines: [issueTaxed.lines[3]!] },
      voidIt({ invoiceId: 'INV-2' }),
    ]);
    const inv3 = decideAll([
      { ...issueTaxed, invoiceId: 'INV-3', issueDate: '2026-03-11' },
      voidIt({ invoiceId: 'INV-3', voidedOn: '2026-04-30' }),
    ]);
    const events = [...inv1, ...untaxed, ...inv3].map(record);

    expect(events.map((event) => taxLinesProjection.documentIds(event))).toEqual([
      ['INV-1/issue/VAT19', 'INV-1/issue/VAT7'],
      ['INV-1/credit/CN-1/VAT19'],
      ['INV-1/credit/CN-2/VAT7'],
      [],
      [],
      [],
      ['INV-3/issue/VAT19', 'INV-3/issue/VAT7'],
      ['INV-3/void/VAT19', 'INV-3/void/VAT7'],
    ]);
    given(taxLinesProjection, events).thenDocuments({
      'INV-1/issue/VAT19': line({ taxCode: 'VAT19' }),
      'INV-1/issue/VAT7': line({ taxCode: 'VAT7' }),
      'INV-1/credit/CN-1/VAT19': line({
        taxCode: 'VAT19',
        date: '2026-03-15',
        source: 'credit_note',
        creditNoteId: 'CN-1',
        baseMinor: '-4000',
        taxMinor: '-760',
      }),
      'INV-1/credit/CN-2/VAT7': line({
        taxCode: 'VAT7',
        date: '2026-04-02',
        source: 'credit_note',
        creditNoteId: 'CN-2',
        baseMinor: '-333',
        taxMinor: '-23',
      }),
      'INV-3/issue/VAT19': line({ taxCode: 'VAT19', invoiceId: 'INV-3', date: '2026-03-11' }),
      'INV-3/issue/VAT7': line({ taxCode: 'VAT7', invoiceId: 'INV-3', date: '2026-03-11' }),
      'INV-3/void/VAT19': line({
        taxCode: 'VAT19',
        invoiceId: 'INV-3',
        date: '2026-04-30',
        source: 'void',
        baseMinor: '-10000',
        taxMinor: '-1900',
      }),
      'INV-3/void/VAT7': line({
        taxCode: 'VAT7',
        invoiceId: 'INV-3',
        date: '2026-04-30',
        source: 'void',
        baseMinor: '-999',
        taxMinor: '-70',
      }),
    });
  });

  it('sums to zero per code for an invoice credited in full in several notes', () => {
    const record = receivablesLog();
    const events = decideAll([
      issueTaxed,
      ...['26.66', '26.66', '26.67'].map((amount, index) =>
        creditNote(
          [
            { description: 'Books', amount: '3.33', taxCode: 'VAT7' },
            { ...consulting40, amount },
          ],
          { creditNoteId: `CN-${index + 1}` },
        ),
      ),
      creditNote(
        [
          { ...consulting40, amount: '0.01' },
          { description: 'Licence', amount: '20', taxCode: 'VAT19', revenueAccount: '4001' },
        ],
        { creditNoteId: 'CN-4' },
      ),
    ]).map(record);
    const documents = [...givenEvents(taxLinesProjection, events).values()].map((document) =>
      taxLinesProjection.document(document),
    );
    const total = (code: string, field: 'baseMinor' | 'taxMinor') =>
      documents
        .filter((document) => document.taxCode === code)
        .reduce((sum, document) => sum + BigInt(document[field]), 0n);
    expect(documents).toHaveLength(2 + 3 + 3 + 1);
    for (const code of ['VAT19', 'VAT7']) {
      expect({ code, base: total(code, 'baseMinor'), tax: total(code, 'taxMinor') }).toEqual({
        code,
        base: 0n,
        tax: 0n,
      });
    }
  });

  it('books nothing for an untaxed invoice, nor for one or a void recorded before tax codes', () => {
    const record = receivablesLog();
    const untaxed = decideAll([{ ...issueTaxed, lines: [issueTaxed.lines[3]!] }, voidIt()]).map(
      record,
    );
    expect(untaxed[0]!.data).toMatchObject({ taxes: [] });
    // As written before tax codes: no net, no taxes, no currency on the void.
    const legacy = [
      record({
        type: 'InvoiceIssued',
        data: {
          invoiceId: 'INV-2',
          customerId: 'C-1',
          issueDate: '2026-03-10',
          dueDate: '2026-04-09',
          currency: 'EUR',
          lines: [taxedIssued.data.lines[3]!],
          total: '4.50',
        },
      }),
      record({
        type: 'InvoiceVoided',
        data: {
          invoiceId: 'INV-2',
          customerId: 'C-1',
          voidedOn: '2026-03-12',
          reason: 'Issued in error',
          total: '4.50',
        },
      }),
    ];
    for (const event of [...untaxed, ...legacy]) {
      expect(taxLinesProjection.documentIds(event)).toEqual([]);
    }
    given(taxLinesProjection, [...untaxed, ...legacy]).thenDocuments({});
  });
});

// --- receivables_customers ----------------------------------------------------------------------

describe('receivables_customers with credit notes and refunds', () => {
  const customer = (
    openBalanceMinor: string,
    creditBalanceMinor: string,
    refunds: JsonObject[] = [],
    revision = 0,
  ): JsonObject => ({
    customerId: 'C-1',
    name: 'Acme SARL',
    email: 'billing@acme.example',
    billingAddress: {
      line1: '12 Rue de la Paix',
      city: 'Lyon',
      postalCode: '69001',
      country: 'FR',
    },
    erased: false,
    currency: 'EUR',
    paymentTermsDays: 30,
    openBalanceMinor,
    creditBalanceMinor,
    refunds,
    revision,
  });
  const refundView = (refundId: string, amount: string, paidOn: string): JsonObject => ({
    refundId,
    amount,
    paidOn,
    method: 'bank_transfer',
    reference: '',
  });

  it('goes below zero by the credit beyond what was unpaid, and back with the refunds', () => {
    const invoice = decideAll([issueTaxed, pay({ amount: '120' }), creditNote(wholeOfInvoice)]);
    expect(invoice.at(-1)!.data).toMatchObject({ total: '134.19', toCustomerCredit: '120.00' });
    const firstRefund = refundOf([registered], [invoice], {
      refundId: 'R-1',
      amount: '50',
      paidOn: '2026-04-01',
    });
    const secondRefund = refundOf([registered, firstRefund], [invoice], {
      refundId: 'R-2',
      amount: '70',
      paidOn: '2026-04-02',
    });
    const record = receivablesLog();
    const events = [registered, ...invoice, firstRefund, secondRefund].map(record);
    const after = (count: number) => given(customersProjection, events.slice(0, count));

    after(2).then('C-1', customer('13419', '0'));
    after(3).then('C-1', customer('1419', '0'));
    after(4).then('C-1', customer('-12000', '12000'));
    after(5).then('C-1', customer('-7000', '7000', [refundView('R-1', '50.00', '2026-04-01')], 1));
    after(6).then(
      'C-1',
      customer(
        '0',
        '0',
        [refundView('R-1', '50.00', '2026-04-01'), refundView('R-2', '70.00', '2026-04-02')],
        2,
      ),
    );
  });

  it('takes a credit note within what was unpaid off the open balance only', () => {
    const record = receivablesLog();
    const events = [
      registered,
      ...decideAll([issueTaxed, pay({ amount: '50' }), creditNote([consulting40])]),
    ].map(record);
    // 134.19 − 50.00 − 47.60
    given(customersProjection, events).then('C-1', customer('3659', '0'));
  });

  it('splits a credit note across the unpaid part and the customer’s credit', () => {
    const record = receivablesLog();
    const events = [
      registered,
      ...decideAll([issueTaxed, pay({ amount: '120' }), creditNote([consulting40])]),
    ].map(record);
    // 134.19 − 120.00 − 47.60 = −33.41: the customer is owed what its credit balance says.
    given(customersProjection, events).then('C-1', customer('-3341', '3341'));
  });

  it('names the customer as the document of a credit note and of a refund', () => {
    const record = receivablesLog();
    const [, note] = decideAll([issueTaxed, creditNote([consulting40])]).map(record);
    expect(customersProjection.documentIds(note!)).toEqual(['C-1']);
    const refund = record({
      type: 'CustomerRefunded',
      data: {
        customerId: 'C-1',
        refundId: 'R-1',
        amount: '1.00',
        currency: 'EUR',
        paidOn: '2026-04-01',
        method: 'card',
        reference: '',
      },
    });
    expect(customersProjection.documentIds(refund)).toEqual(['C-1']);
  });
});

// --- receivables_invoices ---------------------------------------------------------------------

describe('receivables_invoices with credit notes', () => {
  const record = receivablesLog();
  const events = decideAll([
    issueTaxed,
    creditNote([consulting40]),
    pay({ amount: '50' }),
    creditNote(
      [{ ...consulting40, description: 'Rest of consulting' }, ...wholeOfInvoice.slice(1)],
      {
        creditNoteId: 'CN-2',
        date: '2026-03-25',
      },
    ),
  ]).map(record);
  const [cn1, cn2] = [events[1]!, events[3]!].map((event) => {
    const {
      invoiceId: _i,
      customerId: _c,
      currency: _cur,
      ...note
    } = event.data as Record<string, unknown>;
    return note as JsonObject;
  });
  const document = (overrides: JsonObject): JsonObject => ({
    invoiceId: 'INV-1',
    customerId: 'C-1',
    issueDate: '2026-03-10',
    dueDate: '2026-04-09',
    currency: 'EUR',
    lines: taxedIssued.data.lines as unknown as JsonObject[],
    net: '114.49',
    taxes: taxedIssued.data.taxes as unknown as JsonObject[],
    total: '134.19',
    paid: '0.00',
    credited: '0.00',
    outstanding: '134.19',
    status: 'open',
    payments: [],
    creditNotes: [],
    voided: null,
    revision: 0,
    ...overrides,
  });
  const after = (count: number) => given(invoicesProjection, events.slice(0, count));

  it('shows a taxed invoice with its net and taxes', () => {
    after(1).then('INV-1', document({}));
  });

  it('shows a credit note: credited, less outstanding, still open without payments', () => {
    expect(cn1).toMatchObject({ creditNoteId: 'CN-1', total: '47.60', toCustomerCredit: '0.00' });
    after(2).then(
      'INV-1',
      document({ credited: '47.60', outstanding: '86.59', creditNotes: [cn1!], revision: 1 }),
    );
  });

  it('then a payment: partially paid', () => {
    after(3).then(
      'INV-1',
      document({
        paid: '50.00',
        credited: '47.60',
        outstanding: '36.59',
        status: 'partially_paid',
        payments: [
          {
            paymentId: 'PAY-1',
            amount: '50.00',
            receivedOn: '2026-03-20',
            method: 'bank_transfer',
            reference: 'SEPA 2026-0042',
          },
        ],
        creditNotes: [cn1!],
        revision: 2,
      }),
    );
  });

  it('then a note crediting the rest: paid, nothing outstanding, the excess the customer’s', () => {
    expect(cn2).toMatchObject({ total: '86.59', toCustomerCredit: '50.00' });
    const last = givenEvents(invoicesProjection, events).get('INV-1')!;
    expect(last).toMatchObject({
      paid: '50.00',
      credited: '134.19',
      outstanding: '0.00',
      status: 'paid',
      creditNotes: [cn1, cn2],
      revision: 3,
    });
  });

  it('is credited when credit notes alone settle it', () => {
    const log = receivablesLog();
    given(invoicesProjection, decideAll([issueTaxed, creditNote(wholeOfInvoice)]).map(log)).then(
      'INV-1',
      document({
        credited: '134.19',
        outstanding: '0.00',
        status: 'credited',
        creditNotes: [
          {
            creditNoteId: 'CN-1',
            date: '2026-03-15',
            reason: 'Returned goods',
            lines: [
              {
                description: 'Consulting',
                amount: '80.00',
                taxCode: 'VAT19',
                revenueAccount: '4000',
              },
              {
                description: 'Licence',
                amount: '20.00',
                taxCode: 'VAT19',
                revenueAccount: '4001',
              },
              { description: 'Books', amount: '9.99', taxCode: 'VAT7', revenueAccount: '4000' },
              { description: 'Postage', amount: '4.50', revenueAccount: '4001' },
            ],
            net: '114.49',
            taxes: taxedIssued.data.taxes as unknown as JsonObject[],
            total: '134.19',
            toCustomerCredit: '0.00',
          },
        ],
        revision: 1,
      }),
    );
  });
});

// --- the document from the state, against the projection ---------------------------------------

describe('invoiceDocumentOf, for any history the decider accepts', () => {
  const dates = ['2026-03-09', '2026-03-10', '2026-03-15', '2026-04-09', '2026-05-31'];
  const ids = ['A', 'B', 'C'];

  const creditLine = fc.oneof(
    fc.record({
      description: fc.constant('Consulting'),
      amount: fc.constantFrom('0.01', '10', '39.99', '40', '80', '80.01'),
      taxCode: fc.constant('VAT19'),
      revenueAccount: fc.constantFrom('4000', '4001', undefined),
    }),
    fc.record({
      description: fc.constant('Licence'),
      amount: fc.constantFrom('0.01', '5', '20'),
      taxCode: fc.constant('VAT19'),
      revenueAccount: fc.constant('4001'),
    }),
    fc.record({
      description: fc.constant('Books'),
      amount: fc.constantFrom('0.01', '3.33', '9.99'),
      taxCode: fc.constant('VAT7'),
    }),
    fc.record({
      description: fc.constant('Postage'),
      amount: fc.constantFrom('0.01', '1.5', '4.50'),
    }),
  );

  const command: fc.Arbitrary<InvoiceCommand> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .record({
          paymentId: fc.constantFrom(...ids),
          amount: fc.constantFrom('0.01', '10', '33.33', '50', '86.59', '134.19', '200'),
          receivedOn: fc.constantFrom(...dates),
        })
        .map((payment) => pay(payment)),
    },
    {
      weight: 5,
      arbitrary: fc
        .record({
          creditNoteId: fc.constantFrom(...ids),
          date: fc.constantFrom(...dates),
          lines: fc.array(creditLine, { minLength: 1, maxLength: 4 }),
        })
        .map(({ lines, ...note }) =>
          creditNote(
            lines.map((line) =>
              Object.fromEntries(Object.entries(line).filter(([, value]) => value !== undefined)),
            ) as unknown as RequestedCreditLine[],
            note,
          ),
        ),
    },
    { weight: 1, arbitrary: fc.constantFrom(...dates).map((voidedOn) => voidIt({ voidedOn })) },
  );

  it('equals the projection’s document after every event, and the customer’s balances agree', () => {
    const accepted = { payments: 0, creditNotes: 0, voids: 0, refused: 0, toCustomer: 0 };
    fc.assert(
      fc.property(fc.array(command, { maxLength: 12 }), (commands) => {
        const record = receivablesLog();
        const customerEvents = [record(registered)];
        const invoiceEvents: RecordedEvent[] = [];
        let state: InvoiceState = initialInvoiceState;
        for (const next of [issueTaxed, ...commands]) {
          let decided: readonly ReceivablesEvent[];
          try {
            decided = decideInvoice(next, state, invoiceFacts());
          } catch (error) {
            if (!isDomainError(error)) throw error;
            accepted.refused += 1;
            continue;
          }
          for (const event of decided) {
            state = evolveInvoice(state, event);
            invoiceEvents.push(record(event));
            if (event.type === 'PaymentReceived') accepted.payments += 1;
            if (event.type === 'InvoiceVoided') accepted.voids += 1;
            if (event.type === 'CreditNoteIssued') {
              accepted.creditNotes += 1;
              if (event.data.toCustomerCredit !== '0.00') accepted.toCustomer += 1;
            }
          }

          // After every accepted command: the state the command handler folds from the stored
          // stream gives the document the projection builds from the same events.
          const folded = foldRecorded(invoiceDecider, receivablesEventSchemas, invoiceEvents);
          if (folded.status === 'none') throw new Error('no invoice');
          const fromState = invoiceDocumentOf(folded, invoiceEvents.at(-1)!.revision);
          const projected = givenEvents(invoicesProjection, invoiceEvents).get('INV-1');
          expect(fromState).toEqual(projected);
          expect(JSON.stringify(fromState)).toBe(JSON.stringify(projected));

          // The customer's open balance is the invoice's outstanding less the customer's
          // credit, and that credit is what the refunds read as of the end of time.
          const customer = customersProjection.document(
            givenEvents(customersProjection, [...customerEvents, ...invoiceEvents]).get('C-1')!,
          );
          const credit = folded.status === 'void' ? 0n : invoiceCreditAsOf(folded, '9999-12-31');
          expect(customer.creditBalanceMinor).toBe(credit.toString());
          expect(BigInt(customer.openBalanceMinor)).toBe(
            BigInt(fromState.outstanding.replace('.', '')) - credit,
          );
        }
      }),
      { numRuns: 300 },
    );
    // The histories were worth checking: every kind of event was accepted, some refused. The
    // bounds are far below what 300 runs give (a run here saw 235 payments, 202 credit notes,
    // 25 voids), so chance alone does not fail them.
    expect(accepted.payments).toBeGreaterThan(20);
    expect(accepted.creditNotes).toBeGreaterThan(20);
    expect(accepted.toCustomer).toBeGreaterThan(0);
    expect(accepted.voids).toBeGreaterThan(0);
    expect(accepted.refused).toBeGreaterThan(20);
  });
});
