import { z } from 'zod';
import type { CommandResult } from '../../commands/command-handler.js';
import type { IdGenerator } from '../../commands/ids.js';
import type { PeopleCommands } from '../../commands/people/people-commands.js';
import { employeeAsOf } from '../../domain/people/employee-as-of.js';
import type { EmployeeState } from '../../domain/people/employee.js';
import { peopleStreams } from '../../domain/people/streams.js';
import {
  PEOPLE_READ_MODELS,
  type createPeopleQueries,
} from '../../projections/people/people-queries.js';
import {
  commandRoute,
  listRoute,
  recordRoute,
  withoutRevision,
  newRecordId,
} from '../route-builders.js';
import { commandContext, defineRoute, type RouteSpec } from '../route.js';
import { accountingDate, consistencyQuery, recordId, text } from '../schemas.js';
import {
  changeBody,
  employeeResponse,
  erasureBody,
  headcountResponse,
  hireBody,
  terminationBody,
} from './people-schemas.js';

const WRITE_SCOPES = ['people:write'] as const;

export interface PeopleRouteDeps {
  readonly commands: PeopleCommands;
  readonly queries: ReturnType<typeof createPeopleQueries>;
  readonly ids: IdGenerator;
  readonly today: () => string;
}

export function peopleRoutes(deps: PeopleRouteDeps): RouteSpec[] {
  const { commands, queries, ids, today } = deps;
  const employeeUrl = (employeeId: string) => `/v1/employees/${encodeURIComponent(employeeId)}`;

  /** The employee right after a write, as of today, from the state the command folded. */
  const employeeAnswer = (result: CommandResult<EmployeeState>, employeeId: string) => {
    const view = employeeAsOf(result.state, today());
    if (!view) throw new Error(`No employee in ${result.streamId} after a write`);
    const { terms, history, ...rest } = view;
    return {
      result,
      location: employeeUrl(employeeId),
      // Once erased there is nothing personal to seal (and no key to seal it with).
      ...(view.erased ? {} : { personalDataOf: peopleStreams.employee(employeeId) }),
      body: {
        ...rest,
        ...terms,
        dateOfBirth: view.dateOfBirth ?? null,
        bankAccount: view.bankAccount ?? null,
        terminationReason:
          result.state.status === 'hired' ? (result.state.termination?.reason ?? null) : null,
        history: history.map(({ from, to, terms: segment }) => ({
          from,
          to: to ?? null,
          ...segment,
        })),
      },
    };
  };

  const asOfQuery = z.strictObject({
    asOf: accountingDate.optional().describe('The date the answer is as of; today by default'),
  });

  return [
    commandRoute({
      path: '/v1/employees',
      operationId: 'hireEmployee',
      summary: 'Hire an employee',
      description:
        'Personal fields (name, email, dateOfBirth, bankAccount) are stored only encrypted with a key of this person. annualSalary is gross pay for a year at the FTE, in currency; the payroll accounts for that currency must be open.',
      tag: 'people',
      scopes: WRITE_SCOPES,
      body: hireBody,
      success: { status: 201, description: 'Hired', schema: employeeResponse },
      invalid:
        '`invalid-employee`: an IBAN with wrong check digits, a date of birth not before the start date, a salary with more decimals than the currency allows',
      conflict:
        'An employee with this id exists; the manager is not employed on the start date; the payroll accounts for the currency are not open (`posting-account-missing`)',
      async handle({ body, context }) {
        const employeeId = newRecordId(ids, 'employee', body.employeeId, context);
        const result = await commands.hireEmployee(commandContext(context), {
          type: 'HireEmployee',
          ...body,
          employeeId,
        });
        return employeeAnswer(result, employeeId);
      },
    }),

    commandRoute({
      path: '/v1/employees/{id}/changes',
      operationId: 'changeEmployeeTerms',
      summary: "Change an employee's terms from a date on",
      description:
        'Effective-dated, in the past or the future: the new terms apply from effectiveDate on. Values equal to those in effect on that date record nothing.',
      tag: 'people',
      scopes: WRITE_SCOPES,
      params: z.strictObject({ id: recordId }),
      body: changeBody,
      success: { status: 200, description: 'Changed', schema: employeeResponse },
      invalid:
        '`invalid-employee-change`: a salary with too many decimals, a manager who is the employee',
      notFound: 'No such employee',
      conflict:
        'The date is before the start or after the termination date; the manager is not employed on that date',
      async handle({ params, body, context }) {
        const result = await commands.changeEmployeeTerms(commandContext(context), {
          type: 'ChangeEmployeeTerms',
          employeeId: params.id,
          ...body,
        });
        return employeeAnswer(result, params.id);
      },
    }),

    commandRoute({
      path: '/v1/employees/{id}/termination',
      operationId: 'terminateEmployee',
      summary: 'Terminate an employee',
      description: 'terminationDate is the last day employed.',
      tag: 'people',
      scopes: WRITE_SCOPES,
      params: z.strictObject({ id: recordId }),
      body: terminationBody,
      success: { status: 200, description: 'Terminated', schema: employeeResponse },
      notFound: 'No such employee',
      conflict:
        'Already terminated; the date is before the start date or before a change already recorded',
      async handle({ params, body, context }) {
        const result = await commands.terminateEmployee(commandContext(context), {
          type: 'TerminateEmployee',
          employeeId: params.id,
          ...body,
        });
        return employeeAnswer(result, params.id);
      },
    }),

    commandRoute({
      path: '/v1/employees/{id}/erasure',
      operationId: 'eraseEmployeePersonalData',
      summary: "Erase an employee's personal data (crypto-shredding)",
      description:
        "Destroys the person's key, then records PersonalDataErased (which holds no personal data). From then on name, email, dateOfBirth and bankAccount read as null with erased: true everywhere, the audit trail included; terms, dates and amounts stay, and the log still verifies. Refused while obligations to the person are open.",
      tag: 'people',
      scopes: ['admin'],
      params: z.strictObject({ id: recordId }),
      body: erasureBody,
      success: { status: 200, description: 'Erased', schema: employeeResponse },
      notFound: 'No such employee',
      conflict:
        'Already erased (`personal-data-already-erased`); obligations open (`erasure-blocked`)',
      async handle({ params, body, context }) {
        const result = await commands.erasePersonalData(commandContext(context), {
          type: 'EraseEmployeePersonalData',
          employeeId: params.id,
          ...body,
        });
        return employeeAnswer(result, params.id);
      },
    }),

    listRoute({
      path: '/v1/employees',
      operationId: 'listEmployees',
      summary: 'Employees by id, as of a date',
      description:
        'department and status filter on what applies on asOf (today by default): the department then, and `future` (not started), `active` or `terminated` (after the last day).',
      tag: 'people',
      scopes: WRITE_SCOPES,
      filters: asOfQuery.extend({
        department: text(100).optional(),
        status: z.enum(['future', 'active', 'terminated']).optional(),
      }),
      readModels: PEOPLE_READ_MODELS.employees,
      item: employeeResponse,
      pageDescription: 'A page of employees',
      async handle({ query }) {
        const page = await queries.listEmployees({ ...query, asOf: query.asOf ?? today() });
        return { items: page.items.map(withoutRevision), nextCursor: page.nextCursor };
      },
    }),

    recordRoute({
      path: '/v1/employees/{id}',
      operationId: 'getEmployee',
      summary: 'An employee as of a date, with the effective-dated history',
      tag: 'people',
      scopes: WRITE_SCOPES,
      params: z.strictObject({ id: recordId }),
      query: asOfQuery,
      readModels: PEOPLE_READ_MODELS.employees,
      response: { description: 'The employee', schema: employeeResponse },
      notFound: {
        description: 'No such employee',
        detail: ({ id }) => `Employee ${id} does not exist`,
      },
      async handle({ params, query }) {
        const employee = await queries.getEmployee(params.id, query.asOf ?? today());
        return employee && { body: withoutRevision(employee), revision: employee.revision };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/reports/headcount',
      operationId: 'headcountReport',
      summary: 'Headcount, FTE and monthly salary cost per department, as of a date',
      description:
        'As of asOf (today by default): employees active on that date, their FTE and annual salary / 12 × FTE, per department and currency. With from and to, joiners (start date within) and leavers (last day within); with only one of them, or none, they are not counted. No one person is shown.',
      tag: 'people',
      scopes: ['reports:read', 'people:write'],
      query: consistencyQuery.extend({
        asOf: accountingDate.optional(),
        from: accountingDate.optional().describe('With to: count joiners and leavers from here'),
        to: accountingDate.optional().describe('With from: count joiners and leavers up to here'),
      }),
      readModels: PEOPLE_READ_MODELS.employees,
      responses: { 200: { description: 'The headcount report', schema: headcountResponse } },
      async handle({ query }) {
        // Joiners and leavers need a range: both ends, or neither (then none are counted).
        const range = query.from && query.to ? { from: query.from, to: query.to } : {};
        const report = await queries.headcount({ asOf: query.asOf ?? today(), ...range });
        return { status: 200, body: report };
      },
    }),
  ];
}
