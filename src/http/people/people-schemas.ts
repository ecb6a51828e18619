/** The shapes of the people routes' requests and answers. */
import { z } from 'zod';
import { email } from '../receivables/receivables-schemas.js';
import { accountingDate, currencyCode, decimalAmount, recordId, text } from '../schemas.js';

export { email };

export const fte = z
  .string()
  .regex(
    /^(0\.(?=\d*[1-9])\d{1,4}|1(\.0{1,4})?)$/,
    'must be a decimal string in (0, 1] with at most 4 decimals',
  )
  .describe('Full-time equivalent in (0, 1], at most 4 decimals ("0.5")')
  .meta({ example: '0.8' });

/** An IBAN as people write it: its check digits are the decider's business (400 if wrong). */
export const bankAccount = z
  .string()
  .regex(/^[A-Za-z0-9 ]{5,42}$/, 'must be an IBAN: letters, digits and spaces')
  .describe('IBAN, with or without spaces; its mod-97 check digits are verified')
  .meta({ example: 'DE89 3704 0044 0532 0130 00' });

const employmentTerms = {
  department: z.string(),
  title: z.string(),
  annualSalary: z.string(),
  fte: z.string(),
  managerId: z.string().nullable(),
};

/** Personal data: `null` (with `erased: true`) once the person's data is erased. */
const personal = z.string().nullable();

export const employeeResponse = z.object({
  employeeId: z.string(),
  asOf: z.string().describe('The date the terms and status are as of'),
  status: z.enum(['future', 'active', 'terminated']),
  ...employmentTerms,
  name: personal,
  email: personal,
  dateOfBirth: personal,
  bankAccount: personal,
  erased: z.boolean().describe('The personal fields were erased: they are null for good'),
  currency: z.string(),
  startDate: z.string(),
  terminationDate: z.string().nullable(),
  terminationReason: z.string().nullable(),
  history: z
    .array(z.object({ from: z.string(), to: z.string().nullable(), ...employmentTerms }))
    .describe('Every stretch of the employment with one set of terms, past and future'),
});

export const hireBody = z.strictObject({
  employeeId: recordId.optional().describe('Your id for the employee; generated when absent'),
  name: text(200),
  email,
  dateOfBirth: accountingDate.optional(),
  bankAccount: bankAccount.optional(),
  department: text(100),
  title: text(100),
  startDate: accountingDate,
  annualSalary: decimalAmount,
  currency: currencyCode,
  fte: fte.optional(),
  managerId: recordId.optional(),
});

// At least one term must be given: the decider says so (`invalid-employee-change`), as the
// document cannot.
export const changeBody = z.strictObject({
  effectiveDate: accountingDate,
  department: text(100).optional(),
  title: text(100).optional(),
  annualSalary: decimalAmount.optional(),
  fte: fte.optional(),
  managerId: recordId.nullable().optional().describe('null: reports to no one from then on'),
  reason: text(500, { blank: 'allowed', lines: 'many' }).optional(),
});

export const terminationBody = z.strictObject({
  terminationDate: accountingDate.describe('The last day employed'),
  reason: text(500, { lines: 'many' }),
});

export const erasureBody = z.strictObject({
  reason: text(500, { lines: 'many' }),
  legalBasis: text(200).describe('The ground the erasure rests on, e.g. "GDPR Art. 17(1)(a)"'),
});

const headcountRow = {
  currency: z.string(),
  headcount: z.number().int(),
  fte: z.string(),
  monthlySalaryCost: z.string().describe('Annual salary / 12 × FTE, summed, rounded half up once'),
  joiners: z.number().int(),
  leavers: z.number().int(),
};

export const headcountResponse = z.object({
  asOf: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  departments: z.array(z.object({ department: z.string(), ...headcountRow })),
  totals: z.array(z.object(headcountRow)).describe('Per currency'),
});
