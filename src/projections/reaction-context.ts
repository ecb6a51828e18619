import type { CommandContext } from '../commands/command-context.js';
import type { RecordedEvent } from '../stores/event-store.js';

/**
 * The context of a command a reactor runs in reaction to `source`: its own actor, the source's
 * correlation, request and on-behalf-of carried over, the source as its cause, and an
 * idempotency key derived from the source (`<purpose>:<source id>`), so that reacting twice to
 * one event writes once.
 */
export function reactionContext(
  actor: string,
  purpose: string,
  source: RecordedEvent,
): CommandContext {
  const text = (key: string) =>
    typeof source.metadata[key] === 'string' ? (source.metadata[key] as string) : undefined;
  return {
    actor,
    onBehalfOf: text('onBehalfOf'),
    correlationId: text('correlationId') ?? source.id,
    causationId: source.id,
    requestId: text('requestId') ?? source.id,
    idempotencyKey: `${purpose}:${source.id}`,
  };
}
