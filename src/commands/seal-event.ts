import type { EventToAppend } from '../stores/event-store.js';
import type { CommandContext } from './command-context.js';
import { eventHash } from './hash-chain.js';

/** Version of the event data shape; bump per type when a schema changes incompatibly. */
export const SCHEMA_VERSION = 1;

/**
 * An event ready to append: its metadata says who, on whose behalf, within which request and
 * when, and its hash chains it to the stream's previous event (`prevHash`).
 */
export function sealEvent(input: {
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly context: CommandContext;
  readonly recordedAt: string;
  readonly prevHash: string;
}): EventToAppend {
  const { id, type, data, context, recordedAt, prevHash } = input;
  const metadata: Record<string, unknown> = {
    actor: context.actor,
    onBehalfOf: context.onBehalfOf,
    correlationId: context.correlationId,
    causationId: context.causationId,
    requestId: context.requestId,
    idempotencyKey: context.idempotencyKey,
    occurredAt: context.occurredAt ?? recordedAt,
    recordedAt,
    schemaVersion: SCHEMA_VERSION,
    prevHash,
  };
  for (const key of Object.keys(metadata)) if (metadata[key] === undefined) delete metadata[key];
  metadata.hash = eventHash({ id, type, data, metadata });
  return { id, type, data, metadata };
}
