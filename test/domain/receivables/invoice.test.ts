import { appendOnlyList } from '../../../src/domain/shared/append-only-list.js';
import { describe, expect, it } from 'vitest';
import type { AccountState } from '../../../src/domain/ledger/account.js';
import type { AccountType } from '../../../src/domain/ledger/events.js';
import type {
  InvoiceCommand,
  IssueInvoice,
  RecordPayment,
  RequestedInvoiceLine,
  VoidInvoice,
} from '../../../src/domain/receivables/commands.js';
import type { CustomerState } from '../../../src/domain/receivables/customer.js';
import {
  receivablesEventSchemas,
  type InvoiceIssued,
  type PaymentReceived,
  type ReceivablesEvent,
} from '../../../src/domain/receivables/events.js';
import {
  decideInvoice,
  evolveInvoice,
  initialInvoiceState,
  invoiceStatus,
  type InvoiceFacts,
  type InvoiceState,
  type PostingAccount,
} from '../../../src/domain/receivables/invoice.js';
import { givenWhenThen } from '../ledger/given-when-then.js';

type InvoiceVoided = Extract<ReceivablesEvent, { type: 'InvoiceVoided' }>;

function account(code: string, type: AccountType, currency: string): AccountState {
  return { status: 'open', code, name: `Account ${code}`, type, currency };
}

const chart = new Map<string, AccountState>([
  ['4000', account('4000', 'revenue', 'EUR')],
  ['4001', account('4001', 'revenue', 'EUR')],
  ['4100', account('4100', 'revenue', 'USD')],
  ['4101', account('4101', 'revenue', 'USD')],
  ['4200', account('4200', 'revenue', 'JPY')],
  ['4300', account('4300', 'revenue', 'KWD')],
  ['1000', account('1000', 'asset', 'EUR')],
]);

type ActiveCustomer = Extract<CustomerState, { status: 'active' }>;

const acme: ActiveCustomer = {
  status: 'active',
  customerId: 'C-1',
  name: 'Acme SARL',
  email: 'billing@acme.example',
  billingAddress: { line1: '12 Rue de la Paix', city: 'Lyon', postalCode: '69001', country: 'FR' },
  erased: false,
  currency: 'EUR',
  paymentTermsDays: 30,
  refunds: appendOnlyList((refund) => refund.refundId),
  refundedMinor: 0n,
};

function facts(
  options: {
    customer?: CustomerState;
    accounts?: ReadonlyMap<string, AccountState>;
    closedPeriods?: string[];
    receivable?: PostingAccount;
    cash?: PostingAccount;
    /** The currency the posting accounts are kept in: the customer's by default. */
    postingCurrency?: string;
  } = {},
): InvoiceFacts {
  return {
    customer: options.customer ?? acme,
    accounts: options.accounts ?? chart,
    closedPeriods: new Set(options.closedPeriods ?? []),
    receivable: options.receivable ?? {
      code: '12000',
      state: account(
        '12000',
        'asset',
        options.postingCurrency ?? customerCurrency(options.customer),
      ),
    },
    cash: options.cash ?? {
      code: '10000',
      state: account(
        '10000',
        'asset',
        options.postingCurrency ?? customerCurrency(options.customer),
      ),
    },
  };
}

function customerCurrency(customer: CustomerState | undefined): string {
  return customer?.status === 'active' ? customer.currency : 'EUR';
}

/** given/when/then for one invoice stream, deciding against the given outside facts. */
function invoice(invoiceFacts: InvoiceFacts = facts()) {
  return givenWhenThen({
    initialState: initialInvoiceState,
    evolve: evolveInvoice,
    decide: (command: InvoiceCommand, state) => decideInvoice(command, state, invoiceFacts),
  });
}
const given = invoice();

function customer(overrides: Partial<ActiveCustomer>): ActiveCustomer {
  return { ...acme, ...overrides };
}

const consulting: RequestedInvoiceLine = {
  description: 'Consulting',
  quantity: '3',
  unitPrice: '19.99',
  revenueAccount: '4000',
};
const stamps: RequestedInvoiceLine = {
  description: 'Stamps',
  quantity: '0.5',
  unitPrice: '0.01',
  revenueAccount: '4001',
};

function line(overrides: Partial<RequestedInvoiceLine> = {}): RequestedInvoiceLine {
  return { ...consulting, ...overrides };
}

function issue(overrides: Partial<IssueInvoice> = {}): IssueInvoice {
  return {
    type: 'IssueInvoice',
    invoiceId: 'INV-1',
    customerId: 'C-1',
    issueDate: '2026-03-10',
    lines: [consulting, stamps],
    ...overrides,
  };
}

function pay(overrides: Partial<RecordPayment> = {}): RecordPayment {
  return {
    type: 'RecordPayment',
    invoiceId: 'INV-1',
    paymentId: 'PAY-1',
    amount: '20',
    receivedOn: '2026-03-20',
    method: 'bank_transfer',
    reference: 'SEPA 2026-0042',
    ...overrides,
  };
}

function voidIt(overrides: Partial<VoidInvoice> = {}): VoidInvoice {
  return {
    type: 'VoidInvoice',
    invoiceId: 'INV-1',
    voidedOn: '2026-03-12',
    reason: 'Issued to the wrong customer',
    ...overrides,
  };
}

/** 3 × 19.99 = 59.97 and 0.5 × 0.01 = 0.005 → 0.01: 59.98 in all, due 30 days after 2026-03-10. */
const issued: InvoiceIssued = {
  type: 'InvoiceIssued',
  data: {
    invoiceId: 'INV-1',
    customerId: 'C-1',
    issueDate: '2026-03-10',
    dueDate: '2026-04-09',
    currency: 'EUR',
    lines: [
      {
        description: 'Consulting',
        quantity: '3',
        unitPrice: '19.99',
        amount: '59.97',
        revenueAccount: '4000',
      },
      {
        description: 'Stamps',
        quantity: '0.5',
        unitPrice: '0.01',
        amount: '0.01',
        revenueAccount: '4001',
      },
    ],
    net: '59.98',
    taxes: [],
    total: '59.98',
  },
};

function received(paymentId: string, amount: string, receivedOn = '2026-03-20'): PaymentReceived {
  return {
    type: 'PaymentReceived',
    data: {
      invoiceId: 'INV-1',
      customerId: 'C-1',
      paymentId,
      amount,
      currency: 'EUR',
      receivedOn,
      method: 'bank_transfer',
      reference: 'SEPA 2026-0042',
    },
  };
}

const voided: InvoiceVoided = {
  type: 'InvoiceVoided',
  data: {
    invoiceId: 'INV-1',
    customerId: 'C-1',
    voidedOn: '2026-03-12',
    reason: 'Issued to the wrong customer',
    total: '59.98',
    currency: 'EUR',
  },
};

/** 1.5 × 101 JPY = 151.5 → 152 JPY. */
const yenIssued: InvoiceIssued = {
  type: 'InvoiceIssued',
  data: {
    ...issued.data,
    currency: 'JPY',
    lines: [
      {
        description: 'Consulting',
        quantity: '1.5',
        unitPrice: '101',
        amount: '152',
        revenueAccount: '4200',
      },
    ],
    net: '152',
    taxes: [],
    total: '152',
  },
};

function issuedState(events: readonly ReceivablesEvent[]) {
  const state = events.reduce(evolveInvoice, initialInvoiceState);
  if (state.status === 'none') throw new Error('expected an issued invoice');
  return state;
}

describe('issuing an invoice', () => {
  it('issues the invoice with rounded line amounts, their total and the default due date', () => {
    given([]).when(issue()).then([issued]);
  });

  it('emits an event that matches the stored event schema', () => {
    const events = decideInvoice(issue(), initialInvoiceState, facts());
    expect(events.map((event) => event.type)).toEqual(['InvoiceIssued']);
    for (const event of events) {
      expect(() => receivablesEventSchemas[event.type].parse(event.data)).not.toThrow();
    }
  });

  it('refuses a customer whose personal data was erased: there is no one to bill', () => {
    const erased = customer({ name: null, email: null, billingAddress: null, erased: true });
    invoice(facts({ customer: erased }))([])
      .when(issue())
      .thenRefuses({ kind: 'conflict', code: 'CustomerErased' });
  });

  it('accepts the customer’s currency given explicitly', () => {
    given([])
      .when(issue({ currency: 'EUR' }))
      .then([issued]);
  });

  it('defaults the currency to the customer’s', () => {
    invoice(facts({ customer: customer({ currency: 'USD' }) }))([])
      .when(
        issue({
          lines: [
            line({ revenueAccount: '4100' }),
            { ...stamps, quantity: '2', revenueAccount: '4101' },
          ],
        }),
      )
      .then([
        {
          type: 'InvoiceIssued',
          data: {
            ...issued.data,
            currency: 'USD',
            lines: [
              { ...issued.data.lines[0]!, revenueAccount: '4100' },
              {
                description: 'Stamps',
                quantity: '2',
                unitPrice: '0.01',
                amount: '0.02',
                revenueAccount: '4101',
              },
            ],
            net: '59.99',
            taxes: [],
            total: '59.99',
          },
        },
      ]);
  });

  it('normalises quantities and prices to the currency’s format', () => {
    given([])
      .when(issue({ lines: [line({ quantity: '2.500', unitPrice: '10' })] }))
      .then([
        {
          type: 'InvoiceIssued',
          data: {
            ...issued.data,
            lines: [
              {
                description: 'Consulting',
                quantity: '2.5',
                unitPrice: '10.00',
                amount: '25.00',
                revenueAccount: '4000',
              },
            ],
            net: '25.00',
            taxes: [],
            total: '25.00',
          },
        },
      ]);
  });

  it('rounds a line in a currency without minor units half up (1.5 × 101 JPY = 152 JPY)', () => {
    invoice(facts({ customer: customer({ currency: 'JPY' }) }))([])
      .when(issue({ lines: [line({ quantity: '1.5', unitPrice: '101', revenueAccount: '4200' })] }))
      .then([
        {
          type: 'InvoiceIssued',
          data: {
            ...issued.data,
            currency: 'JPY',
            lines: [
              {
                description: 'Consulting',
                quantity: '1.5',
                unitPrice: '101',
                amount: '152',
                revenueAccount: '4200',
              },
            ],
            net: '152',
            taxes: [],
            total: '152',
          },
        },
      ]);
  });

  it('formats a three-decimal currency with three decimals (2.5 × 1.234 KWD = 3.085 KWD)', () => {
    invoice(facts({ customer: customer({ currency: 'KWD' }) }))([])
      .when(
        issue({ lines: [line({ quantity: '2.5', unitPrice: '1.234', revenueAccount: '4300' })] }),
      )
      .then([
        {
          type: 'InvoiceIssued',
          data: {
            ...issued.data,
            currency: 'KWD',
            lines: [
              {
                description: 'Consulting',
                quantity: '2.5',
                unitPrice: '1.234',
                amount: '3.085',
                revenueAccount: '4300',
              },
            ],
            net: '3.085',
            taxes: [],
            total: '3.085',
          },
        },
      ]);
  });

  it('totals the rounded line amounts, not the unrounded products', () => {
    // Three lines of 0.333 × 1.00 = 0.333 → 0.33 each: 0.99, where 0.999 would round to 1.00.
    const third = line({ quantity: '0.333', unitPrice: '1.00' });
    given([])
      .when(issue({ lines: [third, third, third] }))
      .then([
        {
          type: 'InvoiceIssued',
          data: {
            ...issued.data,
            lines: [1, 2, 3].map(() => ({
              description: 'Consulting',
              quantity: '0.333',
              unitPrice: '1.00',
              amount: '0.33',
              revenueAccount: '4000',
            })),
            net: '0.99',
            total: '0.99',
          },
        },
      ]);
  });

  it('computes amounts beyond float precision exactly', () => {
    given([])
      .when(issue({ lines: [line({ quantity: '999999999.999', unitPrice: '999999.99' })] }))
      .then([
        {
          type: 'InvoiceIssued',
          data: {
            ...issued.data,
            lines: [
              {
                description: 'Consulting',
                quantity: '999999999.999',
                unitPrice: '999999.99',
                amount: '999999989999000.00',
                revenueAccount: '4000',
              },
            ],
            net: '999999989999000.00',
            taxes: [],
            total: '999999989999000.00',
          },
        },
      ]);
  });

  it('accepts a total just below 10^18 minor units', () => {
    given([])
      .when(issue({ lines: [line({ quantity: '1', unitPrice: '9999999999999999.99' })] }))
      .then([
        {
          type: 'InvoiceIssued',
          data: {
            ...issued.data,
            lines: [
              {
                description: 'Consulting',
                quantity: '1',
                unitPrice: '9999999999999999.99',
                amount: '9999999999999999.99',
                revenueAccount: '4000',
              },
            ],
            net: '9999999999999999.99',
            taxes: [],
            total: '9999999999999999.99',
          },
        },
      ]);
  });

  it('refuses a total of 10^18 minor units or more', () => {
    given([])
      .when(
        issue({
          lines: [
            line({ quantity: '1', unitPrice: '9999999999999999.99' }),
            line({ quantity: '1', unitPrice: '0.01' }),
          ],
        }),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines'],
        message: 'the invoice total is too large',
      });
  });

  it('refuses an invoice for a customer that does not exist', () => {
    invoice(facts({ customer: { status: 'none' } }))([])
      .when(issue({ customerId: 'C-404' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['customerId'],
        message: 'customer C-404 does not exist',
      });
  });

  it('reports only the issue date when it is not a date, not a due date before it', () => {
    for (const issueDate of ['2026-13-01', '2026-02-30']) {
      given([])
        .when(issue({ issueDate, dueDate: '2026-12-31' }))
        .thenRefuses({ kind: 'invalid', code: 'InvalidInvoice', issues: ['issueDate'] });
    }
  });

  it('refuses, naming the due date, when the payment terms carry it past 9999-12-31', () => {
    given([])
      .when(issue({ issueDate: '9999-12-20' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['dueDate'],
        message: 'past 9999-12-31; give a due date',
      });
    expect(
      decideInvoice(
        issue({ issueDate: '9999-12-20', dueDate: '9999-12-31' }),
        initialInvoiceState,
        facts(),
      ),
    ).toHaveLength(1);
  });

  it('refuses an invoice when the receivable account for its currency is not open', () => {
    invoice(facts({ receivable: { code: '12000-EUR', state: { status: 'none' } } }))([])
      .when(issue())
      .thenRefuses({
        kind: 'conflict',
        code: 'PostingAccountMissing',
        message: 'The receivable account 12000-EUR for EUR postings is not open',
      });
  });

  it('refuses a currency other than the customer’s', () => {
    given([])
      .when(
        issue({
          currency: 'USD',
          lines: [line({ revenueAccount: '4100' }), { ...stamps, revenueAccount: '4101' }],
        }),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['currency'],
        message: 'customer C-1 is invoiced in EUR',
      });
  });

  it('refuses a currency other than the customer’s, and the lines’ accounts kept in the other', () => {
    given([])
      .when(issue({ currency: 'USD' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['currency', 'lines[0].revenueAccount', 'lines[1].revenueAccount'],
      });
  });

  it.each(['eur', 'XAU', ''])('refuses the currency %j', (currency) => {
    given([])
      .when(issue({ currency }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['currency', 'lines[0].revenueAccount', 'lines[1].revenueAccount'],
        message: 'currency: must be an ISO 4217 currency code',
      });
  });

  it.each([
    ['2026-03-10', 30, '2026-04-09'],
    ['2028-02-15', 30, '2028-03-16'],
    ['2026-02-15', 30, '2026-03-17'],
    ['2026-12-20', 30, '2027-01-19'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-01-31', 0, '2026-01-31'],
    ['2026-01-31', 365, '2027-01-31'],
    ['2028-01-01', 365, '2028-12-31'],
  ])(
    'defaults the due date of an invoice issued on %s with %d days of terms to %s',
    (issueDate, paymentTermsDays, dueDate) => {
      invoice(facts({ customer: customer({ paymentTermsDays }) }))([])
        .when(issue({ issueDate }))
        .then([{ ...issued, data: { ...issued.data, issueDate, dueDate } }]);
    },
  );

  it.each(['2026-03-10', '2026-03-11', '2026-06-30', '2027-03-10'])(
    'takes the explicit due date %s over the customer’s terms',
    (dueDate) => {
      given([])
        .when(issue({ dueDate }))
        .then([{ ...issued, data: { ...issued.data, dueDate } }]);
    },
  );

  it.each(['2026-03-09', '2026-02-28', '2025-12-31'])(
    'refuses the due date %s, before the issue date',
    (dueDate) => {
      given([])
        .when(issue({ dueDate }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidInvoice',
          issues: ['dueDate'],
          message: 'dueDate: must not be before the issue date',
        });
    },
  );

  it.each(['2026-02-29', '2026-13-01', '2026-3-10', '10/03/2026', '2026-03-10T00:00:00Z', ''])(
    'refuses the issue date %j',
    (issueDate) => {
      given([])
        .when(issue({ issueDate }))
        .thenRefuses({ kind: 'invalid', code: 'InvalidInvoice', issues: ['issueDate'] });
    },
  );

  it.each(['2026-04-31', '2026-4-09', '20260409', ''])('refuses the due date %j', (dueDate) => {
    given([])
      .when(issue({ dueDate }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['dueDate'],
        message: 'dueDate: must be a calendar date',
      });
  });

  it('refuses an invoice without lines', () => {
    given([])
      .when(issue({ lines: [] }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines'],
        message: 'needs at least one line',
      });
  });

  it.each(['0', '0.000', '-1', '1.2345', '1e3', '', ' 1', '1000000000'])(
    'refuses the quantity %j',
    (quantity) => {
      given([])
        .when(issue({ lines: [consulting, { ...stamps, quantity }] }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidInvoice',
          issues: ['lines[1].quantity'],
          message: 'must be a positive number with at most 3 decimals',
        });
    },
  );

  it('refuses a unit price with more decimals than the currency has', () => {
    given([])
      .when(issue({ lines: [line({ unitPrice: '19.999' })] }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines[0].unitPrice'],
        message: 'EUR amounts take at most 2 decimals',
      });
  });

  it('refuses decimals in a unit price of a currency without minor units', () => {
    invoice(facts({ customer: customer({ currency: 'JPY' }) }))([])
      .when(issue({ lines: [line({ unitPrice: '101.5', revenueAccount: '4200' })] }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines[0].unitPrice'],
        message: 'JPY amounts take no decimals',
      });
  });

  it.each(['ten', '1e2', '19,99', ''])('refuses the unit price %j', (unitPrice) => {
    given([])
      .when(issue({ lines: [line({ unitPrice })] }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines[0].unitPrice'],
        message: 'is not a decimal amount',
      });
  });

  it.each(['0', '0.00', '-0', '-19.99'])('refuses the unit price %j: not positive', (unitPrice) => {
    given([])
      .when(issue({ lines: [line({ unitPrice })] }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines[0].unitPrice'],
        message: 'lines[0].unitPrice: must be a positive amount',
      });
  });

  it('refuses a line whose amount rounds to zero (0.001 × 0.01 EUR)', () => {
    given([])
      .when(issue({ lines: [consulting, line({ quantity: '0.001', unitPrice: '0.01' })] }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines[1]'],
        message: 'quantity × unit price rounds to zero',
      });
  });

  it('refuses a line on a revenue account that does not exist', () => {
    given([])
      .when(issue({ lines: [consulting, { ...stamps, revenueAccount: '4999' }] }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines[1].revenueAccount'],
        message: 'account 4999 does not exist',
      });
  });

  it('treats an account whose state is "none" as not existing', () => {
    const accounts = new Map(chart).set('4001', { status: 'none' });
    invoice(facts({ accounts }))([])
      .when(issue())
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines[1].revenueAccount'],
        message: 'account 4001 does not exist',
      });
  });

  it.each(['asset', 'liability', 'equity', 'expense'] as const)(
    'refuses a line on an account of type %s',
    (type) => {
      const accounts = new Map(chart).set('4001', account('4001', type, 'EUR'));
      invoice(facts({ accounts }))([])
        .when(issue())
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidInvoice',
          issues: ['lines[1].revenueAccount'],
          message: 'account 4001 is not a revenue account',
        });
    },
  );

  it('refuses a line on a revenue account kept in another currency', () => {
    given([])
      .when(issue({ lines: [line({ revenueAccount: '4100' })] }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines[0].revenueAccount'],
        message: 'account 4100 is kept in USD, not EUR',
      });
  });

  it('reports every invalid part at once', () => {
    given([])
      .when(
        issue({
          issueDate: '2026-02-30',
          lines: [
            line({ quantity: '0', revenueAccount: '9999' }),
            line({ unitPrice: '1.234', revenueAccount: '1000' }),
            line(),
            line({ quantity: '0.001', unitPrice: '0.01' }),
          ],
        }),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: [
          'issueDate',
          'lines[0].quantity',
          'lines[0].revenueAccount',
          'lines[1].revenueAccount',
          'lines[1].unitPrice',
          'lines[3]',
        ],
      });
  });

  it('refuses an invoice id that is already issued', () => {
    given([issued])
      .when(issue())
      .thenRefuses({ kind: 'conflict', code: 'InvoiceAlreadyExists', message: 'INV-1' });
  });

  it('refuses an invoice id that was issued and voided', () => {
    given([issued, voided])
      .when(issue({ issueDate: '2026-03-15' }))
      .thenRefuses({ kind: 'conflict', code: 'InvoiceAlreadyExists' });
  });

  it('refuses to issue into a closed period', () => {
    invoice(facts({ closedPeriods: ['2026-03'] }))([])
      .when(issue({ issueDate: '2026-03-31' }))
      .thenRefuses({ kind: 'conflict', code: 'PeriodClosed', message: 'Period 2026-03 is closed' });
  });

  it('issues into an open period between closed ones, even when due in a closed one', () => {
    invoice(facts({ closedPeriods: ['2026-02', '2026-04'] }))([])
      .when(issue())
      .then([issued]);
  });
});

describe('recording a payment', () => {
  it('refuses a payment on an invoice that does not exist', () => {
    given([])
      .when(pay())
      .thenRefuses({ kind: 'not_found', code: 'InvoiceNotFound', message: 'INV-1' });
  });

  it('records a partial payment in the invoice currency', () => {
    given([issued])
      .when(pay())
      .then([
        {
          type: 'PaymentReceived',
          data: {
            invoiceId: 'INV-1',
            customerId: 'C-1',
            paymentId: 'PAY-1',
            amount: '20.00',
            currency: 'EUR',
            receivedOn: '2026-03-20',
            method: 'bank_transfer',
            reference: 'SEPA 2026-0042',
          },
        },
      ]);
  });

  it('emits an event that matches the stored event schema', () => {
    const events = decideInvoice(pay(), issuedState([issued]), facts());
    expect(events.map((event) => event.type)).toEqual(['PaymentReceived']);
    for (const event of events) {
      expect(() => receivablesEventSchemas[event.type].parse(event.data)).not.toThrow();
    }
  });

  it('accepts the invoice currency given explicitly, and any payment method', () => {
    given([issued])
      .when(pay({ currency: 'EUR', method: 'card', reference: '' }))
      .then([
        {
          type: 'PaymentReceived',
          data: { ...received('PAY-1', '20.00').data, method: 'card', reference: '' },
        },
      ]);
  });

  it('accepts a payment received on the issue date', () => {
    given([issued])
      .when(pay({ receivedOn: '2026-03-10' }))
      .then([received('PAY-1', '20.00', '2026-03-10')]);
  });

  it('accepts a payment received after the due date', () => {
    given([issued])
      .when(pay({ receivedOn: '2026-07-01' }))
      .then([received('PAY-1', '20.00', '2026-07-01')]);
  });

  it('records the exact outstanding balance after a partial payment', () => {
    given([issued, received('PAY-1', '20.00')])
      .when(pay({ paymentId: 'PAY-2', amount: '39.98' }))
      .then([received('PAY-2', '39.98')]);
  });

  it('records a payment of the whole total at once', () => {
    given([issued])
      .when(pay({ amount: '59.98' }))
      .then([received('PAY-1', '59.98')]);
  });

  it('refuses a payment when the cash account for its currency is not an open asset account in it', () => {
    for (const cash of [
      { code: '10000', state: { status: 'none' } as const },
      { code: '10000', state: account('10000', 'asset', 'USD') },
      { code: '10000', state: account('10000', 'revenue', 'EUR') },
    ]) {
      invoice(facts({ cash }))([issued])
        .when(pay({ amount: '1.00' }))
        .thenRefuses({ kind: 'conflict', code: 'PostingAccountMissing', message: 'account 10000' });
    }
  });

  it('takes a payment in a currency without minor units', () => {
    const given = invoice(facts({ postingCurrency: 'JPY' }));
    given([yenIssued])
      .when(pay({ amount: '152' }))
      .then([
        {
          type: 'PaymentReceived',
          data: { ...received('PAY-1', '152').data, currency: 'JPY' },
        },
      ]);
    given([yenIssued])
      .when(pay({ amount: '1.5' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidPayment',
        issues: ['amount'],
        message: 'JPY amounts take no decimals',
      });
  });

  it('moves the invoice from open to partially paid to paid', () => {
    const open = issuedState([issued]);
    expect(invoiceStatus(open)).toBe('open');

    const [first] = decideInvoice(pay(), open, facts());
    const partiallyPaid = issuedState([issued, first!]);
    expect(invoiceStatus(partiallyPaid)).toBe('partially_paid');
    expect(partiallyPaid.paidMinor).toBe(2000n);

    const [second] = decideInvoice(
      pay({ paymentId: 'PAY-2', amount: '39.97' }),
      partiallyPaid,
      facts(),
    );
    const almostPaid = issuedState([issued, first!, second!]);
    expect(invoiceStatus(almostPaid)).toBe('partially_paid');
    expect(almostPaid.paidMinor).toBe(5997n);

    const [third] = decideInvoice(pay({ paymentId: 'PAY-3', amount: '0.01' }), almostPaid, facts());
    const paid = issuedState([issued, first!, second!, third!]);
    expect(invoiceStatus(paid)).toBe('paid');
    expect(paid.paidMinor).toBe(5998n);
  });

  it('refuses a payment above the outstanding balance', () => {
    given([issued])
      .when(pay({ amount: '59.99' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'PaymentExceedsOutstanding',
        message: 'A payment of 59.99 EUR exceeds the 59.98 EUR outstanding on invoice INV-1',
      });
  });

  it('refuses a payment above what a partial payment left outstanding', () => {
    given([issued, received('PAY-1', '20.00')])
      .when(pay({ paymentId: 'PAY-2', amount: '39.99' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'PaymentExceedsOutstanding',
        message: 'exceeds the 39.98 EUR outstanding',
      });
  });

  it.each(['0.01', '59.98', '100'])(
    'refuses a payment of %s on an invoice paid in full',
    (amount) => {
      given([issued, received('PAY-1', '20.00'), received('PAY-2', '39.98')])
        .when(pay({ paymentId: 'PAY-3', amount }))
        .thenRefuses({
          kind: 'conflict',
          code: 'InvoiceAlreadyPaid',
          message: 'Invoice INV-1 is already settled in full',
        });
    },
  );

  it.each(['USD', 'eur', 'XAU'])('refuses a payment in %s on an EUR invoice', (currency) => {
    given([issued])
      .when(pay({ currency }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidPayment',
        issues: ['currency'],
        message: `invoice INV-1 is in EUR; a payment in ${currency} cannot settle it`,
      });
  });

  it('refuses an amount with more decimals than the currency has', () => {
    given([issued])
      .when(pay({ amount: '10.001' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidPayment',
        issues: ['amount'],
        message: 'EUR amounts take at most 2 decimals',
      });
  });

  it.each(['0', '0.00', '-0', '-5', '-59.98'])('refuses the amount %j: not positive', (amount) => {
    given([issued])
      .when(pay({ amount }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidPayment',
        issues: ['amount'],
        message: 'amount: must be a positive amount',
      });
  });

  it.each(['ten', '1e2', '20,00', ''])('refuses the amount %j', (amount) => {
    given([issued])
      .when(pay({ amount }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidPayment',
        issues: ['amount'],
        message: 'is not a decimal amount',
      });
  });

  it.each(['2026-03-09', '2025-12-31'])(
    'refuses a payment received on %s, before the issue date',
    (receivedOn) => {
      given([issued])
        .when(pay({ receivedOn }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidPayment',
          issues: ['receivedOn'],
          message: "must not be before the invoice's issue date 2026-03-10",
        });
    },
  );

  it.each(['2026-02-30', '2026-3-20', '20260320', ''])(
    'refuses the receipt date %j',
    (receivedOn) => {
      given([issued])
        .when(pay({ receivedOn }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidPayment',
          issues: ['receivedOn'],
          message: 'receivedOn: must be a calendar date',
        });
    },
  );

  it('reports every invalid part at once', () => {
    given([issued])
      .when(pay({ currency: 'USD', amount: '-1', receivedOn: '2026-03-01' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidPayment',
        issues: ['currency', 'amount', 'receivedOn'],
      });
  });

  it('refuses a payment id already recorded on the invoice', () => {
    given([issued, received('PAY-1', '20.00')])
      .when(pay({ amount: '1' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'PaymentAlreadyRecorded',
        message: 'Payment PAY-1 is already recorded on invoice INV-1',
      });
  });

  it('refuses a payment on a void invoice', () => {
    given([issued, voided])
      .when(pay())
      .thenRefuses({ kind: 'conflict', code: 'InvoiceVoid', message: 'Invoice INV-1 is void' });
  });

  it('refuses a payment received in a closed period', () => {
    invoice(facts({ closedPeriods: ['2026-04'] }))([issued])
      .when(pay({ receivedOn: '2026-04-01' }))
      .thenRefuses({ kind: 'conflict', code: 'PeriodClosed', message: 'Period 2026-04 is closed' });
  });

  it('records a payment in an open period on an invoice issued in a now closed one', () => {
    invoice(facts({ closedPeriods: ['2026-03'] }))([issued])
      .when(pay({ receivedOn: '2026-04-01' }))
      .then([received('PAY-1', '20.00', '2026-04-01')]);
  });
});

describe('voiding an invoice', () => {
  it('refuses to void an invoice that does not exist', () => {
    given([])
      .when(voidIt())
      .thenRefuses({ kind: 'not_found', code: 'InvoiceNotFound', message: 'INV-1' });
  });

  it('voids an unpaid invoice, taking its whole total off', () => {
    given([issued])
      .when(voidIt())
      .then([
        {
          type: 'InvoiceVoided',
          data: {
            invoiceId: 'INV-1',
            customerId: 'C-1',
            voidedOn: '2026-03-12',
            reason: 'Issued to the wrong customer',
            total: '59.98',
            currency: 'EUR',
          },
        },
      ]);
    expect(invoiceStatus(issuedState([issued, voided]))).toBe('void');
  });

  it('emits an event that matches the stored event schema', () => {
    const events = decideInvoice(voidIt(), issuedState([issued]), facts());
    expect(events.map((event) => event.type)).toEqual(['InvoiceVoided']);
    for (const event of events) {
      expect(() => receivablesEventSchemas[event.type].parse(event.data)).not.toThrow();
    }
  });

  it('may be dated the issue date', () => {
    given([issued])
      .when(voidIt({ voidedOn: '2026-03-10' }))
      .then([{ ...voided, data: { ...voided.data, voidedOn: '2026-03-10' } }]);
  });

  it('refuses to void an invoice with a partial payment', () => {
    given([issued, received('PAY-1', '0.01')])
      .when(voidIt())
      .thenRefuses({ kind: 'conflict', code: 'InvoiceHasPayments', message: 'INV-1' });
  });

  it('refuses to void an invoice paid in full', () => {
    given([issued, received('PAY-1', '59.98')])
      .when(voidIt())
      .thenRefuses({ kind: 'conflict', code: 'InvoiceHasPayments' });
  });

  it('refuses to void an invoice twice', () => {
    given([issued, voided])
      .when(voidIt({ voidedOn: '2026-03-20' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'InvoiceAlreadyVoid',
        message: 'Invoice INV-1 is already void',
      });
  });

  it.each(['2026-03-09', '2025-12-31'])(
    'refuses a void dated %s, before the issue date',
    (voidedOn) => {
      given([issued])
        .when(voidIt({ voidedOn }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidVoid',
          issues: ['voidedOn'],
          message: '2026-03-10',
        });
    },
  );

  it.each(['2026-02-30', '2026-3-12', '20260312', ''])('refuses the void date %j', (voidedOn) => {
    given([issued])
      .when(voidIt({ voidedOn }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidVoid',
        issues: ['voidedOn'],
        message: 'voidedOn: must be a calendar date',
      });
  });

  it('refuses a void dated in a closed period', () => {
    invoice(facts({ closedPeriods: ['2026-03'] }))([issued])
      .when(voidIt())
      .thenRefuses({ kind: 'conflict', code: 'PeriodClosed', message: 'Period 2026-03 is closed' });
  });

  it('voids an invoice of a closed period in the next open one', () => {
    invoice(facts({ closedPeriods: ['2026-03'] }))([issued])
      .when(voidIt({ voidedOn: '2026-04-01' }))
      .then([{ ...voided, data: { ...voided.data, voidedOn: '2026-04-01' } }]);
  });
});

describe('invoice state', () => {
  it('is issued with the invoice’s dates, currency and total in minor units', () => {
    const expected: InvoiceState = {
      status: 'issued',
      invoiceId: 'INV-1',
      customerId: 'C-1',
      currency: 'EUR',
      issueDate: '2026-03-10',
      dueDate: '2026-04-09',
      lines: issued.data.lines,
      net: '59.98',
      taxes: [],
      total: '59.98',
      totalMinor: 5998n,
      paidMinor: 0n,
      creditedMinor: 0n,
      payments: expect.anything() as never,
      creditNotes: expect.anything() as never,
      voided: null,
    };
    const state = evolveInvoice(initialInvoiceState, issued);
    expect(state).toEqual(expected);
    expect(state.status === 'issued' && state.payments.size).toBe(0);
  });

  it('adds each payment to what is paid and remembers it, in order', () => {
    const state = issuedState([issued, received('PAY-1', '20.00'), received('PAY-2', '0.01')]);
    expect(state.paidMinor).toBe(2001n);
    expect(state.payments.toArray()).toEqual([
      {
        paymentId: 'PAY-1',
        amount: '20.00',
        receivedOn: '2026-03-20',
        method: 'bank_transfer',
        reference: 'SEPA 2026-0042',
      },
      {
        paymentId: 'PAY-2',
        amount: '0.01',
        receivedOn: '2026-03-20',
        method: 'bank_transfer',
        reference: 'SEPA 2026-0042',
      },
    ]);
    expect(state.payments.has('PAY-2')).toBe(true);
    expect(state.status).toBe('issued');
  });

  it('leaves the state a payment was folded onto as it was', () => {
    const before = issuedState([issued, received('PAY-1', '20.00')]);
    const after = issuedState(
      [issued, received('PAY-1', '20.00')].concat(received('PAY-2', '1.00')),
    );
    const branch = evolveInvoice(before, received('PAY-3', '2.00'));
    expect(before.payments.has('PAY-3')).toBe(false);
    expect(after.payments.has('PAY-3')).toBe(false);
    expect(branch.status !== 'none' && [...branch.payments].map((p) => p.paymentId)).toEqual([
      'PAY-1',
      'PAY-3',
    ]);
  });

  // Folding the n-th payment must cost the same as the first: an evolve that copied the earlier
  // payments (as a Set of ids once did) makes a long invoice's fold quadratic.
  it('folds a payment without walking the payments before it', () => {
    const events = [
      issued,
      ...Array.from({ length: 1999 }, (_, i) => received(`PAY-${i}`, '0.01')),
    ];
    const state = issuedState(events);
    const walks: string[] = [];
    const real = state.payments;
    const watched: typeof real = {
      get size() {
        return real.size;
      },
      append: (item) => real.append(item),
      has: (key) => real.has(key),
      get: (key) => real.get(key),
      toArray: () => {
        walks.push('toArray');
        return real.toArray();
      },
      [Symbol.iterator]: () => {
        walks.push('iterate');
        return real[Symbol.iterator]();
      },
    };
    const next = evolveInvoice({ ...state, payments: watched }, received('PAY-LAST', '0.01'));
    expect(walks).toEqual([]);
    expect(next.status !== 'none' && next.payments.size).toBe(2000);
    expect(next.status !== 'none' && next.paidMinor).toBe(2000n);
  });

  it('is void after InvoiceVoided, keeping everything else', () => {
    const issuedOnly = issuedState([issued]);
    expect(evolveInvoice(issuedOnly, voided)).toEqual({
      ...issuedOnly,
      status: 'void',
      voided: { voidedOn: '2026-03-12', reason: 'Issued to the wrong customer' },
    });
  });

  it('reads the total of a currency without minor units', () => {
    const state = issuedState([yenIssued]);
    expect(state.totalMinor).toBe(152n);
  });

  it('ignores a payment or a void with no invoice before it', () => {
    expect(evolveInvoice(initialInvoiceState, received('PAY-1', '20.00'))).toEqual({
      status: 'none',
    });
    expect(evolveInvoice(initialInvoiceState, voided)).toEqual({ status: 'none' });
  });

  it('ignores customer events', () => {
    const state = issuedState([issued]);
    expect(
      evolveInvoice(state, {
        type: 'CustomerDetailsChanged',
        data: { customerId: 'C-1', changes: { name: 'Acme SAS' } },
      }),
    ).toBe(state);
  });
});
