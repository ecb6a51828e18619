import { isAccountingDate } from './dates.js';
/**
 * Why a decider refused a command. `kind` says whose fault it is, so the HTTP layer can map it
 * without knowing any module: `invalid` (the request itself is wrong, 400), `conflict` (a
 * business rule refuses it in the current state, 409), `not_found` (the record does not exist,
 * 404), `forbidden` (a rule about who acts refuses this caller, whatever its scopes: the key
 * that drafted a payroll run cannot approve it, 403).
 */
export interface DomainRefusal {
  readonly kind: 'invalid' | 'conflict' | 'not_found' | 'forbidden';
  /** Stable, machine-readable name, e.g. `PeriodClosed`. */
  readonly code: string;
  readonly message: string;
  /** For `invalid`: which parts of the command are wrong. */
  readonly issues?: readonly { readonly path: string; readonly message: string }[];
  /**
   * For a `conflict` that another command can lift (a closed period is reopened): what lifts it,
   * completing "refused until …". A reaction refused so waits and tries again instead of failing.
   */
  readonly until?: string;
}

/** Thrown by deciders; an Error subclass so it carries a stack and passes through `await`. */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(readonly refusal: DomainRefusal) {
    super(refusal.message);
  }
}

export function refuse(refusal: DomainRefusal): never {
  throw new DomainError(refusal);
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** The refusal in `error` or in its chain of causes that another command can lift, if any. */
export function liftableRefusalOf(error: unknown): DomainRefusal | undefined {
  for (let at: unknown = error, depth = 0; at instanceof Error && depth < 5; depth += 1) {
    if (isDomainError(at) && at.refusal.until !== undefined) return at.refusal;
    at = at.cause;
  }
  return undefined;
}

/** A 400-kind refusal listing every issue; its message joins them for humans and logs. */
export function refuseInvalid(
  code: string,
  issues: readonly { readonly path: string; readonly message: string }[],
): never {
  refuse({
    kind: 'invalid',
    code,
    message: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
    issues,
  });
}

/**
 * Refuses (`invalid`, under `code`) a date at `path` that is not a calendar date, or that is
 * before `earliest`; `earliestIs` names it for the message ("the entry's own date 2026-01-31").
 * The date is then one the caller may use as an accounting date.
 */
export function refuseUnlessDateFrom(
  code: string,
  path: string,
  date: string,
  earliest: string,
  earliestIs: string,
): void {
  if (!isAccountingDate(date)) {
    refuseInvalid(code, [{ path, message: 'must be a calendar date, YYYY-MM-DD' }]);
  }
  if (date < earliest) refuseInvalid(code, [{ path, message: `must not be before ${earliestIs}` }]);
}
