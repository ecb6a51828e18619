/**
 * What a payroll run is computed from, read from the log: every employee of the run's currency
 * and every run of that currency, folded by the commands' own state reader. Read models are not
 * consulted, because they may lag: a run drafted from a stale read model would pay last week's
 * salary and still look current.
 *
 * The lists of employees and of runs are found through the log's type index (`EmployeeHired`,
 * `PayrollRunDrafted`) and kept by this instance from the last position it read, so each draft
 * or approval reads only what was hired or drafted since the one before.
 */
import { createHash } from 'node:crypto';
import { employeeDecider, type EmployeeState } from '../../domain/people/employee.js';
import { segmentsWithin } from '../../domain/people/employment-history.js';
import { employeeEventSchemas } from '../../domain/people/events.js';
import { fteFraction } from '../../domain/people/fte.js';
import {
  baseSalaryMinor,
  firstDayOf,
  lastDayOf,
  retroLines,
  type PayAdjustment,
  type PayrollSegment,
  type RetroLine,
} from '../../domain/people/payroll-calculation.js';
import type { EmployeePayslipInput } from '../../domain/people/payroll-commands.js';
import { payrollEventSchemas } from '../../domain/people/payroll-events.js';
import { payrollRunDecider } from '../../domain/people/payroll-run.js';
import { salaryPaid, type PayrollRunState } from '../../domain/people/payroll-run-state.js';
import { payrollStreams } from '../../domain/people/payroll-streams.js';
import { peopleStreams } from '../../domain/people/streams.js';
import type { AccountingDate, PeriodId } from '../../domain/shared/dates.js';
import { storedMinor } from '../../domain/shared/money.js';
import type { EventStore } from '../../stores/event-store.js';
import type { StateReader } from '../read-state.js';

/** One employee's part of a run, before the run's own adjustments are added. */
export interface EmployeePayInputs {
  readonly employeeId: string;
  readonly segments: readonly PayrollSegment[];
  readonly retro: readonly RetroLine[];
}

export interface PayrollInputs {
  /** Every employee the month pays: employed on a day of it, or owed a retro line. */
  readonly employees: readonly EmployeePayInputs[];
  /** Of the employee data above: a run computed from other data has another digest. */
  readonly digest: string;
}

export interface PayrollDirectory {
  /** The inputs of a run for `period` in `currency`, computed from the log as it is now. */
  inputs(period: PeriodId, currency: string): Promise<PayrollInputs>;
  /** Every payroll run there is, in the order drafted. */
  runs(): Promise<PayrollRunState[]>;
}

const PAGE = 1000;

export function createPayrollDirectory(deps: {
  readonly eventStore: EventStore;
  readonly readState: StateReader;
}): PayrollDirectory {
  const { eventStore, readState } = deps;
  const employeeIds = idIndex(eventStore, 'EmployeeHired', 'employeeId');
  const runIds = idIndex(eventStore, 'PayrollRunDrafted', 'runId');

  const employee = (employeeId: string) =>
    readState(peopleStreams.employee(employeeId), employeeDecider, employeeEventSchemas);
  const run = (runId: string) =>
    readState(payrollStreams.run(runId), payrollRunDecider, payrollEventSchemas);

  async function runs(): Promise<PayrollRunState[]> {
    const states: PayrollRunState[] = [];
    for (const runId of await runIds()) states.push(await run(runId));
    return states;
  }

  return {
    runs,
    async inputs(period, currency) {
      const runsOfCurrency = (await runs()).filter(
        (state) => state.status !== 'none' && state.currency === currency,
      );
      const employees: EmployeePayInputs[] = [];
      for (const employeeId of await employeeIds()) {
        const state = await employee(employeeId);
        if (state.status !== 'hired' || state.currency !== currency) continue;
        const segments = segmentsOf(state, period);
        const retro = retroLines(period, salaryPaid(runsOfCurrency, employeeId), (month) =>
          baseSalaryMinor(month, segmentsOf(state, month)),
        );
        if (segments.length === 0 && retro.length === 0) continue;
        employees.push({ employeeId, segments, retro });
      }
      employees.sort((a, b) => (a.employeeId < b.employeeId ? -1 : 1));
      return { employees, digest: digestOf(period, currency, employees) };
    },
  };
}

/** The run's payslip inputs: each employee's with the adjustments addressed to them. */
export function withAdjustments(
  employees: readonly EmployeePayInputs[],
  adjustments: ReadonlyMap<string, readonly PayAdjustment[]>,
): EmployeePayslipInput[] {
  return employees.map((inputs) => ({
    ...inputs,
    adjustments: adjustments.get(inputs.employeeId) ?? [],
  }));
}

/** The days of `period` the employee is employed, cut where the salary or FTE changes. */
function segmentsOf(employee: EmployeeState, period: PeriodId): PayrollSegment[] {
  if (employee.status !== 'hired') return [];
  const segments: PayrollSegment[] = [];
  for (const range of segmentsWithin(employee, firstDayOf(period), lastDayOf(period))) {
    const segment: PayrollSegment = {
      from: range.from as AccountingDate,
      to: range.to as AccountingDate,
      annualSalaryMinor: storedMinor(range.terms.annualSalary, employee.currency),
      fte: fteFraction(range.terms.fte),
    };
    // A department or title change cuts the history but not the pay: join such neighbours.
    const previous = segments.at(-1);
    if (
      previous !== undefined &&
      previous.annualSalaryMinor === segment.annualSalaryMinor &&
      previous.fte.numerator * segment.fte.denominator ===
        segment.fte.numerator * previous.fte.denominator
    ) {
      segments[segments.length - 1] = { ...previous, to: segment.to };
    } else {
      segments.push(segment);
    }
  }
  return segments;
}

function digestOf(
  period: PeriodId,
  currency: string,
  employees: readonly EmployeePayInputs[],
): string {
  const canonical = JSON.stringify({ period, currency, employees }, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/**
 * The ids of every event of `eventType` the log holds, in log order, read on from the last
 * position this index saw. Concurrent callers share one read.
 */
function idIndex(
  eventStore: EventStore,
  eventType: string,
  idField: string,
): () => Promise<readonly string[]> {
  const ids: string[] = [];
  const seen = new Set<string>();
  let after = 0n;
  let reading: Promise<void> | undefined;

  async function readOn(): Promise<void> {
    for (;;) {
      const events = await eventStore.readAll({
        after,
        maxCount: PAGE,
        filter: { eventTypes: [eventType] },
      });
      for (const event of events) {
        const id = event.data[idField];
        if (typeof id === 'string' && !seen.has(id)) {
          seen.add(id);
          ids.push(id);
        }
        after = event.position;
      }
      if (events.length < PAGE) return;
    }
  }

  return async () => {
    // Always read on after the caller asked, so a hire acknowledged before is included.
    while (reading) await reading;
    reading = readOn().finally(() => {
      reading = undefined;
    });
    await reading;
    return ids;
  };
}
