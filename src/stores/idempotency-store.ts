/**
 * Durable record of requests made with an Idempotency-Key: which request (fingerprint) first
 * used the key and what it was answered, so a retry gets the same answer and writes nothing.
 * Adapters: SQLite (embedded, one process) and MongoDB (shared by every instance, so a retry
 * that reaches another instance is answered the same). One contract suite
 * (`test/stores/idempotency-store.contract.ts`) defines the behaviour both must show.
 */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export type IdempotencyRecord =
  | {
      readonly state: 'pending';
      readonly fingerprint: string;
      /** Until when the claimant is presumed alive; after that another request may take over. */
      readonly leaseUntil: string;
    }
  | {
      readonly state: 'completed';
      readonly fingerprint: string;
      readonly response: StoredResponse;
    };

export type ClaimResult =
  | {
      readonly claimed: true;
      /**
       * An earlier attempt of this very request (same fingerprint) stored its events and died
       * before its answer was stored: run again, it answers from those events, so its answer
       * is a replay. Only a store that knows of such attempts says so (the embedded one).
       */
      readonly replay?: boolean;
    }
  | { readonly claimed: false; readonly record: IdempotencyRecord };

export interface IdempotencyKeyRef {
  /** Keys are per caller: two API keys may use the same Idempotency-Key independently. */
  readonly scope: string;
  readonly key: string;
}

export interface IdempotencyStore {
  /**
   * Atomically claims the key for this request, or returns the existing record. A pending record
   * whose lease has expired is taken over (its claimant died) by a request with the same
   * fingerprint; of racing claims, exactly one wins.
   */
  claim(
    ref: IdempotencyKeyRef,
    fingerprint: string,
    leaseUntil: Date,
    now: Date,
  ): Promise<ClaimResult>;
  /** Stores the answer of a pending claim; the first answer stored for a key stays. */
  complete(ref: IdempotencyKeyRef, response: StoredResponse): Promise<void>;
  /** Drops a pending claim whose request failed without an answer worth repeating. */
  release(ref: IdempotencyKeyRef): Promise<void>;
  get(ref: IdempotencyKeyRef): Promise<IdempotencyRecord | undefined>;
}
