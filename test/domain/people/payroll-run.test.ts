import { describe, expect, it } from 'vitest';
import type { AccountState } from '../../../src/domain/ledger/account.js';
import type { AccountType } from '../../../src/domain/ledger/events.js';
import type { AccountingDate, PeriodId } from '../../../src/domain/shared/dates.js';
import type { Fraction } from '../../../src/domain/people/payroll-calculation.js';
import type {
  ApprovePayrollRun,
  DraftPayrollRun,
  EmployeePayslipInput,
  PayPayrollRun,
  RecalculatePayrollRun,
  ReversePayrollRun,
} from '../../../src/domain/people/payroll-commands.js';
import {
  payrollEventSchemas,
  type PayrollEvent,
  type PayrollRunApproved,
  type PayrollRunDrafted,
} from '../../../src/domain/people/payroll-events.js';
import {
  accrualDateOf,
  countsAsPaid,
  salaryPaid,
  type PayrollRunState,
} from '../../../src/domain/people/payroll-run-state.js';
import { payrollRunDecider, type PayrollRunFacts } from '../../../src/domain/people/payroll-run.js';
import { payrollEventStreams, payrollStreams } from '../../../src/domain/people/payroll-streams.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';
import { givenWhenThen } from '../ledger/given-when-then.js';

function account(code: string, type: AccountType, currency = 'EUR'): AccountState {
  return { status: 'open', code, name: `Account ${code}`, type, currency };
}

function facts(
  overrides: Partial<Omit<PayrollRunFacts, 'closedPeriods'>> & { closedPeriods?: string[] } = {},
): PayrollRunFacts {
  return {
    accounts: new Map(),
    salariesExpense: { code: '60000', state: account('60000', 'expense') },
    payrollLiabilities: { code: '21000', state: account('21000', 'liability') },
    cash: { code: '10000', state: account('10000', 'asset') },
    ...overrides,
    closedPeriods: new Set(overrides.closedPeriods ?? []),
  };
}

const given = givenWhenThen(payrollRunDecider, facts());
const withFacts = (runFacts: PayrollRunFacts) => givenWhenThen(payrollRunDecider, runFacts);

const FULL_TIME: Fraction = { numerator: 1n, denominator: 1n };
const date = (text: string) => text as AccountingDate;

/** April 2024 in full, 60 000.00 a year, with a bonus of 250.00. */
const alice: EmployeePayslipInput = {
  employeeId: 'E-1',
  segments: [
    {
      from: date('2024-04-01'),
      to: date('2024-04-30'),
      annualSalaryMinor: 6_000_000n,
      fte: FULL_TIME,
    },
  ],
  adjustments: [{ description: 'Bonus', amountMinor: 25_000n }],
  retro: [],
};

/** Hired on 16 April, half time on 36 000.00 (750.00), with 10.00 owed for March. */
const bob: EmployeePayslipInput = {
  employeeId: 'E-2',
  segments: [
    {
      from: date('2024-04-16'),
      to: date('2024-04-30'),
      annualSalaryMinor: 3_600_000n,
      fte: { numerator: 2n, denominator: 4n },
    },
  ],
  adjustments: [],
  retro: [{ period: '2024-03' as PeriodId, description: 'Retro for 2024-03', amountMinor: 1_000n }],
};

function draft(overrides: Partial<DraftPayrollRun> = {}): DraftPayrollRun {
  return {
    type: 'DraftPayrollRun',
    runId: 'PR-1',
    period: '2024-04',
    currency: 'EUR',
    payDate: '2024-04-25',
    createdBy: 'key-hr',
    inputsDigest: 'digest-1',
    payslips: [bob, alice],
    ...overrides,
  };
}

function recalculate(overrides: Partial<RecalculatePayrollRun> = {}): RecalculatePayrollRun {
  return {
    type: 'RecalculatePayrollRun',
    runId: 'PR-1',
    recalculatedBy: 'key-hr-2',
    inputsDigest: 'digest-2',
    payslips: [alice],
    ...overrides,
  };
}

function approve(overrides: Partial<ApprovePayrollRun> = {}): ApprovePayrollRun {
  return {
    type: 'ApprovePayrollRun',
    runId: 'PR-1',
    approvedBy: 'key-finance',
    currentDigest: 'digest-1',
    ...overrides,
  };
}

function pay(overrides: Partial<PayPayrollRun> = {}): PayPayrollRun {
  return { type: 'PayPayrollRun', runId: 'PR-1', paidOn: '2024-04-25', ...overrides };
}

function reverse(overrides: Partial<ReversePayrollRun> = {}): ReversePayrollRun {
  return {
    type: 'ReversePayrollRun',
    runId: 'PR-1',
    date: '2024-04-30',
    reason: 'Wrong month',
    ...overrides,
  };
}

const drafted: PayrollRunDrafted = {
  type: 'PayrollRunDrafted',
  data: {
    runId: 'PR-1',
    period: '2024-04',
    currency: 'EUR',
    payDate: '2024-04-25',
    createdBy: 'key-hr',
    inputsDigest: 'digest-1',
    payslips: [
      {
        employeeId: 'E-1',
        segments: [
          {
            from: '2024-04-01',
            to: '2024-04-30',
            days: 30,
            annualSalary: '60000.00',
            fte: '1/1',
            amount: '5000.00',
          },
        ],
        lines: [
          { kind: 'base', description: 'Salary for 2024-04', amount: '5000.00' },
          { kind: 'adjustment', description: 'Bonus', amount: '250.00' },
        ],
        gross: '5250.00',
        net: '5250.00',
      },
      {
        employeeId: 'E-2',
        segments: [
          {
            from: '2024-04-16',
            to: '2024-04-30',
            days: 15,
            annualSalary: '36000.00',
            fte: '1/2',
            amount: '750.00',
          },
        ],
        lines: [
          { kind: 'base', description: 'Salary for 2024-04', amount: '750.00' },
          { kind: 'retro', period: '2024-03', description: 'Retro for 2024-03', amount: '10.00' },
        ],
        gross: '760.00',
        net: '760.00',
      },
    ],
    totalGross: '6010.00',
    totalNet: '6010.00',
  },
};

const approved: PayrollRunApproved = {
  type: 'PayrollRunApproved',
  data: {
    runId: 'PR-1',
    period: '2024-04',
    currency: 'EUR',
    approvedBy: 'key-finance',
    accrualDate: '2024-04-25',
    totalGross: '6010.00',
    totalNet: '6010.00',
  },
};

const paid: PayrollEvent = {
  type: 'PayrollRunPaid',
  data: {
    runId: 'PR-1',
    period: '2024-04',
    currency: 'EUR',
    paidOn: '2024-04-25',
    totalNet: '6010.00',
  },
};

const cancelled: Extract<PayrollEvent, { type: 'PayrollRunCancelled' }> = {
  type: 'PayrollRunCancelled',
  data: { runId: 'PR-1', period: '2024-04', currency: 'EUR', reason: '' },
};

const reversed: PayrollEvent = {
  type: 'PayrollRunReversed',
  data: {
    runId: 'PR-1',
    period: '2024-04',
    currency: 'EUR',
    date: '2024-04-30',
    reason: 'Wrong month',
    totalGross: '6010.00',
    totalNet: '6010.00',
  },
};

function stateAfter(events: readonly PayrollEvent[]): PayrollRunState {
  return foldEvents(payrollRunDecider, events);
}

describe('DraftPayrollRun', () => {
  it('records every payslip, computed from its inputs, by employee id', () => {
    given().when(draft()).then([drafted]);
  });

  it('stores events its schemas accept', () => {
    for (const event of [drafted, approved, paid, cancelled, reversed]) {
      expect(payrollEventSchemas[event.type].parse(event.data)).toEqual(event.data);
    }
  });

  it('refuses a malformed period, currency and pay date, listing each', () => {
    given()
      .when(draft({ period: '2024-13', currency: 'EURO', payDate: '25/04/2024', payslips: [] }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidPayrollRun',
        issues: ['period', 'currency', 'payDate', 'payslips'],
      });
  });

  it('refuses a pay date before the month begins', () => {
    given()
      .when(draft({ payDate: '2024-03-31' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidPayrollRun', issues: ['payDate'] });
  });

  it('refuses an empty run: it would claim the month and book nothing', () => {
    given()
      .when(draft({ payslips: [] }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidPayrollRun', issues: ['payslips'] });
  });

  it('refuses payslips that cannot be paid, naming the part', () => {
    const outside = { ...alice.segments[0]!, from: date('2024-03-31') };
    given()
      .when(
        draft({
          payslips: [
            { ...alice, segments: [outside] },
            { ...alice, adjustments: [{ description: ' ', amountMinor: 1n }] },
            {
              ...bob,
              retro: [
                { period: '2024-3' as PeriodId, description: 'Retro', amountMinor: 1n },
                { ...bob.retro[0]! },
                { ...bob.retro[0]!, amountMinor: 10n ** 18n },
              ],
            },
          ],
        }),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidPayrollRun',
        issues: [
          'payslips[0].segments[0]',
          'payslips[1].employeeId',
          'payslips[1].adjustments[0].description',
          'payslips[2].retro[0].period',
          'payslips[2].retro[2].period',
          'payslips[2].retro[2].amountMinor',
        ],
      });
  });

  it('refuses a run too large to store', () => {
    const huge = { description: 'Bonus', amountMinor: 10n ** 18n - 1n };
    given()
      .when(draft({ payslips: [{ ...alice, adjustments: [huge] }, bob] }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidPayrollRun', message: 'E-1 is too large' });
  });

  it('refuses a net below zero, naming every employee concerned', () => {
    const leave = (amountMinor: bigint) => [{ description: 'Unpaid leave', amountMinor }];
    given()
      .when(
        draft({
          payslips: [
            { ...alice, adjustments: leave(-500_001n) },
            { ...bob, adjustments: leave(-76_001n) },
          ],
        }),
      )
      .thenRefuses({
        kind: 'conflict',
        code: 'NegativeNetPay',
        message: 'E-1 (-0.01 EUR), E-2 (-0.01 EUR)',
      });
  });

  it('accepts a net of exactly zero', () => {
    const events = payrollRunDecider.decide(
      draft({
        payslips: [{ ...alice, adjustments: [{ description: 'Leave', amountMinor: -500_000n }] }],
      }),
      payrollRunDecider.initialState,
      facts(),
    );
    expect(events[0]?.type === 'PayrollRunDrafted' && events[0].data.totalNet).toBe('0.00');
  });

  it('refuses a second run for a month and currency another run holds', () => {
    withFacts(facts({ existingRun: 'PR-0' }))()
      .when(draft())
      .thenRefuses({ kind: 'conflict', code: 'PayrollRunExists', message: 'PR-0' });
  });

  it('drafts when the month is held by this very run: its claim came first', () => {
    withFacts(facts({ existingRun: 'PR-1' }))()
      .when(draft())
      .then([drafted]);
  });

  it('refuses a run id already taken', () => {
    given([drafted]).when(draft()).thenRefuses({ kind: 'conflict', code: 'PayrollRunIdTaken' });
  });

  it('refuses when the accounts the accrual books to are not open in the currency', () => {
    withFacts(facts({ salariesExpense: { code: '60000', state: { status: 'none' } } }))()
      .when(draft())
      .thenRefuses({ kind: 'conflict', code: 'PostingAccountMissing', message: '60000' });
    withFacts(
      facts({ payrollLiabilities: { code: '21000', state: account('21000', 'liability', 'USD') } }),
    )()
      .when(draft())
      .thenRefuses({
        kind: 'conflict',
        code: 'PostingAccountMissing',
        message: '21000 must be a liability account in EUR',
      });
  });

  it('refuses a run whose accrual would fall in a closed period', () => {
    withFacts(facts({ closedPeriods: ['2024-04'] }))()
      .when(draft())
      .thenRefuses({ kind: 'conflict', code: 'PeriodClosed' });
  });
});

describe('the accrual date', () => {
  it('is the pay date inside the month, else the last day of the month', () => {
    const april = '2024-04' as PeriodId;
    expect(accrualDateOf(april, date('2024-04-25'))).toBe('2024-04-25');
    expect(accrualDateOf(april, date('2024-04-30'))).toBe('2024-04-30');
    expect(accrualDateOf(april, date('2024-05-03'))).toBe('2024-04-30');
  });
});

describe('RecalculatePayrollRun', () => {
  it('replaces the payslips and the digest of a draft', () => {
    given([drafted])
      .when(recalculate())
      .then([
        {
          type: 'PayrollRunRecalculated',
          data: {
            runId: 'PR-1',
            period: '2024-04',
            currency: 'EUR',
            recalculatedBy: 'key-hr-2',
            inputsDigest: 'digest-2',
            payslips: [drafted.data.payslips[0]!],
            totalGross: '5250.00',
            totalNet: '5250.00',
          },
        },
      ]);
  });

  it('refuses anything but a draft', () => {
    for (const history of [
      [drafted, approved],
      [drafted, cancelled],
    ]) {
      given(history)
        .when(recalculate())
        .thenRefuses({ kind: 'conflict', code: 'PayrollRunNotDraft' });
    }
  });

  it('refuses a run that does not exist', () => {
    given().when(recalculate()).thenRefuses({ kind: 'not_found', code: 'PayrollRunNotFound' });
  });

  it('refuses payslips that cannot be paid, and a net below zero', () => {
    given([drafted])
      .when(recalculate({ payslips: [] }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidPayrollRun', issues: ['payslips'] });
    given([drafted])
      .when(
        recalculate({
          payslips: [{ ...alice, adjustments: [{ description: 'Leave', amountMinor: -500_001n }] }],
        }),
      )
      .thenRefuses({ kind: 'conflict', code: 'NegativeNetPay', message: 'E-1' });
  });
});

describe('ApprovePayrollRun', () => {
  it('approves a draft with what the accrual books', () => {
    given([drafted]).when(approve()).then([approved]);
  });

  it('accrues on the last day of the month when the pay date is later', () => {
    const late = draft({ payDate: '2024-05-02' });
    const [event] = payrollRunDecider.decide(late, payrollRunDecider.initialState, facts());
    given([event!])
      .when(approve())
      .then([
        {
          type: 'PayrollRunApproved',
          data: { ...approved.data, accrualDate: '2024-04-30' },
        },
      ]);
  });

  it('refuses the key that drafted the run', () => {
    given([drafted])
      .when(approve({ approvedBy: 'key-hr' }))
      .thenRefuses({
        kind: 'forbidden',
        code: 'SegregationOfDuties',
        message: 'drafted by key-hr',
      });
  });

  it('refuses a key that recalculated the run', () => {
    const recalculated = payrollRunDecider.decide(
      recalculate({ inputsDigest: 'digest-1', payslips: [alice, bob] }),
      stateAfter([drafted]),
      facts(),
    );
    given([drafted, ...recalculated])
      .when(approve({ approvedBy: 'key-hr-2' }))
      .thenRefuses({
        kind: 'forbidden',
        code: 'SegregationOfDuties',
        message: 'recalculated by key-hr-2',
      });
  });

  it('refuses a draft computed from data that has changed since', () => {
    given([drafted])
      .when(approve({ currentDigest: 'digest-2' }))
      .thenRefuses({ kind: 'conflict', code: 'PayrollRunStale' });
  });

  it('approves once recalculated from the current data', () => {
    const recalculated = payrollRunDecider.decide(recalculate(), stateAfter([drafted]), facts());
    const [event] = payrollRunDecider.decide(
      approve({ currentDigest: 'digest-2' }),
      stateAfter([drafted, ...recalculated]),
      facts(),
    );
    expect(event).toMatchObject({
      type: 'PayrollRunApproved',
      data: { totalGross: '5250.00', totalNet: '5250.00' },
    });
  });

  it('refuses anything but a draft', () => {
    for (const history of [
      [drafted, approved],
      [drafted, approved, paid],
      [drafted, cancelled],
    ]) {
      given(history).when(approve()).thenRefuses({ kind: 'conflict', code: 'PayrollRunNotDraft' });
    }
  });

  it('refuses when the accrual’s period has been closed since the draft', () => {
    withFacts(facts({ closedPeriods: ['2024-04'] }))([drafted])
      .when(approve())
      .thenRefuses({ kind: 'conflict', code: 'PeriodClosed' });
  });

  it('refuses a run that does not exist', () => {
    given().when(approve()).thenRefuses({ kind: 'not_found', code: 'PayrollRunNotFound' });
  });
});

describe('PayPayrollRun', () => {
  it('pays an approved run its total net', () => {
    given([drafted, approved]).when(pay()).then([paid]);
  });

  it('refuses to pay twice', () => {
    given([drafted, approved, paid])
      .when(pay({ paidOn: '2024-04-26' }))
      .thenRefuses({ kind: 'conflict', code: 'PayrollRunAlreadyPaid' });
  });

  it('refuses a run that is not approved', () => {
    for (const history of [[drafted], [drafted, cancelled], [drafted, approved, reversed]]) {
      given(history)
        .when(pay({ paidOn: '2024-05-01' }))
        .thenRefuses({
          kind: 'conflict',
          code: 'PayrollRunNotApproved',
        });
    }
  });

  it('refuses a payment before the accrual, so the liability never goes below zero', () => {
    given([drafted, approved])
      .when(pay({ paidOn: '2024-04-24' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidPayrollPayment', issues: ['paidOn'] });
    given([drafted, approved])
      .when(pay({ paidOn: 'tomorrow' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidPayrollPayment', issues: ['paidOn'] });
  });

  it('refuses when cash or the liability cannot be booked', () => {
    withFacts(facts({ cash: { code: '10000', state: account('10000', 'expense') } }))([
      drafted,
      approved,
    ])
      .when(pay())
      .thenRefuses({ kind: 'conflict', code: 'PostingAccountMissing', message: '10000' });
    withFacts(facts({ closedPeriods: ['2024-04'] }))([drafted, approved])
      .when(pay())
      .thenRefuses({ kind: 'conflict', code: 'PeriodClosed' });
  });
});

describe('CancelPayrollRun', () => {
  it('cancels a draft, with an empty reason when none is given', () => {
    given([drafted]).when({ type: 'CancelPayrollRun', runId: 'PR-1' }).then([cancelled]);
    given([drafted])
      .when({ type: 'CancelPayrollRun', runId: 'PR-1', reason: 'Duplicate' })
      .then([
        {
          type: 'PayrollRunCancelled',
          data: { ...cancelled.data, reason: 'Duplicate' },
        },
      ]);
  });

  it('refuses anything but a draft', () => {
    for (const history of [
      [drafted, approved],
      [drafted, cancelled],
    ]) {
      given(history)
        .when({ type: 'CancelPayrollRun', runId: 'PR-1' })
        .thenRefuses({ kind: 'conflict', code: 'PayrollRunNotDraft' });
    }
  });
});

describe('ReversePayrollRun', () => {
  it('reverses an approved run with what its accrual booked', () => {
    given([drafted, approved]).when(reverse()).then([reversed]);
  });

  it('refuses a paid run', () => {
    given([drafted, approved, paid])
      .when(reverse())
      .thenRefuses({ kind: 'conflict', code: 'PayrollRunAlreadyPaid' });
  });

  it('refuses a run that is not approved', () => {
    for (const history of [[drafted], [drafted, cancelled], [drafted, approved, reversed]]) {
      given(history)
        .when(reverse())
        .thenRefuses({ kind: 'conflict', code: 'PayrollRunNotApproved' });
    }
  });

  it('refuses a date before the accrual, or in a closed period', () => {
    given([drafted, approved])
      .when(reverse({ date: '2024-04-24' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidPayrollReversal', issues: ['date'] });
    withFacts(facts({ closedPeriods: ['2024-05'] }))([drafted, approved])
      .when(reverse({ date: '2024-05-02' }))
      .thenRefuses({ kind: 'conflict', code: 'PeriodClosed' });
  });
});

describe('the state of a run', () => {
  it('follows the run from draft to paid, with its payslips readable throughout', () => {
    const statuses = [[drafted], [drafted, approved], [drafted, approved, paid]].map((events) => {
      const state = stateAfter(events);
      return state.status === 'none' ? 'none' : [state.status, state.payslips.length];
    });
    expect(statuses).toEqual([
      ['draft', 2],
      ['approved', 2],
      ['paid', 2],
    ]);
    expect(stateAfter([drafted, approved, paid])).toMatchObject({
      period: '2024-04',
      currency: 'EUR',
      accrualDate: '2024-04-25',
      approvedBy: 'key-finance',
      paidOn: '2024-04-25',
      totalGross: '6010.00',
    });
  });

  it('ends cancelled or reversed', () => {
    expect(stateAfter([drafted, cancelled]).status).toBe('cancelled');
    expect(stateAfter([drafted, approved, reversed])).toMatchObject({
      status: 'reversed',
      reversed: { date: '2024-04-30', reason: 'Wrong month' },
    });
  });

  it('counts as paid only when approved and not reversed', () => {
    const histories = [
      [],
      [drafted],
      [drafted, approved],
      [drafted, approved, paid],
      [drafted, cancelled],
      [drafted, approved, reversed],
    ];
    expect(histories.map((events) => countsAsPaid(stateAfter(events)))).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('salary paid per month', () => {
  /** A run for `period` of `payslips`, decided and folded, then taken through `then`. */
  function run(
    runId: string,
    period: string,
    payslips: EmployeePayslipInput[],
    then: ('approve' | 'cancel' | 'reverse')[] = ['approve'],
  ): PayrollRunState {
    const commands = {
      approve: approve({ runId, currentDigest: 'digest-1' }),
      cancel: { type: 'CancelPayrollRun', runId } as const,
      reverse: reverse({ runId, date: `${period}-28` }),
    };
    const draftIt = draft({ runId, period, payDate: `${period}-28`, payslips });
    let events = payrollRunDecider.decide(draftIt, payrollRunDecider.initialState, facts());
    for (const step of then) {
      const state = stateAfter(events);
      events = [...events, ...payrollRunDecider.decide(commands[step], state, facts())];
    }
    return stateAfter(events);
  }
  const march: EmployeePayslipInput = {
    ...alice,
    segments: [{ ...alice.segments[0]!, from: date('2024-03-01'), to: date('2024-03-31') }],
  };

  it('adds each month’s base and the retro lines for it, leaving adjustments out', () => {
    const runs = [run('PR-3', '2024-03', [march]), run('PR-4', '2024-04', [alice, bob])];
    expect(runs.map((state) => state.status)).toEqual(['approved', 'approved']);
    expect(salaryPaid(runs, 'E-1')).toEqual([
      { period: '2024-03', paidMinor: 500_000n },
      { period: '2024-04', paidMinor: 500_000n },
    ]);
    // Bob is on April's run only, with 10.00 for March: March counts it on top of nothing.
    expect(salaryPaid(runs, 'E-2')).toEqual([
      { period: '2024-03', paidMinor: 1_000n },
      { period: '2024-04', paidMinor: 75_000n },
    ]);
  });

  it('lists a month run without the employee at zero, so a hire dated back is owed it', () => {
    expect(salaryPaid([run('PR-3', '2024-03', [march])], 'E-2')).toEqual([
      { period: '2024-03', paidMinor: 0n },
    ]);
  });

  it('leaves out drafts, cancelled and reversed runs', () => {
    const runs = [
      run('PR-3', '2024-03', [march], []),
      run('PR-4', '2024-04', [alice, bob], ['cancel']),
      run('PR-5', '2024-05', [{ ...bob, segments: [] }], ['approve', 'reverse']),
    ];
    expect(runs.map((state) => state.status)).toEqual(['draft', 'cancelled', 'reversed']);
    expect(salaryPaid(runs, 'E-2')).toEqual([]);
  });
});

describe('payroll stream names', () => {
  it('are <entityType>-<id>, split at the first hyphen', () => {
    const names = [payrollStreams.run('PR-2024-04'), payrollStreams.period('2024-04', 'EUR')];
    expect(names).toEqual(['payrollRun-PR-2024-04', 'payrollPeriod-2024-04-EUR']);
    expect(names.map((name) => name.slice(0, name.indexOf('-')))).toEqual([
      'payrollRun',
      'payrollPeriod',
    ]);
    expect(payrollEventStreams.PayrollPeriodClaimed).toBe('payrollPeriod-<YYYY-MM>-<currency>');
  });
});
