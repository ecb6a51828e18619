import { describe, expect, it } from 'vitest';
import type {
  ClaimPayrollPeriod,
  ReleasePayrollPeriod,
} from '../../../src/domain/people/payroll-commands.js';
import {
  payrollEventSchemas,
  type PayrollEvent,
} from '../../../src/domain/people/payroll-events.js';
import { payrollPeriodDecider } from '../../../src/domain/people/payroll-period.js';
import { givenWhenThen } from '../ledger/given-when-then.js';

const given = givenWhenThen(payrollPeriodDecider);

function claim(runId: string, overrides: Partial<ClaimPayrollPeriod> = {}): ClaimPayrollPeriod {
  return { type: 'ClaimPayrollPeriod', period: '2024-04', currency: 'EUR', runId, ...overrides };
}

function release(runId: string): ReleasePayrollPeriod {
  return { type: 'ReleasePayrollPeriod', period: '2024-04', currency: 'EUR', runId };
}

function claimed(runId: string): PayrollEvent {
  return { type: 'PayrollPeriodClaimed', data: { period: '2024-04', currency: 'EUR', runId } };
}

function released(runId: string): PayrollEvent {
  return { type: 'PayrollPeriodReleased', data: { period: '2024-04', currency: 'EUR', runId } };
}

describe('ClaimPayrollPeriod', () => {
  it('takes a free month for the run', () => {
    given()
      .when(claim('PR-1'))
      .then([claimed('PR-1')]);
  });

  it('refuses a month another run holds, naming it', () => {
    given([claimed('PR-1')])
      .when(claim('PR-2'))
      .thenRefuses({ kind: 'conflict', code: 'PayrollRunExists', message: 'PR-1' });
  });

  it('lets one of two racing drafts have the month once the store serialises them', () => {
    // Both read the free month at the same revision and both would claim it: the store appends
    // the first and makes the second retry on the new state, where it is refused.
    const free = payrollPeriodDecider.initialState;
    const [first] = payrollPeriodDecider.decide(claim('PR-1'), free, undefined);
    expect(payrollPeriodDecider.decide(claim('PR-2'), free, undefined)).toEqual([claimed('PR-2')]);
    given([first!]).when(claim('PR-2')).thenRefuses({ kind: 'conflict', code: 'PayrollRunExists' });
  });

  it('records nothing when the holder claims again, so a retried draft goes through', () => {
    given([claimed('PR-1')])
      .when(claim('PR-1'))
      .then([]);
  });

  it('takes a month released by its former run', () => {
    given([claimed('PR-1'), released('PR-1')])
      .when(claim('PR-2'))
      .then([claimed('PR-2')]);
  });

  it('refuses a malformed month or currency', () => {
    given()
      .when(claim('PR-1', { period: '2024-4', currency: 'eur' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidPayrollPeriod',
        issues: ['period', 'currency'],
      });
  });
});

describe('ReleasePayrollPeriod', () => {
  it('frees the month held by the run', () => {
    given([claimed('PR-1')])
      .when(release('PR-1'))
      .then([released('PR-1')]);
  });

  it('records nothing for a run that does not hold the month, so a late retry frees nothing', () => {
    given().when(release('PR-1')).then([]);
    given([claimed('PR-1'), released('PR-1')])
      .when(release('PR-1'))
      .then([]);
    given([claimed('PR-1'), released('PR-1'), claimed('PR-2')])
      .when(release('PR-1'))
      .then([]);
  });
});

describe('payroll period events', () => {
  it('are what their schemas accept', () => {
    for (const event of [claimed('PR-1'), released('PR-1')]) {
      expect(payrollEventSchemas[event.type].parse(event.data)).toEqual(event.data);
    }
  });
});
