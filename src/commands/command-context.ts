/** Who asked, on whose behalf and within which request: becomes every event's metadata. */
export interface CommandContext {
  readonly actor: string;
  readonly onBehalfOf?: string;
  readonly correlationId: string;
  /** What caused this command: the request id for HTTP, the source event id for reactors. */
  readonly causationId: string;
  readonly requestId: string;
  readonly idempotencyKey?: string;
  /** Business time, when the caller knows it; defaults to the recording time. */
  readonly occurredAt?: string;
  /**
   * From If-Match: the revision of the command's stream the caller last saw. A mismatch is a
   * precondition failure and is never retried. It travels with the context so that every
   * command honours it without each handler having to pass it on.
   */
  readonly expectedRevision?: bigint;
}
