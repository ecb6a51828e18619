import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/shared/canonical-json.js';

/** The `prevHash` of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

export interface HashedContent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  /** The event's metadata including `prevHash`, excluding `hash` itself. */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * SHA-256 (hex) over the canonical JSON of the event's id, type, data and metadata (which holds
 * `prevHash`). Chaining each event to its predecessor means altering, removing or reordering any
 * stored event breaks every later link of its stream.
 */
export function eventHash(content: HashedContent): string {
  const { hash: _ignored, ...metadata } = content.metadata;
  return createHash('sha256')
    .update(canonicalJson({ id: content.id, type: content.type, data: content.data, metadata }))
    .digest('hex');
}
