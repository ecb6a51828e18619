import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AccountState } from '../../../src/domain/ledger/account.js';
import type { AccountType } from '../../../src/domain/ledger/events.js';
import type {
  ChangeEmployeeTerms,
  EraseEmployeePersonalData,
  HireEmployee,
  TerminateEmployee,
} from '../../../src/domain/people/commands.js';
import { employeeAsOf } from '../../../src/domain/people/employee-as-of.js';
import {
  managerFact,
  type EmployeeFacts,
  type PayrollAccountFact,
} from '../../../src/domain/people/employee-facts.js';
import {
  decideEmployee,
  employeeDecider,
  evolveEmployee,
  initialEmployeeState,
  isEmailAddress,
  type EmployeeState,
} from '../../../src/domain/people/employee.js';
import {
  employeeEventSchemas,
  type EmployeeEvent,
  type EmployeeHired,
  type EmployeeTerminated,
  type EmployeeTermsChanged,
  type PersonalDataErased,
  type TermsChanges,
} from '../../../src/domain/people/events.js';
import { employeeEventStreams, peopleStreams } from '../../../src/domain/people/streams.js';
import { givenWhenThen } from '../ledger/given-when-then.js';

const withManager = (status: 'none' | 'future' | 'active' | 'terminated'): EmployeeFacts => ({
  manager: { status },
  openPayrollRuns: [],
});

const given = givenWhenThen(employeeDecider, withManager('active'));
const givenFacts = (facts: EmployeeFacts) => givenWhenThen(employeeDecider, facts);

function hire(overrides: Partial<HireEmployee> = {}): HireEmployee {
  return {
    type: 'HireEmployee',
    employeeId: 'E-1',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    dateOfBirth: '1990-12-10',
    bankAccount: 'DE89 3704 0044 0532 0130 00',
    department: 'Engineering',
    title: 'Engineer',
    startDate: '2026-01-01',
    annualSalary: '60000.00',
    currency: 'EUR',
    managerId: 'M-1',
    ...overrides,
  };
}

const adaHired: EmployeeHired = {
  type: 'EmployeeHired',
  data: {
    employeeId: 'E-1',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    dateOfBirth: '1990-12-10',
    bankAccount: 'DE89370400440532013000',
    department: 'Engineering',
    title: 'Engineer',
    startDate: '2026-01-01',
    annualSalary: '60000.00',
    currency: 'EUR',
    fte: '1',
    managerId: 'M-1',
  },
};

function change(overrides: Partial<ChangeEmployeeTerms> = {}): ChangeEmployeeTerms {
  return {
    type: 'ChangeEmployeeTerms',
    employeeId: 'E-1',
    effectiveDate: '2026-04-01',
    ...overrides,
  };
}

function termsChanged(
  effectiveDate: string,
  changes: TermsChanges,
  reason = '',
): EmployeeTermsChanged {
  return {
    type: 'EmployeeTermsChanged',
    data: { employeeId: 'E-1', effectiveDate, currency: 'EUR', changes, reason },
  };
}

function terminate(overrides: Partial<TerminateEmployee> = {}): TerminateEmployee {
  return {
    type: 'TerminateEmployee',
    employeeId: 'E-1',
    terminationDate: '2026-09-30',
    reason: 'Resigned',
    ...overrides,
  };
}

function terminated(terminationDate: string, reason = 'Resigned'): EmployeeTerminated {
  return { type: 'EmployeeTerminated', data: { employeeId: 'E-1', terminationDate, reason } };
}

function erase(overrides: Partial<EraseEmployeePersonalData> = {}): EraseEmployeePersonalData {
  return {
    type: 'EraseEmployeePersonalData',
    employeeId: 'E-1',
    reason: 'Asked to be forgotten',
    legalBasis: 'GDPR Art. 17(1)(a)',
    erasedAt: '2027-02-01T10:00:00.000Z',
    ...overrides,
  };
}

const adaErased: PersonalDataErased = {
  type: 'PersonalDataErased',
  data: {
    employeeId: 'E-1',
    reason: 'Asked to be forgotten',
    legalBasis: 'GDPR Art. 17(1)(a)',
    erasedAt: '2027-02-01T10:00:00.000Z',
  },
};

function fold(events: readonly EmployeeEvent[]): EmployeeState {
  return events.reduce(evolveEmployee, initialEmployeeState);
}

function hiredData(data: Partial<EmployeeHired['data']>): EmployeeHired {
  return { type: 'EmployeeHired', data: { ...adaHired.data, ...data } };
}

describe('hiring an employee', () => {
  it('records the hire with the details of the command', () => {
    given([]).when(hire()).then([adaHired]);
  });

  it('takes an FTE of 1 when none is given, and records the one given', () => {
    given([])
      .when(hire({ fte: '0.5' }))
      .then([hiredData({ fte: '0.5' })]);
  });

  it('writes the FTE and the salary one way, whatever way they were given', () => {
    given([])
      .when(hire({ fte: '0.50', annualSalary: '60000' }))
      .then([hiredData({ fte: '0.5', annualSalary: '60000.00' })]);
  });

  it.each([
    ['JPY', '6000000', '6000000'],
    ['KWD', '18000.5', '18000.500'],
    ['USD', '75000.1', '75000.10'],
  ])('keeps a salary in %s with its decimals', (currency, annualSalary, recorded) => {
    given([])
      .when(hire({ currency, annualSalary }))
      .then([hiredData({ currency, annualSalary: recorded })]);
  });

  it('records the bank account in electronic form', () => {
    given([])
      .when(hire({ bankAccount: 'gb29 nwbk 6016 1331 9268 19' }))
      .then([hiredData({ bankAccount: 'GB29NWBK60161331926819' })]);
  });

  it('leaves out the date of birth and bank account when none is given', () => {
    const { dateOfBirth: _dateOfBirth, bankAccount: _bankAccount, ...rest } = adaHired.data;
    given([])
      .when(hire({ dateOfBirth: undefined, bankAccount: undefined }))
      .then([{ type: 'EmployeeHired', data: rest }]);
  });

  it('records that the employee reports to no one when no manager is given', () => {
    givenFacts({})([])
      .when(hire({ managerId: undefined }))
      .then([hiredData({ managerId: null })]);
  });

  it('emits an event that matches the stored event schema', () => {
    const [event] = decideEmployee(
      hire({ fte: '0.75' }),
      initialEmployeeState,
      withManager('active'),
    );
    expect(event?.type).toBe('EmployeeHired');
    expect(() => employeeEventSchemas.EmployeeHired.parse(event?.data)).not.toThrow();
  });

  it('refuses an employee id that is already hired', () => {
    given([adaHired])
      .when(hire({ name: 'Someone else', startDate: '2027-01-01' }))
      .thenRefuses({ kind: 'conflict', code: 'EmployeeAlreadyExists', message: 'E-1' });
  });

  it('refuses the id of an employee whose personal data was erased', () => {
    given([adaHired, terminated('2026-06-30'), adaErased])
      .when(hire())
      .thenRefuses({ kind: 'conflict', code: 'EmployeeAlreadyExists' });
  });

  describe('the manager', () => {
    it.each([
      ['none', 'Manager M-1 is not an employee'],
      ['future', 'Manager M-1 has not started yet on 2026-01-01'],
      ['terminated', 'Manager M-1 has left before 2026-01-01'],
    ] as const)('refuses a manager whose status on the start date is %s', (status, message) => {
      givenFacts(withManager(status))([])
        .when(hire())
        .thenRefuses({ kind: 'conflict', code: 'ManagerNotActive', message });
    });

    it('needs no manager fact when the command names no manager', () => {
      givenFacts(withManager('none'))([])
        .when(hire({ managerId: undefined }))
        .then([hiredData({ managerId: null })]);
    });

    it('throws when the command layer left the manager fact out: a bug, not a refusal', () => {
      expect(() => decideEmployee(hire(), initialEmployeeState, {})).toThrow('facts.manager');
    });

    it('refuses an employee as their own manager', () => {
      given([])
        .when(hire({ managerId: 'E-1' }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidEmployee',
          issues: ['managerId'],
          message: 'managerId: an employee cannot be their own manager',
        });
    });
  });

  describe('the payroll accounts of the currency', () => {
    const open = (type: AccountType, currency = 'EUR'): AccountState => ({
      status: 'open',
      code: '6400',
      name: 'Salaries',
      type,
      currency,
    });
    const account = (state: AccountState): PayrollAccountFact => ({
      role: 'salary expense',
      code: '6400',
      type: 'expense',
      state,
    });

    it('hires when every account is open, of its type, in the currency', () => {
      givenFacts({ ...withManager('active'), payrollAccounts: [account(open('expense'))] })([])
        .when(hire())
        .then([adaHired]);
    });

    it('refuses when an account is not open', () => {
      givenFacts({ ...withManager('active'), payrollAccounts: [account({ status: 'none' })] })([])
        .when(hire())
        .thenRefuses({
          kind: 'conflict',
          code: 'PostingAccountMissing',
          message:
            'The salary expense account 6400 for EUR payroll is not open; open it (an expense account in EUR) first',
        });
    });

    it.each([
      ['of another type', open('asset')],
      ['in another currency', open('expense', 'USD')],
    ])('refuses when an account is %s', (_how, state) => {
      givenFacts({ ...withManager('active'), payrollAccounts: [account(state)] })([])
        .when(hire())
        .thenRefuses({
          kind: 'conflict',
          code: 'PostingAccountMissing',
          message: 'The salary expense account 6400 must be an expense account in EUR',
        });
    });

    it('checks the accounts after the duplicate: an existing employee is told so first', () => {
      givenFacts({ ...withManager('active'), payrollAccounts: [account({ status: 'none' })] })([
        adaHired,
      ])
        .when(hire())
        .thenRefuses({ kind: 'conflict', code: 'EmployeeAlreadyExists' });
    });
  });

  describe('invalid input', () => {
    const refusesOnly = (path: string, overrides: Partial<HireEmployee>, message: string) => {
      const refusal = given([])
        .when(hire(overrides))
        .thenRefuses({ kind: 'invalid', code: 'InvalidEmployee', issues: [path] });
      expect(refusal.issues?.[0]?.message).toContain(message);
    };

    it.each(['', ' ', '\t\n'])('refuses the blank name %j', (name) => {
      refusesOnly('name', { name }, 'must not be blank');
    });

    it.each([
      '',
      'ada',
      'ada@',
      '@example.com',
      'ada@example',
      'ada lovelace@example.com',
      'ada@exam ple.com',
      'ada@@example.com',
      `${'a'.repeat(250)}@x.io`,
    ])('refuses the email %j', (email) => {
      refusesOnly('email', { email }, 'must be an email address');
    });

    it.each(['1990-02-30', '1990-13-01', '10/12/1990', ''])(
      'refuses the date of birth %j',
      (dateOfBirth) => {
        refusesOnly('dateOfBirth', { dateOfBirth }, 'must be a calendar date, YYYY-MM-DD');
      },
    );

    it.each(['2026-01-01', '2026-06-01'])(
      'refuses a date of birth on or after the start date (%s)',
      (dateOfBirth) => {
        refusesOnly('dateOfBirth', { dateOfBirth }, 'must be before the start date');
      },
    );

    it.each([
      ['DE88 3704 0044 0532 0130 00', 'the check digits do not match'],
      ['DE89 3704 0044 0532 0130', 'a DE IBAN has 22 characters'],
      ['12345678', 'must be an IBAN'],
    ])('refuses the bank account %j', (bankAccount, message) => {
      refusesOnly('bankAccount', { bankAccount }, message);
    });

    it.each(['department', 'title'] as const)('refuses a blank %s', (field) => {
      refusesOnly(field, { [field]: '  ' }, 'must not be blank');
    });

    it.each(['2026-02-29', '2026-1-1', 'soon'])('refuses the start date %j', (startDate) => {
      refusesOnly('startDate', { startDate, dateOfBirth: undefined }, 'must be a calendar date');
    });

    it.each([
      ['60000.001', 'EUR amounts take at most 2 decimals'],
      ['0', 'must be a positive amount'],
      ['0.00', 'must be a positive amount'],
      ['-60000.00', 'must be a positive amount'],
      ['60,000.00', 'is not a decimal amount'],
      ['', 'is not a decimal amount'],
      ['1'.repeat(19), 'more than 18 integer digits'],
    ])('refuses the salary %j', (annualSalary, message) => {
      refusesOnly('annualSalary', { annualSalary }, message);
    });

    it('refuses decimals in a currency that has none', () => {
      refusesOnly(
        'annualSalary',
        { currency: 'JPY', annualSalary: '6000000.5' },
        'JPY amounts take no decimals',
      );
    });

    it.each(['eur', 'XAU', 'EURO', ''])('refuses the currency %j', (currency) => {
      refusesOnly('currency', { currency }, 'must be an ISO 4217 currency code');
    });

    it.each(['0', '1.5', '0.12345', '-1', 'full'])('refuses the FTE %j', (fte) => {
      refusesOnly('fte', { fte }, 'must be a decimal number greater than 0 and at most 1');
    });

    it('refuses a blank manager id', () => {
      refusesOnly('managerId', { managerId: ' ' }, 'must not be blank');
    });

    it('reports every invalid part at once, in the order of the fields', () => {
      given([])
        .when(
          hire({
            name: '',
            email: 'nope',
            dateOfBirth: '2030-01-01',
            bankAccount: 'XX00',
            department: '',
            title: '',
            annualSalary: '-1',
            fte: '2',
            managerId: 'E-1',
          }),
        )
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidEmployee',
          issues: [
            'name',
            'email',
            'dateOfBirth',
            'bankAccount',
            'department',
            'title',
            'annualSalary',
            'fte',
            'managerId',
          ],
        });
    });

    it('refuses invalid input before looking at the state', () => {
      given([adaHired])
        .when(hire({ name: '' }))
        .thenRefuses({ kind: 'invalid', code: 'InvalidEmployee', issues: ['name'] });
    });
  });
});

describe('changing the terms', () => {
  const raise = termsChanged('2026-07-01', { annualSalary: '70000.00' }, 'Annual review');

  it('refuses to change an employee who was never hired', () => {
    given([])
      .when(change({ title: 'Lead' }))
      .thenRefuses({ kind: 'not_found', code: 'EmployeeNotFound', message: 'E-1' });
  });

  it.each([
    ['department', { department: 'Research' }, { department: 'Research' }],
    ['title', { title: 'Senior Engineer' }, { title: 'Senior Engineer' }],
    ['annualSalary', { annualSalary: '65000' }, { annualSalary: '65000.00' }],
    ['fte', { fte: '0.80' }, { fte: '0.8' }],
    ['managerId', { managerId: 'M-2' }, { managerId: 'M-2' }],
    ['managerId', { managerId: null }, { managerId: null }],
  ] as const)(
    'records a change of %s alone, written one way',
    (_field, fields: Partial<ChangeEmployeeTerms>, recorded: TermsChanges) => {
      given([adaHired])
        .when(change(fields))
        .then([termsChanged('2026-04-01', recorded)]);
    },
  );

  it('records the reason given', () => {
    given([adaHired])
      .when(change({ title: 'Senior Engineer', reason: 'Promotion' }))
      .then([termsChanged('2026-04-01', { title: 'Senior Engineer' }, 'Promotion')]);
  });

  it('records only the terms that differ from those in effect', () => {
    given([adaHired])
      .when(
        change({
          department: 'Engineering',
          title: 'Staff Engineer',
          annualSalary: '60000.00',
          fte: '1.0',
          managerId: 'M-1',
        }),
      )
      .then([termsChanged('2026-04-01', { title: 'Staff Engineer' })]);
  });

  it('records nothing when every value is the one in effect', () => {
    given([adaHired])
      .when(
        change({ department: 'Engineering', annualSalary: '60000', fte: '1', managerId: 'M-1' }),
      )
      .then([]);
  });

  it('records nothing when the employee already reports to no one', () => {
    given([hiredData({ managerId: null })])
      .when(change({ managerId: null }))
      .then([]);
  });

  it('compares with the terms in effect on its own date, not the latest ones', () => {
    // The raise to 70000 from July is recorded; in April 60000 is still in effect.
    given([adaHired, raise])
      .when(change({ effectiveDate: '2026-04-01', annualSalary: '70000.00' }))
      .then([termsChanged('2026-04-01', { annualSalary: '70000.00' })]);
    given([adaHired, raise])
      .when(change({ effectiveDate: '2026-08-01', annualSalary: '70000.00' }))
      .then([]);
    given([adaHired, raise])
      .when(change({ effectiveDate: '2026-07-01', annualSalary: '60000.00' }))
      .then([termsChanged('2026-07-01', { annualSalary: '60000.00' })]);
  });

  it('takes a change dated before changes recorded earlier into account for later ones', () => {
    const backdated = termsChanged('2026-03-01', { title: 'Senior Engineer' });
    given([adaHired, raise, backdated])
      .when(change({ effectiveDate: '2026-05-01', title: 'Senior Engineer' }))
      .then([]);
  });

  it.each(['2026-01-01', '2030-01-01'])(
    'takes effect on the start date or in the future (%s)',
    (effectiveDate) => {
      given([adaHired])
        .when(change({ effectiveDate, title: 'Lead' }))
        .then([termsChanged(effectiveDate, { title: 'Lead' })]);
    },
  );

  it('may change an employee who has not started yet, from their start date on', () => {
    given([hiredData({ startDate: '2030-01-01' })])
      .when(change({ effectiveDate: '2030-01-01', annualSalary: '62000.00' }))
      .then([termsChanged('2030-01-01', { annualSalary: '62000.00' })]);
  });

  it('refuses a change that takes effect before the start date', () => {
    given([adaHired])
      .when(change({ effectiveDate: '2025-12-31', title: 'Lead' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'ChangeOutsideEmployment',
        message: 'starts on 2026-01-01: a change cannot take effect before, on 2025-12-31',
      });
  });

  it('takes effect up to the termination date, the last day employed', () => {
    given([adaHired, terminated('2026-09-30')])
      .when(change({ effectiveDate: '2026-09-30', title: 'Lead' }))
      .then([termsChanged('2026-09-30', { title: 'Lead' })]);
    given([adaHired, terminated('2026-09-30')])
      .when(change({ effectiveDate: '2026-05-01', title: 'Lead', reason: 'Late notice' }))
      .then([termsChanged('2026-05-01', { title: 'Lead' }, 'Late notice')]);
  });

  it('refuses a change that takes effect after the termination date', () => {
    given([adaHired, terminated('2026-09-30')])
      .when(change({ effectiveDate: '2026-10-01', title: 'Lead' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'ChangeOutsideEmployment',
        message: 'leaves after 2026-09-30: a change cannot take effect after, on 2026-10-01',
      });
  });

  it('changes the terms of an employee whose personal data was erased: terms are not personal', () => {
    given([adaHired, adaErased])
      .when(change({ title: 'Lead' }))
      .then([termsChanged('2026-04-01', { title: 'Lead' })]);
  });

  it('emits an event that matches the stored event schema', () => {
    const [event] = decideEmployee(
      change({ annualSalary: '61000', fte: '0.9', managerId: null, reason: 'Review' }),
      fold([adaHired]),
      withManager('active'),
    );
    expect(event?.type).toBe('EmployeeTermsChanged');
    expect(() => employeeEventSchemas.EmployeeTermsChanged.parse(event?.data)).not.toThrow();
  });

  describe('the manager', () => {
    it.each([
      ['none', 'Manager M-2 is not an employee'],
      ['future', 'Manager M-2 has not started yet on 2026-04-01'],
      ['terminated', 'Manager M-2 has left before 2026-04-01'],
    ] as const)('refuses a new manager whose status on the date is %s', (status, message) => {
      givenFacts(withManager(status))([adaHired])
        .when(change({ managerId: 'M-2' }))
        .thenRefuses({ kind: 'conflict', code: 'ManagerNotActive', message });
    });

    it('asks nothing of a manager who stays: their leaving does not block other changes', () => {
      givenFacts(withManager('terminated'))([adaHired])
        .when(change({ managerId: 'M-1', title: 'Lead' }))
        .then([termsChanged('2026-04-01', { title: 'Lead' })]);
    });

    it('asks nothing of the manager when the change removes them', () => {
      givenFacts({})([adaHired])
        .when(change({ managerId: null }))
        .then([termsChanged('2026-04-01', { managerId: null })]);
    });

    it('refuses a change of manager to the employee themself', () => {
      given([adaHired])
        .when(change({ managerId: 'E-1' }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidEmployeeChange',
          issues: ['managerId'],
          message: 'managerId: an employee cannot be their own manager',
        });
    });
  });

  describe('invalid input', () => {
    it('refuses a change of nothing', () => {
      given([adaHired])
        .when(change({ reason: 'Just because' }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidEmployeeChange',
          issues: ['(body)'],
          message: 'must change at least one of department, title, annualSalary, fte, managerId',
        });
    });

    it.each(['2026-04-31', '2026-4-1', ''])('refuses the effective date %j', (effectiveDate) => {
      given([adaHired])
        .when(change({ effectiveDate, title: 'Lead' }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidEmployeeChange',
          issues: ['effectiveDate'],
          message: 'effectiveDate: must be a calendar date, YYYY-MM-DD',
        });
    });

    it.each([
      ['department', { department: '' }, 'must not be blank'],
      ['title', { title: ' ' }, 'must not be blank'],
      ['annualSalary', { annualSalary: '61000.005' }, 'EUR amounts take at most 2 decimals'],
      ['annualSalary', { annualSalary: '0' }, 'must be a positive amount'],
      ['fte', { fte: '0' }, 'must be a decimal number greater than 0'],
      ['managerId', { managerId: '' }, 'must not be blank'],
    ] as const)('refuses an invalid %s', (path, fields: Partial<ChangeEmployeeTerms>, message) => {
      given([adaHired])
        .when(change(fields))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidEmployeeChange',
          issues: [path],
          message: `${path}: ${message}`,
        });
    });

    it("checks the salary against the employee's currency", () => {
      given([hiredData({ currency: 'JPY', annualSalary: '6000000' })])
        .when(change({ annualSalary: '6500000.50' }))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidEmployeeChange',
          issues: ['annualSalary'],
          message: 'JPY amounts take no decimals',
        });
    });

    it('reports every invalid part at once', () => {
      given([adaHired])
        .when(
          change({
            effectiveDate: 'x',
            department: '',
            annualSalary: 'x',
            fte: '3',
            managerId: 'E-1',
          }),
        )
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidEmployeeChange',
          issues: ['effectiveDate', 'department', 'annualSalary', 'fte', 'managerId'],
        });
    });
  });
});

describe('terminating an employee', () => {
  it('records the last day employed and the reason', () => {
    given([adaHired])
      .when(terminate())
      .then([terminated('2026-09-30')]);
  });

  it('accepts the start date as the last day: one day employed', () => {
    given([adaHired])
      .when(terminate({ terminationDate: '2026-01-01' }))
      .then([terminated('2026-01-01')]);
  });

  it('accepts a termination on or after the latest change’s effective date', () => {
    const raise = termsChanged('2026-07-01', { annualSalary: '70000.00' });
    given([adaHired, raise])
      .when(terminate({ terminationDate: '2026-07-01' }))
      .then([terminated('2026-07-01')]);
  });

  it('refuses to terminate an employee who was never hired', () => {
    given([])
      .when(terminate())
      .thenRefuses({ kind: 'not_found', code: 'EmployeeNotFound', message: 'E-1' });
  });

  it('refuses a second termination, naming the first one’s date', () => {
    given([adaHired, terminated('2026-09-30')])
      .when(terminate({ terminationDate: '2026-10-31' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'EmployeeAlreadyTerminated',
        message: 'already terminated, on 2026-09-30',
      });
  });

  it('refuses a last day before the start date', () => {
    given([adaHired])
      .when(terminate({ terminationDate: '2025-12-31' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'TerminationBeforeStart',
        message: 'starts on 2026-01-01',
      });
  });

  it('refuses a last day before a recorded change takes effect, naming its date', () => {
    const scheduled = termsChanged('2026-11-01', { title: 'Lead' });
    const backdated = termsChanged('2026-03-01', { department: 'Research' });
    given([adaHired, scheduled, backdated])
      .when(terminate({ terminationDate: '2026-09-30' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'TerminationBeforeRecordedChange',
        message: 'takes effect on 2026-11-01',
      });
  });

  it.each(['2026-09-31', '30.09.2026'])('refuses the termination date %j', (terminationDate) => {
    given([adaHired])
      .when(terminate({ terminationDate }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidTermination',
        issues: ['terminationDate'],
        message: 'terminationDate: must be a calendar date, YYYY-MM-DD',
      });
  });

  it('refuses a blank reason', () => {
    given([adaHired])
      .when(terminate({ reason: ' ' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidTermination',
        issues: ['reason'],
        message: 'reason: must not be blank',
      });
  });

  it('emits an event that matches the stored event schema', () => {
    const [event] = decideEmployee(terminate(), fold([adaHired]), {});
    expect(event?.type).toBe('EmployeeTerminated');
    expect(() => employeeEventSchemas.EmployeeTerminated.parse(event?.data)).not.toThrow();
  });
});

describe("erasing an employee's personal data", () => {
  it('records the erasure, with no personal data in it', () => {
    given([adaHired, terminated('2026-06-30')])
      .when(erase())
      .then([adaErased]);
  });

  it('erases the data of an employee still employed when nothing is open', () => {
    given([adaHired]).when(erase()).then([adaErased]);
  });

  it('refuses to erase the data of an employee who was never hired', () => {
    given([])
      .when(erase())
      .thenRefuses({ kind: 'not_found', code: 'EmployeeNotFound', message: 'E-1' });
  });

  it('refuses a second erasure', () => {
    given([adaHired, adaErased])
      .when(erase({ erasedAt: '2027-03-01T00:00:00Z' }))
      .thenRefuses({
        kind: 'conflict',
        code: 'PersonalDataAlreadyErased',
        message: 'employee E-1 is already erased',
      });
  });

  it('refuses while payroll runs with the employee are open, naming them', () => {
    givenFacts({ openPayrollRuns: ['PR-2026-05', 'PR-2026-06'] })([adaHired])
      .when(erase())
      .thenRefuses({
        kind: 'conflict',
        code: 'ErasureBlocked',
        message: 'payroll runs not settled yet (PR-2026-05, PR-2026-06)',
      });
  });

  it('throws when the command layer left the open payroll runs out: a bug, not a refusal', () => {
    expect(() => decideEmployee(erase(), fold([adaHired]), {})).toThrow('facts.openPayrollRuns');
  });

  it('needs no facts at all to terminate', () => {
    expect(employeeDecider.decide(terminate(), fold([adaHired]), undefined as never)).toEqual([
      terminated('2026-09-30'),
    ]);
  });

  it('erases once the payroll runs are settled', () => {
    givenFacts({ openPayrollRuns: [] })([adaHired]).when(erase()).then([adaErased]);
  });

  it.each([
    ['reason', { reason: '' }, 'must not be blank'],
    ['legalBasis', { legalBasis: '  ' }, 'must not be blank'],
    ['erasedAt', { erasedAt: '2027-02-01' }, 'must be an ISO 8601 UTC timestamp'],
    ['erasedAt', { erasedAt: '2027-02-01T10:00:00+01:00' }, 'must be an ISO 8601 UTC timestamp'],
    ['erasedAt', { erasedAt: '2027-02-30T10:00:00Z' }, 'must be an ISO 8601 UTC timestamp'],
    ['erasedAt', { erasedAt: '2027-02-01T24:00:00Z' }, 'must be an ISO 8601 UTC timestamp'],
  ] as const)(
    'refuses an invalid %s',
    (path, fields: Partial<EraseEmployeePersonalData>, message) => {
      given([adaHired])
        .when(erase(fields))
        .thenRefuses({
          kind: 'invalid',
          code: 'InvalidErasure',
          issues: [path],
          message: `${path}: ${message}`,
        });
    },
  );

  it('emits an event that matches the stored event schema', () => {
    const [event] = decideEmployee(erase(), fold([adaHired]), { openPayrollRuns: [] });
    expect(event?.type).toBe('PersonalDataErased');
    expect(() => employeeEventSchemas.PersonalDataErased.parse(event?.data)).not.toThrow();
  });
});

describe('employee state', () => {
  it('is hired with the personal data and the start terms of the hire', () => {
    const state = fold([adaHired]);
    expect(state).toMatchObject({
      status: 'hired',
      employeeId: 'E-1',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      dateOfBirth: '1990-12-10',
      bankAccount: 'DE89370400440532013000',
      erased: false,
      erasure: null,
      currency: 'EUR',
      startDate: '2026-01-01',
      termination: null,
    });
    expect(employeeAsOf(state, '2026-01-01')?.terms).toEqual({
      department: 'Engineering',
      title: 'Engineer',
      annualSalary: '60000.00',
      fte: '1',
      managerId: 'M-1',
    });
  });

  it('has no date of birth or bank account when the hire gave none', () => {
    const { dateOfBirth: _d, bankAccount: _b, ...rest } = adaHired.data;
    const state = fold([{ type: 'EmployeeHired', data: rest }]);
    expect(state).not.toHaveProperty('dateOfBirth');
    expect(state).not.toHaveProperty('bankAccount');
  });

  it('keeps the terms and dates but no personal data after an erasure', () => {
    const raise = termsChanged('2026-07-01', { annualSalary: '70000.00' });
    const before = fold([adaHired, raise, terminated('2026-12-31')]);
    const after = fold([adaHired, raise, terminated('2026-12-31'), adaErased]);
    expect(after).toMatchObject({
      name: null,
      email: null,
      dateOfBirth: null,
      bankAccount: null,
      erased: true,
      erasure: {
        reason: 'Asked to be forgotten',
        legalBasis: 'GDPR Art. 17(1)(a)',
        erasedAt: '2027-02-01T10:00:00.000Z',
      },
      currency: 'EUR',
      startDate: '2026-01-01',
      termination: { terminationDate: '2026-12-31', reason: 'Resigned' },
    });
    expect(employeeAsOf(after, '2026-08-01')?.history).toEqual(
      employeeAsOf(before, '2026-08-01')?.history,
    );
  });

  it('folds events whose personal data reads back as null once the key is erased', () => {
    const shredded = hiredData({ name: null, email: null, dateOfBirth: null, bankAccount: null });
    const state = fold([shredded, adaErased]);
    expect(state).toMatchObject({ name: null, email: null, dateOfBirth: null, erased: true });
    expect(employeeAsOf(state, '2026-02-01')?.terms.annualSalary).toBe('60000.00');
    expect(() => employeeEventSchemas.EmployeeHired.parse(shredded.data)).not.toThrow();
  });

  it('records the termination', () => {
    expect(fold([adaHired, terminated('2026-09-30', 'Moved abroad')])).toMatchObject({
      termination: { terminationDate: '2026-09-30', reason: 'Moved abroad' },
    });
  });

  it.each([
    ['a change', termsChanged('2026-04-01', { title: 'Lead' })],
    ['a termination', terminated('2026-09-30')],
    ['an erasure', adaErased],
  ] as const)('ignores %s with no hire before it', (_what, event: EmployeeEvent) => {
    expect(evolveEmployee(initialEmployeeState, event)).toBe(initialEmployeeState);
  });

  it('does not change the state it folds from', () => {
    const hiredState = fold([adaHired]);
    const snapshot = JSON.stringify(employeeAsOf(hiredState, '2026-08-01'));
    evolveEmployee(hiredState, termsChanged('2026-07-01', { title: 'Lead' }));
    evolveEmployee(hiredState, terminated('2026-09-30'));
    evolveEmployee(hiredState, adaErased);
    expect(JSON.stringify(employeeAsOf(hiredState, '2026-08-01'))).toBe(snapshot);
  });
});

describe('employee as of a date', () => {
  const history = [
    adaHired,
    termsChanged('2026-07-01', { annualSalary: '70000.00' }),
    terminated('2026-12-31'),
  ];

  it('is undefined for an employee never hired', () => {
    expect(employeeAsOf(initialEmployeeState, '2026-01-01')).toBeUndefined();
  });

  it('refuses a date that is not a calendar date', () => {
    expect(() => employeeAsOf(fold(history), '2026-02-30')).toThrow(RangeError);
  });

  it.each([
    ['2025-12-31', 'future', '60000.00'],
    ['2026-01-01', 'active', '60000.00'],
    ['2026-06-30', 'active', '60000.00'],
    ['2026-07-01', 'active', '70000.00'],
    ['2026-12-31', 'active', '70000.00'],
    ['2027-01-01', 'terminated', '70000.00'],
  ])('on %s is %s at a salary of %s', (date, status, annualSalary) => {
    const view = employeeAsOf(fold(history), date);
    expect(view?.status).toBe(status);
    expect(view?.terms.annualSalary).toBe(annualSalary);
  });

  it('gives the whole history, the personal data and the dates', () => {
    expect(employeeAsOf(fold(history), '2026-03-01')).toEqual({
      employeeId: 'E-1',
      asOf: '2026-03-01',
      status: 'active',
      terms: {
        department: 'Engineering',
        title: 'Engineer',
        annualSalary: '60000.00',
        fte: '1',
        managerId: 'M-1',
      },
      currency: 'EUR',
      startDate: '2026-01-01',
      terminationDate: '2026-12-31',
      history: [
        {
          from: '2026-01-01',
          to: '2026-06-30',
          terms: expect.objectContaining({ annualSalary: '60000.00' }),
        },
        {
          from: '2026-07-01',
          to: '2026-12-31',
          terms: expect.objectContaining({ annualSalary: '70000.00' }),
        },
      ],
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      dateOfBirth: '1990-12-10',
      bankAccount: 'DE89370400440532013000',
      erased: false,
    });
  });
});

describe('the manager fact', () => {
  const manager = fold([
    hiredData({ employeeId: 'M-1', managerId: null, startDate: '2025-01-01' }),
    {
      type: 'EmployeeTerminated',
      data: { employeeId: 'M-1', terminationDate: '2026-06-30', reason: 'Retired' },
    },
  ]);

  it.each([
    ['2024-12-31', 'future'],
    ['2025-01-01', 'active'],
    ['2026-06-30', 'active'],
    ['2026-07-01', 'terminated'],
  ] as const)('on %s is %s', (date, status) => {
    expect(managerFact(manager, date)).toEqual({ status });
  });

  it('is none for someone never hired', () => {
    expect(managerFact(initialEmployeeState, '2026-01-01')).toEqual({ status: 'none' });
  });
});

describe('email addresses', () => {
  it.each(['ada@example.com', 'a.b+c@sub.example.co.uk', 'zoë@exämple.de'])(
    'accepts %j',
    (email) => {
      expect(isEmailAddress(email)).toBe(true);
    },
  );

  it('accepts 254 characters and no more', () => {
    const domain = '@example.com';
    expect(isEmailAddress(`${'a'.repeat(254 - domain.length)}${domain}`)).toBe(true);
    expect(isEmailAddress(`${'a'.repeat(255 - domain.length)}${domain}`)).toBe(false);
  });
});

describe('employee streams and schemas', () => {
  it('names one stream per employee, <entityType>-<id> split at the first hyphen', () => {
    const name = peopleStreams.employee('E-2026-7');
    expect(name).toBe('employee-E-2026-7');
    expect(name.slice(0, name.indexOf('-'))).toBe('employee');
    expect(Object.keys(employeeEventStreams).sort()).toEqual(
      Object.keys(employeeEventSchemas).sort(),
    );
  });

  it.each(Object.entries(employeeEventSchemas))(
    'documents %s and every field of it, as the generated docs need',
    (_type, schema) => {
      const json = z.toJSONSchema(schema) as {
        description?: string;
        properties: Record<
          string,
          { description?: string; properties?: Record<string, { description?: string }> }
        >;
      };
      expect(json.description).toBeTruthy();
      for (const field of Object.values(json.properties)) {
        expect(field.description).toBeTruthy();
        for (const nested of Object.values(field.properties ?? {})) {
          expect(nested.description).toBeTruthy();
        }
      }
    },
  );

  it('keeps personal data out of the erasure event', () => {
    expect(Object.keys(employeeEventSchemas.PersonalDataErased.shape).sort()).toEqual([
      'employeeId',
      'erasedAt',
      'legalBasis',
      'reason',
    ]);
  });
});
