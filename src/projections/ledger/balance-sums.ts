/**
 * What the ledger's balance documents sum to. A balance as of a date sums the documents before
 * it: whole years, then the months of its year, then the days of its month, so it reads at most
 * years + 12 + 31 documents per account. Closing entries keep documents of their own per year,
 * so the statements can count them or leave them out.
 */
import type { ReadModelStore, SortKey, Where } from '../../stores/read-model-store.js';
import type { DefinedProjection } from '../projection.js';
import { balancesProjection, type BalanceDocument } from './ledger-projections.js';

export interface Totals {
  debits: bigint;
  credits: bigint;
}

export const ZERO = (): Totals => ({ debits: 0n, credits: 0n });

const FULL_PAGE = 1000;

export function createBalanceSums(deps: {
  readonly readModels: ReadModelStore;
  readonly collection: (projection: string) => Promise<string>;
}) {
  const { readModels, collection } = deps;

  /** Every document matching `where`, page by page. */
  async function findAll<Document>(
    projection: DefinedProjection<Document>,
    where: Where,
    sort?: readonly SortKey[],
  ): Promise<Document[]> {
    const target = await collection(projection.name);
    const found: Document[] = [];
    for (let cursor: string | undefined; ;) {
      const page = await readModels.find(target, { where, sort, limit: FULL_PAGE, cursor });
      for (const document of page.documents) found.push(projection.document(document.body));
      if (!page.nextCursor) return found;
      cursor = page.nextCursor;
    }
  }

  /** Adds each balance document's debits and credits to its account's totals. */
  function addTo(totals: Map<string, Totals>, documents: readonly BalanceDocument[]): void {
    for (const document of documents) {
      const sum = totals.get(document.account) ?? ZERO();
      sum.debits += BigInt(document.debitsMinor);
      sum.credits += BigInt(document.creditsMinor);
      totals.set(document.account, sum);
    }
  }

  /**
   * Debits and credits per account of every line dated before `date` (through `date` when
   * `inclusive`).
   */
  async function totalsUpTo(
    date: string,
    inclusive: boolean,
    accounts?: readonly string[],
  ): Promise<Map<string, Totals>> {
    const year = date.slice(0, 4);
    const month = date.slice(0, 7);
    const onlyThese: Where = accounts ? { account: { in: [...accounts] } } : {};
    const parts: Where[] = [
      { granularity: 'year', parent: '-', period: { lt: year } },
      { granularity: 'month', parent: year, period: { lt: month } },
      { granularity: 'day', parent: month, period: inclusive ? { lte: date } : { lt: date } },
    ];
    const totals = new Map<string, Totals>();
    if (accounts?.length === 0) return totals;
    for (const part of parts) {
      addTo(totals, await findAll(balancesProjection, { ...part, ...onlyThese }));
    }
    return totals;
  }

  /**
   * Debits and credits per account of the closing entries of fiscal years `fromYear` through
   * `toYear` (each dated December 31 of its year), their reversals included.
   */
  async function closingTotals(fromYear: string, toYear: string): Promise<Map<string, Totals>> {
    const totals = new Map<string, Totals>();
    if (fromYear > toYear) return totals;
    addTo(
      totals,
      await findAll(balancesProjection, {
        granularity: 'closing',
        parent: '-',
        period: { gte: fromYear, lte: toYear },
      }),
    );
    return totals;
  }

  return { findAll, totalsUpTo, closingTotals };
}
