/** Tax codes and the VAT report, answered from the tax read models. */
import type { CurrencyCode } from '../../domain/shared/currency.js';
import { formatAmount } from '../../domain/shared/money.js';
import type { ReadModelStore } from '../../stores/read-model-store.js';
import type { Page } from '../ledger/ledger-queries.js';
import { taxCodesProjection, taxLinesProjection, type TaxCodeDocument } from './tax-projections.js';

export const TAX_READ_MODELS = {
  taxCodes: [taxCodesProjection.name],
  vat: [taxLinesProjection.name, taxCodesProjection.name],
} as const;

export interface VatRow {
  readonly taxCode: string;
  readonly name: string | null;
  readonly currency: string;
  readonly outputAccount: string;
  /** Invoices issued in the range. */
  readonly invoiced: { readonly base: string; readonly tax: string };
  /** Credit notes and voids dated in the range, as positive amounts taken off. */
  readonly credited: { readonly base: string; readonly tax: string };
  /** invoiced − credited. */
  readonly base: string;
  readonly tax: string;
}

export interface VatReport {
  readonly from: string;
  readonly to: string;
  readonly codes: readonly VatRow[];
  /** Per currency: the net base and tax; `tax` is what the output accounts moved by. */
  readonly totals: readonly { currency: string; base: string; tax: string }[];
}

interface Sums {
  invoicedBase: bigint;
  invoicedTax: bigint;
  creditedBase: bigint;
  creditedTax: bigint;
}

export function createTaxQueries(deps: {
  readonly readModels: ReadModelStore;
  readonly collection: (projection: string) => Promise<string>;
}) {
  const { readModels, collection } = deps;

  return {
    async listTaxCodes(options: {
      limit: number;
      cursor?: string;
    }): Promise<Page<TaxCodeDocument>> {
      const page = await readModels.find(await collection(taxCodesProjection.name), {
        sort: [{ field: 'code', direction: 'asc' }],
        limit: options.limit,
        cursor: options.cursor,
      });
      return {
        items: page.documents.map((document) => taxCodesProjection.document(document.body)),
        nextCursor: page.nextCursor ?? null,
      };
    },

    async getTaxCode(code: string): Promise<TaxCodeDocument | undefined> {
      const body = (await readModels.load(await collection(taxCodesProjection.name), [code])).get(
        code,
      )?.body;
      return body ? taxCodesProjection.document(body) : undefined;
    },

    /**
     * Base and tax per tax code of the invoices issued from `from` to `to` (inclusive), less the
     * credit notes and voids dated in it: the same events, dated the same way, as the postings
     * to the output accounts.
     */
    async vat(from: string, to: string): Promise<VatReport> {
      const target = await collection(taxLinesProjection.name);
      const rows = new Map<string, { currency: string; outputAccount: string; sums: Sums }>();
      for (let cursor: string | undefined; ;) {
        const page = await readModels.find(target, {
          where: { date: { gte: from, lte: to } },
          sort: [
            { field: 'date', direction: 'asc' },
            { field: 'taxCode', direction: 'asc' },
          ],
          limit: 1000,
          cursor,
        });
        for (const stored of page.documents) {
          const line = taxLinesProjection.document(stored.body);
          const key = `${line.taxCode}\u0000${line.currency}\u0000${line.outputAccount}`;
          const row = rows.get(key) ?? {
            currency: line.currency,
            outputAccount: line.outputAccount,
            sums: { invoicedBase: 0n, invoicedTax: 0n, creditedBase: 0n, creditedTax: 0n },
          };
          const base = BigInt(line.baseMinor);
          const tax = BigInt(line.taxMinor);
          if (line.source === 'invoice') {
            row.sums.invoicedBase += base;
            row.sums.invoicedTax += tax;
          } else {
            row.sums.creditedBase -= base;
            row.sums.creditedTax -= tax;
          }
          rows.set(key, row);
        }
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      const names = await readModels.load(await collection(taxCodesProjection.name), [
        ...new Set([...rows.keys()].map((key) => key.split('\u0000')[0]!)),
      ]);
      const totals = new Map<string, { base: bigint; tax: bigint }>();
      const codes = [...rows.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, { currency, outputAccount, sums }]) => {
          const taxCode = key.split('\u0000')[0]!;
          const money = (minor: bigint) => formatAmount(minor, currency as CurrencyCode);
          const base = sums.invoicedBase - sums.creditedBase;
          const tax = sums.invoicedTax - sums.creditedTax;
          const total = totals.get(currency) ?? { base: 0n, tax: 0n };
          total.base += base;
          total.tax += tax;
          totals.set(currency, total);
          const body = names.get(taxCode)?.body;
          return {
            taxCode,
            name: body ? taxCodesProjection.document(body).name : null,
            currency,
            outputAccount,
            invoiced: { base: money(sums.invoicedBase), tax: money(sums.invoicedTax) },
            credited: { base: money(sums.creditedBase), tax: money(sums.creditedTax) },
            base: money(base),
            tax: money(tax),
          };
        });
      return {
        from,
        to,
        codes,
        totals: [...totals.keys()].sort().map((currency) => {
          const money = (minor: bigint) => formatAmount(minor, currency as CurrencyCode);
          const { base, tax } = totals.get(currency)!;
          return { currency, base: money(base), tax: money(tax) };
        }),
      };
    },
  };
}

export type TaxQueries = ReturnType<typeof createTaxQueries>;
