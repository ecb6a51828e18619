import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, eventHash } from '../../../src/commands/hash-chain.js';
import type { CommandContext } from '../../../src/commands/command-context.js';
import { sealEvent } from '../../../src/commands/seal-event.js';
import {
  checkLink,
  EMPTY_LOG_DIGEST,
  foldDigest,
  type LinkProblemKind,
  type StoredEventContent,
  type StreamTip,
} from '../../../src/projections/audit/log-integrity.js';

const context: CommandContext = {
  actor: 'finance-app',
  correlationId: 'corr-1',
  causationId: 'req-1',
  requestId: 'req-1',
};

const STREAM = 'invoice-INV-1';

/** A stored event sealed by the real command pipeline, so its hash and prevHash are genuine. */
function stored(
  revision: bigint,
  prevHash: string,
  data: Record<string, unknown> = { invoiceId: 'INV-1', amount: `${revision}0.00` },
  overrides: Partial<StoredEventContent> = {},
): StoredEventContent {
  const sealed = sealEvent({
    id: `00000000-0000-4000-8000-00000000000${revision}`,
    type: revision === 0n ? 'InvoiceIssued' : 'PaymentReceived',
    data,
    context,
    recordedAt: '2026-11-02T10:00:00.000Z',
    prevHash,
  });
  return {
    id: sealed.id,
    type: sealed.type,
    streamId: STREAM,
    revision,
    position: 100n + revision,
    data: sealed.data,
    metadata: sealed.metadata,
    recordedAt: '2026-11-02T10:00:00.012Z',
    ...overrides,
  };
}

/** Revisions 0, 1, 2 of one stream, correctly chained. */
function soundStream(): [StoredEventContent, StoredEventContent, StoredEventContent] {
  const first = stored(0n, GENESIS_HASH);
  const second = stored(1n, first.metadata.hash as string);
  const third = stored(2n, second.metadata.hash as string);
  return [first, second, third];
}

const tipOf = (event: StoredEventContent): StreamTip => ({
  revision: event.revision,
  hash: event.metadata.hash as string,
});

const kinds = (tip: StreamTip | undefined, event: StoredEventContent): LinkProblemKind[] =>
  checkLink(tip, event).problems.map((problem) => problem.kind);

describe('checkLink', () => {
  it('finds nothing wrong with a sound first event', () => {
    // given the first event of a stream, sealed against the genesis hash
    const [first] = soundStream();
    // when it is checked without a tip
    const check = checkLink(undefined, first);
    // then there are no problems, and its content hash is the one stored
    expect(check.problems).toEqual([]);
    expect(check.contentHash).toBe(first.metadata.hash);
    expect(check.tip).toEqual({ revision: 0n, hash: first.metadata.hash });
  });

  it('finds nothing wrong with a sound link', () => {
    // given a stream of three correctly chained events
    const [first, second, third] = soundStream();
    // when each is checked against the tip the previous check returned
    const a = checkLink(undefined, first);
    const b = checkLink(a.tip, second);
    const c = checkLink(b.tip, third);
    // then every link is sound
    expect([a.problems, b.problems, c.problems]).toEqual([[], [], []]);
    expect(c.tip).toEqual(tipOf(third));
  });

  it('reports content-altered when the data no longer matches the stored hash', () => {
    // given an event whose amount was changed after it was sealed
    const [first, second] = soundStream();
    const altered = { ...second, data: { invoiceId: 'INV-1', amount: '90.00' } };
    // when it is checked against its correct predecessor
    const check = checkLink(tipOf(first), altered);
    // then only the content is reported, with the recomputed hash
    expect(check.problems.map((problem) => problem.kind)).toEqual(['content-altered']);
    expect(check.problems[0]!.detail).toContain(second.metadata.hash as string);
    expect(check.contentHash).not.toBe(second.metadata.hash);
    expect(check.contentHash).toBe(
      eventHash({
        id: altered.id,
        type: altered.type,
        data: altered.data,
        metadata: altered.metadata,
      }),
    );
  });

  it('reports content-altered when the metadata or type changed', () => {
    // given events whose actor or type was rewritten
    const [first, second] = soundStream();
    const otherActor = { ...second, metadata: { ...second.metadata, actor: 'admin-key' } };
    const otherType = { ...second, type: 'InvoiceVoided' };
    const otherId = { ...second, id: '00000000-0000-4000-8000-000000000009' };
    // then each is content-altered
    expect(kinds(tipOf(first), otherActor)).toEqual(['content-altered']);
    expect(kinds(tipOf(first), otherType)).toEqual(['content-altered']);
    expect(kinds(tipOf(first), otherId)).toEqual(['content-altered']);
  });

  it('reports unsealed when the event carries no hash', () => {
    // given an event stored without a hash
    const [first, second] = soundStream();
    const { hash: _dropped, ...metadata } = second.metadata;
    const unsealed = { ...second, metadata };
    // when it is checked
    const check = checkLink(tipOf(first), unsealed);
    // then it is unsealed (not content-altered), and the next link chains from its content
    expect(check.problems.map((problem) => problem.kind)).toEqual(['unsealed']);
    expect(check.tip).toEqual({ revision: 1n, hash: check.contentHash });
  });

  it('reports broken-link when prevHash does not name the tip', () => {
    // given an event sealed against some other hash than its predecessor's
    const [first] = soundStream();
    const misLinked = stored(1n, 'f'.repeat(64));
    // when it is checked against the real predecessor
    const check = checkLink(tipOf(first), misLinked);
    // then only the link is broken: its own content is what it was sealed with
    expect(check.problems.map((problem) => problem.kind)).toEqual(['broken-link']);
    expect(check.problems[0]!.detail).toContain(first.metadata.hash as string);
  });

  it('reports broken-link for a first event whose prevHash is not the genesis hash', () => {
    // given revision 0 sealed as if something came before it
    const first = stored(0n, 'a'.repeat(64));
    // when it is checked as the stream's first event
    // then the link is broken
    expect(kinds(undefined, first)).toEqual(['broken-link']);
  });

  it('reports revision-gap (and broken-link) when revisions jump', () => {
    // given revisions 0 and 2, revision 1 removed
    const [first, , third] = soundStream();
    // when revision 2 is checked against revision 0
    const check = checkLink(tipOf(first), third);
    // then the gap is reported, and its prevHash names the missing event, not the tip
    expect(check.problems.map((problem) => problem.kind)).toEqual(['revision-gap', 'broken-link']);
    expect(check.problems[0]!.detail).toContain('expected revision 1, found 2');
  });

  it('reports revision-gap alone when the stream starts after revision 0', () => {
    // given the first event seen is revision 1, but sealed as a first event
    const orphan = stored(1n, GENESIS_HASH);
    // then only the gap is reported
    expect(kinds(undefined, orphan)).toEqual(['revision-gap']);
  });

  it('reports revision-out-of-order for a revision at or below the tip', () => {
    // given a stream whose tip is revision 2
    const [first, second, third] = soundStream();
    // when revision 1 comes again after it, or revision 2 repeats
    const older = checkLink(tipOf(third), second);
    const repeated = checkLink(tipOf(third), third);
    // then both are out of order
    expect(older.problems.map((problem) => problem.kind)).toContain('revision-out-of-order');
    expect(repeated.problems.map((problem) => problem.kind)).toContain('revision-out-of-order');
    expect(older.problems[0]!.detail).toContain('expected revision 3, found 1');
    // and a first event after revision 0 is out of order too
    expect(kinds(tipOf(first), first)).toContain('revision-out-of-order');
  });

  it('returns a tip that chains from the stored hash, not the recomputed one', () => {
    // given revision 1 altered, and revision 2 still naming its original hash
    const [first, second, third] = soundStream();
    const altered = { ...second, data: { invoiceId: 'INV-1', amount: '0.01' } };
    // when the altered event and then its successor are checked
    const check = checkLink(tipOf(first), altered);
    // then the tip holds the stored hash, so the successor's link is sound
    expect(check.tip).toEqual({ revision: 1n, hash: second.metadata.hash });
    expect(check.tip.hash).not.toBe(check.contentHash);
    expect(checkLink(check.tip, third).problems).toEqual([]);
  });
});

describe('foldDigest', () => {
  const [first, second] = soundStream();
  const hash = first.metadata.hash as string;
  const base = foldDigest(EMPTY_LOG_DIGEST, first, hash);

  it('is deterministic', () => {
    // given the same digest, event and content hash
    // when folded twice
    // then the results are equal, a SHA-256 hex digest, and differ from the input digest
    expect(foldDigest(EMPTY_LOG_DIGEST, first, hash)).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(base).not.toBe(EMPTY_LOG_DIGEST);
    expect(EMPTY_LOG_DIGEST).toBe(GENESIS_HASH);
  });

  it('depends on position, stream, revision, commit time, content hash and the digest before', () => {
    // given one event folded in, and the same event changed in one field at a time
    const variants = [
      foldDigest(EMPTY_LOG_DIGEST, { ...first, position: first.position + 1n }, hash),
      foldDigest(EMPTY_LOG_DIGEST, { ...first, streamId: 'invoice-INV-2' }, hash),
      foldDigest(EMPTY_LOG_DIGEST, { ...first, revision: 1n }, hash),
      foldDigest(EMPTY_LOG_DIGEST, { ...first, recordedAt: '2020-01-01T00:00:00.000Z' }, hash),
      foldDigest(EMPTY_LOG_DIGEST, first, second.metadata.hash as string),
      foldDigest('1'.repeat(64), first, hash),
    ];
    // then each gives another digest
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('depends on the order events are folded in', () => {
    // given two events
    const secondHash = second.metadata.hash as string;
    // when folded in either order
    const inOrder = foldDigest(foldDigest(EMPTY_LOG_DIGEST, first, hash), second, secondHash);
    const swapped = foldDigest(foldDigest(EMPTY_LOG_DIGEST, second, secondHash), first, hash);
    // then the digests differ
    expect(inOrder).not.toBe(swapped);
  });

  it('cannot be confused by a stream name that imitates the separators', () => {
    // given a stream name containing the newline that separates the folded fields
    const a = foldDigest(EMPTY_LOG_DIGEST, { ...first, streamId: 'a\n0' }, hash);
    const b = foldDigest(EMPTY_LOG_DIGEST, { ...first, streamId: 'a', revision: 0n }, hash);
    // then the digests differ
    expect(a).not.toBe(b);
  });
});
