import { z } from 'zod';
import {
  createPeopleCommands,
  type PayrollAccountCodes,
  type PeopleCommands,
} from '../../commands/people/people-commands.js';
import {
  createPayrollRunCommands,
  type PayrollRunCommands,
} from '../../commands/people/payroll-run-commands.js';
import { createPayrollDirectory } from '../../commands/people/payroll-inputs.js';
import { emptyAsUnset } from '../../config.js';
import { ACCOUNT_CODE } from '../../domain/ledger/account.js';
import { employeeEventSchemas } from '../../domain/people/events.js';
import { payrollEventSchemas } from '../../domain/people/payroll-events.js';
import { payrollEventStreams } from '../../domain/people/payroll-streams.js';
import { employeeEventStreams, peopleStreams } from '../../domain/people/streams.js';
import { createPayrollPostingsReactor } from '../../projections/people/payroll-postings-reactor.js';
import { payrollProjections } from '../../projections/people/payroll-projections.js';
import { createPayrollQueries } from '../../projections/people/payroll-queries.js';
import { peopleProjections } from '../../projections/people/people-projections.js';
import { createPeopleQueries } from '../../projections/people/people-queries.js';
import { ledgerModule, postingProblems } from '../ledger/ledger-module.js';
import { defineModule } from '../module.js';
import { refusalProblems } from '../problem-types.js';
import { payrollRoutes } from './payroll-routes.js';
import { peopleRoutes } from './people-routes.js';

/** The module's commands: employees' and payroll runs'. */
export type PeopleApi = PeopleCommands & PayrollRunCommands;

export interface PeopleSettings {
  /** SALARIES_ACCOUNT: the expense payroll accrues gross pay to, in the base currency. */
  readonly salariesAccount: string;
  /** PAYROLL_LIABILITIES_ACCOUNT: what is owed to employees until paid, in the base currency. */
  readonly payrollLiabilitiesAccount: string;
  /** PAYROLL_CASH_ACCOUNT: where pay is paid from, in the base currency. */
  readonly payrollCashAccount: string;
}

const accountCode = z.string().regex(ACCOUNT_CODE, 'must be an account code like 60000');

/** In the base currency the configured codes; in another currency XXX, `<code>-XXX`. */
export function payrollAccounts(
  settings: PeopleSettings,
  baseCurrency: string,
): PayrollAccountCodes {
  const inCurrency = (code: string, currency: string) =>
    currency === baseCurrency ? code : `${code}-${currency}`;
  return (currency) => ({
    salaries: inCurrency(settings.salariesAccount, currency),
    liabilities: inCurrency(settings.payrollLiabilitiesAccount, currency),
    cash: inCurrency(settings.payrollCashAccount, currency),
  });
}

const subjectOfEmployee = (data: Readonly<Record<string, unknown>>) =>
  peopleStreams.employee(String(data.employeeId));

export const peopleModule = defineModule<PeopleApi, PeopleSettings>({
  name: 'people',
  summary:
    'Employees with effective-dated terms, hired, changed and terminated; monthly payroll runs approved by a second key and posted to the ledger; headcount as of any date. Personal data is stored encrypted with a key per person.',
  settings: z
    .object({
      SALARIES_ACCOUNT: z.preprocess(emptyAsUnset, accountCode.default('60000')),
      PAYROLL_LIABILITIES_ACCOUNT: z.preprocess(emptyAsUnset, accountCode.default('21000')),
      PAYROLL_CASH_ACCOUNT: z.preprocess(emptyAsUnset, accountCode.default('10000')),
    })
    .transform((env): PeopleSettings => ({
      salariesAccount: env.SALARIES_ACCOUNT,
      payrollLiabilitiesAccount: env.PAYROLL_LIABILITIES_ACCOUNT,
      payrollCashAccount: env.PAYROLL_CASH_ACCOUNT,
    })),
  eventSchemas: { ...employeeEventSchemas, ...payrollEventSchemas },
  eventStreams: { ...employeeEventStreams, ...payrollEventStreams },
  personalData: {
    subjectType: 'employee',
    readScope: 'people:write',
    fields: {
      EmployeeHired: {
        subject: subjectOfEmployee,
        fields: ['name', 'email', 'dateOfBirth', 'bankAccount'],
      },
    },
  },
  projections: [...peopleProjections, ...payrollProjections],
  chartAccounts: ({ settings, baseCurrency }) => [
    {
      code: settings.salariesAccount,
      name: 'Salaries and wages',
      type: 'expense',
      currency: baseCurrency,
    },
    {
      code: settings.payrollLiabilitiesAccount,
      name: 'Payroll liabilities',
      type: 'liability',
      currency: baseCurrency,
    },
    {
      code: settings.payrollCashAccount,
      name: 'Cash at bank',
      type: 'asset',
      currency: baseCurrency,
    },
  ],
  // Payroll liabilities are the nets approved and not yet paid, in every currency pay is in;
  // salaries (an expense) and cash are not the payroll's alone.
  controlAccounts: ({ settings }) => [
    {
      code: settings.payrollLiabilitiesAccount,
      inEveryCurrency: true,
      correction: 'pay the payroll run, or reverse it and run the month again',
    },
  ],
  problems: [
    ...postingProblems,
    ...refusalProblems({
      InvalidEmployee: [
        'invalid',
        'A field of the hire is out of its rules (an IBAN with wrong check digits, a date of birth not before the start date, a salary with more decimals than the currency allows, an FTE outside (0, 1]); `errors` says which.',
      ],
      InvalidEmployeeChange: [
        'invalid',
        'A field of the change is out of its rules, or the employee is named as their own manager; `errors` says which.',
      ],
      InvalidTermination: [
        'invalid',
        'The termination date is not a date, or the reason is blank.',
      ],
      InvalidErasure: ['invalid', 'The reason or legal basis of the erasure is blank.'],
      EmployeeNotFound: ['not_found', 'There is no employee with this id.'],
      EmployeeAlreadyExists: [
        'conflict',
        'An employee with this id was already hired (erased ones included).',
      ],
      ManagerNotActive: [
        'conflict',
        'The manager named is not an employee, or is not employed on the date the change or hire takes effect.',
      ],
      ChangeOutsideEmployment: [
        'conflict',
        "The change's effective date is before the start date or after the termination date.",
      ],
      EmployeeAlreadyTerminated: ['conflict', 'The employee was already terminated.'],
      TerminationBeforeStart: ['conflict', 'The last day employed is before the start date.'],
      TerminationBeforeRecordedChange: [
        'conflict',
        'A change already recorded takes effect after the proposed last day; the detail names its date.',
      ],
      PersonalDataAlreadyErased: ['conflict', "The person's data was already erased."],
      // The payroll runs' refusals (src/domain/people/payroll-*.ts, payroll-run-commands.ts).
      InvalidPayrollRun: [
        'invalid',
        'The period, currency or pay date is wrong, or a payslip is (segments, adjustments, retro lines); `errors` says which.',
      ],
      InvalidPayrollPeriod: ['invalid', 'The month or currency of a payroll period is wrong.'],
      InvalidPayrollPayment: [
        'invalid',
        'The payment date is not a date, or is before the accrual.',
      ],
      InvalidPayrollReversal: [
        'invalid',
        'The reversal date is not a date, or is before the accrual.',
      ],
      PayrollRunNotFound: ['not_found', 'There is no payroll run with this id.'],
      PayrollRunIdTaken: ['conflict', 'A payroll run with this id exists.'],
      NoEmployeesToPay: [
        'conflict',
        'No employee paid in the currency is employed in the month or owed a correction: there is nothing to run.',
      ],
      PayrollRunExists: [
        'conflict',
        'The month already has a payroll run in this currency that is not cancelled or reversed.',
      ],
      NegativeNetPay: ['conflict', 'A payslip would pay less than zero; the detail names whose.'],
      SegregationOfDuties: [
        'forbidden',
        'The key that drafted or recalculated the run cannot approve it: a second person must.',
      ],
      PayrollRunStale: [
        'conflict',
        'Employee data changed since the draft so that a payslip would differ: recalculate first.',
      ],
      PayrollRunNotDraft: [
        'conflict',
        'Only a draft run can be approved, recalculated or cancelled.',
      ],
      PayrollRunNotApproved: ['conflict', 'Only an approved run can be paid or reversed.'],
      PayrollRunAlreadyPaid: ['conflict', 'The run is paid: it cannot be paid again or reversed.'],
      ErasureBlocked: [
        'conflict',
        'Obligations to the person are still open (a payroll run not yet paid); the detail names them.',
      ],
    }),
  ],
  api(context) {
    const postingRules = context.use(ledgerModule).postingRules;
    const accounts = payrollAccounts(context.settings, context.config.baseCurrency);
    const payroll = createPayrollRunCommands({
      handle: context.handle,
      readState: context.readState,
      eventStore: context.eventStore,
      directory: createPayrollDirectory(context),
      postingRules,
      payrollAccounts: accounts,
      clock: context.clock,
    });
    const people = createPeopleCommands({
      handle: context.handle,
      readState: context.readState,
      postingRules,
      payrollAccounts: accounts,
      personalData: context.personalData,
      openPayrollRuns: async (employeeId) =>
        (await payroll.openRunsOf(employeeId)).map((run) => run.runId),
      clock: context.clock,
    });
    return { ...people, ...payroll };
  },
  reactors: (context) => [
    createPayrollPostingsReactor({
      ledger: context.use(ledgerModule).commands.forSubledger('people'),
      eventStore: context.eventStore,
      payrollAccounts: payrollAccounts(context.settings, context.config.baseCurrency),
    }),
  ],
  routes: (context, commands) => {
    const people = createPeopleQueries({
      readModels: context.readModels,
      collection: context.collection,
      personalData: context.personalData,
    });
    return [
      ...peopleRoutes({ commands, queries: people, ids: context.ids, today: context.today }),
      ...payrollRoutes({
        commands,
        queries: createPayrollQueries(context),
        ids: context.ids,
        baseCurrency: context.config.baseCurrency,
        employeeExists: async (employeeId) =>
          (await people.getEmployee(employeeId, context.today())) !== undefined,
      }),
    ];
  },
});
