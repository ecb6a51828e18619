import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  IssueInvoice,
  RequestedCreditLine,
  RequestedInvoiceLine,
} from '../../../src/domain/receivables/commands.js';
import {
  receivablesEventSchemas,
  type InvoiceIssued,
  type ReceivablesEvent,
} from '../../../src/domain/receivables/events.js';
import {
  decideInvoice,
  initialInvoiceState,
  invoiceStatus,
  outstandingMinor,
} from '../../../src/domain/receivables/invoice.js';
import type { TaxCodeState } from '../../../src/domain/receivables/tax-code.js';
import {
  chartWithout,
  creditNote,
  creditNotesOf,
  decideAll,
  invoiceFacts,
  invoiceStream,
  issuedState,
  issueTaxed,
  pay,
  taxCodeCreated,
  taxCodes,
  taxCodeState,
  taxedIssued,
  taxRateChanged,
  voidIt,
  wholeOfInvoice,
  type CreditNoteIssued,
} from './taxed-fixtures.js';

const given = invoiceStream();

/** The credit note CN-1 of 40.00 of consulting at VAT19, with what the test says differs. */
function creditNoteIssued(overrides: Partial<CreditNoteIssued['data']> = {}): CreditNoteIssued {
  return {
    type: 'CreditNoteIssued',
    data: {
      invoiceId: 'INV-1',
      customerId: 'C-1',
      creditNoteId: 'CN-1',
      date: '2026-03-15',
      reason: 'Returned goods',
      currency: 'EUR',
      lines: [
        { description: 'Consulting', amount: '40.00', taxCode: 'VAT19', revenueAccount: '4000' },
      ],
      net: '40.00',
      taxes: [
        { taxCode: 'VAT19', rate: '19.00', base: '40.00', tax: '7.60', outputAccount: '2200' },
      ],
      total: '47.60',
      toCustomerCredit: '0.00',
      ...overrides,
    },
  };
}

const consulting40: RequestedCreditLine = {
  description: 'Consulting',
  amount: '40',
  taxCode: 'VAT19',
  revenueAccount: '4000',
};

function paymentReceived(paymentId: string, amount: string, receivedOn = '2026-03-20') {
  return decideAll([issueTaxed, pay({ paymentId, amount, receivedOn })]).at(-1)!;
}

/** The tax each credit note took at `code`, in minor units. */
function creditedTaxes(events: readonly ReceivablesEvent[], code: string): bigint[] {
  return creditNotesOf(events).map((note) =>
    BigInt(note.data.taxes.find((tax) => tax.taxCode === code)?.tax.replace('.', '') ?? '0'),
  );
}

const sum = (values: readonly bigint[]) => values.reduce((total, value) => total + value, 0n);

/** An invoice INV-2 of `lines`, each on 4000 at `taxCode`, issued on 2026-03-10. */
function issueAt(taxCode: string, unitPrices: readonly string[]): IssueInvoice {
  return {
    ...issueTaxed,
    invoiceId: 'INV-2',
    lines: unitPrices.map((unitPrice, index): RequestedInvoiceLine => ({
      description: `Item ${index + 1}`,
      quantity: '1',
      unitPrice,
      revenueAccount: '4000',
      taxCode,
    })),
  };
}

/** Credit notes CN-1, CN-2, … on INV-2, one per amount, each at `taxCode` on 4000. */
function notesOf(taxCode: string, amounts: readonly string[]) {
  return amounts.map((amount, index) =>
    creditNote([{ description: 'Part', amount, taxCode }], {
      invoiceId: 'INV-2',
      creditNoteId: `CN-${index + 1}`,
    }),
  );
}

// --- issuing ---------------------------------------------------------------------------------

describe('issuing a taxed invoice', () => {
  it('taxes each code’s base once, in code order, and totals net + tax', () => {
    given([]).when(issueTaxed).then([taxedIssued]);
  });

  it('emits an event that matches the stored event schema', () => {
    const [event] = decideInvoice(issueTaxed, initialInvoiceState, invoiceFacts());
    expect(() => receivablesEventSchemas.InvoiceIssued.parse(event!.data)).not.toThrow();
  });

  it('lists the taxes in code order whatever the order of the lines', () => {
    const reversed = { ...issueTaxed, lines: [...issueTaxed.lines].reverse() };
    const [event] = decideInvoice(reversed, initialInvoiceState, invoiceFacts()) as [InvoiceIssued];
    expect(event.data.taxes).toEqual(taxedIssued.data.taxes);
    expect(event.data.total).toBe('134.19');
  });

  it('rounds the tax once per invoice, not per line (3 × 0.10 at 15 % = 0.045 → 0.05, not 0.06)', () => {
    given([])
      .when(issueAt('VAT15', ['0.10', '0.10', '0.10']))
      .then([
        {
          type: 'InvoiceIssued',
          data: {
            ...taxedIssued.data,
            invoiceId: 'INV-2',
            lines: [1, 2, 3].map((n) => ({
              description: `Item ${n}`,
              quantity: '1',
              unitPrice: '0.10',
              amount: '0.10',
              revenueAccount: '4000',
              taxCode: 'VAT15',
            })),
            net: '0.30',
            taxes: [
              { taxCode: 'VAT15', rate: '15.00', base: '0.30', tax: '0.05', outputAccount: '2200' },
            ],
            total: '0.35',
          },
        },
      ]);
  });

  it('rounds once per invoice where per line would lose (10 × 0.10 at 14 % = 0.14, not 0.10)', () => {
    const [event] = decideInvoice(
      issueAt('VAT14', Array<string>(10).fill('0.10')),
      initialInvoiceState,
      invoiceFacts(),
    ) as [InvoiceIssued];
    expect(event.data.taxes).toEqual([
      { taxCode: 'VAT14', rate: '14.00', base: '1.00', tax: '0.14', outputAccount: '2200' },
    ]);
    expect(event.data.total).toBe('1.14');
  });

  it('leaves an invoice without tax codes untaxed: no taxes, net = total', () => {
    const untaxed = { ...issueTaxed, lines: [issueTaxed.lines[3]!] };
    const [event] = decideInvoice(untaxed, initialInvoiceState, invoiceFacts()) as [InvoiceIssued];
    expect(event.data).toMatchObject({ net: '4.50', taxes: [], total: '4.50' });
    expect(event.data.lines[0]).not.toHaveProperty('taxCode');
  });

  describe('at the rate in effect on the issue date', () => {
    const changed = new Map<string, TaxCodeState>([
      ...taxCodes,
      [
        'VAT19',
        taxCodeState(
          taxCodeCreated('VAT19', '19.00', '2200'),
          taxRateChanged('VAT19', '21.00', '2026-07-01'),
          taxRateChanged('VAT19', '7.125', '2027-01-01'),
        ),
      ],
    ]);
    const consultingAt = (issueDate: string) =>
      decideInvoice(
        { ...issueTaxed, issueDate, lines: [issueTaxed.lines[0]!] },
        initialInvoiceState,
        invoiceFacts({ taxCodes: changed }),
      )[0] as InvoiceIssued;

    it.each([
      ['2026-03-10', '19.00', '15.20', '95.20'],
      ['2026-06-30', '19.00', '15.20', '95.20'],
      ['2026-07-01', '21.00', '16.80', '96.80'],
      ['2026-12-31', '21.00', '16.80', '96.80'],
      // 7.125 % of 80.00 = 5.70 exactly.
      ['2027-01-01', '7.125', '5.70', '85.70'],
    ])('issued on %s: %s %%, tax %s, total %s', (issueDate, rate, tax, total) => {
      const event = consultingAt(issueDate);
      expect(event.data.taxes).toEqual([
        { taxCode: 'VAT19', rate, base: '80.00', tax, outputAccount: '2200' },
      ]);
      expect(event.data.total).toBe(total);
    });

    it('is kept by the invoice: a credit note after a change credits at the invoice’s rate', () => {
      const events = decideAll(
        [issueTaxed, creditNote([consulting40], { date: '2026-08-01' })],
        invoiceFacts({ taxCodes: changed }),
      );
      expect(creditNotesOf(events)[0]!.data.taxes).toEqual([
        { taxCode: 'VAT19', rate: '19.00', base: '40.00', tax: '7.60', outputAccount: '2200' },
      ]);
    });
  });

  it.each<[string, ReadonlyMap<string, TaxCodeState> | undefined]>([
    ['not among the codes', taxCodes],
    ['with no codes at all', new Map()],
    ['never created (state none)', new Map([['VAT99', { status: 'none' }]])],
  ])('refuses a tax code that does not exist (%s)', (_case, codes) => {
    invoiceStream({ ...invoiceFacts(), taxCodes: codes })([])
      .when({ ...issueTaxed, lines: [{ ...issueTaxed.lines[0]!, taxCode: 'VAT99' }] })
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines[0].taxCode'],
        message: 'lines[0].taxCode: tax code VAT99 does not exist',
      });
  });

  it('refuses a tax code owed in another currency', () => {
    given([])
      .when({
        ...issueTaxed,
        lines: [issueTaxed.lines[3]!, { ...issueTaxed.lines[0]!, taxCode: 'USVAT' }],
      })
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidInvoice',
        issues: ['lines[1].taxCode'],
        message: 'tax code USVAT is owed in USD, not EUR',
      });
  });

  it('refuses an invoice whose output account is not open', () => {
    invoiceStream(invoiceFacts({ accounts: chartWithout('2210') }))([])
      .when(issueTaxed)
      .thenRefuses({
        kind: 'conflict',
        code: 'AccountNotOpen',
        message: 'Account 2210 is not open for posting',
      });
  });

  it('does not need the output account of a code no line uses', () => {
    invoiceStream(invoiceFacts({ accounts: chartWithout('2210') }))([])
      .when({ ...issueTaxed, lines: issueTaxed.lines.filter((line) => line.taxCode !== 'VAT7') })
      .then([
        {
          type: 'InvoiceIssued',
          data: {
            ...taxedIssued.data,
            lines: taxedIssued.data.lines.filter((line) => line.taxCode !== 'VAT7'),
            net: '104.50',
            taxes: [taxedIssued.data.taxes![0]!],
            total: '123.50',
          },
        },
      ]);
  });
});

// --- crediting -------------------------------------------------------------------------------

describe('issuing a credit note', () => {
  it('credits part of a line at the invoice’s rate', () => {
    given([taxedIssued])
      .when(creditNote([consulting40]))
      .then([creditNoteIssued()]);
  });

  it('emits an event that matches the stored event schema', () => {
    const [event] = decideInvoice(
      creditNote(wholeOfInvoice),
      issuedState([taxedIssued]),
      invoiceFacts(),
    );
    expect(() => receivablesEventSchemas.CreditNoteIssued.parse(event!.data)).not.toThrow();
  });

  it('defaults the revenue account to the only one the invoice used at the code', () => {
    given([taxedIssued])
      .when(creditNote([{ description: 'Books', amount: '3.33', taxCode: 'VAT7' }]))
      .then([
        creditNoteIssued({
          lines: [
            { description: 'Books', amount: '3.33', taxCode: 'VAT7', revenueAccount: '4000' },
          ],
          net: '3.33',
          // 7 % of 3.33 = 0.2331 → 0.23
          taxes: [
            { taxCode: 'VAT7', rate: '7.00', base: '3.33', tax: '0.23', outputAccount: '2210' },
          ],
          total: '3.56',
        }),
      ]);
  });

  it('credits an untaxed line without tax, on the account of the untaxed lines', () => {
    given([taxedIssued])
      .when(creditNote([{ description: 'Postage', amount: '4.5' }]))
      .then([
        creditNoteIssued({
          lines: [{ description: 'Postage', amount: '4.50', revenueAccount: '4001' }],
          net: '4.50',
          taxes: [],
          total: '4.50',
        }),
      ]);
  });

  it('credits the whole invoice in one note: exactly its net, its tax per code and its total', () => {
    given([taxedIssued])
      .when(creditNote(wholeOfInvoice))
      .then([
        creditNoteIssued({
          lines: [
            {
              description: 'Consulting',
              amount: '80.00',
              taxCode: 'VAT19',
              revenueAccount: '4000',
            },
            { description: 'Licence', amount: '20.00', taxCode: 'VAT19', revenueAccount: '4001' },
            { description: 'Books', amount: '9.99', taxCode: 'VAT7', revenueAccount: '4000' },
            { description: 'Postage', amount: '4.50', revenueAccount: '4001' },
          ],
          net: '114.49',
          taxes: taxedIssued.data.taxes!,
          total: '134.19',
        }),
      ]);
  });

  it('sums a note’s lines per tax code before taxing them', () => {
    // 80.00 + 20.00 at VAT19 on both accounts: one tax line of 19.00 for the base of 100.00.
    const [event] = decideInvoice(
      creditNote(wholeOfInvoice.slice(0, 2)),
      issuedState([taxedIssued]),
      invoiceFacts(),
    ) as [CreditNoteIssued];
    expect(event.data.taxes).toEqual([taxedIssued.data.taxes![0]]);
  });

  describe('in many notes, takes back exactly the invoice’s tax', () => {
    it('where rounding each note would lose a cent (3 × 3.33 at 7 %: 0.23 + 0.23 + 0.24)', () => {
      const books = [1, 2, 3].map((n) =>
        creditNote([{ description: 'Books', amount: '3.33', taxCode: 'VAT7' }], {
          creditNoteId: `CN-${n}`,
        }),
      );
      const events = decideAll([issueTaxed, ...books]);
      expect(creditedTaxes(events, 'VAT7')).toEqual([23n, 23n, 24n]);
      expect(sum(creditedTaxes(events, 'VAT7'))).toBe(70n);
    });

    it('where rounding each note would gain a cent (3 × 0.10 at 15 %: 0.02 + 0.02 + 0.01)', () => {
      const events = decideAll([
        issueAt('VAT15', ['0.10', '0.10', '0.10']),
        ...notesOf('VAT15', ['0.10', '0.10', '0.10']),
      ]);
      expect(creditedTaxes(events, 'VAT15')).toEqual([2n, 2n, 1n]);
    });

    it('where rounding each note would lose four cents (10 × 0.10 at 14 %: the last takes 0.05)', () => {
      const tenths = Array<string>(10).fill('0.10');
      const events = decideAll([issueAt('VAT14', tenths), ...notesOf('VAT14', tenths)]);
      expect(creditedTaxes(events, 'VAT14')).toEqual([1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 5n]);
    });

    it('never taking more than the tax left, before the note that credits the rest', () => {
      // 1.00 at 19 % = 0.19. Nine notes of 0.10 take 0.02 each (0.18); 0.08 would take
      // 0.0152 → 0.02 but only 0.01 is left; the last 0.02 takes the rest, nothing.
      const amounts = [...Array<string>(9).fill('0.10'), '0.08', '0.02'];
      const events = decideAll([issueAt('VAT19', ['1.00']), ...notesOf('VAT19', amounts)]);
      expect(creditedTaxes(events, 'VAT19')).toEqual([...Array<bigint>(9).fill(2n), 1n, 0n]);
      const state = issuedState(events);
      expect(invoiceStatus(state)).toBe('credited');
      expect(state.creditedMinor).toBe(state.totalMinor);
    });

    it('for any split of any base at any rate', () => {
      const codes = ['VAT19', 'VAT7', 'VAT15', 'VAT14'] as const;
      const split = fc.integer({ min: 1, max: 1_000_000 }).chain((base) =>
        fc.record({
          base: fc.constant(base),
          cuts: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, base - 1) }), {
            maxLength: Math.min(12, base - 1),
          }),
          code: fc.constantFrom(...codes),
        }),
      );
      fc.assert(
        fc.property(split, ({ base, cuts, code }) => {
          const bounds = [0, ...[...cuts].sort((a, b) => a - b), base];
          const parts = bounds.slice(1).map((bound, index) => bound - bounds[index]!);
          const cents = (minor: number) =>
            `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
          const events = decideAll([
            issueAt(code, [cents(base)]),
            ...notesOf(code, parts.map(cents)),
          ]);
          const invoiced = issuedState(events.slice(0, 1)).taxes[0]!;
          const taxes = creditedTaxes(events, code);
          expect(taxes).toHaveLength(parts.length);
          let running = 0n;
          for (const tax of taxes) {
            expect(tax >= 0n).toBe(true);
            running += tax;
            expect(running <= BigInt(invoiced.tax.replace('.', ''))).toBe(true);
          }
          expect(running).toBe(BigInt(invoiced.tax.replace('.', '')));
          const state = issuedState(events);
          expect(state.creditedMinor).toBe(state.totalMinor);
          expect(invoiceStatus(state)).toBe('credited');
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('refuses to credit beyond what the invoice billed', () => {
    it('on one revenue account at one code', () => {
      given([taxedIssued])
        .when(creditNote([{ ...consulting40, amount: '80.01' }]))
        .thenRefuses({
          kind: 'conflict',
          code: 'CreditExceedsInvoice',
          message:
            'Invoice INV-1 has 80.00 EUR left to credit on account 4000 at tax code VAT19; 80.01 EUR was asked',
        });
    });

    it('less what earlier notes credited', () => {
      given([taxedIssued, creditNoteIssued()])
        .when(creditNote([{ ...consulting40, amount: '40.01' }], { creditNoteId: 'CN-2' }))
        .thenRefuses({
          kind: 'conflict',
          code: 'CreditExceedsInvoice',
          message: 'has 40.00 EUR left to credit on account 4000 at tax code VAT19; 40.01 EUR',
        });
    });

    it('summing the lines of one note at the same account and code', () => {
      given([taxedIssued])
        .when(
          creditNote([
            { ...consulting40, amount: '50' },
            { ...consulting40, amount: '30.01' },
          ]),
        )
        .thenRefuses({
          kind: 'conflict',
          code: 'CreditExceedsInvoice',
          message:
            '80.00 EUR left to credit on account 4000 at tax code VAT19; 80.01 EUR was asked',
        });
    });

    it('per account: the code’s base left on another account does not count', () => {
      given([taxedIssued])
        .when(
          creditNote([
            { description: 'Licence', amount: '20.01', taxCode: 'VAT19', revenueAccount: '4001' },
          ]),
        )
        .thenRefuses({
          kind: 'conflict',
          code: 'CreditExceedsInvoice',
          message: '20.00 EUR left to credit on account 4001 at tax code VAT19',
        });
    });

    it('on the untaxed lines', () => {
      given([taxedIssued])
        .when(creditNote([{ description: 'Postage', amount: '4.51' }]))
        .thenRefuses({
          kind: 'conflict',
          code: 'CreditExceedsInvoice',
          message: 'has 4.50 EUR left to credit on account 4001 untaxed; 4.51 EUR was asked',
        });
    });

    it('once it is credited in full', () => {
      const full = decideAll([issueTaxed, creditNote(wholeOfInvoice)]);
      given(full)
        .when(creditNote([{ description: 'Postage', amount: '0.01' }], { creditNoteId: 'CN-2' }))
        .thenRefuses({
          kind: 'conflict',
          code: 'CreditExceedsInvoice',
          message: 'has 0.00 EUR left',
        });
    });
  });

  describe('refuses an invalid credit note', () => {
    it('when a line at a code the invoice posted to two accounts names none', () => {
      given([taxedIssued])
        .when(
          creditNote([
            { description: 'Postage', amount: '1' },
            { description: 'Discount', amount: '10', taxCode: 'VAT19' },
          ]),
        )
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidCreditNote',
          issues: ['lines[1].revenueAccount'],
          message:
            'lines[1].revenueAccount: the lines at tax code VAT19 of invoice INV-1 went to 4000, 4001: name the revenueAccount credited',
        });
    });

    it('when a line names an account the invoice did not post to at the code', () => {
      given([taxedIssued])
        .when(
          creditNote([
            { description: 'Books', amount: '1', taxCode: 'VAT7', revenueAccount: '4001' },
          ]),
        )
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidCreditNote',
          issues: ['lines[0].revenueAccount'],
          message:
            'invoice INV-1 posted nothing at tax code VAT7 to account 4001; its lines at tax code VAT7 went to 4000',
        });
    });

    it('when an untaxed line names an account of the taxed lines only', () => {
      given([taxedIssued])
        .when(creditNote([{ description: 'Postage', amount: '1', revenueAccount: '4000' }]))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidCreditNote',
          issues: ['lines[0].revenueAccount'],
          message: 'posted nothing untaxed to account 4000; its lines untaxed went to 4001',
        });
    });

    it.each(['VAT15', 'VAT99'])('when a line is at %s, a code not on the invoice', (taxCode) => {
      given([taxedIssued])
        .when(creditNote([{ description: 'Discount', amount: '1', taxCode }]))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidCreditNote',
          issues: ['lines[0].taxCode'],
          message: `lines[0].taxCode: invoice INV-1 has no lines at tax code ${taxCode}`,
        });
    });

    it('when a line is untaxed and the invoice has no untaxed lines', () => {
      const events = decideAll([issueAt('VAT15', ['0.10'])]);
      given(events)
        .when(creditNote([{ description: 'Discount', amount: '0.05' }], { invoiceId: 'INV-2' }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidCreditNote',
          issues: ['lines[0].taxCode'],
          message: 'invoice INV-2 has no untaxed lines; name the tax code credited',
        });
    });

    it.each(['0', '0.00', '-1', '1.001', 'ten', ''])('when a line’s amount is %j', (amount) => {
      given([taxedIssued])
        .when(creditNote([{ ...consulting40, amount }]))
        .thenRefuses({ kind: 'invalid', code: 'InvalidCreditNote', issues: ['lines[0].amount'] });
    });

    it('when it is dated before the invoice’s issue date', () => {
      given([taxedIssued])
        .when(creditNote([consulting40], { date: '2026-03-09' }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidCreditNote',
          issues: ['date'],
          message: "date: must not be before the invoice's issue date 2026-03-10",
        });
    });

    it.each(['2026-02-30', '2026-3-15', ''])('when its date is %j', (date) => {
      given([taxedIssued])
        .when(creditNote([consulting40], { date }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidCreditNote',
          issues: ['date'],
          message: 'must be a calendar date',
        });
    });

    it('reporting every invalid part at once', () => {
      given([taxedIssued])
        .when(
          creditNote(
            [
              { description: 'a', amount: '-1', taxCode: 'VAT7' },
              { description: 'b', amount: '1', taxCode: 'VAT19' },
            ],
            { date: '2026-01-01', reason: ' ' },
          ),
        )
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidCreditNote',
          issues: ['date', 'reason', 'lines[0].amount', 'lines[1].revenueAccount'],
        });
    });

    it('without lines', () => {
      given([taxedIssued])
        .when(creditNote([]))
        .thenRefuses({ kind: 'invalid', code: 'InvalidCreditNote', issues: ['lines'] });
    });
  });

  it('may be dated the issue date', () => {
    given([taxedIssued])
      .when(creditNote([consulting40], { date: '2026-03-10' }))
      .then([creditNoteIssued({ date: '2026-03-10' })]);
  });

  it('refuses a credit note on an invoice that does not exist', () => {
    given([])
      .when(creditNote([consulting40]))
      .thenRefuses({ kind: 'not_found', code: 'InvoiceNotFound', message: 'INV-1' });
  });

  it('refuses a credit note on a void invoice', () => {
    given(decideAll([issueTaxed, voidIt()]))
      .when(creditNote([consulting40]))
      .thenRefuses({ kind: 'conflict', code: 'InvoiceVoid', message: 'Invoice INV-1 is void' });
  });

  it('refuses a credit note id already recorded on the invoice', () => {
    given([taxedIssued, creditNoteIssued()])
      .when(creditNote([{ description: 'Postage', amount: '1' }]))
      .thenRefuses({
        kind: 'conflict',
        code: 'CreditNoteAlreadyRecorded',
        message: 'Credit note CN-1 is already recorded on invoice INV-1',
      });
  });

  it('refuses a credit note dated in a closed period', () => {
    invoiceStream(invoiceFacts({ closedPeriods: ['2026-03'] }))([taxedIssued])
      .when(creditNote([consulting40]))
      .thenRefuses({
        kind: 'conflict',
        code: 'PeriodClosed',
        message: 'Period 2026-03 is closed: nothing dated 2026-03-15 can be credited',
      });
  });

  it('credits an invoice of a closed period in the next open one', () => {
    invoiceStream(invoiceFacts({ closedPeriods: ['2026-03'] }))([taxedIssued])
      .when(creditNote([consulting40], { date: '2026-04-01' }))
      .then([creditNoteIssued({ date: '2026-04-01' })]);
  });

  it.each([
    ['4001', { description: 'Postage', amount: '1' }],
    ['2210', { description: 'Books', amount: '1', taxCode: 'VAT7' }],
  ])('refuses a credit note posting to %s, an account not open', (code, line) => {
    invoiceStream(invoiceFacts({ accounts: chartWithout(code) }))([taxedIssued])
      .when(creditNote([line]))
      .thenRefuses({
        kind: 'conflict',
        code: 'AccountNotOpen',
        message: `Account ${code} is not open for posting`,
      });
  });
});

// --- what a credit note does to the invoice ---------------------------------------------------

describe('a credit note on the invoice', () => {
  it('leaves an unpaid invoice open, with less outstanding, then credited once all is credited', () => {
    const partly = [taxedIssued, creditNoteIssued()];
    expect(invoiceStatus(issuedState(partly))).toBe('open');
    expect(outstandingMinor(issuedState(partly))).toBe(13_419n - 4_760n);

    const rest = decideAll([
      issueTaxed,
      creditNote([consulting40]),
      creditNote(
        [{ ...consulting40, description: 'Rest of consulting' }, ...wholeOfInvoice.slice(1)],
        { creditNoteId: 'CN-2' },
      ),
    ]);
    const state = issuedState(rest);
    expect(creditNotesOf(rest).map((note) => note.data.total)).toEqual(['47.60', '86.59']);
    expect(state.creditedMinor).toBe(13_419n);
    expect(outstandingMinor(state)).toBe(0n);
    expect(invoiceStatus(state)).toBe('credited');
    expect(state.creditNotes.toArray().map((note) => note.creditNoteId)).toEqual(['CN-1', 'CN-2']);
  });

  it('leaves a partly paid invoice partially paid when it does not settle the rest', () => {
    const events = decideAll([issueTaxed, pay({ amount: '50' }), creditNote([consulting40])]);
    const state = issuedState(events);
    expect(creditNotesOf(events)[0]!.data.toCustomerCredit).toBe('0.00');
    expect(invoiceStatus(state)).toBe('partially_paid');
    expect(outstandingMinor(state)).toBe(13_419n - 5_000n - 4_760n);
  });

  it('turns what it credits beyond the unpaid part into customer credit, and the invoice paid', () => {
    given([taxedIssued, paymentReceived('PAY-1', '120.00')])
      .when(creditNote([consulting40]))
      // 47.60 credited, 14.19 was unpaid: 33.41 is the customer's.
      .then([creditNoteIssued({ toCustomerCredit: '33.41' })]);
    const state = issuedState(
      decideAll([issueTaxed, pay({ amount: '120' }), creditNote([consulting40])]),
    );
    expect(invoiceStatus(state)).toBe('paid');
    expect(outstandingMinor(state)).toBe(0n);
  });

  it('turns the whole of a note into customer credit once the invoice is settled', () => {
    const events = decideAll([
      issueTaxed,
      pay({ amount: '100' }),
      creditNote([consulting40]),
      creditNote([{ description: 'Postage', amount: '4.50' }], { creditNoteId: 'CN-2' }),
    ]);
    expect(creditNotesOf(events).map((note) => note.data.toCustomerCredit)).toEqual([
      '13.41',
      '4.50',
    ]);
  });

  it('credits an invoice paid in full wholly to the customer', () => {
    const events = decideAll([issueTaxed, pay({ amount: '134.19' }), creditNote(wholeOfInvoice)]);
    expect(creditNotesOf(events)[0]!.data).toMatchObject({
      total: '134.19',
      toCustomerCredit: '134.19',
    });
    expect(invoiceStatus(issuedState(events))).toBe('paid');
  });

  it('limits payments to what is still outstanding after it', () => {
    given([taxedIssued, creditNoteIssued()])
      .when(pay({ amount: '86.60' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'PaymentExceedsOutstanding',
        message: 'exceeds the 86.59 EUR outstanding on invoice INV-1',
      });
    const paid = decideAll([issueTaxed, creditNote([consulting40]), pay({ amount: '86.59' })]);
    expect(invoiceStatus(issuedState(paid))).toBe('paid');
  });

  it('refuses any payment once the invoice is credited in full', () => {
    given(decideAll([issueTaxed, creditNote(wholeOfInvoice)]))
      .when(pay({ amount: '0.01' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'InvoiceAlreadyPaid',
        message: 'Invoice INV-1 is already settled in full, with credit notes',
      });
  });

  it('refuses to void the invoice once it has a credit note', () => {
    given([taxedIssued, creditNoteIssued()])
      .when(voidIt({ voidedOn: '2026-03-20' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'InvoiceHasCreditNotes',
        message: 'Invoice INV-1 has credit notes; credit the rest of it instead of voiding it',
      });
  });

  it('voids a taxed invoice with its taxes, to be reversed with it', () => {
    given([taxedIssued])
      .when(voidIt())
      .then([
        {
          type: 'InvoiceVoided',
          data: {
            invoiceId: 'INV-1',
            customerId: 'C-1',
            voidedOn: '2026-03-12',
            reason: 'Issued in error',
            total: '134.19',
            currency: 'EUR',
            taxes: taxedIssued.data.taxes!,
          },
        },
      ]);
  });
});
