/** Accounts receivable queries, answered from the receivables read models. */
import { formatAmount } from '../../domain/shared/money.js';
import type { CurrencyCode } from '../../domain/shared/currency.js';
import type { ReadModelStore, Where } from '../../stores/read-model-store.js';
import type { Page } from '../ledger/ledger-queries.js';
import {
  customersProjection,
  invoicesProjection,
  type CustomerDocument,
  type InvoiceDocument,
} from './receivables-projections.js';

export interface CustomerView extends Omit<CustomerDocument, 'openBalanceMinor'> {
  /** Issued minus paid over the customer's invoices that are not void. */
  readonly openBalance: string;
}

export interface InvoiceView extends InvoiceDocument {
  /** Not fully paid (and not void) and past its due date on the query date. */
  readonly overdue: boolean;
}

export type InvoiceStatusFilter = InvoiceDocument['status'] | 'overdue';

export const RECEIVABLES_READ_MODELS = {
  customers: [customersProjection.name],
  invoices: [invoicesProjection.name],
} as const;

export function customerView(document: CustomerDocument): CustomerView {
  const { openBalanceMinor, ...rest } = document;
  return {
    ...rest,
    openBalance: formatAmount(BigInt(openBalanceMinor), document.currency as CurrencyCode),
  };
}

export function invoiceView(document: InvoiceDocument, today: string): InvoiceView {
  const unpaid = document.status === 'open' || document.status === 'partially_paid';
  return { ...document, overdue: unpaid && document.dueDate < today };
}

export function createReceivablesQueries(deps: {
  readonly readModels: ReadModelStore;
  readonly collection: (projection: string) => Promise<string>;
}) {
  const { readModels, collection } = deps;

  async function loadOne<T>(projection: string, id: string): Promise<T | undefined> {
    const target = await collection(projection);
    return ((await readModels.load(target, [id])).get(id)?.body ?? undefined) as T | undefined;
  }

  return {
    async getCustomer(customerId: string): Promise<CustomerView | undefined> {
      const document = await loadOne<CustomerDocument>(customersProjection.name, customerId);
      return document && customerView(document);
    },

    async listCustomers(options: { limit: number; cursor?: string }): Promise<Page<CustomerView>> {
      const page = await readModels.find(await collection(customersProjection.name), {
        sort: [{ field: 'customerId', direction: 'asc' }],
        limit: options.limit,
        cursor: options.cursor,
      });
      return {
        items: page.documents.map((document) =>
          customerView(document.body as unknown as CustomerDocument),
        ),
        nextCursor: page.nextCursor ?? null,
      };
    },

    async getInvoice(invoiceId: string, today: string): Promise<InvoiceView | undefined> {
      const document = await loadOne<InvoiceDocument>(invoicesProjection.name, invoiceId);
      return document && invoiceView(document, today);
    },

    async listInvoices(options: {
      readonly today: string;
      readonly status?: InvoiceStatusFilter;
      readonly customerId?: string;
      readonly issuedFrom?: string;
      readonly issuedTo?: string;
      readonly dueFrom?: string;
      readonly dueTo?: string;
      readonly limit: number;
      readonly cursor?: string;
    }): Promise<Page<InvoiceView>> {
      const range = (
        from?: string,
        to?: string,
      ): { gte?: string; lte?: string; lt?: string } | undefined =>
        from === undefined && to === undefined
          ? undefined
          : {
              ...(from !== undefined ? { gte: from } : {}),
              ...(to !== undefined ? { lte: to } : {}),
            };
      const issued = range(options.issuedFrom, options.issuedTo);
      let due = range(options.dueFrom, options.dueTo);
      let status: Where[string] | undefined = options.status;
      if (options.status === 'overdue') {
        status = { in: ['open', 'partially_paid'] };
        // Past due on the query date, within any due range asked for.
        due = { ...(due ?? {}), lt: options.today };
      }
      const page = await readModels.find(await collection(invoicesProjection.name), {
        where: {
          ...(status !== undefined ? { status } : {}),
          ...(options.customerId !== undefined ? { customerId: options.customerId } : {}),
          ...(issued ? { issueDate: issued } : {}),
          ...(due ? { dueDate: due } : {}),
        },
        sort: [
          { field: 'issueDate', direction: 'asc' },
          { field: 'invoiceId', direction: 'asc' },
        ],
        limit: options.limit,
        cursor: options.cursor,
      });
      return {
        items: page.documents.map((document) =>
          invoiceView(document.body as unknown as InvoiceDocument, options.today),
        ),
        nextCursor: page.nextCursor ?? null,
      };
    },
  };
}

export type ReceivablesQueries = ReturnType<typeof createReceivablesQueries>;
