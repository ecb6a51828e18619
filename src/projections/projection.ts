import type { DomainEvent } from '../domain/shared/decider.js';
import type { LogFilter, RecordedEvent } from '../stores/event-store.js';
import type { IndexSpec, JsonObject, Scalar } from '../stores/read-model-store.js';

/**
 * A projection as the engine sees it, declared as data and pure functions: the engine does all
 * the I/O. Modules write a `TypedProjection` instead and erase it with `defineProjection`.
 *
 * Each projection owns one collection of documents. An event of one of `eventTypes` touches the
 * documents `documentIds` names; `evolve` gives each its next state, or null to delete it.
 * `evolve` must be deterministic: a rebuild replays the same events into the same documents.
 */
export interface Projection {
  /** Lower case letters, digits and `_`; also the base of its collection's name. */
  readonly name: string;
  /** Bumped whenever `evolve` or the document shape changes: the projection is then rebuilt. */
  readonly version: number;
  /** The event types it handles, or `all`: every type, present and future (the audit trail). */
  readonly eventTypes: readonly string[] | typeof ALL_EVENT_TYPES;
  readonly indexes?: readonly IndexSpec[];
  documentIds(event: RecordedEvent): readonly string[];
  evolve(document: JsonObject | null, event: RecordedEvent, documentId: string): JsonObject | null;
}

export const ALL_EVENT_TYPES = 'all';

/** Whether the projection handles events of `type`. */
export function handlesEventType(
  projection: Pick<Projection, 'eventTypes'>,
): (type: string) => boolean {
  if (projection.eventTypes === ALL_EVENT_TYPES) return () => true;
  const types = new Set(projection.eventTypes);
  return (type) => types.has(type);
}

/** The log filter that reads exactly the events the projection handles. */
export function logFilterFor(projection: Pick<Projection, 'eventTypes'>): LogFilter {
  return projection.eventTypes === ALL_EVENT_TYPES ? {} : { eventTypes: projection.eventTypes };
}

/** The collection a projection's version writes to. */
export function collectionFor(projection: Pick<Projection, 'name' | 'version'>): string {
  return `${projection.name}_v${projection.version}`;
}

/** What a stored event carries besides its type and data: where and when it was recorded. */
export type EventEnvelope = Omit<RecordedEvent, 'type' | 'data'>;

/** A domain event decoded from the log, with its envelope. */
export type Recorded<Event extends DomainEvent> = Event & EventEnvelope;

/**
 * Holds for an object type every field of which survives a JSON round trip: interfaces too, which
 * an index signature such as `{ [key: string]: Json }` would refuse. `unknown` passes: it is what
 * the store's `JsonObject` holds (event data), JSON already.
 */
export type JsonDocument<T> = { readonly [Key in keyof T]: JsonField<T[Key]> };

type JsonField<T> = unknown extends T
  ? T
  : T extends Scalar
    ? T
    : T extends (...args: never) => unknown
      ? never
      : T extends readonly (infer Item)[]
        ? readonly JsonField<Item>[]
        : T extends object
          ? JsonDocument<T>
          : never;

/** The events of `Decoded` whose type is one of `Type`. */
export type EventsOfType<Decoded extends DomainEvent, Type> = Extract<
  Decoded,
  { readonly type: Type }
>;

/**
 * A projection as a module writes it: `documentIds` and `evolve` see its events decoded (by
 * `decode`, from the module's schemas) and narrowed to `eventTypes`, and its documents as their
 * own type rather than the stored JSON.
 */
export interface TypedProjection<
  Document,
  Decoded extends DomainEvent,
  Type extends Decoded['type'] = Decoded['type'],
> {
  readonly name: string;
  readonly version: number;
  readonly eventTypes: readonly Type[] | typeof ALL_EVENT_TYPES;
  readonly indexes?: readonly IndexSpec[];
  /** Decodes a stored event of the module: `eventDecoder` of its schemas. */
  readonly decode: (stored: RecordedEvent) => Decoded;
  documentIds(event: Recorded<EventsOfType<Decoded, Type>>): readonly string[];
  /** `Document` is what the `document` parameter names, not what the returns add up to. */
  evolve(
    document: Document | null,
    event: Recorded<EventsOfType<Decoded, Type>>,
    documentId: string,
  ): NoInfer<Document> | null;
}

/** The erased projection the engine runs, still knowing its documents' type for the queries. */
export interface DefinedProjection<Document> extends Projection {
  /** A body read from this projection's collection, as the document its `evolve` wrote. */
  document(body: JsonObject): Document;
  /** `evolve` over documents and stored events: what a write's answer folds its stream with. */
  evolveDocument(
    document: Document | null,
    event: RecordedEvent,
    documentId: string,
  ): Document | null;
}

/**
 * Erases a typed projection for the engine: each stored event is decoded once and checked to be
 * one of `eventTypes`; events of other types touch no document.
 */
export function defineProjection<
  Document extends JsonDocument<Document>,
  Decoded extends DomainEvent,
  Type extends Decoded['type'],
>(typed: TypedProjection<Document, Decoded, Type>): DefinedProjection<Document> {
  type Event = EventsOfType<Decoded, Type>;
  const handles = handlesEventType(typed);
  const isHandled = (event: Decoded): event is Event => handles(event.type);
  const decoded = new WeakMap<RecordedEvent, Recorded<Event>>();
  function recorded(stored: RecordedEvent): Recorded<Event> {
    let event = decoded.get(stored);
    if (!event) {
      const domainEvent = typed.decode(stored);
      if (!isHandled(domainEvent)) {
        throw new Error(`Projection ${typed.name} does not handle ${stored.type} events`);
      }
      const { type: _type, data: _data, ...envelope } = stored;
      event = { ...envelope, ...domainEvent };
      decoded.set(stored, event);
    }
    return event;
  }
  // The one place where stored JSON becomes a document unchecked: a collection is written only
  // by its projection's `evolve`, at its version, and the version changes with the document shape.
  const document = (body: JsonObject): Document => body as Document;
  const evolveDocument = (current: Document | null, event: RecordedEvent, documentId: string) =>
    typed.evolve(current, recorded(event), documentId);
  return {
    name: typed.name,
    version: typed.version,
    eventTypes: typed.eventTypes,
    ...(typed.indexes ? { indexes: typed.indexes } : {}),
    documentIds: (event) => (handles(event.type) ? typed.documentIds(recorded(event)) : []),
    evolve: (body, event, documentId) => evolveDocument(body && document(body), event, documentId),
    document,
    evolveDocument,
  };
}
