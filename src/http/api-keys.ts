import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { BootstrapKeyStore, StoredBootstrapKey } from '../stores/bootstrap-key-store.js';

export const scopes = [
  'finance:write',
  'people:write',
  'logistics:write',
  'reports:read',
  'audit:read',
  /** May give commands a business time of the past (`occurredAt`), to import history. */
  'import',
  'admin',
] as const;
export type Scope = (typeof scopes)[number];

/** A caller as the service knows it: only the hash of its secret is ever kept. */
export interface ApiKey {
  readonly id: string;
  readonly secretSha256: string;
  readonly scopes: readonly Scope[];
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const keyId = z.string().regex(/^[A-Za-z0-9._:@-]{1,64}$/, 'id: 1-64 letters, digits or ._:@-');
const scopeList = z.array(z.enum(scopes)).min(1);

/** The `API_KEYS` env var: a JSON array of keys, each with a secret or its SHA-256. */
export const apiKeysSchema = z
  .array(
    z.union([
      z.strictObject({ id: keyId, secret: z.string().min(16), scopes: scopeList }),
      z.strictObject({
        id: keyId,
        secretSha256: z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256'),
        scopes: scopeList,
      }),
    ]),
  )
  .superRefine((keys, ctx) => {
    const seen = new Set<string>();
    for (const [index, key] of keys.entries()) {
      if (seen.has(key.id))
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id ${key.id}` });
      seen.add(key.id);
    }
  })
  .transform((keys): ApiKey[] =>
    keys.map((key) => ({
      id: key.id,
      scopes: key.scopes,
      secretSha256: 'secret' in key ? sha256Hex(key.secret) : key.secretSha256,
    })),
  );

export type Authenticate = (secret: string) => ApiKey | undefined;

export function createAuthenticator(keys: readonly ApiKey[]): Authenticate {
  const hashed = keys.map((key) => ({ key, digest: Buffer.from(key.secretSha256, 'hex') }));
  return (secret) => {
    const digest = createHash('sha256').update(secret, 'utf8').digest();
    // Compare against every key in constant time, so timing tells nothing about which matched.
    let found: ApiKey | undefined;
    for (const candidate of hashed) {
      if (timingSafeEqual(candidate.digest, digest)) found ??= candidate.key;
    }
    return found;
  };
}

export function hasScope(key: ApiKey, accepted: readonly Scope[]): boolean {
  return key.scopes.includes('admin') || accepted.some((scope) => key.scopes.includes(scope));
}

const BOOTSTRAP_FILE = 'bootstrap-admin-key.json';

const storedKeySchema = z.strictObject({
  id: keyId,
  secretSha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const newBootstrapSecret = () => `bok_${randomBytes(24).toString('base64url')}`;
const BOOTSTRAP_ID = 'bootstrap-admin';

function readBootstrapFile(dataDir: string): StoredBootstrapKey | undefined {
  const file = join(dataDir, BOOTSTRAP_FILE);
  if (!existsSync(file)) return undefined;
  return storedKeySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/**
 * With no API_KEYS configured, the first start creates an admin key so the service is usable at
 * once but never open. Only its hash is stored; the secret is returned once for printing.
 */
export function loadOrCreateBootstrapKey(dataDir: string): { key: ApiKey; secret?: string } {
  const stored = readBootstrapFile(dataDir);
  if (stored) return { key: { ...stored, scopes: ['admin'] } };
  mkdirSync(dataDir, { recursive: true });
  const secret = newBootstrapSecret();
  const key: ApiKey = { id: BOOTSTRAP_ID, secretSha256: sha256Hex(secret), scopes: ['admin'] };
  writeFileSync(
    join(dataDir, BOOTSTRAP_FILE),
    JSON.stringify({ id: key.id, secretSha256: key.secretSha256 }) + '\n',
    {
      mode: 0o600,
      flag: 'wx',
    },
  );
  return { key, secret };
}

export interface ApiKeyAuthenticator {
  readonly authenticate: Authenticate;
  /** Resolves once the keys are known; until then every key is refused. */
  readonly ready: Promise<void>;
  /** The bootstrap admin secret, only on the start that created it (once `ready`). */
  generatedAdminKey(): string | undefined;
}

/**
 * Keys from API_KEYS, or else the bootstrap admin key: in `shared` when the instances share a
 * store for it (MongoDB), so every instance accepts the one key the first of them made; else
 * under the data directory. A key an instance had made under its data directory before it was
 * shared becomes the shared one, so upgrading keeps the key callers have.
 */
export function createApiKeyAuthenticator(
  config: { readonly apiKeys: readonly ApiKey[] | undefined; readonly dataDir: string },
  shared?: BootstrapKeyStore,
): ApiKeyAuthenticator {
  if (config.apiKeys !== undefined) {
    return {
      authenticate: createAuthenticator(config.apiKeys),
      ready: Promise.resolve(),
      generatedAdminKey: () => undefined,
    };
  }
  if (!shared) {
    const { key, secret } = loadOrCreateBootstrapKey(config.dataDir);
    return {
      authenticate: createAuthenticator([key]),
      ready: Promise.resolve(),
      generatedAdminKey: () => secret,
    };
  }
  let authenticate: Authenticate = () => undefined;
  let generated: string | undefined;
  const local = readBootstrapFile(config.dataDir);
  const secret = local ? undefined : newBootstrapSecret();
  const candidate = local ?? { id: BOOTSTRAP_ID, secretSha256: sha256Hex(secret!) };
  const ready = shared.loadOrCreate(candidate).then(({ key, created }) => {
    authenticate = createAuthenticator([{ ...key, scopes: ['admin'] }]);
    if (created) generated = secret;
  });
  return {
    authenticate: (token) => authenticate(token),
    ready,
    generatedAdminKey: () => generated,
  };
}
