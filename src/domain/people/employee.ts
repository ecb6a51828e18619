/**
 * The employee decider: hire, effective-dated changes of terms, termination and erasure of the
 * personal data, one stream per employee. Each command is checked in one order: the input
 * alone (`invalid`, every issue at once), then the employee's own state, then the facts from
 * other streams (a manager, the payroll accounts, open payroll runs), so a caller fixes what
 * is theirs first.
 *
 * Every recorded change lies within the employment: a change dated after the termination
 * date is refused, and so is a termination dated before a recorded change. Dropping such a
 * change silently would let a raise someone scheduled vanish without anyone being told.
 *
 * One file for the decider and the validation of its four commands: the rules of hire, change
 * and termination refer to one another (dates within the employment); facts, the history and
 * the as-of view are files of their own.
 */
import { isCurrencyCode, type CurrencyCode } from '../shared/currency.js';
import { isAccountingDate } from '../shared/dates.js';
import type { Decider } from '../shared/decider.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import { formatAmount, parseAmount } from '../shared/money.js';
import type {
  ChangeEmployeeTerms,
  EmployeeCommand,
  EraseEmployeePersonalData,
  HireEmployee,
  TerminateEmployee,
} from './commands.js';
import {
  refuseIfManagerNotActive,
  refuseIfPayrollAccountMissing,
  type EmployeeFacts,
} from './employee-facts.js';
import {
  historyAsOf,
  sameTerms,
  startHistory,
  withChange,
  withTermination,
  type EmploymentHistory,
  type EmploymentTerms,
} from './employment-history.js';
import type { EmployeeEvent, EmployeeHired, TermsChanges } from './events.js';
import { parseFte } from './fte.js';
import { parseIban } from './iban.js';

export interface HiredEmployee {
  readonly status: 'hired';
  readonly employeeId: string;
  /** Personal data: `null` once erased (see `erased`). */
  readonly name: string | null;
  readonly email: string | null;
  /** Absent when never given; `null` once erased. */
  readonly dateOfBirth?: string | null;
  /** In electronic form (no spaces, upper case). Absent when never given; `null` once erased. */
  readonly bankAccount?: string | null;
  readonly erased: boolean;
  readonly erasure: {
    readonly reason: string;
    readonly legalBasis: string;
    readonly erasedAt: string;
  } | null;
  readonly currency: string;
  readonly startDate: string;
  readonly termination: { readonly terminationDate: string; readonly reason: string } | null;
  readonly history: EmploymentHistory;
}

export type EmployeeState = { readonly status: 'none' } | HiredEmployee;

export const initialEmployeeState: EmployeeState = { status: 'none' };

export function decideEmployee(
  command: EmployeeCommand,
  state: EmployeeState,
  // A command that needs no facts may be handled without loading any.
  facts: EmployeeFacts = {},
): EmployeeEvent[] {
  switch (command.type) {
    case 'HireEmployee':
      return hire(command, state, facts);
    case 'ChangeEmployeeTerms':
      return change(command, state, facts);
    case 'TerminateEmployee':
      return terminate(command, state);
    case 'EraseEmployeePersonalData':
      return erase(command, state, facts);
  }
}

export function evolveEmployee(state: EmployeeState, event: EmployeeEvent): EmployeeState {
  switch (event.type) {
    case 'EmployeeHired':
      return hired(event.data);
    case 'EmployeeTermsChanged': {
      if (state.status === 'none') return state;
      const { effectiveDate, changes, reason } = event.data;
      return { ...state, history: withChange(state.history, { effectiveDate, changes, reason }) };
    }
    case 'EmployeeTerminated': {
      if (state.status === 'none') return state;
      const { terminationDate, reason } = event.data;
      return {
        ...state,
        termination: { terminationDate, reason },
        history: withTermination(state.history, terminationDate),
      };
    }
    case 'PersonalDataErased': {
      if (state.status === 'none') return state;
      const { reason, legalBasis, erasedAt } = event.data;
      return {
        ...state,
        name: null,
        email: null,
        dateOfBirth: null,
        bankAccount: null,
        erased: true,
        erasure: { reason, legalBasis, erasedAt },
      };
    }
    default: {
      // Every employee event has its case: a new type fails to compile here until it has one.
      const unhandled: never = event;
      void unhandled;
      return state;
    }
  }
}

function hired(data: EmployeeHired['data']): HiredEmployee {
  const { employeeId, name, email, dateOfBirth, bankAccount, currency, startDate } = data;
  const { department, title, annualSalary, fte, managerId } = data;
  return {
    status: 'hired',
    employeeId,
    name,
    email,
    ...(dateOfBirth !== undefined ? { dateOfBirth } : {}),
    ...(bankAccount !== undefined ? { bankAccount } : {}),
    erased: false,
    erasure: null,
    currency,
    startDate,
    termination: null,
    history: startHistory(startDate, { department, title, annualSalary, fte, managerId }),
  };
}

type Issue = { path: string; message: string };

const CALENDAR_DATE = 'must be a calendar date, YYYY-MM-DD';
const BLANK = 'must not be blank';

function hire(command: HireEmployee, state: EmployeeState, facts: EmployeeFacts): EmployeeEvent[] {
  const issues: Issue[] = [];
  if (isBlank(command.name)) issues.push({ path: 'name', message: BLANK });
  if (!isEmailAddress(command.email)) {
    issues.push({ path: 'email', message: 'must be an email address' });
  }
  const startValid = isAccountingDate(command.startDate);
  if (command.dateOfBirth !== undefined) {
    if (!isAccountingDate(command.dateOfBirth)) {
      issues.push({ path: 'dateOfBirth', message: CALENDAR_DATE });
    } else if (startValid && command.dateOfBirth >= command.startDate) {
      issues.push({ path: 'dateOfBirth', message: 'must be before the start date' });
    }
  }
  const iban = command.bankAccount === undefined ? undefined : parseIban(command.bankAccount);
  if (iban !== undefined && !iban.ok) issues.push({ path: 'bankAccount', message: iban.message });
  if (isBlank(command.department)) issues.push({ path: 'department', message: BLANK });
  if (isBlank(command.title)) issues.push({ path: 'title', message: BLANK });
  if (!startValid) issues.push({ path: 'startDate', message: CALENDAR_DATE });
  const { currency } = command;
  const salary = isCurrencyCode(currency) ? salaryOf(command.annualSalary, currency) : undefined;
  if (salary !== undefined && !salary.ok) {
    issues.push({ path: 'annualSalary', message: salary.message });
  }
  if (!isCurrencyCode(currency)) {
    issues.push({
      path: 'currency',
      message: 'must be an ISO 4217 currency code with minor units',
    });
  }
  const fte = parseFte(command.fte ?? '1');
  if (!fte.ok) issues.push({ path: 'fte', message: fte.message });
  const managerId = command.managerId ?? null;
  issues.push(...managerIssues(managerId, command.employeeId));
  if (issues.length > 0 || salary === undefined || !salary.ok || !fte.ok) {
    refuseInvalid('InvalidEmployee', issues);
  }
  if (state.status !== 'none') {
    refuse({
      kind: 'conflict',
      code: 'EmployeeAlreadyExists',
      message: `Employee ${command.employeeId} already exists`,
    });
  }
  if (managerId !== null) refuseIfManagerNotActive(facts, managerId, command.startDate);
  refuseIfPayrollAccountMissing(facts.payrollAccounts ?? [], currency);
  return [
    {
      type: 'EmployeeHired',
      data: {
        employeeId: command.employeeId,
        name: command.name,
        email: command.email,
        ...(command.dateOfBirth !== undefined ? { dateOfBirth: command.dateOfBirth } : {}),
        ...(iban?.ok ? { bankAccount: iban.iban } : {}),
        department: command.department,
        title: command.title,
        startDate: command.startDate,
        annualSalary: salary.amount,
        currency,
        fte: fte.fte,
        managerId,
      },
    },
  ];
}

function change(
  command: ChangeEmployeeTerms,
  state: EmployeeState,
  facts: EmployeeFacts,
): EmployeeEvent[] {
  const employee = existing(state, command.employeeId);
  const issues: Issue[] = [];
  const { effectiveDate, department, title, managerId } = command;
  if (!isAccountingDate(effectiveDate)) {
    issues.push({ path: 'effectiveDate', message: CALENDAR_DATE });
  }
  const given = [department, title, command.annualSalary, command.fte, managerId];
  if (given.every((value) => value === undefined)) {
    issues.push({
      path: '(body)',
      message: 'must change at least one of department, title, annualSalary, fte, managerId',
    });
  }
  if (department !== undefined && isBlank(department)) {
    issues.push({ path: 'department', message: BLANK });
  }
  if (title !== undefined && isBlank(title)) issues.push({ path: 'title', message: BLANK });
  const salary =
    command.annualSalary === undefined
      ? undefined
      : salaryOf(command.annualSalary, employee.currency as CurrencyCode);
  if (salary !== undefined && !salary.ok) {
    issues.push({ path: 'annualSalary', message: salary.message });
  }
  const fte = command.fte === undefined ? undefined : parseFte(command.fte);
  if (fte !== undefined && !fte.ok) issues.push({ path: 'fte', message: fte.message });
  if (managerId !== undefined) issues.push(...managerIssues(managerId, employee.employeeId));
  if (issues.length > 0) refuseInvalid('InvalidEmployeeChange', issues);

  if (effectiveDate < employee.startDate) {
    refuse({
      kind: 'conflict',
      code: 'ChangeOutsideEmployment',
      message: `Employee ${employee.employeeId} starts on ${employee.startDate}: a change cannot take effect before, on ${effectiveDate}`,
    });
  }
  const terminationDate = employee.termination?.terminationDate;
  if (terminationDate !== undefined && effectiveDate > terminationDate) {
    refuse({
      kind: 'conflict',
      code: 'ChangeOutsideEmployment',
      message: `Employee ${employee.employeeId} leaves after ${terminationDate}: a change cannot take effect after, on ${effectiveDate}`,
    });
  }
  // Compared with what is in effect on the change's own date, not with the latest terms.
  const inEffect = historyAsOf(employee.history, effectiveDate).terms;
  const wanted: EmploymentTerms = {
    department: department ?? inEffect.department,
    title: title ?? inEffect.title,
    annualSalary: salary?.ok ? salary.amount : inEffect.annualSalary,
    fte: fte?.ok ? fte.fte : inEffect.fte,
    managerId: managerId !== undefined ? managerId : inEffect.managerId,
  };
  if (sameTerms(wanted, inEffect)) return [];
  const changes = differences(inEffect, wanted);
  if (typeof changes.managerId === 'string') {
    refuseIfManagerNotActive(facts, changes.managerId, effectiveDate);
  }
  return [
    {
      type: 'EmployeeTermsChanged',
      data: {
        employeeId: employee.employeeId,
        effectiveDate,
        currency: employee.currency,
        changes,
        reason: command.reason ?? '',
      },
    },
  ];
}

function terminate(command: TerminateEmployee, state: EmployeeState): EmployeeEvent[] {
  const employee = existing(state, command.employeeId);
  const { terminationDate } = command;
  const issues: Issue[] = [];
  if (!isAccountingDate(terminationDate)) {
    issues.push({ path: 'terminationDate', message: CALENDAR_DATE });
  }
  if (isBlank(command.reason)) issues.push({ path: 'reason', message: BLANK });
  if (issues.length > 0) refuseInvalid('InvalidTermination', issues);
  if (employee.termination !== null) {
    refuse({
      kind: 'conflict',
      code: 'EmployeeAlreadyTerminated',
      message: `Employee ${employee.employeeId} is already terminated, on ${employee.termination.terminationDate}`,
    });
  }
  if (terminationDate < employee.startDate) {
    refuse({
      kind: 'conflict',
      code: 'TerminationBeforeStart',
      message: `Employee ${employee.employeeId} starts on ${employee.startDate}: the last day employed cannot be before, on ${terminationDate}`,
    });
  }
  const latestChange = latestEffectiveDate(employee.history);
  if (latestChange !== undefined && latestChange > terminationDate) {
    refuse({
      kind: 'conflict',
      code: 'TerminationBeforeRecordedChange',
      message: `A change of employee ${employee.employeeId}'s terms takes effect on ${latestChange}: the last day employed cannot be before it, on ${terminationDate}`,
    });
  }
  return [
    {
      type: 'EmployeeTerminated',
      data: { employeeId: employee.employeeId, terminationDate, reason: command.reason },
    },
  ];
}

function erase(
  command: EraseEmployeePersonalData,
  state: EmployeeState,
  facts: EmployeeFacts,
): EmployeeEvent[] {
  const employee = existing(state, command.employeeId);
  const issues: Issue[] = [];
  if (isBlank(command.reason)) issues.push({ path: 'reason', message: BLANK });
  if (isBlank(command.legalBasis)) issues.push({ path: 'legalBasis', message: BLANK });
  if (!isUtcTimestamp(command.erasedAt)) {
    issues.push({
      path: 'erasedAt',
      message: 'must be an ISO 8601 UTC timestamp, YYYY-MM-DDTHH:MM:SS(.sss)Z',
    });
  }
  if (issues.length > 0) refuseInvalid('InvalidErasure', issues);
  if (employee.erased) {
    refuse({
      kind: 'conflict',
      code: 'PersonalDataAlreadyErased',
      message: `The personal data of employee ${employee.employeeId} is already erased`,
    });
  }
  const openRuns = facts.openPayrollRuns;
  // Erasure cannot be undone: without the fact, refusing or erasing would both be a guess.
  if (openRuns === undefined) {
    throw new Error(`Erasing employee ${employee.employeeId} needs facts.openPayrollRuns`);
  }
  if (openRuns.length > 0) {
    refuse({
      kind: 'conflict',
      code: 'ErasureBlocked',
      message: `Employee ${employee.employeeId} is in payroll runs not settled yet (${openRuns.join(', ')}): their personal data can be erased once those are paid or cancelled`,
    });
  }
  return [
    {
      type: 'PersonalDataErased',
      data: {
        employeeId: employee.employeeId,
        reason: command.reason,
        legalBasis: command.legalBasis,
        erasedAt: command.erasedAt,
      },
    },
  ];
}

function existing(state: EmployeeState, employeeId: string): HiredEmployee {
  if (state.status === 'none') {
    refuse({
      kind: 'not_found',
      code: 'EmployeeNotFound',
      message: `Employee ${employeeId} does not exist`,
    });
  }
  return state;
}

type SalaryResult =
  { readonly ok: true; readonly amount: string } | { readonly ok: false; readonly message: string };

function salaryOf(text: string, currency: CurrencyCode): SalaryResult {
  const parsed = parseAmount(text, currency);
  if (!parsed.ok) return parsed;
  if (parsed.minor <= 0n) return { ok: false, message: 'must be a positive amount' };
  return { ok: true, amount: formatAmount(parsed.minor, currency) };
}

function managerIssues(managerId: string | null, employeeId: string): Issue[] {
  if (managerId === null) return [];
  if (isBlank(managerId)) return [{ path: 'managerId', message: BLANK }];
  if (managerId === employeeId) {
    return [{ path: 'managerId', message: 'an employee cannot be their own manager' }];
  }
  return [];
}

/** Only the terms that differ, with their new values. */
function differences(before: EmploymentTerms, after: EmploymentTerms): TermsChanges {
  return {
    ...(after.department !== before.department ? { department: after.department } : {}),
    ...(after.title !== before.title ? { title: after.title } : {}),
    ...(after.annualSalary !== before.annualSalary ? { annualSalary: after.annualSalary } : {}),
    ...(after.fte !== before.fte ? { fte: after.fte } : {}),
    ...(after.managerId !== before.managerId ? { managerId: after.managerId } : {}),
  };
}

function latestEffectiveDate(history: EmploymentHistory): string | undefined {
  let latest: string | undefined;
  for (const change of history.changes) {
    if (latest === undefined || change.effectiveDate > latest) latest = change.effectiveDate;
  }
  return latest;
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** The shape the HTTP layer accepts for customers too: something@something.something, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
const MAX_EMAIL_LENGTH = 254;

export function isEmailAddress(text: string): boolean {
  return [...text].length <= MAX_EMAIL_LENGTH && EMAIL.test(text);
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?Z$/;

function isUtcTimestamp(text: string): boolean {
  const match = TIMESTAMP.exec(text);
  return match !== null && isAccountingDate(match[1]!);
}

export const employeeDecider: Decider<
  EmployeeState,
  EmployeeCommand,
  EmployeeEvent,
  EmployeeFacts
> = {
  initialState: initialEmployeeState,
  evolve: evolveEmployee,
  decide: decideEmployee,
};
