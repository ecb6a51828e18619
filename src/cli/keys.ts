/**
 * `keys create --id <id> --scopes a,b`: a new API key. The secret is printed once and kept
 * nowhere; what the service is given is the API_KEYS entry with its SHA-256, so neither the
 * environment nor a log of it ever holds the secret. Needs no store and no configuration.
 */
import { createHash, randomBytes } from 'node:crypto';
import { apiKeysSchema, scopes } from '../http/api-keys.js';
import type { CliIo } from './io.js';
import { parseOptions } from './options.js';

export const KEYS_USAGE = `Usage:
  npm run cli -- keys create --id <id> --scopes <scope,scope> [--json]

Makes a new API key: prints its secret once, and the entry to add to the API_KEYS array (the
key's id, its scopes and the SHA-256 of the secret; the service keeps only the hash).
  --id      1-64 letters, digits or ._:@-
  --scopes  comma-separated, of: ${scopes.join(', ')}
  --json    print {"secret", "entry"} as one JSON object instead`;

/** The format of the secrets the service makes itself (the bootstrap admin key): bok_ + 192 bits. */
export const newApiSecret = (): string => `bok_${randomBytes(24).toString('base64url')}`;

export async function keysCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(
    args,
    { id: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } },
    KEYS_USAGE,
    io,
  );
  if (parsed === 2) return 2;
  if (parsed.values.help) {
    io.out(KEYS_USAGE);
    return 0;
  }
  const [command, ...extra] = parsed.positionals;
  if (command !== 'create' || extra.length > 0) {
    io.err(KEYS_USAGE);
    return 2;
  }
  const { id, json } = parsed.values;
  if (id === undefined || parsed.values.scopes === undefined) {
    io.err(`keys create needs --id and --scopes.\n\n${KEYS_USAGE}`);
    return 2;
  }
  const secret = newApiSecret();
  const entry = {
    id,
    secretSha256: createHash('sha256').update(secret, 'utf8').digest('hex'),
    scopes: parsed.values.scopes
      .split(',')
      .map((scope) => scope.trim())
      .filter((scope) => scope !== ''),
  };
  const unknown = entry.scopes.filter((scope) => !(scopes as readonly string[]).includes(scope));
  if (unknown.length > 0 || entry.scopes.length === 0) {
    io.err(
      `--scopes: ${unknown.length > 0 ? `no scope ${unknown.join(', ')}` : 'name at least one'}; the scopes are ${scopes.join(', ')}`,
    );
    return 2;
  }
  // The service's own schema of API_KEYS decides what is valid, so an entry printed here is
  // one the service accepts.
  const checked = apiKeysSchema.safeParse([entry]);
  if (!checked.success) {
    // The scopes are known by now: what is left is the id.
    io.err(`--id: ${JSON.stringify(id)} is not 1-64 letters, digits or ._:@-`);
    return 2;
  }
  if (json) {
    io.out(JSON.stringify({ secret, entry }));
    return 0;
  }
  io.out(`secret: ${secret}`);
  io.out('Give it to its caller now: it is not kept anywhere and cannot be shown again.');
  io.out('');
  io.out('Add this entry to the API_KEYS array of the service:');
  io.out(JSON.stringify(entry));
  return 0;
}
