import { describe, expect, it } from 'vitest';
import type { ClosePeriod, ReopenPeriod } from '../../../src/domain/ledger/commands.js';
import type { PeriodClosed, PeriodReopened } from '../../../src/domain/ledger/events.js';
import {
  evolvePeriod,
  initialPeriodLockState,
  lockDateOf,
  periodDecider,
  type PeriodLockFacts,
} from '../../../src/domain/ledger/period.js';
import type { PeriodId } from '../../../src/domain/shared/dates.js';
import { givenWhenThen } from './given-when-then.js';

/** Today is 2026-11-15 by the service clock unless a test says otherwise. */
const given = givenWhenThen(periodDecider, { today: '2026-11-15' });
const givenFacts = (facts: PeriodLockFacts) => givenWhenThen(periodDecider, facts);

const close = (period: string): ClosePeriod => ({ type: 'ClosePeriod', period });
const reopen = (period: string, reason = 'late supplier invoice'): ReopenPeriod => ({
  type: 'ReopenPeriod',
  period,
  reason,
});
const closed = (period: string): PeriodClosed => ({ type: 'PeriodClosed', data: { period } });
const reopened = (period: string, reason = 'late supplier invoice'): PeriodReopened => ({
  type: 'PeriodReopened',
  data: { period, reason },
});

describe('closing a month', () => {
  it('closes an open month: the lock date becomes its last day', () => {
    given([])
      .when(close('2026-03'))
      .then([closed('2026-03')]);
    expect(lockDateOf(evolvePeriod(initialPeriodLockState, closed('2026-02')).lockedThrough)).toBe(
      '2026-02-28',
    );
  });

  it('closes every earlier month with it: an earlier month is then already closed', () => {
    given([closed('2026-10')])
      .when(close('2026-03'))
      .thenRefuses({ kind: 'conflict', code: 'PeriodAlreadyClosed', message: '2026-10-31' });
  });

  it('refuses to close a month twice', () => {
    given([closed('2026-03')])
      .when(close('2026-03'))
      .thenRefuses({ kind: 'conflict', code: 'PeriodAlreadyClosed', message: '2026-03' });
  });

  it('closes a later month after an earlier one', () => {
    given([closed('2026-03')])
      .when(close('2026-05'))
      .then([closed('2026-05')]);
  });

  it('closes the current month', () => {
    given([])
      .when(close('2026-11'))
      .then([closed('2026-11')]);
  });

  it.each(['2026-12', '2027-01', '9999-12'])('refuses the future month %s with a 409', (period) => {
    given([])
      .when(close(period))
      .thenRefuses({ kind: 'conflict', code: 'PeriodInFuture', message: '2026-11' });
  });

  it('takes the current month from the clock it is given', () => {
    givenFacts({ today: '2027-01-01' })([])
      .when(close('2026-12'))
      .then([closed('2026-12')]);
  });

  it.each(['2026-13', '2026-00', '2026-3', '2026-03-01', '202603', 'March', ''])(
    'refuses the period %j',
    (period) => {
      given([])
        .when(close(period))
        .thenRefuses({ kind: 'invalid', code: 'InvalidPeriod', issues: ['period'] });
    },
  );

  it.each(['1899-12', '0001-01', '0000-06'])('refuses a year before 1900: %s', (period) => {
    given([])
      .when(close(period))
      .thenRefuses({ kind: 'invalid', code: 'InvalidPeriod', issues: ['period'], message: '1900' });
  });

  it('closes the first month of 1900', () => {
    given([])
      .when(close('1900-01'))
      .then([closed('1900-01')]);
  });

  it('decides against the closes stored before the lock stream until it holds any', () => {
    const legacy = givenFacts({ today: '2026-11-15', legacyLockedThrough: '2026-06' as PeriodId });
    legacy([])
      .when(close('2026-04'))
      .thenRefuses({ kind: 'conflict', code: 'PeriodAlreadyClosed' });
    legacy([])
      .when(close('2026-07'))
      .then([closed('2026-07')]);
    // Once the lock stream has decided, its lock counts: here a reopen below the legacy lock.
    legacy([closed('2026-07'), reopened('2026-03')])
      .when(close('2026-04'))
      .then([closed('2026-04')]);
  });
});

describe('reopening a month', () => {
  it('moves the lock date back to the end of the month before', () => {
    given([closed('2026-10')])
      .when(reopen('2026-10'))
      .then([reopened('2026-10')]);
    const state = [closed('2026-10'), reopened('2026-10')].reduce(
      evolvePeriod,
      initialPeriodLockState,
    );
    expect(lockDateOf(state.lockedThrough)).toBe('2026-09-30');
  });

  it('reopens an earlier month, and every later one with it', () => {
    given([closed('2026-10')])
      .when(reopen('2026-08'))
      .then([reopened('2026-08')]);
    const state = [closed('2026-10'), reopened('2026-08')].reduce(
      evolvePeriod,
      initialPeriodLockState,
    );
    expect(lockDateOf(state.lockedThrough)).toBe('2026-07-31');
  });

  it('moves the lock back across a year end', () => {
    const state = [closed('2026-01'), reopened('2026-01')].reduce(
      evolvePeriod,
      initialPeriodLockState,
    );
    expect(lockDateOf(state.lockedThrough)).toBe('2025-12-31');
  });

  it('refuses to reopen a month that is open', () => {
    given([closed('2026-10')])
      .when(reopen('2026-11'))
      .thenRefuses({ kind: 'conflict', code: 'PeriodNotClosed', message: '2026-10-31' });
    given([])
      .when(reopen('2026-10'))
      .thenRefuses({ kind: 'conflict', code: 'PeriodNotClosed', message: 'no month is' });
  });

  it('refuses to reopen a month reopened already', () => {
    given([closed('2026-10'), reopened('2026-10')])
      .when(reopen('2026-10'))
      .thenRefuses({ kind: 'conflict', code: 'PeriodNotClosed' });
  });

  it('closes a reopened month again', () => {
    given([closed('2026-10'), reopened('2026-09')])
      .when(close('2026-10'))
      .then([closed('2026-10')]);
  });

  it('reopens a month closed before the lock stream', () => {
    givenFacts({ today: '2026-11-15', legacyLockedThrough: '2026-06' as PeriodId })([])
      .when(reopen('2026-05'))
      .then([reopened('2026-05')]);
  });

  it.each(['1899-12', '2026-13'])('refuses the period %s', (period) => {
    given([closed('2026-10')])
      .when(reopen(period))
      .thenRefuses({ kind: 'invalid', code: 'InvalidPeriod', issues: ['period'] });
  });
});

describe('the lock state', () => {
  it('is undecided and unlocked before any close, and ignores other events', () => {
    expect(initialPeriodLockState).toEqual({
      decided: false,
      lockedThrough: undefined,
      fiscalYears: new Map(),
    });
    expect(
      evolvePeriod(initialPeriodLockState, {
        type: 'AccountOpened',
        data: { code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' },
      }),
    ).toBe(initialPeriodLockState);
    expect(lockDateOf(undefined)).toBeNull();
  });
});
