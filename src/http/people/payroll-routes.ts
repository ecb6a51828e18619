import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import type { IdGenerator } from '../../commands/ids.js';
import type { PayrollRunCommands } from '../../commands/people/payroll-run-commands.js';
import type { PayrollRunState } from '../../domain/people/payroll-run-state.js';
import {
  PAYROLL_READ_MODELS,
  type createPayrollQueries,
} from '../../projections/people/payroll-queries.js';
import {
  commandRoute,
  listRoute,
  recordRoute,
  withoutRevision,
  newRecordId,
} from '../route-builders.js';
import { commandContext, type RouteSpec } from '../route.js';
import { recordId } from '../schemas.js';
import {
  cancelBody,
  draftBody,
  employeePayslipResponse,
  payrollRunResponse,
  paymentBody,
  reversalBody,
  runFilters,
} from './payroll-schemas.js';

const SCOPES = ['people:write'] as const;

export interface PayrollRouteDeps {
  readonly commands: PayrollRunCommands;
  readonly queries: ReturnType<typeof createPayrollQueries>;
  readonly ids: IdGenerator;
  readonly baseCurrency: string;
  readonly employeeExists: (employeeId: string) => Promise<boolean>;
}

export function payrollRoutes(deps: PayrollRouteDeps): RouteSpec[] {
  const { commands, queries, ids, baseCurrency, employeeExists } = deps;
  const runUrl = (runId: string) => `/v1/payroll-runs/${encodeURIComponent(runId)}`;
  const runParams = z.strictObject({ id: recordId });

  /** The run right after a write, from the state the command folded. */
  const runAnswer = (result: CommandResult<PayrollRunState>) => {
    const run = result.state;
    if (run.status === 'none')
      throw new Error(`No payroll run in ${result.streamId} after a write`);
    return {
      result,
      location: runUrl(run.runId),
      body: {
        runId: run.runId,
        period: run.period,
        currency: run.currency,
        status: run.status,
        payDate: run.payDate,
        accrualDate: run.accrualDate,
        createdBy: run.createdBy,
        preparedBy: run.preparedBy,
        approvedBy: run.approvedBy,
        paidOn: run.paidOn,
        cancellationReason: run.cancelled?.reason ?? null,
        reversal: run.reversed,
        payslips: run.payslips,
        totalGross: run.totalGross,
        totalNet: run.totalNet,
      },
    };
  };

  return [
    commandRoute({
      path: '/v1/payroll-runs',
      operationId: 'draftPayrollRun',
      summary: "Draft a month's payroll run",
      description:
        'One payslip per employee paid in the currency who is employed on a day of the month, or owed a correction of a month already approved (a retro line). Gross is prorated by calendar days per stretch of the month with one salary and FTE, summed exactly and rounded half up once per payslip. Nothing is booked until the run is approved, by another key. One run per month and currency that is not cancelled or reversed.',
      tag: 'people',
      scopes: SCOPES,
      body: draftBody,
      success: { status: 201, description: 'Drafted', schema: payrollRunResponse },
      invalid:
        '`invalid-payroll-run`: a pay date before the month, an adjustment for someone the run does not pay, an amount with too many decimals',
      conflict:
        'The month already has a run in the currency (`payroll-run-exists`); no one to pay (`no-employees-to-pay`); a net below zero (`negative-net-pay`); the payroll accounts are not open; the accrual date is in a closed period',
      async handle({ body, context }) {
        const runId = newRecordId(ids, 'payrollRun', body.runId, context);
        const result = await commands.draftPayrollRun(commandContext(context), {
          ...body,
          runId,
          currency: body.currency ?? baseCurrency,
        });
        return runAnswer(result);
      },
    }),

    commandRoute({
      path: '/v1/payroll-runs/{id}/recalculation',
      operationId: 'recalculatePayrollRun',
      summary: "Recompute a draft's payslips from the current employee data",
      description:
        'Keeps the adjustments. The key that recalculates, like the one that drafted, cannot approve the run.',
      tag: 'people',
      scopes: SCOPES,
      params: runParams,
      body: z.strictObject({}),
      success: { status: 200, description: 'Recalculated', schema: payrollRunResponse },
      notFound: 'No such run',
      conflict: 'Not a draft; a net below zero; no one left to pay',
      async handle({ params, context }) {
        return runAnswer(await commands.recalculatePayrollRun(commandContext(context), params.id));
      },
    }),

    commandRoute({
      path: '/v1/payroll-runs/{id}/approval',
      operationId: 'approvePayrollRun',
      summary: 'Approve a draft: its accrual is posted to the ledger',
      description:
        'Posts, dated the accrual date (the pay date within the month, else its last day): debit salaries and wages, credit payroll liabilities. A key that drafted or recalculated the run is refused (403 `segregation-of-duties`). If employee data changed since the payslips were computed so that one would differ, 409 `payroll-run-stale`: recalculate first.',
      tag: 'people',
      scopes: SCOPES,
      params: runParams,
      body: z.strictObject({}),
      success: { status: 200, description: 'Approved', schema: payrollRunResponse },
      notFound: 'No such run',
      conflict:
        'Not a draft (`payroll-run-not-draft`); stale (`payroll-run-stale`); the accrual date is in a closed period',
      async handle({ params, context }) {
        return runAnswer(await commands.approvePayrollRun(commandContext(context), params.id));
      },
    }),

    commandRoute({
      path: '/v1/payroll-runs/{id}/payment',
      operationId: 'payPayrollRun',
      summary: "Record that an approved run's net pay went out",
      description: 'Posts debit payroll liabilities, credit cash, dated paidOn. Once only.',
      tag: 'people',
      scopes: SCOPES,
      params: runParams,
      body: paymentBody,
      success: { status: 200, description: 'Paid', schema: payrollRunResponse },
      invalid: '`invalid-payroll-payment`: paidOn before the accrual',
      notFound: 'No such run',
      conflict:
        'Not approved (`payroll-run-not-approved`); already paid (`payroll-run-already-paid`); a closed period',
      async handle({ params, body, context }) {
        return runAnswer(
          await commands.payPayrollRun(commandContext(context), { runId: params.id, ...body }),
        );
      },
    }),

    commandRoute({
      path: '/v1/payroll-runs/{id}/cancel',
      operationId: 'cancelPayrollRun',
      summary: 'Drop a draft; the month may be run again',
      tag: 'people',
      scopes: SCOPES,
      params: runParams,
      body: cancelBody,
      success: { status: 200, description: 'Cancelled', schema: payrollRunResponse },
      notFound: 'No such run',
      conflict: 'Not a draft (`payroll-run-not-draft`)',
      async handle({ params, body, context }) {
        return runAnswer(
          await commands.cancelPayrollRun(commandContext(context), { runId: params.id, ...body }),
        );
      },
    }),

    commandRoute({
      path: '/v1/payroll-runs/{id}/reversal',
      operationId: 'reversePayrollRun',
      summary: 'Reverse an approved, unpaid run; the month may be run again',
      description:
        "The accrual's journal entry is reversed, dated `date`; the run's payslips no longer count as paid (so retro lines of later runs ignore them).",
      tag: 'people',
      scopes: SCOPES,
      params: runParams,
      body: reversalBody,
      success: { status: 200, description: 'Reversed', schema: payrollRunResponse },
      invalid: '`invalid-payroll-reversal`: a date before the accrual',
      notFound: 'No such run',
      conflict:
        'Not approved (`payroll-run-not-approved`); already paid (`payroll-run-already-paid`); a closed period',
      async handle({ params, body, context }) {
        return runAnswer(
          await commands.reversePayrollRun(commandContext(context), { runId: params.id, ...body }),
        );
      },
    }),

    listRoute({
      path: '/v1/payroll-runs',
      operationId: 'listPayrollRuns',
      summary: 'Payroll runs, latest month first',
      tag: 'people',
      scopes: SCOPES,
      filters: runFilters,
      readModels: PAYROLL_READ_MODELS.runs,
      item: payrollRunResponse,
      pageDescription: 'A page of payroll runs',
      async handle({ query }) {
        const page = await queries.listRuns(query);
        return { items: page.items.map(withoutRevision), nextCursor: page.nextCursor };
      },
    }),

    recordRoute({
      path: '/v1/payroll-runs/{id}',
      operationId: 'getPayrollRun',
      summary: 'A payroll run with its payslips, their segments and lines',
      tag: 'people',
      scopes: SCOPES,
      params: runParams,
      readModels: PAYROLL_READ_MODELS.runs,
      response: { description: 'The run', schema: payrollRunResponse },
      notFound: {
        description: 'No such run',
        detail: ({ id }) => `Payroll run ${id} does not exist`,
      },
      async handle({ params }) {
        const run = await queries.getRun(params.id);
        return run && { body: withoutRevision(run), revision: run.revision };
      },
    }),

    listRoute({
      path: '/v1/employees/{id}/payslips',
      operationId: 'listEmployeePayslips',
      summary: "An employee's payslips by month, on every run with its status",
      description:
        'Drafts, cancelled and reversed runs are listed too, each with its status: only approved and paid runs count as paid.',
      tag: 'people',
      scopes: SCOPES,
      params: runParams,
      filters: z.strictObject({}),
      readModels: PAYROLL_READ_MODELS.payslips,
      item: employeePayslipResponse,
      pageDescription: 'A page of payslips',
      notFound: {
        description: 'No such employee',
        detail: ({ id }) => `Employee ${id} does not exist`,
      },
      async handle({ params, query }) {
        if (!(await employeeExists(params.id))) return undefined;
        return queries.payslipsOf(params.id, query);
      },
    }),
  ];
}
