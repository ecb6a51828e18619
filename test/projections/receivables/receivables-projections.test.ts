import { describe, expect, it } from 'vitest';
import { formatAmount } from '../../../src/domain/shared/money.js';
import type { CurrencyCode } from '../../../src/domain/shared/currency.js';
import type {
  BillingAddress,
  InvoiceLine,
  PaymentMethod,
  ReceivablesEvent,
} from '../../../src/domain/receivables/events.js';
import { receivablesEventSchemas } from '../../../src/domain/receivables/events.js';
import { invoiceDecider } from '../../../src/domain/receivables/invoice.js';
import { receivablesStreams } from '../../../src/domain/receivables/streams.js';
import { foldRecorded } from '../../../src/commands/read-state.js';
import {
  customersProjection,
  invoiceDocumentOf,
  invoicesProjection,
  receivablesProjections,
  type CustomerDocument,
  type InvoiceDocument,
  type PaymentView,
} from '../../../src/projections/receivables/receivables-projections.js';
import type { JsonObject, RecordedEvent } from '../../../src/stores/event-store.js';
import { given, givenEvents } from '../given-events.js';

// --- fixtures ---------------------------------------------------------------------------------

const address: BillingAddress = {
  line1: '12 Rue de la Paix',
  line2: 'Bâtiment B',
  city: 'Lyon',
  postalCode: '69001',
  country: 'FR',
};

/** One line for the whole total, unless the test gives its own. */
const singleLine = (total: string): InvoiceLine[] => [
  {
    description: 'Consulting',
    quantity: '1',
    unitPrice: total,
    amount: total,
    revenueAccount: '4000',
  },
];

/**
 * A fresh global log: every event recorded through it gets the next position (from 1) and the
 * next revision of its own stream (from 0), as the event store would assign them. Customer
 * events go to `customer-<id>`, invoice events to `invoice-<id>`.
 */
function receivablesLog() {
  let position = 0n;
  const revisions = new Map<string, bigint>();
  function record(streamId: string, event: ReceivablesEvent): RecordedEvent {
    position += 1n;
    const revision = (revisions.get(streamId) ?? -1n) + 1n;
    revisions.set(streamId, revision);
    return {
      id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
      type: event.type,
      streamId,
      revision,
      position,
      data: { ...event.data },
      metadata: {},
      recordedAt: new Date(Date.UTC(2026, 0, 1) + Number(position) * 1000).toISOString(),
    };
  }
  return {
    customerRegistered: (
      customerId: string,
      currency = 'EUR',
      details: {
        name?: string;
        email?: string;
        billingAddress?: BillingAddress;
        paymentTermsDays?: number;
      } = {},
    ) =>
      record(receivablesStreams.customer(customerId), {
        type: 'CustomerRegistered',
        data: {
          customerId,
          name: details.name ?? `Customer ${customerId}`,
          email: details.email ?? `${customerId.toLowerCase()}@example.com`,
          billingAddress: details.billingAddress ?? address,
          currency,
          paymentTermsDays: details.paymentTermsDays ?? 30,
        },
      }),
    customerDetailsChanged: (
      customerId: string,
      changes: {
        name?: string;
        email?: string;
        billingAddress?: BillingAddress;
        paymentTermsDays?: number;
      },
    ) =>
      record(receivablesStreams.customer(customerId), {
        type: 'CustomerDetailsChanged',
        data: { customerId, changes },
      }),
    invoiceIssued: (
      invoiceId: string,
      customerId: string,
      total: string,
      options: {
        currency?: string;
        issueDate?: string;
        dueDate?: string;
        lines?: InvoiceLine[];
      } = {},
    ) =>
      record(receivablesStreams.invoice(invoiceId), {
        type: 'InvoiceIssued',
        data: {
          invoiceId,
          customerId,
          issueDate: options.issueDate ?? '2026-03-01',
          dueDate: options.dueDate ?? '2026-03-31',
          currency: options.currency ?? 'EUR',
          lines: options.lines ?? singleLine(total),
          total,
        },
      }),
    paymentReceived: (
      invoiceId: string,
      customerId: string,
      paymentId: string,
      amount: string,
      options: {
        currency?: string;
        receivedOn?: string;
        method?: PaymentMethod;
        reference?: string;
      } = {},
    ) =>
      record(receivablesStreams.invoice(invoiceId), {
        type: 'PaymentReceived',
        data: {
          invoiceId,
          customerId,
          paymentId,
          amount,
          currency: options.currency ?? 'EUR',
          receivedOn: options.receivedOn ?? '2026-03-10',
          method: options.method ?? 'bank_transfer',
          reference: options.reference ?? `Ref ${paymentId}`,
        },
      }),
    invoiceVoided: (
      invoiceId: string,
      customerId: string,
      total: string,
      options: { voidedOn?: string; reason?: string } = {},
    ) =>
      record(receivablesStreams.invoice(invoiceId), {
        type: 'InvoiceVoided',
        data: {
          invoiceId,
          customerId,
          voidedOn: options.voidedOn ?? '2026-03-05',
          reason: options.reason ?? 'Issued in error',
          total,
        },
      }),
  };
}

/** The customer document the log's defaults register, with what the test says changed. */
function customer(
  customerId: string,
  currency: string,
  overrides: Partial<Omit<CustomerDocument, 'customerId' | 'currency'>> = {},
): JsonObject {
  const document: CustomerDocument = {
    customerId,
    name: `Customer ${customerId}`,
    email: `${customerId.toLowerCase()}@example.com`,
    billingAddress: address,
    erased: false,
    currency,
    paymentTermsDays: 30,
    openBalanceMinor: '0',
    creditBalanceMinor: '0',
    refunds: [],
    revision: 0,
    ...overrides,
  };
  return { ...document };
}

/** The invoice document the log's defaults issue, with what the test says changed. */
function invoice(
  invoiceId: string,
  customerId: string,
  currency: string,
  total: string,
  overrides: Partial<Omit<InvoiceDocument, 'invoiceId' | 'customerId' | 'currency' | 'total'>>,
): JsonObject {
  const document: InvoiceDocument = {
    invoiceId,
    customerId,
    issueDate: '2026-03-01',
    dueDate: '2026-03-31',
    currency,
    lines: singleLine(total),
    net: total,
    taxes: [],
    total,
    paid: '0.00',
    credited: formatAmount(0n, currency as CurrencyCode),
    outstanding: total,
    status: 'open',
    payments: [],
    creditNotes: [],
    voided: null,
    revision: 0,
    ...overrides,
  };
  return { ...document };
}

const payment = (
  paymentId: string,
  amount: string,
  receivedOn = '2026-03-10',
  method: PaymentMethod = 'bank_transfer',
): PaymentView => ({ paymentId, amount, receivedOn, method, reference: `Ref ${paymentId}` });

// --- both projections ------------------------------------------------------------------------

describe('the receivables projections', () => {
  it('are the customers and invoices read models, each with the events that change it', () => {
    expect(receivablesProjections.map((projection) => projection.name)).toEqual([
      'receivables_customers',
      'receivables_invoices',
      'receivables_tax_codes',
      'receivables_tax_lines',
    ]);
    expect(customersProjection.eventTypes).toEqual([
      'CustomerRegistered',
      'CustomerDetailsChanged',
      'CustomerPersonalDataErased',
      'CustomerRefunded',
      'InvoiceIssued',
      'PaymentReceived',
      'InvoiceVoided',
      'CreditNoteIssued',
    ]);
    expect(invoicesProjection.eventTypes).toEqual([
      'InvoiceIssued',
      'PaymentReceived',
      'InvoiceVoided',
      'CreditNoteIssued',
    ]);
  });
});

// --- receivables_customers -------------------------------------------------------------------

describe('receivables_customers', () => {
  it('CustomerRegistered creates the customer with every field, a zero balance and revision 0', () => {
    const { customerRegistered } = receivablesLog();
    given(customersProjection, [
      customerRegistered('C-1', 'EUR', {
        name: 'Acme SARL',
        email: 'billing@acme.example',
        billingAddress: address,
        paymentTermsDays: 30,
      }),
      customerRegistered('C-2', 'JPY', {
        name: 'Kabushiki',
        email: 'ar@kabushiki.example',
        billingAddress: {
          line1: '1-1 Chiyoda',
          city: 'Tokyo',
          postalCode: '100-0001',
          country: 'JP',
        },
        paymentTermsDays: 45,
      }),
    ]).thenDocuments({
      'C-1': {
        customerId: 'C-1',
        name: 'Acme SARL',
        email: 'billing@acme.example',
        billingAddress: {
          line1: '12 Rue de la Paix',
          line2: 'Bâtiment B',
          city: 'Lyon',
          postalCode: '69001',
          country: 'FR',
        },
        erased: false,
        currency: 'EUR',
        paymentTermsDays: 30,
        openBalanceMinor: '0',
        creditBalanceMinor: '0',
        refunds: [],
        revision: 0,
      },
      'C-2': {
        customerId: 'C-2',
        name: 'Kabushiki',
        email: 'ar@kabushiki.example',
        billingAddress: {
          line1: '1-1 Chiyoda',
          city: 'Tokyo',
          postalCode: '100-0001',
          country: 'JP',
        },
        erased: false,
        currency: 'JPY',
        paymentTermsDays: 45,
        openBalanceMinor: '0',
        creditBalanceMinor: '0',
        refunds: [],
        revision: 0,
      },
    });
  });

  it('takes the revision from the recorded event, as a number', () => {
    const { customerRegistered } = receivablesLog();
    given(customersProjection, [{ ...customerRegistered('C-1'), revision: 7n }]).then(
      'C-1',
      customer('C-1', 'EUR', { revision: 7 }),
    );
  });

  it('CustomerDetailsChanged applies only the changed fields and takes its revision', () => {
    const { customerRegistered, customerDetailsChanged } = receivablesLog();
    const registered = customerRegistered('C-1');
    const renamed = customerDetailsChanged('C-1', { name: 'Acme Holdings' });
    given(customersProjection, [registered, renamed]).then(
      'C-1',
      customer('C-1', 'EUR', { name: 'Acme Holdings', revision: 1 }),
    );

    const moved: BillingAddress = {
      line1: '3 Quai Saint-Antoine',
      city: 'Lyon',
      postalCode: '69002',
      country: 'FR',
    };
    given(customersProjection, [
      registered,
      renamed,
      customerDetailsChanged('C-1', { billingAddress: moved, paymentTermsDays: 60 }),
      customerDetailsChanged('C-1', { email: 'ap@acme.example' }),
    ]).then('C-1', {
      customerId: 'C-1',
      name: 'Acme Holdings',
      email: 'ap@acme.example',
      // The new address replaces the old one whole: its line2 is gone.
      billingAddress: {
        line1: '3 Quai Saint-Antoine',
        city: 'Lyon',
        postalCode: '69002',
        country: 'FR',
      },
      erased: false,
      currency: 'EUR',
      paymentTermsDays: 60,
      openBalanceMinor: '0',
      creditBalanceMinor: '0',
      refunds: [],
      revision: 3,
    });
  });

  it('CustomerDetailsChanged keeps the open balance', () => {
    const { customerRegistered, customerDetailsChanged, invoiceIssued } = receivablesLog();
    given(customersProjection, [
      customerRegistered('C-1'),
      invoiceIssued('INV-1', 'C-1', '59.98'),
      customerDetailsChanged('C-1', { paymentTermsDays: 14 }),
    ]).then(
      'C-1',
      customer('C-1', 'EUR', { paymentTermsDays: 14, openBalanceMinor: '5998', revision: 1 }),
    );
  });

  it.each([
    ['EUR', '59.98', '5998'],
    ['EUR', '0.01', '1'],
    ['EUR', '59.9', '5990'],
    ['JPY', '1500', '1500'],
    ['KWD', '12.345', '12345'],
    ['KWD', '0.001', '1'],
    ['USD', '123456789012345678.99', '12345678901234567899'],
  ])(
    'InvoiceIssued in %s for %s adds %s minor units to the open balance',
    (currency, total, minor) => {
      const { customerRegistered, invoiceIssued } = receivablesLog();
      given(customersProjection, [
        customerRegistered('C-1', currency),
        invoiceIssued('INV-1', 'C-1', total, { currency }),
      ])
        // An invoice event is not an event of the customer's stream: the revision (its ETag) stays.
        .then('C-1', customer('C-1', currency, { openBalanceMinor: minor, revision: 0 }));
    },
  );

  it('adds every invoice issued to the customer', () => {
    const { customerRegistered, invoiceIssued } = receivablesLog();
    given(customersProjection, [
      customerRegistered('C-1'),
      invoiceIssued('INV-1', 'C-1', '59.98'),
      invoiceIssued('INV-2', 'C-1', '100.00'),
      invoiceIssued('INV-3', 'C-1', '0.02'),
    ]).then('C-1', customer('C-1', 'EUR', { openBalanceMinor: '16000' }));
  });

  it('PaymentReceived subtracts the amount paid', () => {
    const { customerRegistered, invoiceIssued, paymentReceived } = receivablesLog();
    const history = [
      customerRegistered('C-1'),
      invoiceIssued('INV-1', 'C-1', '100.00'),
      invoiceIssued('INV-2', 'C-1', '59.98'),
      paymentReceived('INV-1', 'C-1', 'P-1', '30.25'),
    ];
    given(customersProjection, history).then(
      'C-1',
      customer('C-1', 'EUR', { openBalanceMinor: '12973' }),
    );
    given(customersProjection, [
      ...history,
      paymentReceived('INV-1', 'C-1', 'P-2', '69.75'),
      paymentReceived('INV-2', 'C-1', 'P-3', '59.98'),
    ]).then('C-1', customer('C-1', 'EUR', { openBalanceMinor: '0' }));
  });

  it('InvoiceVoided subtracts the voided total', () => {
    const { customerRegistered, invoiceIssued, invoiceVoided } = receivablesLog();
    given(customersProjection, [
      customerRegistered('C-1'),
      invoiceIssued('INV-1', 'C-1', '59.98'),
      invoiceIssued('INV-2', 'C-1', '40.00'),
      invoiceVoided('INV-1', 'C-1', '59.98'),
    ]).then('C-1', customer('C-1', 'EUR', { openBalanceMinor: '4000' }));
  });

  it.each([
    ['JPY', '1500', '499', '1001', '700', '1701'],
    ['KWD', '12.345', '0.001', '12344', '7.000', '19344'],
    ['EUR', '10.10', '0.1', '1000', '7.00', '1700'],
  ])(
    'in %s: issue %s, pay %s -> %s; issue %s -> %s; void that -> back again',
    (currency, total, paid, afterPayment, second, afterSecond) => {
      const { customerRegistered, invoiceIssued, paymentReceived, invoiceVoided } =
        receivablesLog();
      const history = [
        customerRegistered('C-1', currency),
        invoiceIssued('INV-1', 'C-1', total, { currency }),
        paymentReceived('INV-1', 'C-1', 'P-1', paid, { currency }),
      ];
      given(customersProjection, history).then(
        'C-1',
        customer('C-1', currency, { openBalanceMinor: afterPayment }),
      );
      const withSecond = [...history, invoiceIssued('INV-2', 'C-1', second, { currency })];
      given(customersProjection, withSecond).then(
        'C-1',
        customer('C-1', currency, { openBalanceMinor: afterSecond }),
      );
      given(customersProjection, [...withSecond, invoiceVoided('INV-2', 'C-1', second)]).then(
        'C-1',
        customer('C-1', currency, { openBalanceMinor: afterPayment }),
      );
    },
  );

  it("leaves a customer alone when the events are another customer's", () => {
    const {
      customerRegistered,
      customerDetailsChanged,
      invoiceIssued,
      paymentReceived,
      invoiceVoided,
    } = receivablesLog();
    given(customersProjection, [
      customerRegistered('C-1'),
      customerRegistered('C-2'),
      invoiceIssued('INV-1', 'C-1', '10.00'),
      invoiceIssued('INV-2', 'C-2', '100.00'),
      invoiceIssued('INV-3', 'C-2', '20.00'),
      paymentReceived('INV-2', 'C-2', 'P-1', '25.50'),
      invoiceVoided('INV-3', 'C-2', '20.00'),
      customerDetailsChanged('C-2', { name: 'Renamed' }),
    ]).thenDocuments({
      'C-1': customer('C-1', 'EUR', { openBalanceMinor: '1000' }),
      'C-2': customer('C-2', 'EUR', { name: 'Renamed', openBalanceMinor: '7450', revision: 1 }),
    });
  });

  it.each(['CustomerDetailsChanged', 'InvoiceIssued', 'PaymentReceived', 'InvoiceVoided'])(
    'throws on %s for a customer that was never registered, so the engine stops',
    (type) => {
      const log = receivablesLog();
      const events: Record<string, RecordedEvent> = {
        CustomerDetailsChanged: log.customerDetailsChanged('C-9', { name: 'Ghost' }),
        InvoiceIssued: log.invoiceIssued('INV-9', 'C-9', '1.00'),
        PaymentReceived: log.paymentReceived('INV-9', 'C-9', 'P-9', '1.00'),
        InvoiceVoided: log.invoiceVoided('INV-9', 'C-9', '1.00'),
      };
      given(customersProjection, [log.customerRegistered('C-1'), events[type]!]).thenThrows(
        `${type} for customer C-9, never registered`,
      );
    },
  );

  it.each([
    'CustomerRegistered',
    'CustomerDetailsChanged',
    'InvoiceIssued',
    'PaymentReceived',
    'InvoiceVoided',
  ])('documentIds of %s is its customer', (type) => {
    const log = receivablesLog();
    const events: Record<string, RecordedEvent> = {
      CustomerRegistered: log.customerRegistered('C-7'),
      CustomerDetailsChanged: log.customerDetailsChanged('C-7', { email: 'x@example.com' }),
      InvoiceIssued: log.invoiceIssued('INV-3', 'C-7', '1.00'),
      PaymentReceived: log.paymentReceived('INV-3', 'C-7', 'P-1', '1.00'),
      InvoiceVoided: log.invoiceVoided('INV-4', 'C-7', '1.00'),
    };
    expect(events[type]!.type).toBe(type);
    expect(customersProjection.documentIds(events[type]!)).toEqual(['C-7']);
  });
});

// --- receivables_invoices --------------------------------------------------------------------

describe('receivables_invoices', () => {
  it('InvoiceIssued creates the invoice as the API shows it, open with nothing paid', () => {
    const { invoiceIssued } = receivablesLog();
    const issued = invoiceIssued('INV-1', 'C-1', '59.98', {
      issueDate: '2026-03-15',
      dueDate: '2026-04-14',
      lines: [
        {
          description: 'Widgets',
          quantity: '2',
          unitPrice: '19.99',
          amount: '39.98',
          revenueAccount: '4000',
        },
        {
          description: 'Support',
          quantity: '0.5',
          unitPrice: '40.00',
          amount: '20.00',
          revenueAccount: '4001',
        },
      ],
    });

    expect(invoicesProjection.documentIds(issued)).toEqual(['INV-1']);
    given(invoicesProjection, [issued]).thenDocuments({
      'INV-1': {
        invoiceId: 'INV-1',
        customerId: 'C-1',
        issueDate: '2026-03-15',
        dueDate: '2026-04-14',
        currency: 'EUR',
        lines: [
          {
            description: 'Widgets',
            quantity: '2',
            unitPrice: '19.99',
            amount: '39.98',
            revenueAccount: '4000',
          },
          {
            description: 'Support',
            quantity: '0.5',
            unitPrice: '40.00',
            amount: '20.00',
            revenueAccount: '4001',
          },
        ],
        net: '59.98',
        taxes: [],
        total: '59.98',
        paid: '0.00',
        credited: '0.00',
        outstanding: '59.98',
        status: 'open',
        payments: [],
        creditNotes: [],
        voided: null,
        revision: 0,
      },
    });
  });

  it.each([
    ['EUR', '59.98', '0.00'],
    ['JPY', '1500', '0'],
    ['KWD', '12.345', '0.000'],
  ])('shows nothing paid on a %s invoice of %s as %s', (currency, total, zero) => {
    const { invoiceIssued } = receivablesLog();
    given(invoicesProjection, [invoiceIssued('INV-1', 'C-1', total, { currency })]).then(
      'INV-1',
      invoice('INV-1', 'C-1', currency, total, { paid: zero, outstanding: total }),
    );
  });

  it('PaymentReceived in part: exact paid and outstanding, partially paid, payments in order', () => {
    const { invoiceIssued, paymentReceived } = receivablesLog();
    const issued = invoiceIssued('INV-1', 'C-1', '100.00');
    const first = paymentReceived('INV-1', 'C-1', 'P-1', '30.25', {
      receivedOn: '2026-03-10',
      method: 'card',
      reference: 'Ref P-1',
    });
    expect(invoicesProjection.documentIds(first)).toEqual(['INV-1']);
    given(invoicesProjection, [issued, first]).then(
      'INV-1',
      invoice('INV-1', 'C-1', 'EUR', '100.00', {
        paid: '30.25',
        outstanding: '69.75',
        status: 'partially_paid',
        payments: [payment('P-1', '30.25', '2026-03-10', 'card')],
        revision: 1,
      }),
    );

    given(invoicesProjection, [
      invoiceIssued('INV-2', 'C-1', '100.00'),
      paymentReceived('INV-2', 'C-1', 'P-1', '30.25', { method: 'card' }),
      paymentReceived('INV-2', 'C-1', 'P-2', '0.75', {
        receivedOn: '2026-03-12',
        method: 'cheque',
        reference: 'Cheque 881',
      }),
    ]).then('INV-2', {
      invoiceId: 'INV-2',
      customerId: 'C-1',
      issueDate: '2026-03-01',
      dueDate: '2026-03-31',
      currency: 'EUR',
      lines: singleLine('100.00'),
      net: '100.00',
      taxes: [],
      total: '100.00',
      paid: '31.00',
      credited: '0.00',
      outstanding: '69.00',
      status: 'partially_paid',
      creditNotes: [],
      payments: [
        {
          paymentId: 'P-1',
          amount: '30.25',
          receivedOn: '2026-03-10',
          method: 'card',
          reference: 'Ref P-1',
        },
        {
          paymentId: 'P-2',
          amount: '0.75',
          receivedOn: '2026-03-12',
          method: 'cheque',
          reference: 'Cheque 881',
        },
      ],
      voided: null,
      revision: 2,
    });
  });

  it('PaymentReceived for the rest marks the invoice paid, with nothing outstanding', () => {
    const { invoiceIssued, paymentReceived } = receivablesLog();
    given(invoicesProjection, [
      invoiceIssued('INV-1', 'C-1', '100.00'),
      paymentReceived('INV-1', 'C-1', 'P-1', '30.25'),
      paymentReceived('INV-1', 'C-1', 'P-2', '69.75', { receivedOn: '2026-03-20' }),
    ]).then(
      'INV-1',
      invoice('INV-1', 'C-1', 'EUR', '100.00', {
        paid: '100.00',
        outstanding: '0.00',
        status: 'paid',
        payments: [payment('P-1', '30.25'), payment('P-2', '69.75', '2026-03-20')],
        revision: 2,
      }),
    );
  });

  it('a single payment of the whole total marks the invoice paid', () => {
    const { invoiceIssued, paymentReceived } = receivablesLog();
    given(invoicesProjection, [
      invoiceIssued('INV-1', 'C-1', '59.98'),
      paymentReceived('INV-1', 'C-1', 'P-1', '59.98', { method: 'direct_debit' }),
    ]).then(
      'INV-1',
      invoice('INV-1', 'C-1', 'EUR', '59.98', {
        paid: '59.98',
        outstanding: '0.00',
        status: 'paid',
        payments: [payment('P-1', '59.98', '2026-03-10', 'direct_debit')],
        revision: 1,
      }),
    );
  });

  it('adds payments exactly, in minor units', () => {
    const { invoiceIssued, paymentReceived } = receivablesLog();
    // 0.1 + 0.2 is 0.30000000000000004 in floating point.
    given(invoicesProjection, [
      invoiceIssued('INV-1', 'C-1', '0.30'),
      paymentReceived('INV-1', 'C-1', 'P-1', '0.1'),
      paymentReceived('INV-1', 'C-1', 'P-2', '0.20'),
    ]).then(
      'INV-1',
      invoice('INV-1', 'C-1', 'EUR', '0.30', {
        paid: '0.30',
        outstanding: '0.00',
        status: 'paid',
        payments: [payment('P-1', '0.1'), payment('P-2', '0.20')],
        revision: 2,
      }),
    );
  });

  it.each([
    ['JPY', '1500', '499', '499', '1001'],
    ['KWD', '12.345', '0.001', '0.001', '12.344'],
    ['KWD', '12.345', '2.3', '2.300', '10.045'],
    ['USD', '123456789012345678.99', '0.01', '0.01', '123456789012345678.98'],
  ])(
    'a %s invoice of %s paid %s shows paid %s and outstanding %s',
    (currency, total, amount, paid, outstanding) => {
      const { invoiceIssued, paymentReceived } = receivablesLog();
      given(invoicesProjection, [
        invoiceIssued('INV-1', 'C-1', total, { currency }),
        paymentReceived('INV-1', 'C-1', 'P-1', amount, { currency }),
      ]).then(
        'INV-1',
        invoice('INV-1', 'C-1', currency, total, {
          paid,
          outstanding,
          status: 'partially_paid',
          payments: [payment('P-1', amount)],
          revision: 1,
        }),
      );
    },
  );

  it('InvoiceVoided makes the invoice void with nothing outstanding, and records when and why', () => {
    const { invoiceIssued, invoiceVoided } = receivablesLog();
    const issued = invoiceIssued('INV-1', 'C-1', '59.98');
    const voided = invoiceVoided('INV-1', 'C-1', '59.98', {
      voidedOn: '2026-03-07',
      reason: 'Wrong customer',
    });
    expect(invoicesProjection.documentIds(voided)).toEqual(['INV-1']);
    given(invoicesProjection, [issued, voided]).then('INV-1', {
      invoiceId: 'INV-1',
      customerId: 'C-1',
      issueDate: '2026-03-01',
      dueDate: '2026-03-31',
      currency: 'EUR',
      lines: singleLine('59.98'),
      net: '59.98',
      taxes: [],
      total: '59.98',
      paid: '0.00',
      credited: '0.00',
      outstanding: '0.00',
      status: 'void',
      payments: [],
      creditNotes: [],
      voided: { voidedOn: '2026-03-07', reason: 'Wrong customer' },
      revision: 1,
    });
  });

  it.each([
    ['JPY', '1500', '0'],
    ['KWD', '12.345', '0.000'],
  ])('a voided %s invoice of %s shows %s outstanding', (currency, total, zero) => {
    const { invoiceIssued, invoiceVoided } = receivablesLog();
    given(invoicesProjection, [
      invoiceIssued('INV-1', 'C-1', total, { currency }),
      invoiceVoided('INV-1', 'C-1', total),
    ]).then(
      'INV-1',
      invoice('INV-1', 'C-1', currency, total, {
        paid: zero,
        outstanding: zero,
        status: 'void',
        voided: { voidedOn: '2026-03-05', reason: 'Issued in error' },
        revision: 1,
      }),
    );
  });

  it('keeps invoices apart: paying or voiding one leaves the others open', () => {
    const { invoiceIssued, paymentReceived, invoiceVoided } = receivablesLog();
    given(invoicesProjection, [
      invoiceIssued('INV-1', 'C-1', '10.00'),
      invoiceIssued('INV-2', 'C-1', '20.00'),
      invoiceIssued('INV-3', 'C-2', '30.00'),
      paymentReceived('INV-1', 'C-1', 'P-1', '10.00'),
      invoiceVoided('INV-3', 'C-2', '30.00'),
    ]).thenDocuments({
      'INV-1': invoice('INV-1', 'C-1', 'EUR', '10.00', {
        paid: '10.00',
        outstanding: '0.00',
        status: 'paid',
        payments: [payment('P-1', '10.00')],
        revision: 1,
      }),
      'INV-2': invoice('INV-2', 'C-1', 'EUR', '20.00', {}),
      'INV-3': invoice('INV-3', 'C-2', 'EUR', '30.00', {
        outstanding: '0.00',
        status: 'void',
        voided: { voidedOn: '2026-03-05', reason: 'Issued in error' },
        revision: 1,
      }),
    });
  });

  it('throws on a payment for an invoice that was never issued', () => {
    const { invoiceIssued, paymentReceived } = receivablesLog();
    given(invoicesProjection, [
      invoiceIssued('INV-1', 'C-1', '10.00'),
      paymentReceived('INV-9', 'C-1', 'P-1', '1.00'),
    ]).thenThrows('PaymentReceived for invoice INV-9, never issued');
  });

  it('throws on a void of an invoice that was never issued', () => {
    const { invoiceIssued, invoiceVoided } = receivablesLog();
    given(invoicesProjection, [
      invoiceIssued('INV-1', 'C-1', '10.00'),
      invoiceVoided('INV-9', 'C-1', '1.00'),
    ]).thenThrows('InvoiceVoided for invoice INV-9, never issued');
  });

  it('ignores customer events: not among its event types, and no documents if asked', () => {
    const { customerRegistered, customerDetailsChanged, invoiceIssued, paymentReceived } =
      receivablesLog();
    const registered = customerRegistered('C-1');
    const changed = customerDetailsChanged('C-1', { name: 'Renamed' });
    expect(invoicesProjection.eventTypes).not.toContain('CustomerRegistered');
    expect(invoicesProjection.eventTypes).not.toContain('CustomerDetailsChanged');
    expect(invoicesProjection.documentIds(registered)).toEqual([]);
    expect(invoicesProjection.documentIds(changed)).toEqual([]);

    const history = [
      registered,
      invoiceIssued('INV-1', 'C-1', '10.00'),
      changed,
      paymentReceived('INV-1', 'C-1', 'P-1', '4.00'),
    ];
    expect(givenEvents(invoicesProjection, history)).toEqual(
      givenEvents(
        invoicesProjection,
        history.filter((event) => event.type !== registered.type && event.type !== changed.type),
      ),
    );
    given(invoicesProjection, history).thenIds(['INV-1']);
  });

  it("takes the revision from the invoice's own stream", () => {
    const { customerRegistered, invoiceIssued, paymentReceived, invoiceVoided } = receivablesLog();
    const history = [
      customerRegistered('C-1'),
      invoiceIssued('INV-2', 'C-1', '5.00'),
      invoiceIssued('INV-1', 'C-1', '50.00'),
      paymentReceived('INV-2', 'C-1', 'P-1', '1.00'),
      paymentReceived('INV-2', 'C-1', 'P-2', '1.00'),
      invoiceIssued('INV-3', 'C-1', '7.00'),
      paymentReceived('INV-1', 'C-1', 'P-3', '20.00'),
      invoiceVoided('INV-3', 'C-1', '7.00'),
      paymentReceived('INV-2', 'C-1', 'P-4', '3.00'),
    ];
    const issued = history[2]!;
    expect(issued).toMatchObject({ type: 'InvoiceIssued', position: 3n, revision: 0n });
    const { documents } = given(invoicesProjection, history);
    expect(
      Object.fromEntries([...documents].map(([id, document]) => [id, document.revision])),
    ).toEqual({ 'INV-1': 1, 'INV-2': 3, 'INV-3': 1 });

    given(invoicesProjection, [
      { ...issued, revision: 40n },
      { ...paymentReceived('INV-1', 'C-1', 'P-5', '1.00'), revision: 41n },
    ]).then(
      'INV-1',
      invoice('INV-1', 'C-1', 'EUR', '50.00', {
        paid: '1.00',
        outstanding: '49.00',
        status: 'partially_paid',
        payments: [payment('P-5', '1.00')],
        revision: 41,
      }),
    );
  });
});

// --- both, over a longer history -------------------------------------------------------------

/** mulberry32: a small seeded generator, so the history is the same on every run. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Minor units as a decimal string with exactly `exponent` decimals, computed without src. */
function decimal(minor: bigint, exponent: number): string {
  if (exponent === 0) return minor.toString();
  const digits = minor.toString().padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** The inverse of `decimal`, refusing any other shape so a wrongly formatted amount fails. */
function minorOf(amount: unknown, exponent: number): bigint {
  const shape = exponent === 0 ? /^\d+$/ : new RegExp(`^\\d+\\.\\d{${exponent}}$`);
  expect(amount, `amount ${String(amount)} with ${exponent} decimals`).toMatch(shape);
  return BigInt(String(amount).replace('.', ''));
}

describe('over a seeded history of customers, invoices, payments and voids', () => {
  const random = seeded(20260401);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const exponents: Record<string, number> = { EUR: 2, JPY: 0, KWD: 3 };
  const customers = [
    { customerId: 'C-1', currency: 'EUR' },
    { customerId: 'C-2', currency: 'JPY' },
    { customerId: 'C-3', currency: 'KWD' },
    { customerId: 'C-4', currency: 'EUR' },
  ];
  const exponentOf = (customerId: string) =>
    exponents[customers.find((candidate) => candidate.customerId === customerId)!.currency]!;
  const log = receivablesLog();
  const events: RecordedEvent[] = [];
  /** What each invoice should show, kept without the projections. */
  const model = new Map<
    string,
    {
      customerId: string;
      currency: string;
      total: bigint;
      paid: bigint;
      payments: number;
      void: boolean;
    }
  >();
  const counts = { registered: 0, changed: 0, issued: 0, partial: 0, full: 0, voided: 0 };

  // Customers register as the history goes: an invoice only ever goes to a registered one.
  const registered: typeof customers = [];
  const register = () => {
    const next = customers[registered.length]!;
    registered.push(next);
    events.push(log.customerRegistered(next.customerId, next.currency));
    counts.registered += 1;
  };
  register();
  let invoiceNumber = 0;
  let paymentNumber = 0;
  while (events.length < 60) {
    const payable = [...model].filter(([, state]) => !state.void && state.paid < state.total);
    const voidable = [...model].filter(([, state]) => !state.void && state.paid === 0n);
    const roll = random();
    if (registered.length < customers.length && events.length >= registered.length * 6) {
      register();
    } else if (roll < 0.13) {
      const { customerId } = pick(registered);
      events.push(
        log.customerDetailsChanged(customerId, { paymentTermsDays: 1 + Math.floor(random() * 90) }),
      );
      counts.changed += 1;
    } else if (roll < 0.45 || payable.length === 0) {
      const { customerId, currency } = pick(registered);
      invoiceNumber += 1;
      const invoiceId = `INV-${invoiceNumber}`;
      const total = BigInt(1 + Math.floor(random() * 5_000_000));
      events.push(
        log.invoiceIssued(invoiceId, customerId, decimal(total, exponents[currency]!), {
          currency,
        }),
      );
      model.set(invoiceId, { customerId, currency, total, paid: 0n, payments: 0, void: false });
      counts.issued += 1;
    } else if (roll < 0.6 && voidable.length > 0) {
      const [invoiceId, state] = pick(voidable);
      events.push(
        log.invoiceVoided(
          invoiceId,
          state.customerId,
          decimal(state.total, exponents[state.currency]!),
        ),
      );
      state.void = true;
      counts.voided += 1;
    } else {
      const [invoiceId, state] = pick(payable);
      const outstanding = state.total - state.paid;
      // A third of the payments settle the rest; the others take part of it (never too much).
      const amount =
        random() < 0.33 || outstanding === 1n
          ? outstanding
          : 1n + BigInt(Math.floor(random() * Number(outstanding - 1n)));
      paymentNumber += 1;
      events.push(
        log.paymentReceived(
          invoiceId,
          state.customerId,
          `P-${paymentNumber}`,
          decimal(amount, exponents[state.currency]!),
          { currency: state.currency, method: pick(['bank_transfer', 'card', 'cash'] as const) },
        ),
      );
      state.paid += amount;
      state.payments += 1;
      if (state.paid === state.total) counts.full += 1;
      else counts.partial += 1;
    }
  }

  // Folded lazily, once: a fold that throws fails the tests that read it, not the collection.
  let folded: { customers: Map<string, JsonObject>; invoices: Map<string, JsonObject> } | undefined;
  const fold = () =>
    (folded ??= {
      customers: givenEvents(customersProjection, events),
      invoices: givenEvents(invoicesProjection, events),
    });
  const invoicesOf = (customerId: string) =>
    [...fold().invoices.values()].filter((document) => document.customerId === customerId);

  it('is a history of 60 events with every kind of event', () => {
    expect(events).toHaveLength(60);
    expect(counts.registered).toBe(customers.length);
    expect(counts.changed).toBeGreaterThan(0);
    expect(counts.issued).toBeGreaterThan(15);
    expect(counts.partial).toBeGreaterThan(5);
    expect(counts.full).toBeGreaterThan(3);
    expect(counts.voided).toBeGreaterThan(3);
    for (const { customerId } of customers) {
      expect(invoicesOf(customerId).length, `invoices of ${customerId}`).toBeGreaterThan(0);
    }
  });

  it('has one document per customer and per invoice', () => {
    expect([...fold().customers.keys()].sort()).toEqual(
      customers.map(({ customerId }) => customerId).sort(),
    );
    expect([...fold().invoices.keys()].sort()).toEqual([...model.keys()].sort());
  });

  it.each(customers.map(({ customerId }) => customerId))(
    "%s's open balance is the sum of what its invoices have outstanding",
    (customerId) => {
      const exponent = exponentOf(customerId);
      const outstanding = invoicesOf(customerId).reduce(
        (total, document) => total + minorOf(document.outstanding, exponent),
        0n,
      );
      expect(fold().customers.get(customerId)?.openBalanceMinor).toBe(outstanding.toString());
    },
  );

  it.each(customers.map(({ customerId }) => customerId))(
    "%s's open balance is what was issued, less what was paid and voided",
    (customerId) => {
      const expected = [...model.values()]
        .filter((state) => state.customerId === customerId && !state.void)
        .reduce((total, state) => total + state.total - state.paid, 0n);
      expect(fold().customers.get(customerId)?.openBalanceMinor).toBe(expected.toString());
    },
  );

  it('every invoice that is not void has paid + outstanding = total', () => {
    for (const [invoiceId, document] of fold().invoices) {
      if (document.status === 'void') continue;
      const exponent = exponents[String(document.currency)]!;
      expect({
        invoiceId,
        sum: minorOf(document.paid, exponent) + minorOf(document.outstanding, exponent),
      }).toEqual({ invoiceId, sum: minorOf(document.total, exponent) });
    }
  });

  it('every invoice shows exactly what was paid on it, its status and its payments', () => {
    for (const [invoiceId, state] of model) {
      const exponent = exponents[state.currency]!;
      const document = invoicesProjection.document(fold().invoices.get(invoiceId)!);
      const status = state.void
        ? 'void'
        : state.paid === 0n
          ? 'open'
          : state.paid === state.total
            ? 'paid'
            : 'partially_paid';
      expect({
        invoiceId,
        customerId: document.customerId,
        total: document.total,
        paid: document.paid,
        outstanding: document.outstanding,
        status: document.status,
        payments: document.payments.length,
        voided: document.voided !== null,
      }).toEqual({
        invoiceId,
        customerId: state.customerId,
        total: decimal(state.total, exponent),
        paid: decimal(state.paid, exponent),
        outstanding: decimal(state.void ? 0n : state.total - state.paid, exponent),
        status,
        payments: state.payments,
        voided: state.void,
      });
    }
  });
});

describe('an invoice document from the invoice state', () => {
  const fromState = (events: readonly RecordedEvent[]) => {
    const state = foldRecorded(invoiceDecider, receivablesEventSchemas, events);
    if (state.status === 'none') throw new Error('no invoice');
    return invoiceDocumentOf(state, events.at(-1)!.revision) as unknown as JsonObject;
  };

  it('is what the projection folds from the same events, after every event', () => {
    const log = receivablesLog();
    const events = [
      log.invoiceIssued('INV-1', 'C-1', '100.00'),
      log.paymentReceived('INV-1', 'C-1', 'PAY-1', '30.00'),
      log.paymentReceived('INV-1', 'C-1', 'PAY-2', '70.00', { method: 'card', reference: '' }),
    ];
    const voidedLog = receivablesLog();
    const voided = [
      voidedLog.invoiceIssued('INV-2', 'C-1', '5', { currency: 'JPY' }),
      voidedLog.invoiceVoided('INV-2', 'C-1', '5'),
    ];
    for (const stream of [events, voided]) {
      for (let end = 1; end <= stream.length; end += 1) {
        const prefix = stream.slice(0, end);
        const [document] = givenEvents(invoicesProjection, prefix).values();
        expect(fromState(prefix)).toEqual(document);
        expect(JSON.stringify(fromState(prefix))).toBe(JSON.stringify(document));
      }
    }
  });
});
