import type { EmployeeEventType } from './events.js';

/** One stream per employee: their hire, changes, termination and erasure are decided together. */
export const peopleStreams = {
  employee: (employeeId: string) => `employee-${employeeId}`,
} as const;

/** The stream each event type is appended to, with placeholders for its ids. */
export const employeeEventStreams = {
  EmployeeHired: peopleStreams.employee('<employeeId>'),
  EmployeeTermsChanged: peopleStreams.employee('<employeeId>'),
  EmployeeTerminated: peopleStreams.employee('<employeeId>'),
  PersonalDataErased: peopleStreams.employee('<employeeId>'),
} as const satisfies Record<EmployeeEventType, string>;
