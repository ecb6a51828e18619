import { platformProblems } from '../problem-types.js';
import { httpProblem } from '../problem.js';

/** A date range whose `from` is after its `to` selects nothing by mistake: a 400, as on audit. */
export function refuseRangeReversed(from: string | undefined, to: string | undefined): void {
  if (from === undefined || to === undefined || from <= to) return;
  throw httpProblem(platformProblems.validation, 'query.from: must not be after to', {
    errors: [{ path: 'query.from', message: 'must not be after to' }],
  });
}
