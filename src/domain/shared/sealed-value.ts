/**
 * The stored form of a personal value: encrypted with its person's key (see
 * `src/commands/personal-data/vault.ts`, which makes and opens them). The domain knows only the
 * shape, so that what reads stored data without a key (the audit trail's change summaries) can
 * tell a sealed value from a record's own fields.
 */
/** A personal value as it is stored in events, read models and idempotency records. */
export interface SealedValue {
  readonly $personal: 1;
  readonly subject: string;
  readonly event: string;
  readonly field: string;
  /** base64url of the 12-byte IV. */
  readonly iv: string;
  /** base64url of the ciphertext followed by the 16-byte tag. */
  readonly data: string;
}

const SEALED_FIELDS = ['$personal', 'subject', 'event', 'field', 'iv', 'data'] as const;

/** Whether `value` has exactly the shape of a SealedValue: how sealed fields are recognised. */
export function isSealedValue(value: unknown): value is SealedValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return (
    Object.keys(record).length === SEALED_FIELDS.length &&
    record.$personal === 1 &&
    SEALED_FIELDS.every((name) => name === '$personal' || typeof record[name] === 'string')
  );
}
