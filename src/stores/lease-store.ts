/**
 * Named leases with an expiry: how several instances agree that only one of them runs a given
 * projection or reactor at a time. A holder that dies simply stops renewing, and its lease
 * passes to another instance once it expires. Adapters: SQLite (embedded, beside the read
 * models) and MongoDB (shared by every instance). One contract suite
 * (`test/stores/lease-store.contract.ts`) defines the behaviour both must show.
 *
 * Each operation is one atomic single-document write, which MongoDB 6+ and FerretDB 1.24 both
 * offer; no transactions.
 */
export interface LeaseRequest {
  readonly name: string;
  readonly holder: string;
  readonly ttlMs: number;
  /** The caller's clock, so tests and every holder judge expiry by the time they were given. */
  readonly now: Date;
}

export interface LeaseStore {
  /**
   * Takes or renews the named lease for `holder` until `now + ttlMs`, if it is free, expired or
   * already held by `holder`; refuses it otherwise. True when `holder` holds it afterwards.
   */
  acquire(request: LeaseRequest): Promise<boolean>;
  /** Gives the lease up, if `holder` holds it; a lease someone else holds is left alone. */
  release(name: string, holder: string): Promise<void>;
}
