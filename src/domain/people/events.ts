import { z } from 'zod';
import type { EventSchemas, EventsOf } from '../shared/event-schemas.js';

/**
 * The events of an employee's stream, as stored. Amounts are decimal strings in the employee's
 * pay currency, like the ledger's. The personal fields (name, email, date of birth, bank
 * account) are encrypted per person before they reach the store; once that person's key is
 * erased they read back as `null`, so every schema accepts `null` for them. The decider itself
 * never writes `null`.
 */
const personal = (text: string) =>
  z
    .string()
    .nullable()
    .describe(`${text} Personal data: \`null\` once the person's data is erased.`);

const fte = z
  .string()
  .describe(
    'Full-time equivalent: a decimal string in (0, 1] with at most 4 decimals, written without trailing zeros ("1", "0.5", "0.8125").',
  );

const annualSalary = z
  .string()
  .describe(
    'Gross pay for a year at this FTE, a positive decimal string with the currency\'s decimals ("60000.00").',
  );

const managerId = z
  .string()
  .nullable()
  .describe('The employee id of the manager; `null` when the employee reports to no one.');

export const employeeEventSchemas = {
  EmployeeHired: z
    .strictObject({
      employeeId: z.string().describe("The employee's id."),
      name: personal('Full name, not blank.'),
      email: personal('Email address.'),
      dateOfBirth: personal('`YYYY-MM-DD`, before the start date.').optional(),
      bankAccount: personal(
        'IBAN the pay goes to, in electronic form (no spaces, upper case).',
      ).optional(),
      department: z.string().describe('Department on the start date, not blank.'),
      title: z.string().describe('Job title on the start date, not blank.'),
      startDate: z.string().describe('`YYYY-MM-DD`: the first day employed.'),
      annualSalary,
      currency: z.string().describe('ISO 4217 code the employee is paid in; it never changes.'),
      fte,
      managerId,
    })
    .describe(
      'An employee was hired: the terms on the start date, and the personal data given with them.',
    ),
  EmployeeTermsChanged: z
    .strictObject({
      employeeId: z.string().describe('The employee whose terms changed.'),
      effectiveDate: z
        .string()
        .describe(
          '`YYYY-MM-DD`, from the start date to the termination date: the first day the new terms apply. It may be in the past or the future, and before changes recorded earlier.',
        ),
      currency: z.string().describe("The employee's pay currency, for `annualSalary`."),
      changes: z
        .strictObject({
          department: z.string().optional().describe('The new department.'),
          title: z.string().optional().describe('The new job title.'),
          annualSalary: annualSalary.optional(),
          fte: fte.optional(),
          managerId: managerId.optional(),
        })
        .describe(
          'Only the terms that differ from those in effect on the effective date, with their new values.',
        ),
      reason: z.string().describe('Why, as the caller wrote it; empty when none was given.'),
    })
    .describe(
      "Some of an employee's terms change from a date on. What applies on a day is the hire's terms overlaid by every change effective on or before it, by effective date, then in the order recorded.",
    ),
  EmployeeTerminated: z
    .strictObject({
      employeeId: z.string().describe('The employee who leaves.'),
      terminationDate: z
        .string()
        .describe(
          '`YYYY-MM-DD`: the last day employed; not before the start date nor before any recorded change.',
        ),
      reason: z.string().describe('Why, as the caller wrote it.'),
    })
    .describe('An employee leaves (or left) after their termination date.'),
  PersonalDataErased: z
    .strictObject({
      employeeId: z.string().describe('The employee whose personal data was erased.'),
      reason: z.string().describe('Why, as the caller wrote it.'),
      legalBasis: z
        .string()
        .describe('The ground the erasure rests on, e.g. "GDPR Art. 17(1)(a)", as given.'),
      erasedAt: z.string().describe('ISO 8601 UTC timestamp of the erasure.'),
    })
    .describe(
      "A person's name, email, date of birth and bank account were erased: their events read them back as `null` from now on. The employment terms, dates and amounts stay. The event holds no personal data.",
    ),
} as const satisfies EventSchemas;

type Schemas = typeof employeeEventSchemas;
export type EmployeeEventType = keyof Schemas;
export type EmployeeEvent = EventsOf<Schemas>;

export type EmployeeHired = Extract<EmployeeEvent, { type: 'EmployeeHired' }>;
export type EmployeeTermsChanged = Extract<EmployeeEvent, { type: 'EmployeeTermsChanged' }>;
export type EmployeeTerminated = Extract<EmployeeEvent, { type: 'EmployeeTerminated' }>;
export type PersonalDataErased = Extract<EmployeeEvent, { type: 'PersonalDataErased' }>;

/** The terms a change may set: only those that differ from the ones in effect on its date. */
export type TermsChanges = EmployeeTermsChanged['data']['changes'];
