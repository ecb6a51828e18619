/**
 * The people module's read model, `people_employees`: one document per employee with what
 * `GET /v1/employees/{id}?asOf=` needs to answer for any date (the hire's terms and every change
 * as recorded; the history is derived when read, by the domain's own rules), and the personal
 * fields as the log holds them: sealed with the person's key. The read model holds no
 * plaintext; the queries open the values for a caller allowed to see them.
 */
import { z } from 'zod';
import { isSealedValue, type SealedValue } from '../../commands/personal-data/vault.js';
import { employeeEventSchemas, type TermsChanges } from '../../domain/people/events.js';
import type { EmploymentTerms } from '../../domain/people/employment-history.js';
import { eventDecoder, type EventsOf } from '../../domain/shared/event-schemas.js';
import { defineProjection, type Projection } from '../projection.js';

/** A personal field as stored: sealed, in plain text (never written so, but readable), or null. */
export type StoredPersonalValue = SealedValue | string | null;

export interface EmployeeDocument {
  readonly employeeId: string;
  readonly name: StoredPersonalValue;
  readonly email: StoredPersonalValue;
  readonly dateOfBirth: StoredPersonalValue;
  readonly bankAccount: StoredPersonalValue;
  readonly erased: boolean;
  readonly currency: string;
  readonly startDate: string;
  readonly startTerms: EmploymentTerms;
  /** In the order recorded; what applies on a day follows from `historyOf`. */
  readonly changes: readonly {
    readonly effectiveDate: string;
    readonly changes: TermsChanges;
    readonly reason: string;
  }[];
  readonly termination: { readonly terminationDate: string; readonly reason: string } | null;
  readonly revision: number;
}

const storedPersonal = z.custom<StoredPersonalValue>(
  (value) => value === null || typeof value === 'string' || isSealedValue(value),
  'must be a personal value: sealed, text or null',
);

/** The employee events as the log holds them: personal fields sealed. */
const storedEmployeeEventSchemas = {
  ...employeeEventSchemas,
  EmployeeHired: employeeEventSchemas.EmployeeHired.extend({
    name: storedPersonal,
    email: storedPersonal,
    dateOfBirth: storedPersonal.optional(),
    bankAccount: storedPersonal.optional(),
  }),
};

type StoredEmployeeEvent = EventsOf<typeof storedEmployeeEventSchemas>;

// Type arguments spelt out: inference of the event type over these schemas ends in `never`.
export const employeesProjection = defineProjection<
  EmployeeDocument,
  StoredEmployeeEvent,
  StoredEmployeeEvent['type']
>({
  name: 'people_employees',
  version: 1,
  eventTypes: ['EmployeeHired', 'EmployeeTermsChanged', 'EmployeeTerminated', 'PersonalDataErased'],
  indexes: [{ name: 'by_employee_id', fields: [{ field: 'employeeId', direction: 'asc' }] }],
  decode: eventDecoder(storedEmployeeEventSchemas),
  documentIds: (event) => [event.data.employeeId],
  evolve(document: EmployeeDocument | null, event) {
    const revision = Number(event.revision);
    if (event.type === 'EmployeeHired') {
      const { data } = event;
      return {
        employeeId: data.employeeId,
        name: data.name,
        email: data.email,
        dateOfBirth: data.dateOfBirth ?? null,
        bankAccount: data.bankAccount ?? null,
        erased: false,
        currency: data.currency,
        startDate: data.startDate,
        startTerms: {
          department: data.department,
          title: data.title,
          annualSalary: data.annualSalary,
          fte: data.fte,
          managerId: data.managerId,
        },
        changes: [],
        termination: null,
        revision,
      };
    }
    if (document === null) return null;
    switch (event.type) {
      case 'EmployeeTermsChanged':
        return {
          ...document,
          changes: [
            ...document.changes,
            {
              effectiveDate: event.data.effectiveDate,
              changes: event.data.changes,
              reason: event.data.reason,
            },
          ],
          revision,
        };
      case 'EmployeeTerminated':
        return {
          ...document,
          termination: {
            terminationDate: event.data.terminationDate,
            reason: event.data.reason,
          },
          revision,
        };
      case 'PersonalDataErased':
        // The sealed values no longer open; dropping them too leaves nothing to try.
        return {
          ...document,
          name: null,
          email: null,
          dateOfBirth: null,
          bankAccount: null,
          erased: true,
          revision,
        };
    }
  },
});

export const peopleProjections: readonly Projection[] = [employeesProjection];
