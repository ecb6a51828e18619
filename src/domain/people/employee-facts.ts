/**
 * What an employee's commands are decided on besides their own stream, and the rules that
 * read it: the command layer loads these facts (under the command's locks) and the decider
 * refuses with them.
 */
import type { AccountState } from '../ledger/account.js';
import type { AccountType } from '../ledger/events.js';
import { refuse } from '../shared/errors.js';
import type { EmployeeState } from './employee.js';
import { historyAsOf, type EmploymentStatus } from './employment-history.js';

/** How a manager named by a command stands on the command's date (see `managerFact`). */
export type ManagerStatus = 'none' | EmploymentStatus;

export interface ManagerFact {
  readonly status: ManagerStatus;
}

/** A ledger account payroll posts an employee's pay to, as the command layer found it. */
export interface PayrollAccountFact {
  /** What payroll uses it for, as the refusal names it: "salary expense", "net pay payable". */
  readonly role: string;
  readonly code: string;
  /** The type of account the role needs. */
  readonly type: AccountType;
  readonly state: AccountState;
}

/** What the employee's commands need from other streams, read by the command layer. */
export interface EmployeeFacts {
  /**
   * Hire and change: the manager the command names, on the start or the effective date
   * (`managerFact`). Needed only when the command names one and it would be recorded.
   */
  readonly manager?: ManagerFact;
  /**
   * Hire: the accounts payroll will post the pay to in the employee's currency. Each must be
   * open, of its type and in that currency, or the hire is refused (`PostingAccountMissing`).
   */
  readonly payrollAccounts?: readonly PayrollAccountFact[];
  /** Erasure: the payroll runs that include the employee and are not settled yet. */
  readonly openPayrollRuns?: readonly string[];
}

/** The fact about a manager that hire and change are decided on: their status on `date`. */
export function managerFact(manager: EmployeeState, date: string): ManagerFact {
  if (manager.status === 'none') return { status: 'none' };
  return { status: historyAsOf(manager.history, date).status };
}

export function refuseIfManagerNotActive(
  facts: EmployeeFacts,
  managerId: string,
  date: string,
): void {
  // The command layer owes this fact whenever a command names a manager; without it the rule
  // cannot be decided, and guessing either way would be wrong.
  if (facts.manager === undefined) {
    throw new Error(`Deciding on manager ${managerId} needs facts.manager`);
  }
  const { status } = facts.manager;
  if (status === 'active') return;
  const why = {
    none: 'is not an employee',
    future: `has not started yet on ${date}`,
    terminated: `has left before ${date}`,
  }[status];
  refuse({
    kind: 'conflict',
    code: 'ManagerNotActive',
    message: `Manager ${managerId} ${why}: a manager must be employed on the date they take over`,
  });
}

export function refuseIfPayrollAccountMissing(
  accounts: readonly PayrollAccountFact[],
  currency: string,
): void {
  for (const account of accounts) {
    const { state } = account;
    if (state.status === 'open' && state.type === account.type && state.currency === currency) {
      continue;
    }
    refuse({
      kind: 'conflict',
      code: 'PostingAccountMissing',
      message:
        state.status === 'none'
          ? `The ${account.role} account ${account.code} for ${currency} payroll is not open; open it (${withArticle(account.type)} account in ${currency}) first`
          : `The ${account.role} account ${account.code} must be ${withArticle(account.type)} account in ${currency}`,
    });
  }
}

function withArticle(type: AccountType): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}
