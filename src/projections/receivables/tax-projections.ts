/**
 * Tax read models:
 *
 * - `receivables_tax_codes`: one document per tax code, with its rates by effective date;
 * - `receivables_tax_lines`: one document per tax code of each invoice, credit note and void,
 *   dated like its posting and signed (credit notes and voids negative), so the VAT report of
 *   any range sums the documents dated in it: exactly what the output accounts moved by.
 */
import type { TaxLine } from '../../domain/receivables/events.js';
import type { TaxRatePeriod } from '../../domain/receivables/tax-code.js';
import type { StoredReceivablesEvent } from '../../domain/receivables/upcast.js';
import { upcastReceivablesEvent } from '../../domain/receivables/upcast.js';
import { storedMinor } from '../../domain/shared/money.js';
import { defineProjection } from '../projection.js';

export interface TaxCodeDocument {
  readonly code: string;
  readonly name: string;
  readonly outputAccount: string;
  readonly currency: string;
  readonly rates: readonly TaxRatePeriod[];
  readonly revision: number;
}

export const taxCodesProjection = defineProjection<
  TaxCodeDocument,
  StoredReceivablesEvent,
  'TaxCodeCreated' | 'TaxRateChanged'
>({
  name: 'receivables_tax_codes',
  version: 1,
  eventTypes: ['TaxCodeCreated', 'TaxRateChanged'],
  decode: upcastReceivablesEvent,
  documentIds: (event) => [event.data.code],
  evolve(taxCode: TaxCodeDocument | null, event, id) {
    const revision = Number(event.revision);
    if (event.type === 'TaxCodeCreated') {
      const { code, name, outputAccount, currency, rate } = event.data;
      const created: TaxCodeDocument = {
        code,
        name,
        outputAccount,
        currency,
        rates: [{ effectiveFrom: null, rate }],
        revision,
      };
      return created;
    }
    if (!taxCode) throw new Error(`TaxRateChanged for tax code ${id}, never created`);
    const { rate, effectiveFrom } = event.data;
    return { ...taxCode, rates: [...taxCode.rates, { effectiveFrom, rate }], revision };
  },
});

export type TaxLineSource = 'invoice' | 'credit_note' | 'void';

export interface TaxLineDocument {
  /** The posting date: the issue date, the credit note's date or the void's. */
  readonly date: string;
  readonly source: TaxLineSource;
  readonly invoiceId: string;
  readonly creditNoteId: string | null;
  readonly taxCode: string;
  readonly rate: string;
  readonly currency: string;
  readonly outputAccount: string;
  /** Signed minor units: negative for credit notes and voids. */
  readonly baseMinor: string;
  readonly taxMinor: string;
}

type Taxed = Extract<
  StoredReceivablesEvent,
  { type: 'InvoiceIssued' | 'CreditNoteIssued' | 'InvoiceVoided' }
>;

/** The tax lines an event books, with the id of each one's document. */
function taxLinesOf(event: Taxed): { id: string; line: TaxLine }[] {
  const { invoiceId } = event.data;
  const taxes = event.data.taxes ?? [];
  const prefix =
    event.type === 'InvoiceIssued'
      ? `${invoiceId}/issue`
      : event.type === 'InvoiceVoided'
        ? `${invoiceId}/void`
        : `${invoiceId}/credit/${event.data.creditNoteId}`;
  return taxes.map((line) => ({ id: `${prefix}/${line.taxCode}`, line }));
}

export const taxLinesProjection = defineProjection<
  TaxLineDocument,
  StoredReceivablesEvent,
  Taxed['type']
>({
  name: 'receivables_tax_lines',
  version: 1,
  eventTypes: ['InvoiceIssued', 'CreditNoteIssued', 'InvoiceVoided'],
  indexes: [
    {
      name: 'by_date',
      fields: [
        { field: 'date', direction: 'asc' },
        { field: 'taxCode', direction: 'asc' },
      ],
    },
  ],
  decode: upcastReceivablesEvent,
  documentIds: (event) => taxLinesOf(event).map(({ id }) => id),
  evolve(_existing: TaxLineDocument | null, event, id) {
    const found = taxLinesOf(event).find((entry) => entry.id === id);
    if (!found) throw new Error(`${event.type} books no tax line ${id}`);
    const { line } = found;
    const currency = event.data.currency ?? '';
    const sign = event.type === 'InvoiceIssued' ? 1n : -1n;
    const document: TaxLineDocument = {
      date:
        event.type === 'InvoiceIssued'
          ? event.data.issueDate
          : event.type === 'InvoiceVoided'
            ? event.data.voidedOn
            : event.data.date,
      source:
        event.type === 'InvoiceIssued'
          ? 'invoice'
          : event.type === 'InvoiceVoided'
            ? 'void'
            : 'credit_note',
      invoiceId: event.data.invoiceId,
      creditNoteId: event.type === 'CreditNoteIssued' ? event.data.creditNoteId : null,
      taxCode: line.taxCode,
      rate: line.rate,
      currency,
      outputAccount: line.outputAccount,
      baseMinor: (sign * storedMinor(line.base, currency)).toString(),
      taxMinor: (sign * storedMinor(line.tax, currency)).toString(),
    };
    return document;
  },
});
