import { describe, expect, it } from 'vitest';
import type { ClosePeriod } from '../../../src/domain/ledger/commands.js';
import type { PeriodClosed } from '../../../src/domain/ledger/events.js';
import {
  decidePeriod,
  evolvePeriod,
  initialPeriodState,
} from '../../../src/domain/ledger/period.js';
import { givenWhenThen } from './given-when-then.js';

const given = givenWhenThen({
  initialState: initialPeriodState,
  evolve: evolvePeriod,
  decide: decidePeriod,
});

function closePeriod(period: string): ClosePeriod {
  return { type: 'ClosePeriod', period };
}

const marchClosed: PeriodClosed = { type: 'PeriodClosed', data: { period: '2026-03' } };

describe('closing a period', () => {
  it('closes an open period', () => {
    given([]).when(closePeriod('2026-03')).then([marchClosed]);
  });

  it('refuses to close a period twice', () => {
    given([marchClosed])
      .when(closePeriod('2026-03'))
      .thenRefuses({ kind: 'conflict', code: 'PeriodAlreadyClosed', message: '2026-03' });
  });

  it.each(['2026-13', '2026-00', '2026-3', '2026-03-01', '202603', 'March', ''])(
    'refuses the period %j',
    (period) => {
      given([])
        .when(closePeriod(period))
        .thenRefuses({ kind: 'invalid', code: 'InvalidPeriod', issues: ['period'] });
    },
  );

  it('is closed after PeriodClosed and not before', () => {
    expect(initialPeriodState).toEqual({ closed: false });
    expect(evolvePeriod(initialPeriodState, marchClosed)).toEqual({ closed: true });
    expect(
      evolvePeriod(initialPeriodState, {
        type: 'AccountOpened',
        data: { code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' },
      }),
    ).toEqual({ closed: false });
  });
});
