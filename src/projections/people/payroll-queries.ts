/**
 * Payroll queries, answered from `people_payroll_runs` and `people_payslips`. Payslips carry
 * employee ids and amounts only, so no personal data is opened here.
 */
import type { PayrollRunStatus } from '../../domain/people/payroll-run-state.js';
import type { ReadModelStore, Where } from '../../stores/read-model-store.js';
import type { Page } from '../ledger/ledger-queries.js';
import {
  payrollRunsProjection,
  payslipIndexProjection,
  type PayrollRunDocument,
} from './payroll-projections.js';

export const PAYROLL_READ_MODELS = {
  runs: [payrollRunsProjection.name],
  payslips: [payslipIndexProjection.name, payrollRunsProjection.name],
} as const;

export type PayrollRunView = Omit<PayrollRunDocument, 'revision'> & { readonly revision: number };

/** One employee's payslip on one run, with what the run says about it. */
export interface EmployeePayslipView {
  readonly runId: string;
  readonly period: string;
  readonly currency: string;
  readonly status: PayrollRunStatus;
  readonly payDate: string;
  readonly paidOn: string | null;
  readonly employeeId: string;
  readonly segments: PayrollRunDocument['payslips'][number]['segments'];
  readonly lines: PayrollRunDocument['payslips'][number]['lines'];
  readonly gross: string;
  readonly net: string;
}

export function createPayrollQueries(deps: {
  readonly readModels: ReadModelStore;
  readonly collection: (projection: string) => Promise<string>;
}) {
  const { readModels, collection } = deps;

  return {
    async getRun(runId: string): Promise<PayrollRunView | undefined> {
      const target = await collection(payrollRunsProjection.name);
      const body = (await readModels.load(target, [runId])).get(runId)?.body;
      return body ? payrollRunsProjection.document(body) : undefined;
    },

    /** Latest month first, then by run id. */
    async listRuns(options: {
      readonly period?: string;
      readonly status?: PayrollRunStatus;
      readonly limit: number;
      readonly cursor?: string;
    }): Promise<Page<PayrollRunView>> {
      const where: Where = {
        ...(options.period !== undefined ? { period: options.period } : {}),
        ...(options.status !== undefined ? { status: options.status } : {}),
      };
      const page = await readModels.find(await collection(payrollRunsProjection.name), {
        where,
        sort: [
          { field: 'period', direction: 'desc' },
          { field: 'runId', direction: 'asc' },
        ],
        limit: options.limit,
        cursor: options.cursor,
      });
      return {
        items: page.documents.map((document) => payrollRunsProjection.document(document.body)),
        nextCursor: page.nextCursor ?? null,
      };
    },

    /**
     * The employee's payslips by month, every run that paid or would pay them (drafts,
     * cancelled and reversed runs included, each with its status). A page may hold fewer
     * items than the limit when a run's recalculation dropped the employee.
     */
    async payslipsOf(
      employeeId: string,
      options: { readonly limit: number; readonly cursor?: string },
    ): Promise<Page<EmployeePayslipView>> {
      const page = await readModels.find(await collection(payslipIndexProjection.name), {
        where: { employeeId },
        sort: [
          { field: 'employeeId', direction: 'asc' },
          { field: 'period', direction: 'asc' },
          { field: 'runId', direction: 'asc' },
        ],
        limit: options.limit,
        cursor: options.cursor,
      });
      const entries = page.documents.map((document) =>
        payslipIndexProjection.document(document.body),
      );
      const runs = await readModels.load(
        await collection(payrollRunsProjection.name),
        entries.map((entry) => entry.runId),
      );
      const items: EmployeePayslipView[] = [];
      for (const entry of entries) {
        const body = runs.get(entry.runId)?.body;
        if (!body) continue;
        const run = payrollRunsProjection.document(body);
        const payslip = run.payslips.find((slip) => slip.employeeId === employeeId);
        if (!payslip) continue;
        items.push({
          runId: run.runId,
          period: run.period,
          currency: run.currency,
          status: run.status,
          payDate: run.payDate,
          paidOn: run.paidOn,
          ...payslip,
        });
      }
      return { items, nextCursor: page.nextCursor ?? null };
    },
  };
}
