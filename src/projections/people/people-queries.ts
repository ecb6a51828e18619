/**
 * People queries, answered from `people_employees`. What applies on a date is derived from the
 * stored hire terms and changes by the domain's own history rules, so a query as of any date,
 * past or future, answers what the commands would decide on. Personal fields are opened for
 * the caller (only `people:write` reads individual employees); once a person is erased they are
 * `null` with `erased: true`.
 */
import {
  historyAsOf,
  historySegments,
  startHistory,
  withChange,
  withTermination,
  type EmploymentHistory,
  type EmploymentStatus,
  type EmploymentTerms,
} from '../../domain/people/employment-history.js';
import { fteFraction } from '../../domain/people/fte.js';
import type { CurrencyCode } from '../../domain/shared/currency.js';
import { formatAmount, storedMinor } from '../../domain/shared/money.js';
import { openSealedValues } from '../../commands/personal-data/personal-fields.js';
import type { PersonalDataVault } from '../../commands/personal-data/vault.js';
import { InvalidQueryError, type ReadModelStore } from '../../stores/read-model-store.js';
import type { Page } from '../ledger/ledger-queries.js';
import { employeesProjection, type EmployeeDocument } from './people-projections.js';

export const PEOPLE_READ_MODELS = { employees: [employeesProjection.name] } as const;

export interface EmployeeView extends EmploymentTerms {
  readonly employeeId: string;
  readonly asOf: string;
  readonly status: EmploymentStatus;
  readonly name: string | null;
  readonly email: string | null;
  readonly dateOfBirth: string | null;
  readonly bankAccount: string | null;
  /** The personal fields were erased: they are `null` for good. */
  readonly erased: boolean;
  readonly currency: string;
  readonly startDate: string;
  readonly terminationDate: string | null;
  readonly terminationReason: string | null;
  /** Every stretch of the employment with one set of terms; `to` is null while open. */
  readonly history: readonly (EmploymentTerms & {
    readonly from: string;
    readonly to: string | null;
  })[];
  readonly revision: number;
}

export interface HeadcountRow {
  readonly department: string;
  readonly currency: string;
  readonly headcount: number;
  /** Sum of FTE, as a decimal string. */
  readonly fte: string;
  /** Annual salary / 12 × FTE, summed and rounded half up once, in `currency`. */
  readonly monthlySalaryCost: string;
  /** Started within `from`..`to`. */
  readonly joiners: number;
  /** Last day within `from`..`to`. */
  readonly leavers: number;
}

export interface HeadcountReport {
  readonly asOf: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly departments: readonly HeadcountRow[];
  /** Per currency: salary costs in different currencies are not added up. */
  readonly totals: readonly Omit<HeadcountRow, 'department'>[];
}

/** The history the domain would fold from the same events. */
export function historyOf(document: EmployeeDocument): EmploymentHistory {
  let history = startHistory(document.startDate, document.startTerms);
  for (const change of document.changes) history = withChange(history, change);
  return document.termination
    ? withTermination(history, document.termination.terminationDate)
    : history;
}

/** How many documents a list reads per step while it filters by what applies on `asOf`. */
const SCAN_STEP = 200;

export function createPeopleQueries(deps: {
  readonly readModels: ReadModelStore;
  readonly collection: (projection: string) => Promise<string>;
  readonly personalData: PersonalDataVault;
}) {
  const { readModels, collection, personalData } = deps;

  const personal = async (value: unknown): Promise<string | null> => {
    const opened = await openSealedValues(personalData, value);
    return typeof opened === 'string' ? opened : null;
  };

  async function view(document: EmployeeDocument, asOf: string): Promise<EmployeeView> {
    const history = historyOf(document);
    const { status, terms } = historyAsOf(history, asOf);
    return {
      employeeId: document.employeeId,
      asOf,
      status,
      ...terms,
      name: await personal(document.name),
      email: await personal(document.email),
      dateOfBirth: await personal(document.dateOfBirth),
      bankAccount: await personal(document.bankAccount),
      erased: document.erased,
      currency: document.currency,
      startDate: document.startDate,
      terminationDate: document.termination?.terminationDate ?? null,
      terminationReason: document.termination?.reason ?? null,
      history: historySegments(history).map(({ from, to, terms: segmentTerms }) => ({
        from,
        to: to ?? null,
        ...segmentTerms,
      })),
      revision: document.revision,
    };
  }

  /** Every employee document in id order, from after `afterId`, a step at a time. */
  async function* scan(afterId?: string): AsyncGenerator<EmployeeDocument> {
    const target = await collection(employeesProjection.name);
    let cursor: string | undefined;
    for (;;) {
      const page = await readModels.find(target, {
        where: afterId === undefined ? {} : { employeeId: { gt: afterId } },
        sort: [{ field: 'employeeId', direction: 'asc' }],
        limit: SCAN_STEP,
        cursor,
      });
      for (const document of page.documents) yield employeesProjection.document(document.body);
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }

  return {
    async getEmployee(employeeId: string, asOf: string): Promise<EmployeeView | undefined> {
      const target = await collection(employeesProjection.name);
      const body = (await readModels.load(target, [employeeId])).get(employeeId)?.body;
      return body ? view(employeesProjection.document(body), asOf) : undefined;
    },

    /**
     * Employees in id order, as of `asOf`, those in `department` and of `status` on that date
     * only. Which ones match depends on the date, so the cursor is the last id answered.
     */
    async listEmployees(options: {
      readonly asOf: string;
      readonly department?: string;
      readonly status?: EmploymentStatus;
      readonly limit: number;
      readonly cursor?: string;
    }): Promise<Page<EmployeeView>> {
      const afterId = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
      const items: EmployeeView[] = [];
      let more = false;
      for await (const document of scan(afterId)) {
        const { status, terms } = historyAsOf(historyOf(document), options.asOf);
        if (options.status !== undefined && status !== options.status) continue;
        if (options.department !== undefined && terms.department !== options.department) continue;
        if (items.length === options.limit) {
          more = true;
          break;
        }
        items.push(await view(document, options.asOf));
      }
      return {
        items,
        nextCursor: more ? encodeCursor(items.at(-1)!.employeeId) : null,
      };
    },

    /** Per department, as of `asOf`; joiners and leavers within `from`..`to` when given. */
    async headcount(options: {
      readonly asOf: string;
      readonly from?: string;
      readonly to?: string;
    }): Promise<HeadcountReport> {
      const rows = new Map<string, Sums>();
      const totals = new Map<string, Sums>();
      const within = (date: string | null) =>
        date !== null &&
        options.from !== undefined &&
        options.to !== undefined &&
        date >= options.from &&
        date <= options.to;
      for await (const document of scan()) {
        const history = historyOf(document);
        const { status, terms } = historyAsOf(history, options.asOf);
        const joined = within(document.startDate);
        const left = within(document.termination?.terminationDate ?? null);
        if (status !== 'active' && !joined && !left) continue;
        // A joiner or leaver not employed on `asOf` counts in the department of their terms
        // nearest to it, as historyAsOf gives them.
        const key = `${terms.department}\u0000${document.currency}`;
        for (const [map, mapKey, department] of [
          [rows, key, terms.department],
          [totals, document.currency, ''],
        ] as const) {
          const sums = map.get(mapKey) ?? emptySums(department, document.currency);
          if (status === 'active') {
            const fte = fteFraction(terms.fte);
            sums.headcount += 1;
            sums.fteTenThousandths += fte.numerator * (10_000n / fte.denominator);
            // annual × fte / 12, kept exact over 12 × 10 000 until the total is rounded.
            sums.monthlyCostScaled +=
              storedMinor(terms.annualSalary, document.currency) *
              fte.numerator *
              (10_000n / fte.denominator);
          }
          if (joined) sums.joiners += 1;
          if (left) sums.leavers += 1;
          map.set(mapKey, sums);
        }
      }
      const departments = [...rows.values()]
        .sort((a, b) =>
          a.department === b.department
            ? a.currency.localeCompare(b.currency)
            : a.department.localeCompare(b.department),
        )
        .map(formatSums);
      return {
        asOf: options.asOf,
        from: options.from ?? null,
        to: options.to ?? null,
        departments,
        totals: [...totals.values()]
          .sort((a, b) => a.currency.localeCompare(b.currency))
          .map((sums) => {
            const { department: _department, ...total } = formatSums(sums);
            return total;
          }),
      };
    },
  };
}

interface Sums {
  readonly department: string;
  readonly currency: string;
  headcount: number;
  fteTenThousandths: bigint;
  /** Monthly salary cost × 12 × 10 000, in minor units: exact. */
  monthlyCostScaled: bigint;
  joiners: number;
  leavers: number;
}

function emptySums(department: string, currency: string): Sums {
  return {
    department,
    currency,
    headcount: 0,
    fteTenThousandths: 0n,
    monthlyCostScaled: 0n,
    joiners: 0,
    leavers: 0,
  };
}

const COST_SCALE = 12n * 10_000n;

function formatSums(sums: Sums): HeadcountRow {
  const monthly = (sums.monthlyCostScaled * 2n + COST_SCALE) / (COST_SCALE * 2n);
  const whole = sums.fteTenThousandths / 10_000n;
  const fraction = (sums.fteTenThousandths % 10_000n)
    .toString()
    .padStart(4, '0')
    .replace(/0+$/, '');
  return {
    department: sums.department,
    currency: sums.currency,
    headcount: sums.headcount,
    fte: fraction === '' ? `${whole}` : `${whole}.${fraction}`,
    monthlySalaryCost: formatAmount(monthly, sums.currency as CurrencyCode),
    joiners: sums.joiners,
    leavers: sums.leavers,
  };
}

function encodeCursor(employeeId: string): string {
  return Buffer.from(`employee:${employeeId}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  if (!text.startsWith('employee:') || text.length === 'employee:'.length) {
    throw new InvalidQueryError('The cursor is not one this list gave out');
  }
  return text.slice('employee:'.length);
}
