import { z } from 'zod';

/**
 * Payroll events as stored. Amounts are decimal strings in the run's currency, like the
 * ledger's and receivables', so a stored payslip reads the same to an auditor as to the code.
 */
const payslipSegment = z.strictObject({
  from: z.string().describe('First day of the segment, `YYYY-MM-DD`, inside the period.'),
  to: z.string().describe('Last day of the segment, `YYYY-MM-DD`, included.'),
  days: z.number().int().describe('Calendar days from `from` to `to`, both included.'),
  annualSalary: z.string().describe('The annual salary in effect, a decimal string.'),
  fte: z
    .string()
    .describe('Full-time equivalent in effect, an exact fraction in lowest terms ("1/1", "4/5").'),
  amount: z
    .string()
    .describe(
      'annualSalary / 12 × fte × days / days in the month, rounded half up for display; the base line is the exact sum rounded once, so it may differ from the sum of these by a minor unit.',
    ),
});
export type PayslipSegmentRecord = z.infer<typeof payslipSegment>;

const payslipLine = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('base').describe('The salary the segments earn in the period.'),
    description: z.string().describe('What the line pays.'),
    amount: z.string().describe('The exact sum of the segments, rounded half up once.'),
  }),
  z.strictObject({
    kind: z.literal('adjustment').describe('A one-off line: a bonus, a deduction.'),
    description: z.string().describe('What the line pays or takes back, as the caller wrote it.'),
    amount: z.string().describe('Signed decimal string: negative for a deduction.'),
  }),
  z.strictObject({
    kind: z.literal('retro').describe('A correction of a month already approved.'),
    period: z.string().describe('The month corrected, `YYYY-MM`.'),
    description: z.string().describe('Names the month corrected.'),
    amount: z
      .string()
      .describe(
        'Signed decimal string: what the month should pay by the current history, less what it paid.',
      ),
  }),
]);
export type PayslipLineRecord = z.infer<typeof payslipLine>;

const payslip = z.strictObject({
  employeeId: z.string().describe('The employee paid.'),
  segments: z
    .array(payslipSegment)
    .describe('The days of the period the employee was employed, cut where the terms change.'),
  lines: z
    .array(payslipLine)
    .describe('One base line, then the adjustments, then the retro lines by month.'),
  gross: z.string().describe('The sum of the lines: what the payslip books to salaries expense.'),
  net: z
    .string()
    .describe('Gross less withholdings (none yet, so equal to gross); never negative.'),
});
export type PayslipRecord = z.infer<typeof payslip>;

const payslips = z.array(payslip).min(1).describe('One payslip per employee, by employee id.');
const totalGross = z.string().describe("The sum of the payslips' gross.");
const totalNet = z.string().describe("The sum of the payslips' net.");
const runId = z.string().describe("The run's id.");
const period = z.string().describe('The month paid, `YYYY-MM`.');
const currency = z.string().describe('ISO 4217 code: every amount of the run is in it.');
const inputsDigest = z
  .string()
  .describe(
    'Digest of the employee data the payslips were computed from, given by the command layer; approval compares it with a fresh one.',
  );

export const payrollRunEventSchemas = {
  PayrollRunDrafted: z
    .strictObject({
      runId,
      period,
      currency,
      payDate: z.string().describe('When the salaries are to be paid, `YYYY-MM-DD`.'),
      createdBy: z.string().describe('The API key that drafted the run.'),
      inputsDigest,
      payslips,
      totalGross,
      totalNet,
    })
    .describe('A payroll run was drafted for a month; nothing is booked until it is approved.'),
  PayrollRunRecalculated: z
    .strictObject({
      runId,
      period,
      currency,
      recalculatedBy: z.string().describe('The API key that recalculated the run.'),
      inputsDigest,
      payslips,
      totalGross,
      totalNet,
    })
    .describe("A draft's payslips were replaced by ones computed from the current data."),
  PayrollRunApproved: z
    .strictObject({
      runId,
      period,
      currency,
      approvedBy: z
        .string()
        .describe(
          'The API key that approved the run: neither the one that drafted it nor one that recalculated it.',
        ),
      accrualDate: z
        .string()
        .describe(
          'Accounting date of the accrual, `YYYY-MM-DD`: the pay date, or the last day of the period when the pay date is later.',
        ),
      totalGross: totalGross.describe('Booked to the debit of salaries and wages expense.'),
      totalNet: totalNet.describe('Booked to the credit of payroll liabilities.'),
    })
    .describe('A payroll run was approved; the postings reactor books its accrual.'),
  PayrollRunPaid: z
    .strictObject({
      runId,
      period,
      currency,
      paidOn: z.string().describe('Accounting date of the payment, not before the accrual.'),
      totalNet: totalNet.describe('Booked to the debit of payroll liabilities, credit cash.'),
    })
    .describe("An approved run's net pay went out; the postings reactor books the payment."),
  PayrollRunCancelled: z
    .strictObject({
      runId,
      period,
      currency,
      reason: z.string().describe('Why, as the caller wrote it; empty when none was given.'),
    })
    .describe('A draft was dropped; its period may be drafted again.'),
  PayrollRunReversed: z
    .strictObject({
      runId,
      period,
      currency,
      date: z.string().describe('Accounting date of the reversal, not before the accrual.'),
      reason: z.string().describe('Why, as the caller wrote it.'),
      totalGross: totalGross.describe('Taken back from salaries and wages expense.'),
      totalNet: totalNet.describe('Taken back from payroll liabilities.'),
    })
    .describe(
      'An approved, unpaid run was reversed: the postings reactor reverses its accrual, its payslips no longer count as paid, and the month may be run again.',
    ),
} as const;

export const payrollPeriodEventSchemas = {
  PayrollPeriodClaimed: z
    .strictObject({
      period,
      currency,
      runId: runId.describe('The run that holds the month.'),
    })
    .describe('A run took the month in its currency: no other run may be drafted for it.'),
  PayrollPeriodReleased: z
    .strictObject({
      period,
      currency,
      runId: runId.describe('The run that held the month: cancelled or reversed.'),
    })
    .describe('The run holding the month was cancelled or reversed; the month is free again.'),
} as const;

export const payrollEventSchemas = { ...payrollRunEventSchemas, ...payrollPeriodEventSchemas };

type Schemas = typeof payrollEventSchemas;
export type PayrollEventType = keyof Schemas;
export type PayrollEvent = {
  [K in PayrollEventType]: { readonly type: K; readonly data: z.infer<Schemas[K]> };
}[PayrollEventType];

export type PayrollRunEvent = Extract<PayrollEvent, { type: keyof typeof payrollRunEventSchemas }>;
export type PayrollPeriodEvent = Extract<
  PayrollEvent,
  { type: keyof typeof payrollPeriodEventSchemas }
>;
export type PayrollRunDrafted = Extract<PayrollEvent, { type: 'PayrollRunDrafted' }>;
export type PayrollRunRecalculated = Extract<PayrollEvent, { type: 'PayrollRunRecalculated' }>;
export type PayrollRunApproved = Extract<PayrollEvent, { type: 'PayrollRunApproved' }>;
