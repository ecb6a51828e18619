import type { EventToAppend } from '../stores/event-store.js';
import type { CommandContext } from './command-context.js';
import { eventHash } from './hash-chain.js';

/**
 * The version of an event type's data shape when its module names none: a module declares the
 * types it changed incompatibly, with their current version, beside their schemas
 * (`ModuleDefinition.schemaVersions`), and reads the older versions through an upcaster.
 */
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
  /** The version of the type's data shape (SCHEMA_VERSION by default); the hash covers it. */
  readonly schemaVersion?: number;
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
    schemaVersion: input.schemaVersion ?? SCHEMA_VERSION,
    prevHash,
  };
  for (const key of Object.keys(metadata)) if (metadata[key] === undefined) delete metadata[key];
  metadata.hash = eventHash({ id, type, data, metadata });
  return { id, type, data, metadata };
}
