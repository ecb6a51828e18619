/**
 * Payroll's read models:
 *
 * - `people_payroll_runs`: one document per run, with its status, dates, who prepared and
 *   approved it, and its payslips as stored (segments and lines), for the run queries;
 * - `people_payslips`: one small document per employee and run that ever had their payslip,
 *   an index for `GET /v1/employees/{id}/payslips`. The payslip itself is read from the run's
 *   document, so a recalculation that drops an employee (terminated before the month, after
 *   the draft) leaves an entry the query finds without a payslip and skips.
 *
 * Payslips hold employee ids and amounts, no personal data.
 */
import { payrollRunEventSchemas, type PayslipRecord } from '../../domain/people/payroll-events.js';
import type { PayrollRunStatus } from '../../domain/people/payroll-run-state.js';
import { accrualDateOf } from '../../domain/people/payroll-run-state.js';
import type { AccountingDate, PeriodId } from '../../domain/shared/dates.js';
import { eventDecoder, type EventsOf } from '../../domain/shared/event-schemas.js';
import { defineProjection, type Projection } from '../projection.js';

export interface PayrollRunDocument {
  readonly runId: string;
  readonly period: string;
  readonly currency: string;
  readonly status: PayrollRunStatus;
  readonly payDate: string;
  readonly accrualDate: string;
  readonly createdBy: string;
  readonly preparedBy: readonly string[];
  readonly approvedBy: string | null;
  readonly paidOn: string | null;
  readonly cancellationReason: string | null;
  readonly reversal: { readonly date: string; readonly reason: string } | null;
  readonly payslips: readonly PayslipRecord[];
  readonly totalGross: string;
  readonly totalNet: string;
  readonly revision: number;
}

export interface PayslipIndexDocument {
  readonly employeeId: string;
  readonly runId: string;
  readonly period: string;
  readonly currency: string;
}

type PayrollRunEvent = EventsOf<typeof payrollRunEventSchemas>;

const decode = eventDecoder(payrollRunEventSchemas);

// Type arguments spelt out, as for the employees' projection.
export const payrollRunsProjection = defineProjection<
  PayrollRunDocument,
  PayrollRunEvent,
  PayrollRunEvent['type']
>({
  name: 'people_payroll_runs',
  version: 1,
  eventTypes: [
    'PayrollRunDrafted',
    'PayrollRunRecalculated',
    'PayrollRunApproved',
    'PayrollRunPaid',
    'PayrollRunCancelled',
    'PayrollRunReversed',
  ],
  indexes: [
    {
      name: 'by_period',
      fields: [
        { field: 'period', direction: 'desc' },
        { field: 'runId', direction: 'asc' },
      ],
    },
  ],
  decode,
  documentIds: (event) => [event.data.runId],
  evolve(run: PayrollRunDocument | null, event, id) {
    const revision = Number(event.revision);
    if (event.type === 'PayrollRunDrafted') {
      const { data } = event;
      return {
        runId: data.runId,
        period: data.period,
        currency: data.currency,
        status: 'draft',
        payDate: data.payDate,
        accrualDate: accrualDateOf(data.period as PeriodId, data.payDate as AccountingDate),
        createdBy: data.createdBy,
        preparedBy: [data.createdBy],
        approvedBy: null,
        paidOn: null,
        cancellationReason: null,
        reversal: null,
        payslips: data.payslips,
        totalGross: data.totalGross,
        totalNet: data.totalNet,
        revision,
      };
    }
    if (!run) throw new Error(`${event.type} for payroll run ${id}, never drafted`);
    switch (event.type) {
      case 'PayrollRunRecalculated': {
        const { data } = event;
        return {
          ...run,
          preparedBy: run.preparedBy.includes(data.recalculatedBy)
            ? run.preparedBy
            : [...run.preparedBy, data.recalculatedBy],
          payslips: data.payslips,
          totalGross: data.totalGross,
          totalNet: data.totalNet,
          revision,
        };
      }
      case 'PayrollRunApproved':
        return { ...run, status: 'approved', approvedBy: event.data.approvedBy, revision };
      case 'PayrollRunPaid':
        return { ...run, status: 'paid', paidOn: event.data.paidOn, revision };
      case 'PayrollRunCancelled':
        return { ...run, status: 'cancelled', cancellationReason: event.data.reason, revision };
      case 'PayrollRunReversed':
        return {
          ...run,
          status: 'reversed',
          reversal: { date: event.data.date, reason: event.data.reason },
          revision,
        };
    }
  },
});

type PayslipListingEvent = Extract<
  PayrollRunEvent,
  { type: 'PayrollRunDrafted' | 'PayrollRunRecalculated' }
>;

export const payslipIndexKey = (runId: string, employeeId: string) =>
  JSON.stringify([runId, employeeId]);

export const payslipIndexProjection = defineProjection<
  PayslipIndexDocument,
  PayrollRunEvent,
  PayslipListingEvent['type']
>({
  name: 'people_payslips',
  version: 1,
  eventTypes: ['PayrollRunDrafted', 'PayrollRunRecalculated'],
  indexes: [
    {
      name: 'by_employee_period',
      fields: [
        { field: 'employeeId', direction: 'asc' },
        { field: 'period', direction: 'asc' },
        { field: 'runId', direction: 'asc' },
      ],
    },
  ],
  decode,
  documentIds: (event) =>
    event.data.payslips.map((payslip) => payslipIndexKey(event.data.runId, payslip.employeeId)),
  evolve(existing: PayslipIndexDocument | null, event, id) {
    if (existing) return existing;
    const [runId, employeeId] = JSON.parse(id) as [string, string];
    return { employeeId, runId, period: event.data.period, currency: event.data.currency };
  },
});

export const payrollProjections: readonly Projection[] = [
  payrollRunsProjection,
  payslipIndexProjection,
];
