/**
 * Which fields of which events are personal, and how the command pipeline seals them before an
 * event is hashed and appended, and opens them when it reads a stream back to fold it. Modules
 * declare their personal fields beside their event schemas; nothing else in the pipeline knows
 * about personal data.
 *
 * Only the commands' own reads are opened. Projections copy the sealed values into the read
 * models as they are, so a read model holds no plaintext either, and the queries that may show
 * a value open it for the caller (see `openSealedValues`).
 */
import type { EventStore, RecordedEvent } from '../../stores/event-store.js';
import type { JsonObject } from '../../stores/read-model-store.js';
import { ERASED, isSealedValue, type PersonalDataVault } from './vault.js';

/** The personal fields of one event type: whose they are, and where they are in its data. */
export interface PersonalFields {
  /** The data subject (`employee-E1`): one key per subject. */
  readonly subject: (data: Readonly<Record<string, unknown>>) => string;
  /** Dotted paths into the event's data (`changes.name`); absent fields are left alone. */
  readonly fields: readonly string[];
}

/** By event type. */
export type PersonalFieldDeclarations = Readonly<Record<string, PersonalFields>>;

export interface PersonalDataCodec {
  /** The event's data with every declared personal field sealed, bound to the event's id. */
  seal(event: {
    readonly id: string;
    readonly type: string;
    readonly data: Record<string, unknown>;
  }): Promise<Record<string, unknown>>;
  /**
   * The events with their sealed fields opened: each value, or null once its subject has been
   * erased. A field stored in plain text (written before it was declared personal) reads as it
   * was stored.
   */
  open(events: readonly RecordedEvent[]): Promise<RecordedEvent[]>;
}

export function createPersonalDataCodec(
  vault: PersonalDataVault,
  declarations: PersonalFieldDeclarations,
): PersonalDataCodec {
  return {
    async seal(event) {
      const declared = declarations[event.type];
      if (!declared) return event.data;
      const subject = declared.subject(event.data);
      let data = event.data;
      for (const field of declared.fields) {
        const path = field.split('.');
        const value = valueAt(data, path);
        if (value === undefined || value === null || isSealedValue(value)) continue;
        const sealed = await vault.seal(subject, { event: event.id, field }, value);
        data = withValueAt(data, path, sealed);
      }
      return data;
    },

    async open(events) {
      const opened: RecordedEvent[] = [];
      for (const event of events) {
        const declared = declarations[event.type];
        if (!declared) {
          opened.push(event);
          continue;
        }
        let data: Record<string, unknown> = event.data;
        for (const field of declared.fields) {
          const path = field.split('.');
          const value = valueAt(data, path);
          if (!isSealedValue(value)) continue;
          const plain = await vault.open(value);
          data = withValueAt(data, path, plain === ERASED ? null : plain);
        }
        opened.push(data === event.data ? event : { ...event, data: data as JsonObject });
      }
      return opened;
    },
  };
}

/**
 * The event store as the command pipeline reads it: streams come back with their personal
 * fields opened. Appends and the log's reads pass through untouched (the pipeline seals before
 * it hashes, and the projections want the sealed form).
 */
export function openingStreamReads(eventStore: EventStore, codec: PersonalDataCodec): EventStore {
  return new Proxy(eventStore, {
    get(target, property, receiver) {
      if (property !== 'readStream') return Reflect.get(target, property, receiver) as unknown;
      const readStream: EventStore['readStream'] = async (streamId, options) =>
        codec.open(await target.readStream(streamId, options));
      return readStream;
    },
  });
}

/** What a caller who may not read a personal value sees in its place. */
export const REDACTED = Object.freeze({ redacted: true as const });

/**
 * `value` as a caller sees it: every sealed value anywhere in it opened when `mayRead` its
 * subject (null once erased), else replaced by REDACTED.
 */
export async function revealSealedValues(
  vault: PersonalDataVault,
  value: unknown,
  mayRead: (subject: string) => boolean,
): Promise<unknown> {
  if (!holdsSealedValue(value)) return value;
  if (isSealedValue(value)) {
    if (!mayRead(value.subject)) return REDACTED;
    const plain = await vault.open(value);
    return plain === ERASED ? null : plain;
  }
  if (Array.isArray(value)) {
    return Promise.all(value.map((item) => revealSealedValues(vault, item, mayRead)));
  }
  if (value !== null && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(
        async ([key, item]) => [key, await revealSealedValues(vault, item, mayRead)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

function holdsSealedValue(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (isSealedValue(value)) return true;
  return Object.values(value).some(holdsSealedValue);
}

/** Every sealed value anywhere in `value` opened (null once erased): for a caller who may. */
export function openSealedValues(vault: PersonalDataVault, value: unknown): Promise<unknown> {
  return revealSealedValues(vault, value, () => true);
}

function valueAt(data: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A copy of `data` with the value at `path` replaced; the objects on the path are copied too. */
function withValueAt(
  data: Readonly<Record<string, unknown>>,
  path: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) return { ...data };
  if (rest.length === 0) return { ...data, [key]: value };
  return { ...data, [key]: withValueAt(data[key] as Record<string, unknown>, rest, value) };
}
