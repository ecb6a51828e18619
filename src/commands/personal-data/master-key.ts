/**
 * The master key, which wraps every data subject's key (vault.ts): from MASTER_KEY, or, in the
 * embedded deployment, generated on the first start and kept in DATA_DIR/master-key.
 *
 * Losing it loses every personal value in the log, as surely as erasing every person would; so
 * a generated one must be backed up (the service says so when it makes one), apart from the data:
 * a backup holding the key store, the log and the master key together would let an erased
 * person's data be read again from it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const MASTER_KEY_FILE = 'master-key';
export const MASTER_KEY_BYTES = 32;

export class MasterKeyError extends Error {
  override readonly name = 'MasterKeyError';
}

const EXPECTED = `base64 or base64url of exactly ${MASTER_KEY_BYTES} bytes (e.g. \`openssl rand -base64 32\`)`;

/** What is wrong with the text as a master key, or the key. Never quotes the text: it is a secret. */
function decode(text: string): { key: Uint8Array } | { problem: string } {
  const trimmed = text.trim();
  const standard = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed);
  const urlSafe = /^[A-Za-z0-9_-]+={0,2}$/.test(trimmed);
  if (!standard && !urlSafe) return { problem: `must be ${EXPECTED}; it is not base64` };
  const digits = trimmed.replace(/=+$/, '');
  const bytes = Buffer.from(digits, standard ? 'base64' : 'base64url');
  if (bytes.length !== MASTER_KEY_BYTES) {
    return { problem: `must be ${EXPECTED}; it holds ${bytes.length} bytes` };
  }
  // Stray bits in the last digit mean the text was cut or altered.
  if (bytes.toString(standard ? 'base64' : 'base64url').replace(/=+$/, '') !== digits) {
    return { problem: `must be ${EXPECTED}; its last character is not one base64 can end with` };
  }
  return { key: new Uint8Array(bytes) };
}

/** A master key's text, as in MASTER_KEY; an error naming `source` (no value) otherwise. */
export function parseMasterKey(text: string, source = 'MASTER_KEY'): Uint8Array {
  const decoded = decode(text);
  if ('problem' in decoded) throw new MasterKeyError(`${source} ${decoded.problem}`);
  return decoded.key;
}

/** MASTER_KEY for the configuration's schema: the text, checked and decoded. */
export const masterKeySchema = z.string().transform((text, ctx) => {
  const decoded = decode(text);
  if ('key' in decoded) return decoded.key;
  ctx.addIssue({ code: 'custom', message: decoded.problem });
  return z.NEVER;
});

function readKeyFile(file: string): Uint8Array | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseMasterKey(text, file);
}

/**
 * The master key kept in `dataDir`, made and kept there first if there is none. `created` tells
 * the start that made it, which should warn that it must be backed up.
 *
 * The file (mode 0600) appears whole or not at all: the key is written and synced under a name
 * of its own, then linked to `master-key`, which fails if the name exists. So of two processes
 * starting at once one makes the key and the other reads it; neither can replace a key that
 * may already protect data.
 */
export function loadOrCreateMasterKey(dataDir: string): {
  readonly key: Uint8Array;
  readonly created: boolean;
} {
  const file = join(dataDir, MASTER_KEY_FILE);
  const existing = readKeyFile(file);
  if (existing) return { key: existing, created: false };

  mkdirSync(dataDir, { recursive: true });
  const key = new Uint8Array(randomBytes(MASTER_KEY_BYTES));
  const draft = join(dataDir, `.${MASTER_KEY_FILE}.${randomUUID()}.tmp`);
  const fd = openSync(draft, 'wx', 0o600);
  try {
    writeSync(fd, `${Buffer.from(key).toString('base64url')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = readKeyFile(file);
    if (!theirs) throw error;
    return { key: theirs, created: false };
  } finally {
    unlinkSync(draft);
  }
  syncDirectory(dataDir);
  return { key, created: true };
}

/** So the new name survives a power loss; not every platform lets a directory be synced. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort: the file itself is synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The master key the service runs with: MASTER_KEY (`configured`) when set; else, when
 * `generateIfUnset` (the keys are kept in DATA_DIR, one instance), the one in DATA_DIR, made on
 * the first start. Instances that share a key store must share the master key too, so without
 * `generateIfUnset` an unset MASTER_KEY is an error. A MASTER_KEY other than the one this data
 * directory already has is refused: the keys wrapped with that one would no longer open.
 */
export function resolveMasterKey(options: {
  readonly configured: Uint8Array | undefined;
  readonly dataDir: string;
  readonly generateIfUnset: boolean;
}): { readonly key: Uint8Array; readonly created: boolean } {
  const file = join(options.dataDir, MASTER_KEY_FILE);
  if (options.configured !== undefined) {
    const kept = readKeyFile(file);
    if (kept && !Buffer.from(kept).equals(Buffer.from(options.configured))) {
      throw new MasterKeyError(
        `MASTER_KEY is not the master key kept in ${file}, which the stored personal data keys ` +
          'are wrapped with; set MASTER_KEY to that one (or remove the file if it protects nothing)',
      );
    }
    return { key: options.configured, created: false };
  }
  if (!options.generateIfUnset) {
    throw new MasterKeyError(
      `MASTER_KEY must be set when the personal data keys are shared between instances ` +
        `(MONGODB_URL): every instance needs the same one. Make one with \`openssl rand -base64 32\``,
    );
  }
  return loadOrCreateMasterKey(options.dataDir);
}
