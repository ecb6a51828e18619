import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  loadOrCreateMasterKey,
  MASTER_KEY_FILE,
  MasterKeyError,
  parseMasterKey,
  resolveMasterKey,
} from '../../src/commands/personal-data/master-key.js';
import { ConfigError, loadConfig } from '../../src/config.js';

const bytes = randomBytes(32);
const key = new Uint8Array(bytes);

describe('parseMasterKey', () => {
  it.each([
    ['base64', bytes.toString('base64')],
    ['base64 without padding', bytes.toString('base64').replace(/=+$/, '')],
    ['base64url', bytes.toString('base64url')],
    ['base64url with padding', `${bytes.toString('base64url')}=`],
    ['with surrounding white space', `  ${bytes.toString('base64')}\n`],
  ])('reads %s', (_, text) => {
    expect(parseMasterKey(text)).toEqual(key);
  });

  it.each([
    ['nothing', ''],
    ['text that is not base64', 'this is my secret key, please!'],
    ['31 bytes', randomBytes(31).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['a hex string of 32 bytes', bytes.toString('hex')],
    ['both alphabets at once', `+_${bytes.toString('base64url').slice(2)}`],
    ['a last digit with stray bits', `${bytes.toString('base64url').slice(0, -1)}B`],
  ])('refuses %s, naming MASTER_KEY and not quoting the value', (_, text) => {
    expect(() => parseMasterKey(text)).toThrow(MasterKeyError);
    expect(() => parseMasterKey(text)).toThrow(/^MASTER_KEY must be base64/);
    if (text.length > 8) {
      expect(() => parseMasterKey(text)).not.toThrow(text.trim().slice(0, 8));
    }
  });
});

describe('MASTER_KEY in the configuration', () => {
  it('is optional, and empty counts as unset', () => {
    expect(loadConfig({}).masterKey).toBeUndefined();
    expect(loadConfig({ MASTER_KEY: '' }).masterKey).toBeUndefined();
  });

  it('is decoded when valid', () => {
    expect(loadConfig({ MASTER_KEY: bytes.toString('base64') }).masterKey).toEqual(key);
  });

  it('stops the start naming the variable when invalid', () => {
    const load = () => loadConfig({ MASTER_KEY: 'c2hvcnQ=' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/MASTER_KEY: must be base64/);
    expect(load).not.toThrow('c2hvcnQ');
  });
});

describe('master key in the data directory', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'master-key-')), 'data');
  });

  afterEach(() => {
    rmSync(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('is made on the first start, readable by its owner only, and read by later starts', () => {
    const first = loadOrCreateMasterKey(dataDir);
    expect(first.created).toBe(true);
    expect(first.key).toHaveLength(32);

    const file = join(dataDir, MASTER_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseMasterKey(readFileSync(file, 'utf8'))).toEqual(first.key);
    // The draft it was written under is gone.
    expect(readdirSync(dataDir)).toEqual([MASTER_KEY_FILE]);

    expect(loadOrCreateMasterKey(dataDir)).toEqual({ key: first.key, created: false });
  });

  it('names the file when what it holds is not a master key', () => {
    loadOrCreateMasterKey(dataDir);
    const file = join(dataDir, MASTER_KEY_FILE);
    writeFileSync(file, 'garbage\n');
    expect(() => loadOrCreateMasterKey(dataDir)).toThrow(MasterKeyError);
    expect(() => loadOrCreateMasterKey(dataDir)).toThrow(file);
  });
});

describe('resolveMasterKey', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'master-key-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes MASTER_KEY when set, and makes no file', () => {
    expect(resolveMasterKey({ configured: key, dataDir, generateIfUnset: true })).toEqual({
      key,
      created: false,
    });
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('makes one in the data directory when unset and allowed, then keeps to it', () => {
    const first = resolveMasterKey({ configured: undefined, dataDir, generateIfUnset: true });
    expect(first.created).toBe(true);
    expect(resolveMasterKey({ configured: undefined, dataDir, generateIfUnset: true })).toEqual({
      key: first.key,
      created: false,
    });
    // Setting MASTER_KEY to the kept key later is fine; to another key is refused.
    expect(resolveMasterKey({ configured: first.key, dataDir, generateIfUnset: true }).key).toEqual(
      first.key,
    );
    expect(() => resolveMasterKey({ configured: key, dataDir, generateIfUnset: true })).toThrow(
      /MASTER_KEY is not the master key kept in/,
    );
  });

  it('requires MASTER_KEY where instances share the keys', () => {
    expect(() =>
      resolveMasterKey({ configured: undefined, dataDir, generateIfUnset: false }),
    ).toThrow(/MASTER_KEY must be set/);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
