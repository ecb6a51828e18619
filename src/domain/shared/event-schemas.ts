import type { z } from 'zod';
import type { DomainEvent } from './decider.js';

/**
 * One zod schema per event type of a module: they validate what is appended and decode what is
 * read back, so a stored event that no longer fits its schema is found, not silently used.
 */
export type EventSchemas = Readonly<Record<string, z.ZodType>>;

/** The discriminated union of a module's events, derived from its schemas. */
export type EventsOf<Schemas extends EventSchemas> = {
  [Type in keyof Schemas & string]: {
    readonly type: Type;
    readonly data: z.output<Schemas[Type]>;
  };
}[keyof Schemas & string];

/** What decoding needs of a stored event; the store's own record type has more. */
export interface EncodedEvent {
  readonly type: string;
  readonly data: unknown;
  /** Named in the error when the type is unknown. */
  readonly streamId?: string;
}

export class UnknownEventTypeError extends Error {
  override readonly name = 'UnknownEventTypeError';
}

/** Validates a stored event against its type's schema: one member of the schemas' union. */
export function decodeEventOf<Schemas extends EventSchemas>(
  schemas: Schemas,
  stored: EncodedEvent,
): EventsOf<Schemas> {
  if (!isTypeOf(schemas, stored.type)) {
    const what =
      stored.streamId === undefined ? 'Unknown' : `Stream ${stored.streamId} holds unknown`;
    throw new UnknownEventTypeError(`${what} event type ${stored.type}`);
  }
  return decodeAs(schemas, stored.type, stored.data);
}

function isTypeOf<Schemas extends EventSchemas>(
  schemas: Schemas,
  type: string,
): type is keyof Schemas & string {
  return Object.hasOwn(schemas, type);
}

// Generic in the one type, so that TypeScript sees the schema and the event type belong together.
function decodeAs<Schemas extends EventSchemas, Type extends keyof Schemas & string>(
  schemas: Schemas,
  type: Type,
  data: unknown,
): EventsOf<Schemas> {
  const schema: Schemas[Type] = schemas[type];
  const event: { readonly type: Type; readonly data: z.output<Schemas[Type]> } = {
    type,
    data: schema.parse(data),
  };
  return event;
}

/** `decodeEventOf`, for callers that hold their schemas erased and name the union themselves. */
export function decodeEvent<Event extends DomainEvent>(
  schemas: EventSchemas,
  stored: EncodedEvent,
): Event {
  // An erased map of schemas says nothing of `Event`: that is the caller's word, until it passes
  // its schemas typed to `decodeEventOf`.
  return decodeEventOf(schemas, stored) as Event;
}

/**
 * `decodeEventOf`, remembered per stored event object: projections hand one event to several
 * functions (which documents it touches, then each document's evolve) and decode it once.
 */
export function eventDecoder<Schemas extends EventSchemas>(
  schemas: Schemas,
): (stored: EncodedEvent) => EventsOf<Schemas> {
  const decoded = new WeakMap<EncodedEvent, EventsOf<Schemas>>();
  return (stored) => {
    let event = decoded.get(stored);
    if (!event) {
      event = decodeEventOf(schemas, stored);
      decoded.set(stored, event);
    }
    return event;
  };
}

/** Every module's schemas as one map; a type declared by two modules is a programming error. */
export function mergeEventSchemas(all: readonly EventSchemas[]): EventSchemas {
  const merged: Record<string, z.ZodType> = {};
  for (const schemas of all) {
    for (const [type, schema] of Object.entries(schemas)) {
      if (type in merged) throw new Error(`Event type ${type} is declared twice`);
      merged[type] = schema;
    }
  }
  return merged;
}
