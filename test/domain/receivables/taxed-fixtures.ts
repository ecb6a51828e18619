/**
 * Fixtures shared by the tests of tax codes, taxed invoices, credit notes and refunds: a chart
 * of accounts with output (liability) accounts, three tax codes, a customer, the facts an
 * invoice command is decided against, and one taxed invoice with two codes, an untaxed line and
 * two revenue accounts.
 */
import { appendOnlyList } from '../../../src/domain/shared/append-only-list.js';
import type { AccountState } from '../../../src/domain/ledger/account.js';
import type { AccountType } from '../../../src/domain/ledger/events.js';
import type {
  InvoiceCommand,
  IssueCreditNote,
  IssueInvoice,
  RecordPayment,
  RequestedCreditLine,
  VoidInvoice,
} from '../../../src/domain/receivables/commands.js';
import type { ActiveCustomer } from '../../../src/domain/receivables/customer.js';
import type { InvoiceIssued, ReceivablesEvent } from '../../../src/domain/receivables/events.js';
import {
  decideInvoice,
  evolveInvoice,
  initialInvoiceState,
  type InvoiceFacts,
  type IssuedInvoice,
} from '../../../src/domain/receivables/invoice.js';
import {
  evolveTaxCode,
  initialTaxCodeState,
  type TaxCodeState,
} from '../../../src/domain/receivables/tax-code.js';
import { givenWhenThen } from '../ledger/given-when-then.js';

export type TaxCodeCreated = Extract<ReceivablesEvent, { type: 'TaxCodeCreated' }>;
export type TaxRateChanged = Extract<ReceivablesEvent, { type: 'TaxRateChanged' }>;
export type CreditNoteIssued = Extract<ReceivablesEvent, { type: 'CreditNoteIssued' }>;

export function account(code: string, type: AccountType, currency: string): AccountState {
  return { status: 'open', code, name: `Account ${code}`, type, currency };
}

export const chart: ReadonlyMap<string, AccountState> = new Map([
  ['4000', account('4000', 'revenue', 'EUR')],
  ['4001', account('4001', 'revenue', 'EUR')],
  ['4100', account('4100', 'revenue', 'USD')],
  ['2200', account('2200', 'liability', 'EUR')],
  ['2210', account('2210', 'liability', 'EUR')],
  ['2300', account('2300', 'liability', 'USD')],
]);

/** The chart without `codes`: those accounts were never opened. */
export function chartWithout(...codes: string[]): ReadonlyMap<string, AccountState> {
  return new Map([...chart].filter(([code]) => !codes.includes(code)));
}

export function taxCodeCreated(
  code: string,
  rate: string,
  outputAccount: string,
  currency = 'EUR',
): TaxCodeCreated {
  return {
    type: 'TaxCodeCreated',
    data: { code, name: `Tax ${code}`, rate, outputAccount, currency },
  };
}

export function taxRateChanged(code: string, rate: string, effectiveFrom: string): TaxRateChanged {
  return { type: 'TaxRateChanged', data: { code, rate, effectiveFrom } };
}

export function taxCodeState(...events: ReceivablesEvent[]): TaxCodeState {
  return events.reduce(evolveTaxCode, initialTaxCodeState);
}

export const taxCodes: ReadonlyMap<string, TaxCodeState> = new Map([
  ['VAT19', taxCodeState(taxCodeCreated('VAT19', '19.00', '2200'))],
  ['VAT7', taxCodeState(taxCodeCreated('VAT7', '7.00', '2210'))],
  ['VAT15', taxCodeState(taxCodeCreated('VAT15', '15.00', '2200'))],
  ['VAT14', taxCodeState(taxCodeCreated('VAT14', '14.00', '2200'))],
  ['USVAT', taxCodeState(taxCodeCreated('USVAT', '10.00', '2300', 'USD'))],
]);

export const acme: ActiveCustomer = {
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

export function invoiceFacts(
  options: {
    accounts?: ReadonlyMap<string, AccountState>;
    taxCodes?: ReadonlyMap<string, TaxCodeState>;
    closedPeriods?: string[];
  } = {},
): InvoiceFacts {
  return {
    customer: acme,
    accounts: options.accounts ?? chart,
    closedPeriods: new Set(options.closedPeriods ?? []),
    receivable: { code: '12000', state: account('12000', 'asset', 'EUR') },
    cash: { code: '10000', state: account('10000', 'asset', 'EUR') },
    taxCodes: options.taxCodes ?? taxCodes,
  };
}

/** given/when/then for one invoice stream, deciding against `facts`. */
export function invoiceStream(facts: InvoiceFacts = invoiceFacts()) {
  return givenWhenThen({
    initialState: initialInvoiceState,
    evolve: evolveInvoice,
    decide: (command: InvoiceCommand, state) => decideInvoice(command, state, facts),
  });
}

/**
 * INV-1: 2 × 40.00 + 1 × 20.00 at VAT19 (on 4000 and 4001), 3 × 3.33 at VAT7 (on 4000) and
 * 4.50 untaxed (on 4001). Net 114.49; VAT19 19 % of 100.00 = 19.00; VAT7 7 % of 9.99 =
 * 0.6993 → 0.70; total 134.19.
 */
export const issueTaxed: IssueInvoice = {
  type: 'IssueInvoice',
  invoiceId: 'INV-1',
  customerId: 'C-1',
  issueDate: '2026-03-10',
  lines: [
    {
      description: 'Consulting',
      quantity: '2',
      unitPrice: '40',
      revenueAccount: '4000',
      taxCode: 'VAT19',
    },
    {
      description: 'Licence',
      quantity: '1',
      unitPrice: '20',
      revenueAccount: '4001',
      taxCode: 'VAT19',
    },
    {
      description: 'Books',
      quantity: '3',
      unitPrice: '3.33',
      revenueAccount: '4000',
      taxCode: 'VAT7',
    },
    { description: 'Postage', quantity: '1', unitPrice: '4.50', revenueAccount: '4001' },
  ],
};

export const taxedIssued: InvoiceIssued = {
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
        quantity: '2',
        unitPrice: '40.00',
        amount: '80.00',
        revenueAccount: '4000',
        taxCode: 'VAT19',
      },
      {
        description: 'Licence',
        quantity: '1',
        unitPrice: '20.00',
        amount: '20.00',
        revenueAccount: '4001',
        taxCode: 'VAT19',
      },
      {
        description: 'Books',
        quantity: '3',
        unitPrice: '3.33',
        amount: '9.99',
        revenueAccount: '4000',
        taxCode: 'VAT7',
      },
      {
        description: 'Postage',
        quantity: '1',
        unitPrice: '4.50',
        amount: '4.50',
        revenueAccount: '4001',
      },
    ],
    net: '114.49',
    taxes: [
      {
        taxCode: 'VAT19',
        rate: '19.00',
        base: '100.00',
        tax: '19.00',
        outputAccount: '2200',
      },
      { taxCode: 'VAT7', rate: '7.00', base: '9.99', tax: '0.70', outputAccount: '2210' },
    ],
    total: '134.19',
  },
};

export function creditNote(
  lines: readonly RequestedCreditLine[],
  overrides: Partial<IssueCreditNote> = {},
): IssueCreditNote {
  return {
    type: 'IssueCreditNote',
    invoiceId: 'INV-1',
    creditNoteId: 'CN-1',
    date: '2026-03-15',
    reason: 'Returned goods',
    lines,
    ...overrides,
  };
}

/** Every line of INV-1 in full: credits the whole invoice. */
export const wholeOfInvoice: readonly RequestedCreditLine[] = [
  { description: 'Consulting', amount: '80.00', taxCode: 'VAT19', revenueAccount: '4000' },
  { description: 'Licence', amount: '20.00', taxCode: 'VAT19', revenueAccount: '4001' },
  { description: 'Books', amount: '9.99', taxCode: 'VAT7' },
  { description: 'Postage', amount: '4.50' },
];

export function pay(overrides: Partial<RecordPayment> = {}): RecordPayment {
  return {
    type: 'RecordPayment',
    invoiceId: 'INV-1',
    paymentId: 'PAY-1',
    amount: '100.00',
    receivedOn: '2026-03-20',
    method: 'bank_transfer',
    reference: 'SEPA 2026-0042',
    ...overrides,
  };
}

export function voidIt(overrides: Partial<VoidInvoice> = {}): VoidInvoice {
  return {
    type: 'VoidInvoice',
    invoiceId: 'INV-1',
    voidedOn: '2026-03-12',
    reason: 'Issued in error',
    ...overrides,
  };
}

/** The events `commands` record, each decided against those before it (all must be accepted). */
export function decideAll(
  commands: readonly InvoiceCommand[],
  facts: InvoiceFacts = invoiceFacts(),
): ReceivablesEvent[] {
  const events: ReceivablesEvent[] = [];
  let state = initialInvoiceState as ReturnType<typeof evolveInvoice>;
  for (const command of commands) {
    for (const event of decideInvoice(command, state, facts)) {
      events.push(event);
      state = evolveInvoice(state, event);
    }
  }
  return events;
}

export function issuedState(events: readonly ReceivablesEvent[]): IssuedInvoice {
  const state = events.reduce(evolveInvoice, initialInvoiceState);
  if (state.status === 'none') throw new Error('expected an issued invoice');
  return state;
}

/** The credit note events among `events`. */
export function creditNotesOf(events: readonly ReceivablesEvent[]): CreditNoteIssued[] {
  return events.filter((event): event is CreditNoteIssued => event.type === 'CreditNoteIssued');
}
