import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPersonalDataVault,
  ERASED,
  isSealedValue,
  MissingSubjectKeyError,
  SubjectErasedError,
  TamperedValueError,
  UnreadableValueError,
  WrongMasterKeyError,
  type PersonalDataVault,
  type SealedValue,
} from '../../src/commands/personal-data/vault.js';
import type { KeyStore } from '../../src/stores/key-store.js';
import { openSqliteKeyStore } from '../../src/stores/sqlite/sqlite-key-store.js';

const TTL_MS = 30_000;
const masterKey = new Uint8Array(randomBytes(32));
const binding = { event: 'evt-1', field: 'email' };

let now: number;
const clock = () => new Date(now);
let keys: KeyStore;
/** How often the vaults asked the store for a key: what the cache saves. */
let finds: number;
/** While set, a find has read the store but answers only once this settles. */
let holdAnswers: Promise<void> | undefined;

function makeVault(
  options: { masterKey?: Uint8Array; cacheSize?: number; cacheTtlMs?: number } = {},
) {
  return createPersonalDataVault({
    keys,
    masterKey: options.masterKey ?? masterKey,
    clock,
    cacheTtlMs: options.cacheTtlMs ?? TTL_MS,
    cacheSize: options.cacheSize,
  });
}

let vault: PersonalDataVault;

beforeEach(() => {
  now = Date.UTC(2026, 0, 1);
  finds = 0;
  holdAnswers = undefined;
  const store = openSqliteKeyStore(':memory:');
  keys = {
    ...store,
    find: async (subject) => {
      finds += 1;
      const found = await store.find(subject);
      await holdAnswers;
      return found;
    },
  };
  vault = makeVault();
});

afterEach(async () => {
  await keys.close();
});

/** The sealed value with one byte (the first, or the last) of its field `name` flipped. */
function flipByte(sealed: SealedValue, name: 'iv' | 'data', at: 'first' | 'last'): SealedValue {
  const bytes = Buffer.from(sealed[name], 'base64url');
  const index = at === 'first' ? 0 : bytes.length - 1;
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return { ...sealed, [name]: bytes.toString('base64url') };
}

describe('personal data vault', () => {
  it.each([
    ['a string', 'alice@example.com'],
    ['an object', { street: 'Main St 1', city: 'Springfield', lines: ['c/o Bob', null] }],
    ['null', null],
    ['a number', 1987],
  ])('gives back %s it sealed', async (_, value) => {
    const sealed = await vault.seal('employee-E1', binding, value);
    expect(await vault.open(sealed)).toEqual(value);
    // A vault started later (a restart, another instance) opens it as well.
    expect(await makeVault().open(sealed)).toEqual(value);
  });

  it('stores nothing of the value in clear, and says whose value and where it is', async () => {
    const sealed = await vault.seal('employee-E1', binding, 'alice@example.com');
    expect(isSealedValue(sealed)).toBe(true);
    expect(sealed).toMatchObject({ $personal: 1, subject: 'employee-E1', ...binding });
    expect(Buffer.from(sealed.iv, 'base64url')).toHaveLength(12);
    expect(JSON.stringify(sealed)).not.toContain('alice');
    // JSON text of the value (19 bytes) plus the 16-byte tag.
    expect(Buffer.from(sealed.data, 'base64url')).toHaveLength(19 + 16);
  });

  it('seals one value differently every time (a fresh IV per seal)', async () => {
    const first = await vault.seal('employee-E1', binding, 'Alice');
    const second = await vault.seal('employee-E1', binding, 'Alice');
    expect(second.iv).not.toBe(first.iv);
    expect(second.data).not.toBe(first.data);
    expect(await vault.open(second)).toBe('Alice');
  });

  describe('refuses a sealed value that was changed', () => {
    let sealed: SealedValue;
    beforeEach(async () => {
      await vault.seal('employee-E2', binding, 'someone else');
      sealed = await vault.seal('employee-E1', binding, 'Alice');
    });

    it.each([
      ['its IV', () => flipByte(sealed, 'iv', 'first')],
      ['its ciphertext', () => flipByte(sealed, 'data', 'first')],
      ['its tag', () => flipByte(sealed, 'data', 'last')],
      ['its data, cut short', () => ({ ...sealed, data: sealed.data.slice(0, 10) })],
      ['its data, with a character added', () => ({ ...sealed, data: `${sealed.data}A` })],
      ['its event', () => ({ ...sealed, event: 'evt-2' })],
      ['its field', () => ({ ...sealed, field: 'name' })],
      ['its subject', () => ({ ...sealed, subject: 'employee-E2' })],
    ])('%s', async (_, tampered) => {
      await expect(vault.open(tampered())).rejects.toThrow(TamperedValueError);
    });

    it('moved to a subject the store has no key for', async () => {
      const moved = vault.open({ ...sealed, subject: 'employee-E404' });
      await expect(moved).rejects.toThrow(MissingSubjectKeyError);
      await expect(moved).rejects.toThrow(UnreadableValueError);
    });
  });

  it('erases a subject: their values answer ERASED and nothing more can be sealed', async () => {
    const sealed = await vault.seal('employee-E1', binding, 'Alice');
    expect(await vault.status('employee-E1')).toBe('active');
    now += 1_000;
    const erasedAt = clock().toISOString();

    expect(await vault.erase('employee-E1')).toEqual({ erasedAt, alreadyErased: false });
    expect(await vault.open(sealed)).toBe(ERASED);
    await expect(vault.seal('employee-E1', binding, 'Alice')).rejects.toThrow(SubjectErasedError);
    expect(await vault.status('employee-E1')).toBe('erased');

    now += 1_000;
    expect(await vault.erase('employee-E1')).toEqual({ erasedAt, alreadyErased: true });
    // Another instance knows it too, and cannot bring a key back.
    const other = makeVault();
    expect(await other.open(sealed)).toBe(ERASED);
    await expect(other.seal('employee-E1', binding, 'Alice')).rejects.toThrow(SubjectErasedError);
  });

  it('erases a subject it never sealed for, so none can be sealed later', async () => {
    expect(await vault.status('customer-C9')).toBe('none');
    expect(await vault.erase('customer-C9')).toMatchObject({ alreadyErased: false });
    expect(await vault.status('customer-C9')).toBe('erased');
    await expect(vault.seal('customer-C9', binding, 'x')).rejects.toThrow(SubjectErasedError);
  });

  it('refuses to open with another master key, and does not call that an erasure', async () => {
    const sealed = await vault.seal('employee-E1', binding, 'Alice');
    const wrong = makeVault({ masterKey: new Uint8Array(randomBytes(32)) });
    await expect(wrong.open(sealed)).rejects.toThrow(WrongMasterKeyError);
    // Nor does it make a key of its own over the one it cannot read.
    await expect(wrong.seal('employee-E1', binding, 'Alice')).rejects.toThrow(WrongMasterKeyError);
    expect(await vault.open(sealed)).toBe('Alice');
  });

  it('answers ERASED at once after an erasure through the same vault, key cached or not', async () => {
    const sealed = await vault.seal('employee-E1', binding, 'Alice');
    expect(await vault.open(sealed)).toBe('Alice');
    await vault.erase('employee-E1');
    expect(await vault.open(sealed)).toBe(ERASED);
  });

  it('does not cache a key read before an erasure through the same vault', async () => {
    const sealed = await makeVault().seal('employee-E1', binding, 'Alice');
    let release = () => {};
    holdAnswers = new Promise((resolve) => (release = resolve));
    // This open reads the key before the erasure, and answers after it.
    const late = vault.open(sealed);
    await new Promise((resolve) => setImmediate(resolve));
    holdAnswers = undefined;
    await vault.erase('employee-E1');
    release();
    expect(await late).toBe('Alice');
    expect(await vault.open(sealed)).toBe(ERASED);
  });

  it('keeps opening for at most the cache TTL after another instance erased the subject', async () => {
    const sealed = await vault.seal('employee-E1', binding, 'Alice');
    const elsewhere = makeVault();
    await elsewhere.erase('employee-E1');
    // The documented window: this vault still holds the key it unwrapped.
    expect(await vault.open(sealed)).toBe('Alice');
    now += TTL_MS;
    expect(await vault.open(sealed)).toBe(ERASED);
  });

  it('asks the store once per TTL for a subject’s key, and as often as asked without a cache', async () => {
    const sealed = await vault.seal('employee-E1', binding, 'Alice');
    finds = 0;
    for (let i = 0; i < 3; i += 1) await vault.open(sealed);
    expect(finds).toBe(0);
    now += TTL_MS;
    await vault.open(sealed);
    await vault.open(sealed);
    expect(finds).toBe(1);

    const uncached = makeVault({ cacheTtlMs: 0 });
    finds = 0;
    for (let i = 0; i < 3; i += 1) await uncached.open(sealed);
    expect(finds).toBe(3);
  });

  it('keeps at most cacheSize keys, dropping the least recently used', async () => {
    const small = makeVault({ cacheSize: 2 });
    const sealed = [];
    for (const subject of ['employee-E1', 'employee-E2', 'employee-E3']) {
      sealed.push(await small.seal(subject, binding, subject));
    }
    finds = 0;
    await small.open(sealed[2]!);
    await small.open(sealed[1]!);
    expect(finds).toBe(0);
    await small.open(sealed[0]!);
    expect(finds).toBe(1);
  });

  it('gives a subject one key when instances seal for them at once', async () => {
    const vaults = [vault, makeVault(), makeVault(), makeVault()];
    const sealed = await Promise.all(
      vaults.map((each, i) => each.seal('employee-E1', binding, `value ${i}`)),
    );
    for (const each of vaults) {
      expect(await Promise.all(sealed.map((value) => each.open(value)))).toEqual(
        vaults.map((_, i) => `value ${i}`),
      );
    }
  });

  it('seals only JSON values, for a named subject, event and field', async () => {
    await expect(vault.seal('employee-E1', binding, undefined)).rejects.toThrow(TypeError);
    await expect(vault.seal('', binding, 'x')).rejects.toThrow(/subject/);
    await expect(vault.seal('employee-E1', { ...binding, event: '' }, 'x')).rejects.toThrow(
      /event/,
    );
    await expect(vault.seal('employee-E1', { ...binding, field: '' }, 'x')).rejects.toThrow(
      /field/,
    );
    // Stored as UTF-8, a lone surrogate would become U+FFFD: two subjects, one key.
    await expect(vault.seal('employee-\uD800', binding, 'x')).rejects.toThrow(/subject/);
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => makeVault({ masterKey: new Uint8Array(16) })).toThrow(RangeError);
  });

  it('gives back any JSON value, for any subject, event and field', async () => {
    const name = fc
      .string({ minLength: 1, maxLength: 40, unit: 'binary' })
      .filter((text) => !/[\uD800-\uDFFF]/u.test(text));
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), name, name, name, async (value, subject, event, field) => {
        const sealed = await vault.seal(subject, { event, field }, value);
        expect(isSealedValue(sealed)).toBe(true);
        expect(await vault.open(sealed)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('isSealedValue', () => {
  const sealed = { $personal: 1, subject: 's', event: 'e', field: 'f', iv: 'i', data: 'd' };

  it('recognises exactly the shape of a sealed value', () => {
    expect(isSealedValue(sealed)).toBe(true);
    expect(isSealedValue({ ...sealed, $personal: 2 })).toBe(false);
    expect(isSealedValue({ ...sealed, extra: 1 })).toBe(false);
    expect(isSealedValue({ ...sealed, data: 7 })).toBe(false);
    const { iv: _iv, ...withoutIv } = sealed;
    expect(isSealedValue(withoutIv)).toBe(false);
    expect(isSealedValue({ ...withoutIv, other: 'x' })).toBe(false);
    expect(isSealedValue(null)).toBe(false);
    expect(isSealedValue([sealed])).toBe(false);
    expect(isSealedValue('sealed')).toBe(false);
  });
});
