/**
 * Personal data, encrypted per person so it can be erased from an immutable log
 * (crypto-shredding). Each data subject (`employee-E1`, `customer-C1`) has a random data key of
 * their own; a personal value is stored only sealed with it, in events, read models and
 * idempotency records alike. Erasing the subject destroys the key: every sealed value of theirs
 * becomes unreadable wherever it was copied, while the events keep their bytes, so the log's
 * hash chain (computed over the sealed form) still verifies.
 *
 * Values: AES-256-GCM with a fresh random 12-byte IV per seal and a 16-byte tag. The associated
 * data binds the ciphertext to its subject, event and field, so a sealed value copied to another
 * person, event or field does not open. Random IVs are safe far beyond what one person's data
 * will ever need (the bound is about 2^32 seals per key).
 *
 * Data keys are kept only wrapped by the master key (AES-256-GCM again, the subject as associated
 * data, wrapped = IV ‖ ciphertext ‖ tag), so the key store alone reveals nothing, and a wrapped
 * key moved to another subject does not unwrap.
 */
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { isSealedValue, type SealedValue } from '../../domain/shared/sealed-value.js';
import type { ActiveKey, KeyStore } from '../../stores/key-store.js';
import { MASTER_KEY_BYTES } from './master-key.js';

export { isSealedValue, type SealedValue } from '../../domain/shared/sealed-value.js';

/** What `open` answers for a value whose subject has been erased. */
export const ERASED: unique symbol = Symbol('erased personal data');

export interface PersonalDataVault {
  /**
   * Encrypts the JSON value for the subject, bound to the event id and field name; creates the
   * subject's key on first use. Throws SubjectErasedError for an erased subject.
   */
  seal(
    subject: string,
    binding: { readonly event: string; readonly field: string },
    value: unknown,
  ): Promise<SealedValue>;
  /**
   * The value, or ERASED when the subject's key is destroyed. Throws an UnreadableValueError
   * otherwise: TamperedValueError when the value or its binding was changed,
   * MissingSubjectKeyError when the subject never had a key, WrongMasterKeyError when the key
   * does not unwrap.
   */
  open(sealed: SealedValue): Promise<unknown | typeof ERASED>;
  /** Destroys the subject's key for good (also of a subject that never had one). */
  erase(subject: string): Promise<{ readonly erasedAt: string; readonly alreadyErased: boolean }>;
  status(subject: string): Promise<'none' | 'active' | 'erased'>;
}

export class SubjectErasedError extends Error {
  override readonly name = 'SubjectErasedError';

  constructor(readonly subject: string) {
    super(`The personal data of ${subject} has been erased; nothing more can be stored for them`);
  }
}

/** A sealed value that cannot be read, though its subject is not erased: never to be ignored. */
export class UnreadableValueError extends Error {
  constructor(
    readonly subject: string,
    message: string,
  ) {
    super(message);
  }
}

export class TamperedValueError extends UnreadableValueError {
  override readonly name = 'TamperedValueError';

  constructor(subject: string, detail: string) {
    super(subject, `A sealed value of ${subject} does not open: ${detail}`);
  }
}

/** The log holds a value for a subject the key store has no record of (a wrong or lost store). */
export class MissingSubjectKeyError extends UnreadableValueError {
  override readonly name = 'MissingSubjectKeyError';

  constructor(subject: string) {
    super(subject, `The key store has no key for ${subject}, whose sealed value was asked for`);
  }
}

export class WrongMasterKeyError extends UnreadableValueError {
  override readonly name = 'WrongMasterKeyError';

  constructor(subject: string) {
    super(
      subject,
      `The data key of ${subject} does not unwrap: the master key is not the one it was ` +
        'wrapped with (or the stored key was altered)',
    );
  }
}

const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_BYTES = IV_BYTES + DATA_KEY_BYTES + TAG_BYTES;
const CIPHER = 'aes-256-gcm';
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

// Versioned labels keep the two uses of AES-GCM apart and leave room for a new format. JSON
// arrays of strings encode the parts unambiguously (no separator can be forged into a part).
const valueAad = (subject: string, event: string, field: string) =>
  Buffer.from(JSON.stringify(['personal-value/v1', subject, event, field]), 'utf8');
const keyAad = (subject: string) =>
  Buffer.from(JSON.stringify(['personal-data-key/v1', subject]), 'utf8');

function encrypt(key: KeyObject, plaintext: Buffer, aad: Buffer): { iv: Buffer; sealed: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, sealed };
}

/** The plaintext, or undefined when the tag does not verify. */
function decrypt(key: KeyObject, iv: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}

/**
 * Subjects, events and fields must be non-empty and well-formed: a lone surrogate has no UTF-8
 * form, so a store would keep another name than the one asked for (and two subjects could share
 * one key).
 */
function checkName(name: 'subject' | 'event' | 'field', value: string): void {
  if (typeof value !== 'string' || value === '' || LONE_SURROGATE.test(value)) {
    throw new TypeError(`A personal value needs a non-empty, well-formed ${name}`);
  }
}

/** Strict base64url: anything that does not re-encode to the same text was altered. */
function fromBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

type CacheEntry =
  | { readonly state: 'active'; readonly key: KeyObject; readonly expiresAt: number }
  | { readonly state: 'erased' };

export const DEFAULT_KEY_CACHE_TTL_MS = 30_000;
export const DEFAULT_KEY_CACHE_SIZE = 1_000;

export function createPersonalDataVault(deps: {
  readonly keys: KeyStore;
  /** 32 bytes; copied, so the caller may wipe its array afterwards. */
  readonly masterKey: Uint8Array;
  /** Stamps keys and erasures, and times cached keys. */
  readonly clock: () => Date;
  /** How long an unwrapped key is kept in memory; 0 keeps none. */
  readonly cacheTtlMs?: number;
  /** How many subjects are kept, least recently used first out; 0 keeps none. */
  readonly cacheSize?: number;
}): PersonalDataVault {
  const { keys, clock } = deps;
  if (deps.masterKey.length !== MASTER_KEY_BYTES) {
    throw new RangeError(`The master key must be ${MASTER_KEY_BYTES} bytes`);
  }
  // A KeyObject keeps its own copy, outside the JS heap; no other copy is left behind.
  const masterCopy = Buffer.from(deps.masterKey);
  const masterKey = createSecretKey(masterCopy);
  masterCopy.fill(0);
  const ttlMs = deps.cacheTtlMs ?? DEFAULT_KEY_CACHE_TTL_MS;
  const maxEntries = deps.cacheSize ?? DEFAULT_KEY_CACHE_SIZE;

  /**
   * Unwrapped keys by subject, most recently used last. Another instance may erase a subject
   * meanwhile: this one goes on opening (and sealing) that subject's values with its cached key
   * for up to `ttlMs` after the erasure, until the entry expires and the store answers the
   * tombstone. An erasure through this vault drops the entry at once. An erased entry never
   * expires: an erasure is final.
   */
  const cache = new Map<string, CacheEntry>();
  /** Bumped around every erasure: a lookup that overlapped one does not fill the cache. */
  let erasures = 0;

  function cached(subject: string): CacheEntry | undefined {
    const entry = cache.get(subject);
    if (entry === undefined) return undefined;
    cache.delete(subject);
    if (entry.state === 'active' && entry.expiresAt <= clock().getTime()) return undefined;
    cache.set(subject, entry);
    return entry;
  }

  function remember(subject: string, entry: CacheEntry): void {
    if (maxEntries <= 0 || (entry.state === 'active' && ttlMs <= 0)) return;
    cache.delete(subject);
    cache.set(subject, entry);
    for (const oldest of cache.keys()) {
      if (cache.size <= maxEntries) break;
      cache.delete(oldest);
    }
  }

  function wrap(subject: string, dataKey: Buffer): Uint8Array {
    const { iv, sealed } = encrypt(masterKey, dataKey, keyAad(subject));
    return new Uint8Array(Buffer.concat([iv, sealed]));
  }

  /** Bound to the subject asked for: a key the store answers for another one does not unwrap. */
  function unwrap(subject: string, stored: ActiveKey): KeyObject {
    const wrapped = Buffer.from(stored.wrapped);
    if (wrapped.length !== WRAPPED_BYTES) throw new WrongMasterKeyError(subject);
    const iv = wrapped.subarray(0, IV_BYTES);
    const dataKey = decrypt(masterKey, iv, wrapped.subarray(IV_BYTES), keyAad(subject));
    if (dataKey === undefined) throw new WrongMasterKeyError(subject);
    const key = createSecretKey(dataKey);
    dataKey.fill(0);
    return key;
  }

  /** The subject's key as the store has it (creating it first if asked), remembered. */
  async function load(subject: string, create: boolean): Promise<CacheEntry | undefined> {
    const erasuresBefore = erasures;
    let stored = await keys.find(subject);
    if (stored === undefined && create) {
      const dataKey = randomBytes(DATA_KEY_BYTES);
      const wrapped = wrap(subject, dataKey);
      dataKey.fill(0);
      // Of racing creators (here or on other instances) one wins: use what was stored.
      stored = await keys.createIfAbsent(subject, wrapped, clock().toISOString());
    }
    if (stored === undefined) return undefined;
    const entry: CacheEntry =
      stored.state === 'erased'
        ? { state: 'erased' }
        : { state: 'active', key: unwrap(subject, stored), expiresAt: clock().getTime() + ttlMs };
    if (erasures === erasuresBefore) remember(subject, entry);
    return entry;
  }

  const keyOf = async (subject: string, create: boolean) =>
    cached(subject) ?? (await load(subject, create));

  return {
    async seal(subject, binding, value) {
      const { event, field } = binding;
      checkName('subject', subject);
      checkName('event', event);
      checkName('field', field);
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) throw new TypeError('Only a JSON value can be sealed');
      const entry = await keyOf(subject, true);
      if (entry?.state !== 'active') throw new SubjectErasedError(subject);
      const { iv, sealed } = encrypt(
        entry.key,
        Buffer.from(json, 'utf8'),
        valueAad(subject, event, field),
      );
      return {
        $personal: 1,
        subject,
        event,
        field,
        iv: iv.toString('base64url'),
        data: sealed.toString('base64url'),
      };
    },

    async open(sealed) {
      // Not something the vault made: a mistake of the caller's, not of the data's.
      if (!isSealedValue(sealed)) throw new TypeError('Only a sealed value can be opened');
      const { subject, event, field } = sealed;
      checkName('subject', subject);
      const iv = fromBase64url(sealed.iv);
      const data = fromBase64url(sealed.data);
      if (iv?.length !== IV_BYTES || data === undefined || data.length < TAG_BYTES) {
        throw new TamperedValueError(subject, 'its IV or data is malformed');
      }
      const entry = await keyOf(subject, false);
      if (entry === undefined) throw new MissingSubjectKeyError(subject);
      if (entry.state === 'erased') return ERASED;
      const plaintext = decrypt(entry.key, iv, data, valueAad(subject, event, field));
      if (plaintext === undefined) {
        throw new TamperedValueError(subject, 'it was altered, or moved to another event or field');
      }
      return JSON.parse(plaintext.toString('utf8')) as unknown;
    },

    async erase(subject) {
      checkName('subject', subject);
      erasures += 1;
      cache.delete(subject);
      try {
        const before = await keys.find(subject);
        const erasedAt = clock().toISOString();
        const tombstone = await keys.destroy(subject, erasedAt);
        remember(subject, { state: 'erased' });
        return {
          erasedAt: tombstone.erasedAt,
          // A tombstone with another time was left by an erasure elsewhere, racing this one.
          alreadyErased: before?.state === 'erased' || tombstone.erasedAt !== erasedAt,
        };
      } finally {
        erasures += 1;
      }
    },

    async status(subject) {
      checkName('subject', subject);
      if (cache.get(subject)?.state === 'erased') return 'erased';
      return (await keys.find(subject))?.state ?? 'none';
    },
  };
}
