import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { employeeAsOf } from '../../../src/domain/people/employee-as-of.js';
import { evolveEmployee, initialEmployeeState } from '../../../src/domain/people/employee.js';
import {
  historyAsOf,
  historySegments,
  orderedChanges,
  segmentsWithin,
  startHistory,
  withChange,
  withTermination,
  type EmploymentHistory,
  type EmploymentTerms,
} from '../../../src/domain/people/employment-history.js';
import type { EmployeeEvent, TermsChanges } from '../../../src/domain/people/events.js';
import { addDays, type AccountingDate } from '../../../src/domain/shared/dates.js';

const startTerms: EmploymentTerms = {
  department: 'Engineering',
  title: 'Engineer',
  annualSalary: '60000.00',
  fte: '1',
  managerId: 'M-1',
};

const terms = (changes: TermsChanges): EmploymentTerms => ({ ...startTerms, ...changes });

/** A history started on `startDate`, with `changes` recorded in the order given. */
function historyOf(
  startDate: string,
  changes: readonly (readonly [effectiveDate: string, changes: TermsChanges])[],
  terminationDate?: string,
): EmploymentHistory {
  let history = startHistory(startDate, startTerms);
  for (const [effectiveDate, each] of changes) {
    history = withChange(history, { effectiveDate, changes: each, reason: '' });
  }
  return terminationDate === undefined ? history : withTermination(history, terminationDate);
}

describe('the history as segments', () => {
  it('is one open segment with the start terms when nothing changed', () => {
    expect(historySegments(historyOf('2026-01-15', []))).toEqual([
      { from: '2026-01-15', terms: startTerms },
    ]);
  });

  it('ends on the termination date', () => {
    expect(historySegments(historyOf('2026-01-15', [], '2026-03-31'))).toEqual([
      { from: '2026-01-15', to: '2026-03-31', terms: startTerms },
    ]);
  });

  it('starts a segment on each change’s effective date', () => {
    const history = historyOf('2026-01-01', [
      ['2026-04-01', { title: 'Senior Engineer' }],
      ['2026-07-01', { annualSalary: '70000.00' }],
    ]);
    expect(historySegments(history)).toEqual([
      { from: '2026-01-01', to: '2026-03-31', terms: startTerms },
      { from: '2026-04-01', to: '2026-06-30', terms: terms({ title: 'Senior Engineer' }) },
      {
        from: '2026-07-01',
        terms: terms({ title: 'Senior Engineer', annualSalary: '70000.00' }),
      },
    ]);
  });

  it('orders changes by effective date, whatever order they were recorded in', () => {
    const recorded = historyOf('2026-01-01', [
      ['2026-07-01', { annualSalary: '70000.00' }],
      ['2026-04-01', { title: 'Senior Engineer' }],
    ]);
    const inOrder = historyOf('2026-01-01', [
      ['2026-04-01', { title: 'Senior Engineer' }],
      ['2026-07-01', { annualSalary: '70000.00' }],
    ]);
    expect(historySegments(recorded)).toEqual(historySegments(inOrder));
    expect(orderedChanges(recorded).map((change) => change.sequence)).toEqual([1, 0]);
  });

  it('lets a change dated earlier be overridden by one dated later, even if recorded after it', () => {
    // The July raise was recorded first; a back-dated April raise does not undo it from July.
    const history = historyOf('2026-01-01', [
      ['2026-07-01', { annualSalary: '70000.00' }],
      ['2026-04-01', { annualSalary: '65000.00' }],
    ]);
    expect(historySegments(history).map((segment) => segment.terms.annualSalary)).toEqual([
      '60000.00',
      '65000.00',
      '70000.00',
    ]);
  });

  it('applies changes of one date in the order recorded: the later one wins', () => {
    const history = historyOf('2026-01-01', [
      ['2026-04-01', { title: 'Lead', department: 'Research' }],
      ['2026-04-01', { title: 'Principal' }],
    ]);
    expect(historySegments(history)).toEqual([
      { from: '2026-01-01', to: '2026-03-31', terms: startTerms },
      { from: '2026-04-01', terms: terms({ title: 'Principal', department: 'Research' }) },
    ]);
  });

  it('makes a change on the start date part of the first segment', () => {
    const history = historyOf('2026-01-01', [['2026-01-01', { fte: '0.8' }]]);
    expect(historySegments(history)).toEqual([
      { from: '2026-01-01', terms: terms({ fte: '0.8' }) },
    ]);
  });

  it('merges stretches whose terms end up equal: segments are maximal', () => {
    const history = historyOf(
      '2026-01-01',
      [
        ['2026-04-01', { title: 'Lead' }],
        ['2026-04-01', { title: 'Engineer' }],
        ['2026-06-01', { annualSalary: '60000.00' }],
        ['2026-08-01', { managerId: null }],
      ],
      '2026-12-31',
    );
    expect(historySegments(history)).toEqual([
      { from: '2026-01-01', to: '2026-07-31', terms: startTerms },
      { from: '2026-08-01', to: '2026-12-31', terms: terms({ managerId: null }) },
    ]);
  });

  it('leaves no trace of a change undone on its own date', () => {
    const history = historyOf('2026-01-01', [
      ['2026-04-01', { title: 'Lead' }],
      ['2026-04-01', { title: 'Engineer' }],
    ]);
    expect(historySegments(history)).toEqual([{ from: '2026-01-01', terms: startTerms }]);
  });

  it('merges a stretch that a back-dated change made equal to the one before it', () => {
    const history = historyOf('2026-01-01', [
      ['2026-07-01', { annualSalary: '70000.00' }],
      ['2026-04-01', { annualSalary: '70000.00' }],
    ]);
    expect(historySegments(history)).toEqual([
      { from: '2026-01-01', to: '2026-03-31', terms: startTerms },
      { from: '2026-04-01', terms: terms({ annualSalary: '70000.00' }) },
    ]);
  });
});

describe('the terms as of a date', () => {
  const history = historyOf(
    '2026-01-01',
    [
      ['2026-09-01', { annualSalary: '72000.00' }],
      ['2026-03-01', { title: 'Senior Engineer' }],
    ],
    '2026-12-31',
  );

  it.each([
    ['2025-06-30', 'future', startTerms],
    ['2026-01-01', 'active', startTerms],
    ['2026-02-28', 'active', startTerms],
    ['2026-03-01', 'active', terms({ title: 'Senior Engineer' })],
    ['2026-08-31', 'active', terms({ title: 'Senior Engineer' })],
    ['2026-09-01', 'active', terms({ title: 'Senior Engineer', annualSalary: '72000.00' })],
    ['2026-12-31', 'active', terms({ title: 'Senior Engineer', annualSalary: '72000.00' })],
    ['2027-01-01', 'terminated', terms({ title: 'Senior Engineer', annualSalary: '72000.00' })],
  ] as const)('on %s: %s', (date, status, expected) => {
    expect(historyAsOf(history, date)).toEqual({ status, terms: expected });
  });

  it('gives the terms a future employee starts on, changes on the start date included', () => {
    const future = historyOf('2030-01-01', [['2030-01-01', { fte: '0.5' }]]);
    expect(historyAsOf(future, '2026-06-01')).toEqual({
      status: 'future',
      terms: terms({ fte: '0.5' }),
    });
  });

  it('stays active with no termination recorded, far into the future', () => {
    expect(historyAsOf(historyOf('2026-01-01', []), '9999-12-31').status).toBe('active');
  });
});

describe('segments within a range', () => {
  const inMonth = (history: EmploymentHistory) =>
    segmentsWithin(history, '2026-03-01', '2026-03-31').map(({ from, to, days }) => [
      from,
      to,
      days,
    ]);

  it('is the whole range for an employee employed all through it on one set of terms', () => {
    expect(segmentsWithin(historyOf('2025-01-01', []), '2026-03-01', '2026-03-31')).toEqual([
      { from: '2026-03-01', to: '2026-03-31', days: 31, terms: startTerms },
    ]);
  });

  it('starts on the start date of a joiner', () => {
    expect(inMonth(historyOf('2026-03-16', []))).toEqual([['2026-03-16', '2026-03-31', 16]]);
  });

  it('ends on the termination date of a leaver', () => {
    expect(inMonth(historyOf('2025-01-01', [], '2026-03-10'))).toEqual([
      ['2026-03-01', '2026-03-10', 10],
    ]);
  });

  it('is one day for someone who joins and leaves on the same day', () => {
    expect(inMonth(historyOf('2026-03-05', [], '2026-03-05'))).toEqual([
      ['2026-03-05', '2026-03-05', 1],
    ]);
  });

  it('splits at every change within the range, joiner and leaver alike', () => {
    const history = historyOf(
      '2026-03-03',
      [
        ['2026-03-20', { fte: '0.5' }],
        ['2026-03-10', { annualSalary: '66000.00' }],
        ['2026-04-01', { title: 'Lead' }],
      ],
      '2026-04-15',
    );
    expect(segmentsWithin(history, '2026-03-01', '2026-03-31')).toEqual([
      { from: '2026-03-03', to: '2026-03-09', days: 7, terms: startTerms },
      {
        from: '2026-03-10',
        to: '2026-03-19',
        days: 10,
        terms: terms({ annualSalary: '66000.00' }),
      },
      {
        from: '2026-03-20',
        to: '2026-03-31',
        days: 12,
        terms: terms({ annualSalary: '66000.00', fte: '0.5' }),
      },
    ]);
    expect(inMonth(withTermination(history, '2026-03-25'))).toEqual([
      ['2026-03-03', '2026-03-09', 7],
      ['2026-03-10', '2026-03-19', 10],
      ['2026-03-20', '2026-03-25', 6],
    ]);
  });

  it('does not split at a change that leaves the terms as they were', () => {
    expect(
      inMonth(historyOf('2025-01-01', [['2026-03-15', { annualSalary: '60000.00' }]])),
    ).toEqual([['2026-03-01', '2026-03-31', 31]]);
  });

  it('covers leap days and month ends', () => {
    expect(
      segmentsWithin(
        historyOf('2028-02-15', [['2028-03-01', { title: 'Lead' }]]),
        '2028-02-01',
        '2028-03-31',
      ).map(({ from, to, days }) => [from, to, days]),
    ).toEqual([
      ['2028-02-15', '2028-02-29', 15],
      ['2028-03-01', '2028-03-31', 31],
    ]);
  });

  it.each([
    ['before the start date', historyOf('2026-04-01', [])],
    ['after the termination date', historyOf('2025-01-01', [], '2026-02-28')],
  ])('is empty for a range %s', (_when, history) => {
    expect(segmentsWithin(history, '2026-03-01', '2026-03-31')).toEqual([]);
  });

  it('is empty for a range that ends before it starts', () => {
    expect(segmentsWithin(historyOf('2025-01-01', []), '2026-03-31', '2026-03-01')).toEqual([]);
  });

  it('takes an employee state too, and is empty for one never hired', () => {
    const state = evolveEmployee(initialEmployeeState, hired('2026-03-16'));
    expect(segmentsWithin(state, '2026-03-01', '2026-03-31')).toHaveLength(1);
    expect(segmentsWithin(initialEmployeeState, '2026-03-01', '2026-03-31')).toEqual([]);
  });

  it('refuses dates that are not calendar dates', () => {
    const history = historyOf('2025-01-01', []);
    expect(() => segmentsWithin(history, '2026-02-30', '2026-03-31')).toThrow(RangeError);
    expect(() => segmentsWithin(history, '2026-03-01', '2026-03')).toThrow(RangeError);
  });
});

function hired(startDate: string): EmployeeEvent {
  return {
    type: 'EmployeeHired',
    data: {
      employeeId: 'E-1',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      startDate,
      currency: 'EUR',
      ...startTerms,
    },
  };
}

describe('segments within a range, for any history', () => {
  const BASE = '2026-01-01' as AccountingDate;
  const day = (offset: number) => addDays(BASE, offset);

  const changes = fc.record(
    {
      department: fc.constantFrom('Engineering', 'Research'),
      title: fc.constantFrom('Engineer', 'Lead'),
      annualSalary: fc.constantFrom('60000.00', '70000.00'),
      fte: fc.constantFrom('1', '0.5'),
      managerId: fc.constantFrom<string | null>('M-1', 'M-2', null),
    },
    { requiredKeys: [] },
  );

  // Offsets from the start date, often on the same few days: changes that share a date, and
  // ones that undo each other, are where segments are most easily got wrong.
  const offset = fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constantFrom(0, 10, 30));

  const scenario = fc
    .record({
      start: fc.integer({ min: 0, max: 40 }),
      changes: fc.array(fc.record({ offset, changes, undone: fc.boolean() }), {
        maxLength: 8,
      }),
      termination: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
      from: fc.integer({ min: -20, max: 120 }),
      length: fc.integer({ min: 0, max: 80 }),
    })
    .map((s) => {
      const latest = Math.max(0, ...s.changes.map((change) => change.offset));
      return {
        startDate: day(s.start),
        changes: s.changes.flatMap((change) => {
          const date = day(s.start + change.offset);
          // Undone on the same date, back to the hire's values: terms that end up as before.
          const undo = Object.fromEntries(
            Object.keys(change.changes).map((key) => [key, startTerms[key as keyof TermsChanges]]),
          );
          return [
            [date, change.changes] as const,
            ...(change.undone ? [[date, undo] as const] : []),
          ];
        }),
        // A termination is never before a recorded change: the decider refuses that.
        terminationDate:
          s.termination === undefined ? undefined : day(s.start + latest + s.termination),
        from: day(s.from),
        to: day(s.from + s.length),
      };
    });

  /** The rule itself, day by day: the hire's terms overlaid by every change effective by then. */
  function termsOn(
    date: string,
    recorded: readonly (readonly [string, TermsChanges])[],
  ): EmploymentTerms {
    return recorded
      .map(([effectiveDate, each], sequence) => ({ effectiveDate, each, sequence }))
      .filter((change) => change.effectiveDate <= date)
      .sort((a, b) =>
        a.effectiveDate === b.effectiveDate
          ? a.sequence - b.sequence
          : a.effectiveDate < b.effectiveDate
            ? -1
            : 1,
      )
      .reduce<EmploymentTerms>((current, change) => ({ ...current, ...change.each }), startTerms);
  }

  it('tile the employed days of the range exactly, each with the terms in effect that day', () => {
    fc.assert(
      fc.property(scenario, ({ startDate, changes: recorded, terminationDate, from, to }) => {
        const events: EmployeeEvent[] = [
          hired(startDate),
          ...recorded.map(([effectiveDate, each]): EmployeeEvent => ({
            type: 'EmployeeTermsChanged',
            data: { employeeId: 'E-1', effectiveDate, currency: 'EUR', changes: each, reason: '' },
          })),
          ...(terminationDate === undefined
            ? []
            : [
                {
                  type: 'EmployeeTerminated',
                  data: { employeeId: 'E-1', terminationDate, reason: 'Left' },
                } as const,
              ]),
        ];
        const state = events.reduce(evolveEmployee, initialEmployeeState);
        const segments = segmentsWithin(state, from, to);

        segments.forEach((segment, index) => {
          expect(segment.from <= segment.to).toBe(true);
          const previous = segments[index - 1];
          if (previous === undefined) return;
          // No gap, no overlap, and no neighbour that could have been merged into this one.
          expect(segment.from).toBe(addDays(previous.to as AccountingDate, 1));
          expect(segment.terms).not.toEqual(previous.terms);
        });

        let covered = 0;
        for (let date = from; date <= to; date = addDays(date, 1)) {
          const employed =
            date >= startDate && (terminationDate === undefined || date <= terminationDate);
          const holding = segments.filter((segment) => segment.from <= date && date <= segment.to);
          const asOf = employeeAsOf(state, date)!;
          if (!employed) {
            expect(holding).toEqual([]);
            expect(asOf.status).toBe(date < startDate ? 'future' : 'terminated');
            continue;
          }
          covered += 1;
          expect(holding).toHaveLength(1);
          expect(asOf.status).toBe('active');
          expect(holding[0]!.terms).toEqual(asOf.terms);
          expect(asOf.terms).toEqual(termsOn(date, recorded));
        }
        expect(segments.reduce((sum, segment) => sum + segment.days, 0)).toBe(covered);
      }),
      { numRuns: 200 },
    );
  });
});
