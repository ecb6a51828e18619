/** The shapes of the payroll routes' requests and answers. */
import { z } from 'zod';
import { accountingDate, currencyCode, periodId, recordId, text } from '../schemas.js';

/** Signed: a bonus adds, a deduction (negative) takes off. Decimals depend on the currency. */
const signedAmount = z
  .string()
  .regex(
    /^-?(?=[\d.]*[1-9])\d{1,18}(\.\d{1,4})?$/,
    'must be a non-zero decimal string like "250.00" or "-80.00"',
  )
  .meta({ example: '250.00' });

export const draftBody = z.strictObject({
  runId: recordId.optional().describe('Your id for the run; generated when absent'),
  period: periodId.describe('The month to pay, YYYY-MM'),
  currency: currencyCode
    .optional()
    .describe('Pays the employees paid in this currency; the base currency by default'),
  payDate: accountingDate
    .optional()
    .describe("When the pay goes out; the month's last day by default, not before its first"),
  adjustments: z
    .array(
      z.strictObject({
        employeeId: recordId,
        description: text(200, { lines: 'many' }),
        amount: signedAmount.describe('Signed: negative for a deduction'),
      }),
    )
    .max(1000)
    .optional()
    .describe("One-off lines on an employee's payslip: a bonus, an unpaid-leave deduction"),
});

export const paymentBody = z.strictObject({
  paidOn: accountingDate.describe('The day the net pay went out; not before the accrual'),
});

export const cancelBody = z.strictObject({
  reason: text(500, { blank: 'allowed', lines: 'many' }).optional(),
});

export const reversalBody = z.strictObject({
  date: accountingDate.describe('Accounting date of the reversal; not before the accrual'),
  reason: text(500, { lines: 'many' }),
});

export const runFilters = z.strictObject({
  period: periodId.optional(),
  status: z.enum(['draft', 'approved', 'paid', 'cancelled', 'reversed']).optional(),
});

const segment = z.object({
  from: z.string(),
  to: z.string(),
  days: z.number().int(),
  annualSalary: z.string(),
  fte: z.string().describe('Exact fraction in lowest terms, e.g. "4/5"'),
  amount: z.string().describe("The segment's share, rounded for display only"),
});

const line = z.object({
  kind: z.enum(['base', 'adjustment', 'retro']),
  period: z.string().optional().describe('Retro lines: the month corrected'),
  description: z.string(),
  amount: z.string(),
});

const payslip = {
  employeeId: z.string(),
  segments: z.array(segment),
  lines: z.array(line),
  gross: z.string(),
  net: z.string(),
};

const status = z.enum(['draft', 'approved', 'paid', 'cancelled', 'reversed']);

export const payrollRunResponse = z.object({
  runId: z.string(),
  period: z.string(),
  currency: z.string(),
  status,
  payDate: z.string(),
  accrualDate: z.string().describe('The date the accrual is (or would be) booked'),
  createdBy: z.string().describe('The key that drafted the run'),
  preparedBy: z.array(z.string()).describe('Every key that drafted or recalculated it'),
  approvedBy: z.string().nullable(),
  paidOn: z.string().nullable(),
  cancellationReason: z.string().nullable(),
  reversal: z.object({ date: z.string(), reason: z.string() }).nullable(),
  payslips: z.array(z.object(payslip)),
  totalGross: z.string(),
  totalNet: z.string(),
});

export const employeePayslipResponse = z.object({
  runId: z.string(),
  period: z.string(),
  currency: z.string(),
  status,
  payDate: z.string(),
  paidOn: z.string().nullable(),
  ...payslip,
});
