/** Middleware for the command handler's one seam (see `CommandMiddleware`). */
import { isDomainError } from '../domain/shared/errors.js';
import {
  ConcurrencyExhaustedError,
  PreconditionFailedError,
  type CommandCall,
  type CommandMiddleware,
  type CommandResult,
} from './command-handler.js';

/**
 * How a command ended: `accepted` (decided and stored, or nothing to change), `replayed` (an
 * earlier attempt with the same Idempotency-Key had stored it), `refused` (a business rule said
 * no), `conflict` (If-Match was stale, or the race was lost too often), `failed` (anything else,
 * such as a store outage).
 */
export type CommandOutcome = 'accepted' | 'replayed' | 'refused' | 'conflict' | 'failed';

export interface CommandObservation {
  readonly call: CommandCall;
  readonly outcome: CommandOutcome;
  readonly durationMs: number;
  /** Events this command appended: 0 when replayed, refused or unchanged. */
  readonly eventsAppended: number;
}

export function outcomeOf(
  result: CommandResult<unknown> | undefined,
  error?: unknown,
): CommandOutcome {
  if (result) return result.replayed ? 'replayed' : 'accepted';
  if (isDomainError(error)) return 'refused';
  if (error instanceof PreconditionFailedError || error instanceof ConcurrencyExhaustedError) {
    return 'conflict';
  }
  return 'failed';
}

/** Reports every command's outcome and duration; a listener that throws is not the caller's problem. */
export function observeCommands(
  listener: (observation: CommandObservation) => void,
): CommandMiddleware {
  return async (call, next) => {
    const started = performance.now();
    const report = (result: CommandResult<unknown> | undefined, error?: unknown) => {
      try {
        listener({
          call,
          outcome: outcomeOf(result, error),
          durationMs: performance.now() - started,
          eventsAppended: result && !result.replayed ? result.events.length : 0,
        });
      } catch {
        // Observation must never change a command's answer.
      }
    };
    try {
      const result = await next();
      report(result);
      return result;
    } catch (error) {
      report(undefined, error);
      throw error;
    }
  };
}

/** Calls `onWrite` after every command that stored events (e.g. to wake the projections). */
export function afterWrites(onWrite: (result: CommandResult<unknown>) => void): CommandMiddleware {
  return async (_call, next) => {
    const result = await next();
    if (result.events.length > 0) onWrite(result);
    return result;
  };
}
