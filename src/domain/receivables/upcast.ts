/**
 * The receivables events as the log holds them, at each schema version, and the upcaster that
 * reads every version as the current stored shape. Readers of the stored log (the projections,
 * the erasure's check of a customer's history) go through here; the commands read streams with
 * the personal fields already opened, where both versions decode with `receivablesEventSchemas`.
 *
 * Versions (`metadata.schemaVersion`, per event type, see `receivablesSchemaVersions`):
 *
 * - 1: every event type as first written. The customer events hold name, email and billing
 *   address in plain text.
 * - 2: `CustomerRegistered` and `CustomerDetailsChanged` hold those fields only sealed with the
 *   customer's key (a `SealedValue`); plain text in a version 2 event is a broken log, refused.
 *
 * Upcasting version 1 to the current shape keeps the plain values as they were: a stored
 * personal field is "sealed, or the plain value version 1 wrote". Nothing is rewritten: events
 * are immutable and their hash chain covers the bytes as stored, so an old event reads as it
 * was written, for good. That is also why a customer with version 1 events cannot be erased
 * (`PersonalDataInPlainText`): no key holds that plain text, so none can shred it.
 */
import { z } from 'zod';
import { decodeEventOf, type EventsOf } from '../shared/event-schemas.js';
import { isSealedValue, type SealedValue } from '../shared/sealed-value.js';
import { customerPersonalFields, receivablesEventSchemas } from './events.js';

const sealed = z.custom<SealedValue>(isSealedValue, 'must be a sealed personal value');
const { CustomerRegistered, CustomerDetailsChanged } = receivablesEventSchemas;
const changes = CustomerDetailsChanged.shape.changes;

/** Version 2 of the customer events: personal fields sealed, nothing else. */
const customerEventsV2 = {
  CustomerRegistered: CustomerRegistered.extend({
    name: sealed,
    email: sealed,
    billingAddress: sealed,
  }),
  CustomerDetailsChanged: CustomerDetailsChanged.extend({
    changes: changes.extend({
      name: sealed.optional(),
      email: sealed.optional(),
      billingAddress: sealed.optional(),
    }),
  }),
};

const address = CustomerRegistered.shape.billingAddress.unwrap();

/** Version 1 of the customer events: the fields in plain text, as the old code wrote them. */
const customerEventsV1 = {
  CustomerRegistered: CustomerRegistered.extend({
    name: z.string(),
    email: z.string(),
    billingAddress: address,
  }),
  CustomerDetailsChanged: CustomerDetailsChanged.extend({
    changes: changes.extend({
      name: z.string().optional(),
      email: z.string().optional(),
      billingAddress: address.optional(),
    }),
  }),
};

/** A personal field as stored: sealed (version 2), or in plain text (version 1). */
const stored = <T extends z.ZodType>(plain: T) => z.union([sealed, plain]);

/** The current stored shape, which every version upcasts to. */
export const storedReceivablesEventSchemas = {
  ...receivablesEventSchemas,
  CustomerRegistered: CustomerRegistered.extend({
    name: stored(z.string()),
    email: stored(z.string()),
    billingAddress: stored(address),
  }),
  CustomerDetailsChanged: CustomerDetailsChanged.extend({
    changes: changes.extend({
      name: stored(z.string()).optional(),
      email: stored(z.string()).optional(),
      billingAddress: stored(address).optional(),
    }),
  }),
};

export type StoredReceivablesEvent = EventsOf<typeof storedReceivablesEventSchemas>;

/** What the upcaster needs of a stored event; the store's record has more. */
export interface StoredEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly streamId?: string;
}

/** The schema version an event was written at: 1 when its metadata names none. */
export function schemaVersionOf(event: Pick<StoredEvent, 'metadata'>): number {
  const version = event.metadata?.schemaVersion;
  return typeof version === 'number' ? version : 1;
}

type CustomerPersonalType = keyof typeof customerPersonalFields;

function isCustomerPersonalType(type: string): type is CustomerPersonalType {
  return Object.hasOwn(customerPersonalFields, type);
}

/**
 * A stored receivables event validated against the schema of its type and version, in the
 * current stored shape. A version this code does not know (written by a newer release) is
 * refused rather than guessed at.
 */
export function upcastReceivablesEvent(event: StoredEvent): StoredReceivablesEvent {
  if (!isCustomerPersonalType(event.type)) {
    if (schemaVersionOf(event) !== 1) throw unknownVersion(event);
    return decodeEventOf(storedReceivablesEventSchemas, event);
  }
  const version = schemaVersionOf(event);
  if (version === 1) {
    // The plain values are what version 1 wrote; they fit the stored shape as they are.
    return decodeEventOf(customerEventsV1, event);
  }
  if (version === 2) return decodeEventOf(customerEventsV2, event);
  throw unknownVersion(event);
}

function unknownVersion(event: StoredEvent): Error {
  const where = event.streamId === undefined ? '' : ` in ${event.streamId}`;
  return new Error(
    `${event.type}${where} is at schema version ${schemaVersionOf(event)}, which this code cannot read`,
  );
}

/**
 * The customer's personal fields this stored event holds in plain text (dotted paths), empty
 * for sealed ones and for events without personal data. Read off the data itself, not only the
 * version, so that no plain value goes unnoticed whatever wrote it.
 */
export function plaintextPersonalFields(event: StoredEvent): string[] {
  if (!isCustomerPersonalType(event.type)) return [];
  return customerPersonalFields[event.type].filter((field) => {
    const value = valueAt(event.data, field.split('.'));
    return value !== undefined && value !== null && !isSealedValue(value);
  });
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
