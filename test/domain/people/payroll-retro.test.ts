import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccountState } from '../../../src/domain/ledger/account.js';
import type { AccountType } from '../../../src/domain/ledger/events.js';
import {
  baseSalaryMinor,
  firstDayOf,
  lastDayOf,
  nextPeriod,
  retroLines,
  type Fraction,
  type PayAdjustment,
  type PayrollSegment,
} from '../../../src/domain/people/payroll-calculation.js';
import type { EmployeePayslipInput } from '../../../src/domain/people/payroll-commands.js';
import type { PayrollEvent, PayslipRecord } from '../../../src/domain/people/payroll-events.js';
import {
  salaryPaid,
  type PayrollRun,
  type PayrollRunState,
} from '../../../src/domain/people/payroll-run-state.js';
import { payrollRunDecider, type PayrollRunFacts } from '../../../src/domain/people/payroll-run.js';
import { addDays, type AccountingDate, type PeriodId } from '../../../src/domain/shared/dates.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';
import { storedMinor } from '../../../src/domain/shared/money.js';

const period = (text: string) => text as PeriodId;
const date = (text: string) => text as AccountingDate;

describe('retroLines', () => {
  const should = new Map([
    ['2024-01', 300_000n],
    ['2024-02', 310_000n],
    ['2024-03', 320_000n],
  ]);
  const shouldPay = (month: PeriodId) => should.get(month) ?? 0n;

  it('has nothing to correct before any month is paid', () => {
    expect(retroLines(period('2024-04'), [], shouldPay)).toEqual([]);
  });

  it('corrects each month whose payment differs, by should − paid, naming the month', () => {
    const paid = [
      { period: period('2024-03'), paidMinor: 300_000n },
      { period: period('2024-01'), paidMinor: 300_000n },
      { period: period('2024-02'), paidMinor: 320_000n },
    ];
    expect(retroLines(period('2024-04'), paid, shouldPay)).toEqual([
      { period: '2024-02', description: 'Retro for 2024-02', amountMinor: -10_000n },
      { period: '2024-03', description: 'Retro for 2024-03', amountMinor: 20_000n },
    ]);
  });

  it('adds up what several runs paid towards one month', () => {
    const paid = [
      { period: period('2024-03'), paidMinor: 300_000n },
      { period: period('2024-03'), paidMinor: 20_000n },
    ];
    expect(retroLines(period('2024-04'), paid, shouldPay)).toEqual([]);
  });

  it('owes a month already run without the employee, such as one a hire was dated back into', () => {
    const paid = [{ period: period('2024-02'), paidMinor: 0n }];
    expect(retroLines(period('2024-04'), paid, shouldPay)).toEqual([
      { period: '2024-02', description: 'Retro for 2024-02', amountMinor: 310_000n },
    ]);
  });

  it('takes back what was paid towards the run’s own month: its base line pays it in full', () => {
    const paid = [{ period: period('2024-03'), paidMinor: 5_000n }];
    expect(retroLines(period('2024-03'), paid, shouldPay)).toEqual([
      { period: '2024-03', description: 'Retro for 2024-03', amountMinor: -5_000n },
    ]);
  });
});

// A small payroll office: runs every month through the real decider and keeps the runs, so the
// retro lines come from what the approved runs record.

function account(code: string, type: AccountType): AccountState {
  return { status: 'open', code, name: code, type, currency: 'EUR' };
}

const facts: PayrollRunFacts = {
  accounts: new Map(),
  closedPeriods: new Set(),
  salariesExpense: { code: '60000', state: account('60000', 'expense') },
  payrollLiabilities: { code: '21000', state: account('21000', 'liability') },
  cash: { code: '10000', state: account('10000', 'asset') },
};

interface Employee {
  readonly employeeId: string;
  /** The month's segments by the history as the office knows it now. */
  readonly segments: (month: PeriodId) => readonly PayrollSegment[];
  readonly adjustments?: readonly PayAdjustment[];
}

/** Drafts, approves and returns the run of `month` for `employees`, retro lines included. */
function runMonth(
  runs: readonly PayrollRunState[],
  month: PeriodId,
  employees: readonly Employee[],
  runId = `PR-${month}`,
): PayrollRun {
  const payslips: EmployeePayslipInput[] = employees.map((employee) => ({
    employeeId: employee.employeeId,
    segments: employee.segments(month),
    adjustments: employee.adjustments ?? [],
    retro: retroLines(month, salaryPaid(runs, employee.employeeId), (corrected) =>
      baseSalaryMinor(corrected, employee.segments(corrected)),
    ),
  }));
  const events: PayrollEvent[] = [];
  const decide = (command: Parameters<typeof payrollRunDecider.decide>[0]) => {
    events.push(...payrollRunDecider.decide(command, foldEvents(payrollRunDecider, events), facts));
  };
  decide({
    type: 'DraftPayrollRun',
    runId,
    period: month,
    currency: 'EUR',
    payDate: lastDayOf(month),
    createdBy: 'key-hr',
    inputsDigest: 'digest',
    payslips,
  });
  decide({ type: 'ApprovePayrollRun', runId, approvedBy: 'key-finance', currentDigest: 'digest' });
  const state = foldEvents(payrollRunDecider, events);
  if (state.status !== 'approved') throw new Error(`run ${runId} is ${state.status}`);
  return state;
}

function reverseRun(run: PayrollRun): PayrollRunState {
  const events = payrollRunDecider.decide(
    {
      type: 'ReversePayrollRun',
      runId: run.runId,
      date: lastDayOf(period(run.period)),
      reason: 'x',
    },
    run,
    facts,
  );
  return events.reduce(payrollRunDecider.evolve, run as PayrollRunState);
}

function payslipOf(run: PayrollRun, employeeId: string): PayslipRecord | undefined {
  return run.payslips.find((payslip) => payslip.employeeId === employeeId);
}

function amounts(run: PayrollRun, employeeId: string, kind: 'base' | 'retro' | 'gross'): bigint {
  const payslip = payslipOf(run, employeeId);
  if (payslip === undefined) return 0n;
  if (kind === 'gross') return storedMinor(payslip.gross, 'EUR');
  return payslip.lines
    .filter((line) => line.kind === kind)
    .reduce((total, line) => total + storedMinor(line.amount, 'EUR'), 0n);
}

function retroOf(run: PayrollRun, employeeId: string): Record<string, bigint> {
  const lines = payslipOf(run, employeeId)?.lines ?? [];
  return Object.fromEntries(
    lines.flatMap((line) =>
      line.kind === 'retro' ? [[line.period, storedMinor(line.amount, 'EUR')]] : [],
    ),
  );
}

const FULL_TIME: Fraction = { numerator: 1n, denominator: 1n };

/** Whole months of employment from `changes`: [first month, annual salary] in month order. */
function monthly(changes: readonly (readonly [string, bigint])[]) {
  return (month: PeriodId): PayrollSegment[] => {
    const terms = changes.filter(([from]) => from <= month).at(-1);
    if (terms === undefined) return [];
    return [
      {
        from: firstDayOf(month),
        to: lastDayOf(month),
        annualSalaryMinor: terms[1],
        fte: FULL_TIME,
      },
    ];
  };
}

describe('retro of retro', () => {
  it('pays a month corrected once no second time, and corrects it again from what it paid', () => {
    const runs: PayrollRun[] = [];
    // 36 000.00 a year: 3 000.00 a month, from January.
    let alice: Employee = { employeeId: 'E-1', segments: monthly([['2024-01', 3_600_000n]]) };
    for (const month of ['2024-01', '2024-02', '2024-03']) {
      runs.push(runMonth(runs, period(month), [alice]));
    }
    // Before April's run: 48 000.00 from March, dated back into a month already approved.
    alice = {
      ...alice,
      segments: monthly([
        ['2024-01', 3_600_000n],
        ['2024-03', 4_800_000n],
      ]),
    };
    runs.push(runMonth(runs, period('2024-04'), [alice]));
    expect(retroOf(runs[3]!, 'E-1')).toEqual({ '2024-03': 100_000n });

    // May: March's retro counts as paid, so nothing is corrected twice.
    runs.push(runMonth(runs, period('2024-05'), [alice]));
    expect(retroOf(runs[4]!, 'E-1')).toEqual({});

    // Before June's run: 60 000.00 from 15 February. March now should pay 5 000.00 and paid
    // 4 000.00 (3 000.00 in March plus 1 000.00 in April): 1 000.00 more, not 2 000.00.
    alice = {
      ...alice,
      segments: (month) => {
        if (month !== '2024-02')
          return monthly([
            ['2024-01', 3_600_000n],
            ['2024-03', 6_000_000n],
          ])(month);
        const terms = (from: string, to: string, annualSalaryMinor: bigint): PayrollSegment => ({
          from: date(from),
          to: date(to),
          annualSalaryMinor,
          fte: FULL_TIME,
        });
        return [
          terms('2024-02-01', '2024-02-14', 3_600_000n),
          terms('2024-02-15', '2024-02-29', 6_000_000n),
        ];
      },
    };
    runs.push(runMonth(runs, period('2024-06'), [alice]));
    expect(retroOf(runs[5]!, 'E-1')).toEqual({
      // 3 000.00 × 14/29 + 5 000.00 × 15/29 = 4 034.48..., less the 3 000.00 paid
      '2024-02': 403_448n - 300_000n,
      '2024-03': 100_000n,
      '2024-04': 100_000n,
      '2024-05': 100_000n,
    });
    // Three times 3 000.00 plus the exact months since, in all that was paid.
    const total = runs.reduce((sum, run) => sum + amounts(run, 'E-1', 'gross'), 0n);
    expect(total).toBe(300_000n + 403_448n + 4n * 500_000n);
  });

  it('pays a month again once the run that corrected it is reversed', () => {
    const runs: PayrollRunState[] = [];
    let alice: Employee = { employeeId: 'E-1', segments: monthly([['2024-01', 3_600_000n]]) };
    runs.push(runMonth(runs, period('2024-01'), [alice]));
    alice = { ...alice, segments: monthly([['2024-01', 4_800_000n]]) };
    const february = runMonth(runs, period('2024-02'), [alice]);
    expect(retroOf(february, 'E-1')).toEqual({ '2024-01': 100_000n });
    // February is reversed, so its base and its retro line for January no longer count.
    runs.push(reverseRun(february));
    const again = runMonth(runs, period('2024-02'), [alice], 'PR-2024-02-bis');
    expect(retroOf(again, 'E-1')).toEqual({ '2024-01': 100_000n });
    expect(amounts(again, 'E-1', 'base')).toBe(400_000n);
  });

  it('leaves adjustments alone: a bonus is not salary a later retro takes back', () => {
    const runs: PayrollRun[] = [];
    const bonus = [{ description: 'Bonus', amountMinor: 77_700n }];
    const alice: Employee = { employeeId: 'E-1', segments: monthly([['2024-01', 3_600_000n]]) };
    runs.push(runMonth(runs, period('2024-01'), [{ ...alice, adjustments: bonus }]));
    runs.push(runMonth(runs, period('2024-02'), [alice]));
    expect(retroOf(runs[1]!, 'E-1')).toEqual({});
  });
});

// The property: random effective-dated histories, changes learnt at random times.

interface Terms {
  readonly annualSalaryMinor: bigint;
  readonly fte: Fraction;
}

/** Something the office learns before the run of month `learntAt` (0 = the first run). */
interface Learnt<T> {
  readonly value: T;
  readonly learntAt: number;
}

interface History {
  readonly start: Learnt<AccountingDate>;
  readonly termination: Learnt<AccountingDate> | null;
  readonly initial: Terms;
  readonly changes: readonly Learnt<{
    readonly effective: AccountingDate;
    readonly terms: Terms;
  }>[];
}

/** What the office knows before run `run`; `undefined` until it knows of the hire. */
interface View {
  readonly start: AccountingDate;
  readonly termination: AccountingDate | null;
  readonly initial: Terms;
  /** In effective date order; of two on one day, the later learnt wins. */
  readonly changes: readonly { readonly effective: AccountingDate; readonly terms: Terms }[];
}

const MONTHS = 12;
const months: PeriodId[] = [];
for (let month = period('2024-01'); months.length < MONTHS; month = nextPeriod(month)) {
  months.push(month);
}
const YEAR_START = date('2024-01-01');

const dayOfYear = fc.integer({ min: 0, max: 365 }).map((offset) => addDays(YEAR_START, offset));
const learntAt = fc.integer({ min: 0, max: MONTHS - 1 });
const terms: fc.Arbitrary<Terms> = fc.record({
  annualSalaryMinor: fc.bigInt({ min: 0n, max: 20_000_000n }),
  fte: fc
    .integer({ min: 1, max: 10 })
    .chain((denominator) =>
      fc
        .integer({ min: 1, max: denominator })
        .map((numerator) => ({ numerator: BigInt(numerator), denominator: BigInt(denominator) })),
    ),
});

const histories: fc.Arbitrary<History> = fc
  .record({
    start: fc.record({ value: dayOfYear, learntAt }),
    termination: fc.option(fc.record({ days: fc.integer({ min: 0, max: 365 }), learntAt }), {
      nil: null,
    }),
    initial: terms,
    changes: fc.array(fc.record({ value: fc.record({ effective: dayOfYear, terms }), learntAt }), {
      maxLength: 4,
    }),
  })
  .map(({ start, termination, initial, changes }) => ({
    start,
    termination:
      termination === null
        ? null
        : { value: addDays(start.value, termination.days), learntAt: termination.learntAt },
    initial,
    changes,
  }));

function viewAt(history: History, run: number): View | undefined {
  if (history.start.learntAt > run) return undefined;
  const termination = history.termination;
  return {
    start: history.start.value,
    termination: termination !== null && termination.learntAt <= run ? termination.value : null,
    initial: history.initial,
    changes: history.changes
      .filter((change) => change.learntAt <= run)
      .sort((a, b) => a.learntAt - b.learntAt)
      .map((change) => change.value)
      // A stable sort: of two changes on one day, the one learnt later stays later.
      .sort((a, b) => (a.effective < b.effective ? -1 : a.effective > b.effective ? 1 : 0)),
  };
}

/** The month's segments by the view, worked out day by day: an oracle, not the production code. */
function segmentsOf(view: View | undefined, month: PeriodId): PayrollSegment[] {
  if (view === undefined) return [];
  const segments: (PayrollSegment & { termsIndex: number })[] = [];
  const lastDay = Number(lastDayOf(month).slice(8));
  let previousDay = -1;
  for (let dayOfMonth = 1; dayOfMonth <= lastDay; dayOfMonth += 1) {
    const day = date(`${month}-${String(dayOfMonth).padStart(2, '0')}`);
    if (day < view.start || (view.termination !== null && day > view.termination)) continue;
    let termsIndex = -1;
    view.changes.forEach((change, index) => {
      if (change.effective <= day) termsIndex = index;
    });
    const dayTerms = termsIndex < 0 ? view.initial : view.changes[termsIndex]!.terms;
    const last = segments.at(-1);
    if (last !== undefined && last.termsIndex === termsIndex && previousDay === dayOfMonth - 1) {
      segments[segments.length - 1] = { ...last, to: day };
    } else {
      segments.push({ from: day, to: day, ...dayTerms, termsIndex });
    }
    previousDay = dayOfMonth;
  }
  return segments.map(({ from, to, annualSalaryMinor, fte }) => ({
    from,
    to,
    annualSalaryMinor,
    fte,
  }));
}

describe('payroll over a year of changing histories', () => {
  it('pays each month exactly what the final history says, however late the changes came', () => {
    fc.assert(
      fc.property(
        histories,
        fc.array(fc.bigInt({ min: 0n, max: 100_000n }), { minLength: MONTHS, maxLength: MONTHS }),
        (history, bonuses) => {
          const runs: PayrollRun[] = [];
          // Someone on every run, so each month has a run whether or not E-1 is on it.
          const steady: Employee = {
            employeeId: 'E-0',
            segments: monthly([['2024-01', 1_200_000n]]),
          };
          let adjustmentsTotal = 0n;
          months.forEach((month, index) => {
            const view = viewAt(history, index);
            const known = new Map<PeriodId, PayrollSegment[]>();
            const segments = (corrected: PeriodId) => {
              let found = known.get(corrected);
              if (found === undefined) known.set(corrected, (found = segmentsOf(view, corrected)));
              return found;
            };
            const retro = retroLines(month, salaryPaid(runs, 'E-1'), (corrected) =>
              baseSalaryMinor(corrected, segments(corrected)),
            );
            const employees = [steady];
            if (segments(month).length > 0 || retro.length > 0) {
              const adjustments: PayAdjustment[] = [];
              if (bonuses[index]! > 0n) {
                adjustments.push({ description: 'Bonus', amountMinor: bonuses[index]! });
              }
              // A correction larger than the month's pay is recovered outside payroll: the
              // decider refuses a negative net, so the office tops the payslip up to zero.
              const before =
                baseSalaryMinor(month, segments(month)) +
                retro.reduce((total, line) => total + line.amountMinor, 0n) +
                bonuses[index]!;
              if (before < 0n) {
                adjustments.push({
                  description: 'Recovered outside payroll',
                  amountMinor: -before,
                });
              }
              adjustmentsTotal += adjustments.reduce((total, line) => total + line.amountMinor, 0n);
              employees.push({ employeeId: 'E-1', segments, adjustments });
            }
            runs.push(runMonth(runs, month, employees));
          });

          const final = viewAt(history, MONTHS);
          const should = months.map((month) => baseSalaryMinor(month, segmentsOf(final, month)));
          const sumOf = (kind: 'base' | 'retro' | 'gross') =>
            runs.reduce((total, run) => total + amounts(run, 'E-1', kind), 0n);
          const owed = should.reduce((total, amount) => total + amount, 0n);

          expect(sumOf('base') + sumOf('retro')).toBe(owed);
          expect(sumOf('gross')).toBe(owed + adjustmentsTotal);
          expect(salaryPaid(runs, 'E-1')).toEqual(
            months.map((month, index) => ({ period: month, paidMinor: should[index] })),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
