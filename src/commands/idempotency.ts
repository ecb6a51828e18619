import type {
  IdempotencyKeyRef,
  IdempotencyStore,
  StoredResponse,
} from '../stores/idempotency-store.js';

/** The key was first used for a different request (HTTP 422). */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
}

/** The first request with this key is still running (HTTP 409, retry later). */
export class IdempotencyInProgressError extends Error {
  override readonly name = 'IdempotencyInProgressError';
}

export interface IdempotencyDeps {
  readonly store: IdempotencyStore;
  readonly clock: () => Date;
  /** How long a claim protects a running request before a retry may take it over. */
  readonly leaseMs: number;
  /** How long a retry waits for a concurrent first attempt to finish before giving up. */
  readonly waitMs: number;
  /** Told how each keyed request ended (metrics); must not throw. */
  readonly observe?: (outcome: 'first' | 'replayed' | 'key_reused' | 'in_progress') => void;
}

export interface IdempotentRequest extends IdempotencyKeyRef {
  readonly fingerprint: string;
}

/**
 * Runs `execute` at most once per key: the first request claims the key and stores its answer;
 * a retry with the same fingerprint waits for (or reads) that answer instead of running again.
 * `execute` throws for answers that must not be remembered (server faults): the claim is then
 * released so a retry can run.
 */
export async function runIdempotently(
  deps: IdempotencyDeps,
  request: IdempotentRequest,
  execute: () => Promise<StoredResponse>,
): Promise<{ response: StoredResponse; replayed: boolean }> {
  const deadline = deps.clock().getTime() + deps.waitMs;
  for (let poll = 0; ; poll += 1) {
    const now = deps.clock();
    const claim = await deps.store.claim(
      request,
      request.fingerprint,
      new Date(now.getTime() + deps.leaseMs),
      now,
    );
    if (claim.claimed) {
      try {
        const response = await execute();
        await deps.store.complete(request, response);
        deps.observe?.(claim.replay === true ? 'replayed' : 'first');
        return { response, replayed: claim.replay === true };
      } catch (error) {
        await deps.store.release(request);
        throw error;
      }
    }
    if (claim.record.fingerprint !== request.fingerprint) {
      deps.observe?.('key_reused');
      throw new IdempotencyKeyReusedError(
        'This Idempotency-Key was already used for a different request',
      );
    }
    if (claim.record.state === 'completed') {
      deps.observe?.('replayed');
      return { response: claim.record.response, replayed: true };
    }
    if (now.getTime() >= deadline) {
      deps.observe?.('in_progress');
      throw new IdempotencyInProgressError(
        'A request with this Idempotency-Key is still being processed',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, 5 * 2 ** poll)));
  }
}
