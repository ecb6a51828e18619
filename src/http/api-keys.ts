import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const scopes = [
  'finance:write',
  'people:write',
  'logistics:write',
  'reports:read',
  'audit:read',
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

/**
 * With no API_KEYS configured, the first start creates an admin key so the service is usable at
 * once but never open. Only its hash is stored; the secret is returned once for printing.
 */
export function loadOrCreateBootstrapKey(dataDir: string): { key: ApiKey; secret?: string } {
  const file = join(dataDir, BOOTSTRAP_FILE);
  if (existsSync(file)) {
    const stored = z
      .strictObject({ id: keyId, secretSha256: z.string().regex(/^[0-9a-f]{64}$/) })
      .parse(JSON.parse(readFileSync(file, 'utf8')));
    return { key: { ...stored, scopes: ['admin'] } };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = `bok_${randomBytes(24).toString('base64url')}`;
  const key: ApiKey = { id: 'bootstrap-admin', secretSha256: sha256Hex(secret), scopes: ['admin'] };
  writeFileSync(file, JSON.stringify({ id: key.id, secretSha256: key.secretSha256 }) + '\n', {
    mode: 0o600,
    flag: 'wx',
  });
  return { key, secret };
}

/** Keys from API_KEYS, or else the bootstrap admin key kept under the data directory. */
export function createApiKeyAuthenticator(config: {
  readonly apiKeys: readonly ApiKey[] | undefined;
  readonly dataDir: string;
}): { authenticate: Authenticate; generatedAdminKey?: string } {
  if (config.apiKeys !== undefined) return { authenticate: createAuthenticator(config.apiKeys) };
  const { key, secret } = loadOrCreateBootstrapKey(config.dataDir);
  return { authenticate: createAuthenticator([key]), generatedAdminKey: secret };
}
