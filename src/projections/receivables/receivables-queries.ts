/**
 * Accounts receivable queries, answered from the receivables read models. A customer's personal
 * fields (name, email, billing address) are opened for a caller who may read that customer's
 * personal data (`finance:write`, `admin`) and shown as REDACTED to others (`reports:read`);
 * once the customer is erased they are `null`, with `erased: true`. Invoices carry no personal
 * data: they list and sum the same before and after an erasure.
 */
import { openSealedValues, REDACTED } from '../../commands/personal-data/personal-fields.js';
import type { PersonalDataVault } from '../../commands/personal-data/vault.js';
import type { BillingAddress } from '../../domain/receivables/events.js';
import { settledAsOf } from '../../domain/receivables/invoice.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import { daysBetween, type AccountingDate } from '../../domain/shared/dates.js';
import { formatAmount, storedMinor } from '../../domain/shared/money.js';
import type { CurrencyCode } from '../../domain/shared/currency.js';
import type { ReadModelStore, Where } from '../../stores/read-model-store.js';
import type { Page } from '../ledger/ledger-queries.js';
import type { DefinedProjection } from '../projection.js';
import {
  customersProjection,
  invoicesProjection,
  type CustomerDocument,
  type InvoiceDocument,
  type StoredPersonal,
} from './receivables-projections.js';

/** A personal value as a caller sees it: opened, `null` once erased, or REDACTED. */
export type PersonalView<T> = T | null | typeof REDACTED;

/** Whether the caller may read the personal data of `subject` (`customer-C1`). */
export type PersonalDataReader = (subject: string) => boolean;

export interface CustomerView {
  readonly customerId: string;
  readonly name: PersonalView<string>;
  readonly email: PersonalView<string>;
  readonly billingAddress: PersonalView<BillingAddress>;
  /** The personal fields were erased: they are `null` for good. */
  readonly erased: boolean;
  readonly currency: string;
  readonly paymentTermsDays: number;
  /**
   * Issued less paid and credited, plus refunds, over the customer's invoices that are not
   * void: the customer's share of the receivable account, negative while they are owed money.
   */
  readonly openBalance: string;
  /** Credit notes beyond what was unpaid, less refunds: what a refund may still pay out. */
  readonly creditBalance: string;
  readonly refunds: CustomerDocument['refunds'];
  readonly revision: number;
}

export interface InvoiceView extends InvoiceDocument {
  /** Not fully paid (and not void) and past its due date on the query date. */
  readonly overdue: boolean;
}

export type InvoiceStatusFilter = InvoiceDocument['status'] | 'overdue';

export const RECEIVABLES_READ_MODELS = {
  customers: [customersProjection.name],
  invoices: [invoicesProjection.name],
  aging: [invoicesProjection.name, customersProjection.name],
} as const;

export function invoiceView(document: InvoiceDocument, today: string): InvoiceView {
  // `credited` and `paid` invoices are settled; only these two still owe something.
  const unpaid = document.status === 'open' || document.status === 'partially_paid';
  return { ...document, overdue: unpaid && document.dueDate < today };
}

export const AGING_BUCKETS = ['0-30', '31-60', '61-90', '90+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

export interface AgingRow {
  readonly currency: string;
  /** Open amounts by days past due on `asOf`; not yet due counts as 0-30. */
  readonly buckets: Readonly<Record<AgingBucket, string>>;
  /** The part of `0-30` not due yet on `asOf`. */
  readonly notYetDue: string;
  /**
   * The customer's credit balance on `asOf` as a negative amount (zero when none): credit notes
   * beyond what their invoices owed, less refunds paid by then.
   */
  readonly credit: string;
  /** The buckets plus `credit`. */
  readonly total: string;
}

export interface AgingReport {
  readonly asOf: string;
  readonly customers: readonly (AgingRow & {
    readonly customerId: string;
    readonly name: PersonalView<string>;
  })[];
  readonly totals: readonly AgingRow[];
}

function bucketOf(daysPastDue: number): AgingBucket {
  if (daysPastDue <= 30) return '0-30';
  if (daysPastDue <= 60) return '31-60';
  if (daysPastDue <= 90) return '61-90';
  return '90+';
}

interface AgingSums {
  readonly currency: string;
  readonly buckets: Record<AgingBucket, bigint>;
  notYetDue: bigint;
  /** Negative or zero. */
  credit: bigint;
}

const noSums = (currency: string): AgingSums => ({
  currency,
  buckets: { '0-30': 0n, '31-60': 0n, '61-90': 0n, '90+': 0n },
  notYetDue: 0n,
  credit: 0n,
});

function formatRow(sums: AgingSums): AgingRow {
  const currency = sums.currency as CurrencyCode;
  const total = AGING_BUCKETS.reduce((sum, bucket) => sum + sums.buckets[bucket], sums.credit);
  return {
    currency: sums.currency,
    buckets: Object.fromEntries(
      AGING_BUCKETS.map((bucket) => [bucket, formatAmount(sums.buckets[bucket], currency)]),
    ) as Record<AgingBucket, string>,
    notYetDue: formatAmount(sums.notYetDue, currency),
    credit: formatAmount(sums.credit, currency),
    total: formatAmount(total, currency),
  };
}

export function createReceivablesQueries(deps: {
  readonly readModels: ReadModelStore;
  readonly collection: (projection: string) => Promise<string>;
  readonly personalData: PersonalDataVault;
}) {
  const { readModels, collection, personalData } = deps;

  /** Plain text (schema version 1) is redacted like sealed values: it is personal all the same. */
  async function reveal<T>(
    value: StoredPersonal<T>,
    customerId: string,
    mayRead: PersonalDataReader,
  ): Promise<PersonalView<T>> {
    if (value === null) return null;
    if (!mayRead(receivablesStreams.customer(customerId))) return REDACTED;
    return (await openSealedValues(personalData, value)) as T | null;
  }

  async function customerView(
    document: CustomerDocument,
    mayRead: PersonalDataReader,
  ): Promise<CustomerView> {
    const { customerId } = document;
    return {
      customerId,
      name: await reveal(document.name, customerId, mayRead),
      email: await reveal(document.email, customerId, mayRead),
      billingAddress: await reveal(document.billingAddress, customerId, mayRead),
      erased: document.erased,
      currency: document.currency,
      paymentTermsDays: document.paymentTermsDays,
      openBalance: formatAmount(
        BigInt(document.openBalanceMinor),
        document.currency as CurrencyCode,
      ),
      creditBalance: formatAmount(
        BigInt(document.creditBalanceMinor),
        document.currency as CurrencyCode,
      ),
      refunds: document.refunds,
      revision: document.revision,
    };
  }

  async function loadOne<Document>(
    projection: DefinedProjection<Document>,
    id: string,
  ): Promise<Document | undefined> {
    const target = await collection(projection.name);
    const body = (await readModels.load(target, [id])).get(id)?.body;
    return body ? projection.document(body) : undefined;
  }

  return {
    async getCustomer(
      customerId: string,
      mayRead: PersonalDataReader,
    ): Promise<CustomerView | undefined> {
      const document = await loadOne(customersProjection, customerId);
      return document && customerView(document, mayRead);
    },

    async listCustomers(
      options: { limit: number; cursor?: string },
      mayRead: PersonalDataReader,
    ): Promise<Page<CustomerView>> {
      const page = await readModels.find(await collection(customersProjection.name), {
        sort: [{ field: 'customerId', direction: 'asc' }],
        limit: options.limit,
        cursor: options.cursor,
      });
      return {
        items: await Promise.all(
          page.documents.map((document) =>
            customerView(customersProjection.document(document.body), mayRead),
          ),
        ),
        nextCursor: page.nextCursor ?? null,
      };
    },

    async getInvoice(invoiceId: string, today: string): Promise<InvoiceView | undefined> {
      const document = await loadOne(invoicesProjection, invoiceId);
      return document && invoiceView(document, today);
    },

    /**
     * What each customer owed on `asOf`, by days past due: invoices issued by then, less the
     * payments received and credit notes dated by then, leaving out those voided by then. What
     * an invoice's payments and credit notes settle beyond its total is the customer's credit,
     * less the refunds paid by then. The same events, dated the same way, are what the ledger's
     * receivable account holds on that date.
     */
    async aging(asOf: string, mayRead: PersonalDataReader): Promise<AgingReport> {
      const target = await collection(invoicesProjection.name);
      const byCustomer = new Map<string, AgingSums>();
      for (let cursor: string | undefined; ;) {
        const page = await readModels.find(target, {
          where: { issueDate: { lte: asOf } },
          sort: [
            { field: 'issueDate', direction: 'asc' },
            { field: 'invoiceId', direction: 'asc' },
          ],
          limit: 1000,
          cursor,
        });
        for (const stored of page.documents) {
          const invoice = invoicesProjection.document(stored.body);
          if (invoice.voided && invoice.voided.voidedOn <= asOf) continue;
          const currency = invoice.currency as CurrencyCode;
          const open = storedMinor(invoice.total, currency) - settledAsOf(invoice, asOf);
          if (open === 0n) continue;
          const sums = byCustomer.get(invoice.customerId) ?? noSums(currency);
          byCustomer.set(invoice.customerId, sums);
          if (open < 0n) {
            sums.credit += open;
            continue;
          }
          const daysPastDue = daysBetween(
            invoice.dueDate as AccountingDate,
            asOf as AccountingDate,
          );
          sums.buckets[bucketOf(daysPastDue)] += open;
          if (daysPastDue < 0) sums.notYetDue += open;
        }
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      const customers = await readModels.load(
        await collection(customersProjection.name),
        [...byCustomer.keys()].sort(),
      );
      // Refunds only ever pay out a credit balance, so a customer refunded by `asOf` has one.
      for (const [customerId, sums] of byCustomer) {
        if (sums.credit === 0n) continue;
        const body = customers.get(customerId)?.body;
        const refunds = body ? customersProjection.document(body).refunds : [];
        for (const refund of refunds) {
          if (refund.paidOn <= asOf) sums.credit += storedMinor(refund.amount, sums.currency);
        }
      }
      const owing = (sums: AgingSums) =>
        sums.credit !== 0n || AGING_BUCKETS.some((bucket) => sums.buckets[bucket] !== 0n);
      const ids = [...byCustomer.keys()].filter((id) => owing(byCustomer.get(id)!)).sort();
      const totals = new Map<string, AgingSums>();
      for (const id of ids) {
        const sums = byCustomer.get(id)!;
        const total = totals.get(sums.currency) ?? noSums(sums.currency);
        for (const bucket of AGING_BUCKETS) total.buckets[bucket] += sums.buckets[bucket];
        total.notYetDue += sums.notYetDue;
        total.credit += sums.credit;
        totals.set(sums.currency, total);
      }
      return {
        asOf,
        customers: await Promise.all(
          ids.map(async (customerId) => {
            const body = customers.get(customerId)?.body;
            return {
              customerId,
              name: body
                ? await reveal(customersProjection.document(body).name, customerId, mayRead)
                : null,
              ...formatRow(byCustomer.get(customerId)!),
            };
          }),
        ),
        totals: [...totals.keys()].sort().map((currency) => formatRow(totals.get(currency)!)),
      };
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
          invoiceView(invoicesProjection.document(document.body), options.today),
        ),
        nextCursor: page.nextCursor ?? null,
      };
    },
  };
}

export type ReceivablesQueries = ReturnType<typeof createReceivablesQueries>;
