import { isAccountingDate } from '../shared/dates.js';
import type { EmployeeState } from './employee.js';
import {
  historyAsOf,
  historySegments,
  type EmploymentSegment,
  type EmploymentStatus,
  type EmploymentTerms,
} from './employment-history.js';

/** What `employeeAsOf` tells of an employee on a day. */
export interface EmployeeAsOf {
  readonly employeeId: string;
  readonly asOf: string;
  readonly status: EmploymentStatus;
  /**
   * In effect on `asOf`; before the start date, the terms the employee starts on, and after
   * the termination date, those of the last day employed.
   */
  readonly terms: EmploymentTerms;
  readonly currency: string;
  readonly startDate: string;
  readonly terminationDate: string | null;
  /** The whole employment, past and future of `asOf` alike (see `historySegments`). */
  readonly history: readonly EmploymentSegment[];
  readonly name: string | null;
  readonly email: string | null;
  readonly dateOfBirth?: string | null;
  readonly bankAccount?: string | null;
  readonly erased: boolean;
}

/** The employee as of `date` (`YYYY-MM-DD`); undefined when never hired. */
export function employeeAsOf(state: EmployeeState, date: string): EmployeeAsOf | undefined {
  if (!isAccountingDate(date))
    throw new RangeError(`employeeAsOf needs a calendar date, not ${date}`);
  if (state.status === 'none') return undefined;
  const { status, terms } = historyAsOf(state.history, date);
  return {
    employeeId: state.employeeId,
    asOf: date,
    status,
    terms,
    currency: state.currency,
    startDate: state.startDate,
    terminationDate: state.termination?.terminationDate ?? null,
    history: historySegments(state.history),
    name: state.name,
    email: state.email,
    ...(state.dateOfBirth !== undefined ? { dateOfBirth: state.dateOfBirth } : {}),
    ...(state.bankAccount !== undefined ? { bankAccount: state.bankAccount } : {}),
    erased: state.erased,
  };
}
