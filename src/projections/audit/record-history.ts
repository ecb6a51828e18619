/**
 * A record's history, read from its stream in the event store: always current, in revision
 * order, each event described against the ones before it (see `createHistoryFolder`). A page
 * after the first folds the earlier events again, a bounded batch at a time.
 */
import { createHistoryFolder, type FieldChange } from '../../domain/audit/change-summary.js';
import type { EventStore, RecordedEvent } from '../../stores/event-store.js';
import { InvalidQueryError } from '../../stores/read-model-store.js';
import { attribution } from './audit-projection.js';

export interface HistoryEntry {
  readonly position: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string | null;
  readonly recordedAt: string;
  readonly actor: string | null;
  readonly onBehalfOf: string | null;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly requestId: string | null;
  readonly summary: string;
  readonly changes: readonly FieldChange[];
  readonly data: Record<string, unknown>;
}

export interface HistoryPage {
  readonly items: HistoryEntry[];
  readonly nextCursor: string | null;
}

const FOLD_BATCH = 1000;

/** Undefined when the stream holds no event. */
export async function readRecordHistory(
  eventStore: EventStore,
  streamId: string,
  page: { readonly limit: number; readonly cursor?: string },
): Promise<HistoryPage | undefined> {
  const start = page.cursor === undefined ? 0n : decodeHistoryCursor(page.cursor);
  const [first] = await eventStore.readStream(streamId, { maxCount: 1 });
  if (!first) return undefined;
  const folder = createHistoryFolder();
  for (let revision = 0n; revision < start;) {
    const batch = await eventStore.readStream(streamId, {
      fromRevision: revision,
      maxCount: Number(start - revision < BigInt(FOLD_BATCH) ? start - revision : FOLD_BATCH),
    });
    if (batch.length === 0) break;
    for (const event of batch) folder.next(event);
    revision = batch.at(-1)!.revision + 1n;
  }
  const events = await eventStore.readStream(streamId, {
    fromRevision: start,
    maxCount: page.limit + 1,
  });
  const items = events.slice(0, page.limit).map((event) => entry(event, folder.next(event)));
  const next = events.length > page.limit ? events[page.limit]!.revision : undefined;
  return { items, nextCursor: next === undefined ? null : encodeHistoryCursor(next) };
}

function entry(
  event: RecordedEvent,
  described: { summary: string; changes: readonly FieldChange[] },
): HistoryEntry {
  return {
    position: event.position.toString(),
    revision: Number(event.revision),
    eventId: event.id,
    type: event.type,
    ...attribution(event),
    summary: described.summary,
    changes: described.changes,
    data: event.data,
  };
}

function encodeHistoryCursor(revision: bigint): string {
  return Buffer.from(`history:${revision}`, 'utf8').toString('base64url');
}

function decodeHistoryCursor(cursor: string): bigint {
  const match = /^history:(\d{1,20})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidQueryError('Invalid cursor');
  return BigInt(match[1]!);
}
