export interface HireEmployee {
  readonly type: 'HireEmployee';
  readonly employeeId: string;
  readonly name: string;
  readonly email: string;
  /** `YYYY-MM-DD`, before the start date. */
  readonly dateOfBirth?: string;
  /** An IBAN, with or without spaces, in either case. */
  readonly bankAccount?: string;
  readonly department: string;
  readonly title: string;
  /** `YYYY-MM-DD`: the first day employed. */
  readonly startDate: string;
  /** A positive decimal string in `currency` ("60000.00"): pay for a year at this FTE. */
  readonly annualSalary: string;
  readonly currency: string;
  /** A decimal string in (0, 1] with at most 4 decimals ("0.5"); 1 when absent. */
  readonly fte?: string;
  readonly managerId?: string;
}

/** Effective-dated: the terms given apply from `effectiveDate` on. At least one is required. */
export interface ChangeEmployeeTerms {
  readonly type: 'ChangeEmployeeTerms';
  readonly employeeId: string;
  /** `YYYY-MM-DD`, in the past or the future, within the employment. */
  readonly effectiveDate: string;
  readonly department?: string;
  readonly title?: string;
  readonly annualSalary?: string;
  readonly fte?: string;
  /** `null`: from the effective date on the employee reports to no one. */
  readonly managerId?: string | null;
  readonly reason?: string;
}

export interface TerminateEmployee {
  readonly type: 'TerminateEmployee';
  readonly employeeId: string;
  /** `YYYY-MM-DD`: the last day employed. */
  readonly terminationDate: string;
  readonly reason: string;
}

export interface EraseEmployeePersonalData {
  readonly type: 'EraseEmployeePersonalData';
  readonly employeeId: string;
  readonly reason: string;
  readonly legalBasis: string;
  /** ISO 8601 UTC timestamp, e.g. `2026-03-01T09:30:00.000Z`: given, as the decider has no clock. */
  readonly erasedAt: string;
}

export type EmployeeCommand =
  HireEmployee | ChangeEmployeeTerms | TerminateEmployee | EraseEmployeePersonalData;
