import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';

/** Generates ids; passed in so tests and replays can be deterministic. */
export interface IdGenerator {
  /** A fresh random UUID. */
  random(): string;
  /** A UUID that is always the same for the same parts (UUID v5 over the joined parts). */
  derived(...parts: readonly string[]): string;
}

// A fixed namespace for this service's name-based UUIDs; changing it would change every
// derived id and break idempotent retries across versions.
const NAMESPACE = '3f0c6d1e-9a57-4c1e-8d0b-52a4b7e6c911';

export const uuidGenerator: IdGenerator = {
  random: () => uuidv4(),
  // The unit separator cannot appear in header values or ids, so distinct part lists never
  // join to the same name.
  derived: (...parts) => uuidv5(parts.join('\u001f'), NAMESPACE),
};
