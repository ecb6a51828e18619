/**
 * The rules a verification applies to the stored log, as pure functions over stored events.
 *
 * Per stream: revisions run 0, 1, 2… without a gap, each event's `prevHash` is the stored
 * `hash` of the event before it (the genesis hash for the first), and `hash` is the SHA-256 of
 * the event's own content. Over the global log: a running digest folds every event's position,
 * stream, revision, commit time and recomputed content hash, so a digest remembered at a position pins
 * everything up to it, removals and reorderings included.
 */
import { createHash } from 'node:crypto';
import { GENESIS_HASH, eventHash } from '../../commands/hash-chain.js';

/** What the verification needs of a stored event. */
export interface StoredEventContent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The store's commit time: outside the event's hash, so only the digest pins it. */
  readonly recordedAt: string;
}

/** The last event of a stream that the verification has seen. */
export interface StreamTip {
  readonly revision: bigint;
  /** The `hash` stored on it, which the next event's `prevHash` must name. */
  readonly hash: string;
}

export type LinkProblemKind =
  /** The stored hash is not the hash of the stored content: the event was altered. */
  | 'content-altered'
  /** The event carries no hash at all: it was not written through the command pipeline. */
  | 'unsealed'
  /** `prevHash` does not name the stored hash of the event before it. */
  | 'broken-link'
  /** Revisions jump: events between were removed. */
  | 'revision-gap'
  /** A revision at or below one already seen: events were reordered or duplicated. */
  | 'revision-out-of-order'
  /** The store cannot read the event back at all (its stored JSON is broken). */
  | 'unreadable';

export interface LinkProblem {
  readonly kind: LinkProblemKind;
  readonly detail: string;
}

export interface LinkCheck {
  /** Empty when the event is sound and correctly linked. */
  readonly problems: readonly LinkProblem[];
  /** The event's content hash as recomputed now (what the global digest folds). */
  readonly contentHash: string;
  /** The tip to check the stream's next event against. */
  readonly tip: StreamTip;
}

/** Checks one event against the tip of its stream (undefined: the stream's first event). */
export function checkLink(tip: StreamTip | undefined, event: StoredEventContent): LinkCheck {
  const problems: LinkProblem[] = [];
  const expectedRevision = tip ? tip.revision + 1n : 0n;
  if (event.revision > expectedRevision) {
    const missing = event.revision - expectedRevision;
    problems.push({
      kind: 'revision-gap',
      detail: `expected revision ${expectedRevision}, found ${event.revision}: ${missing} event${missing === 1n ? '' : 's'} missing before it`,
    });
  } else if (event.revision < expectedRevision) {
    problems.push({
      kind: 'revision-out-of-order',
      detail: `expected revision ${expectedRevision}, found ${event.revision} after revision ${tip!.revision}`,
    });
  }

  const storedHash = event.metadata.hash;
  const contentHash = eventHash({
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  });
  if (typeof storedHash !== 'string') {
    problems.push({ kind: 'unsealed', detail: 'the event carries no hash' });
  } else if (storedHash !== contentHash) {
    problems.push({
      kind: 'content-altered',
      detail: `the stored hash ${storedHash} is not the hash of the stored content (${contentHash})`,
    });
  }

  const expectedPrev = tip?.hash ?? GENESIS_HASH;
  const prevHash = event.metadata.prevHash;
  if (prevHash !== expectedPrev) {
    problems.push({
      kind: 'broken-link',
      detail: tip
        ? `prevHash ${String(prevHash)} does not name revision ${tip.revision} (hash ${tip.hash})`
        : `prevHash ${String(prevHash)} is not the genesis hash, yet no earlier event of the stream exists`,
    });
  }

  return {
    problems,
    contentHash,
    // Chained from what is stored, so one altered event is reported once, not at every later link.
    tip: {
      revision: event.revision,
      hash: typeof storedHash === 'string' ? storedHash : contentHash,
    },
  };
}

/** The running digest of an empty log. */
export const EMPTY_LOG_DIGEST = GENESIS_HASH;

/** The running digest after one more event of the global log. */
export function foldDigest(
  digest: string,
  event: Pick<StoredEventContent, 'position' | 'streamId' | 'revision' | 'recordedAt'>,
  contentHash: string,
): string {
  return createHash('sha256')
    .update(
      `${digest}\n${event.position}\n${JSON.stringify(event.streamId)}\n${event.revision}\n${event.recordedAt}\n${contentHash}`,
    )
    .digest('hex');
}

/** What an unreadable event's content hash and tip hash are folded as. */
export const UNREADABLE = 'unreadable';
