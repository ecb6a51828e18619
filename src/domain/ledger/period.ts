import type { Decider } from '../shared/decider.js';
import { isPeriodId } from '../shared/dates.js';
import { refuse } from '../shared/errors.js';
import type { ClosePeriod } from './commands.js';
import type { LedgerEvent } from './events.js';

export interface PeriodState {
  readonly closed: boolean;
}

export const initialPeriodState: PeriodState = { closed: false };

export function decidePeriod(command: ClosePeriod, state: PeriodState): LedgerEvent[] {
  if (!isPeriodId(command.period)) {
    refuse({
      kind: 'invalid',
      code: 'InvalidPeriod',
      message: `"${command.period}" is not a period; use YYYY-MM`,
      issues: [{ path: 'period', message: 'must be a month, YYYY-MM' }],
    });
  }
  if (state.closed) {
    refuse({
      kind: 'conflict',
      code: 'PeriodAlreadyClosed',
      message: `Period ${command.period} is already closed`,
    });
  }
  return [{ type: 'PeriodClosed', data: { period: command.period } }];
}

export function evolvePeriod(state: PeriodState, event: LedgerEvent): PeriodState {
  return event.type === 'PeriodClosed' ? { closed: true } : state;
}

export const periodDecider: Decider<PeriodState, ClosePeriod, LedgerEvent> = {
  initialState: initialPeriodState,
  evolve: evolvePeriod,
  decide: decidePeriod,
};
