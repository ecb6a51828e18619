import { hostname } from 'node:os';
import { z } from 'zod';
import { masterKeySchema } from './commands/personal-data/master-key.js';
import { isCurrencyCode } from './domain/shared/currency.js';
import { apiKeysSchema, type ApiKey } from './http/api-keys.js';

/** An empty variable counts as unset, so `FOO=` falls back to the default. */
export const emptyAsUnset = (value: unknown) => (value === '' ? undefined : value);
export const envInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A variable holding JSON, checked by `schema` once parsed. */
export function envJson<T extends z.ZodType>(schema: T, expected: string) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be ${expected}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/**
 * The settings a module reads from the environment: a zod schema over the variables it owns
 * (with defaults that work), whose output is what the module is given. Validated at start with
 * the service's own settings, so a bad value stops the service naming the variable.
 */
export interface ModuleSettingsSpec {
  readonly name: string;
  readonly settings?: z.ZodType;
}

/** Every setting the service reads, with a default that works for a first start. */
const envSchema = z.object({
  PORT: z.preprocess(emptyAsUnset, envInt(0, 65535).default(3000)),
  HOST: z.preprocess(emptyAsUnset, z.string().default('0.0.0.0')),
  DATA_DIR: z.preprocess(emptyAsUnset, z.string().default('./data')),
  LOG_LEVEL: z.preprocess(
    emptyAsUnset,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  API_KEYS: z.preprocess(emptyAsUnset, envJson(apiKeysSchema, 'a JSON array of keys').optional()),
  MASTER_KEY: z.preprocess(emptyAsUnset, masterKeySchema.optional()),
  BODY_LIMIT_BYTES: z.preprocess(emptyAsUnset, envInt(1024, 64 * 1024 * 1024).default(1024 * 1024)),
  COMMAND_MAX_ATTEMPTS: z.preprocess(emptyAsUnset, envInt(1, 100).default(10)),
  COMMAND_STATE_CACHE_STREAMS: z.preprocess(emptyAsUnset, envInt(0, 10_000_000).default(10_000)),
  IDEMPOTENCY_WAIT_MS: z.preprocess(emptyAsUnset, envInt(0, 120_000).default(10_000)),
  CONSISTENCY_WAIT_MS: z.preprocess(emptyAsUnset, envInt(0, 60_000).default(3_000)),
  IDEMPOTENCY_LEASE_MS: z.preprocess(emptyAsUnset, envInt(1_000, 3_600_000).default(60_000)),
  EVENTSTORE_URL: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(
        /^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb|kdb\+discover):\/\/\S+$/,
        'must be a connection string like esdb://host:2113?tls=false',
      )
      .optional(),
  ),
  EVENTSTORE_CONNECT_TIMEOUT_MS: z.preprocess(emptyAsUnset, envInt(100, 300_000).default(10_000)),
  EVENTSTORE_HEALTH_INTERVAL_MS: z.preprocess(emptyAsUnset, envInt(50, 300_000).default(5_000)),
  MONGODB_URL: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a connection string like mongodb://host:27017')
      .optional(),
  ),
  MONGODB_DATABASE: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1-63 letters, digits, _ or -')
      .default('backoffice'),
  ),
  MONGODB_CONNECT_TIMEOUT_MS: z.preprocess(emptyAsUnset, envInt(100, 300_000).default(10_000)),
  READ_FRESHNESS_WAIT_MS: z.preprocess(emptyAsUnset, envInt(0, 60_000).default(1_000)),
  BASE_CURRENCY: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .refine(
        (code: string): boolean => isCurrencyCode(code),
        'must be an ISO 4217 currency code with minor units',
      )
      .default('EUR'),
  ),
  INSTANCE_ID: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'must be 1-128 letters, digits or ._:@-')
      .optional(),
  ),
  PROJECTION_BATCH_SIZE: z.preprocess(emptyAsUnset, envInt(1, 10_000).default(500)),
  PROJECTION_LEASE_TTL_MS: z.preprocess(emptyAsUnset, envInt(1_000, 3_600_000).default(10_000)),
  PROJECTION_TICK_MS: z.preprocess(emptyAsUnset, envInt(10, 60_000).default(1_000)),
  PROJECTION_DROP_DELAY_MS: z.preprocess(emptyAsUnset, envInt(0, 86_400_000).default(30_000)),
  READ_MODEL_MAX_LAG_MS: z.preprocess(emptyAsUnset, envInt(0, 3_600_000).default(1_000)),
  READ_MODEL_MAX_LAG_WAIT_MS: z.preprocess(emptyAsUnset, envInt(0, 60_000).default(2_000)),
  METRICS_TOKEN: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[\x21-\x7e]{16,512}$/, 'must be 16-512 printable characters without spaces')
      .optional(),
  ),
  STORE_HEALTH_INTERVAL_MS: z.preprocess(emptyAsUnset, envInt(50, 300_000).default(5_000)),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Undefined when API_KEYS is not set: a bootstrap admin key is used instead. */
  readonly apiKeys: readonly ApiKey[] | undefined;
  /**
   * Wraps every person's data key. Undefined when MASTER_KEY is not set: the embedded service
   * then makes one in DATA_DIR (`resolveMasterKey`). A secret: never log the configuration whole.
   */
  readonly masterKey: Uint8Array | undefined;
  readonly bodyLimitBytes: number;
  readonly commandMaxAttempts: number;
  /** How many streams' folded states commands keep between them (0: none, fold every time). */
  readonly commandStateCacheStreams: number;
  readonly idempotencyWaitMs: number;
  readonly idempotencyLeaseMs: number;
  /** EventStoreDB connection string; unset means the embedded SQLite event store. */
  readonly eventStoreUrl: string | undefined;
  /** How long start-up waits for EventStoreDB to answer before giving up. */
  readonly eventStoreConnectTimeoutMs: number;
  /** How often a remote event store is pinged, so outages and recoveries are logged. */
  readonly eventStoreHealthIntervalMs: number;
  /** How long a query with ?consistentWith= waits before answering 503. */
  readonly consistencyWaitMs: number;
  /** MongoDB connection string for the read models; unset means the embedded SQLite file. */
  readonly mongoUrl: string | undefined;
  readonly mongoDatabase: string;
  readonly mongoConnectTimeoutMs: number;
  /** How long a query without ?consistentWith= waits for its read models to reach the head. */
  readonly readFreshnessWaitMs: number;
  /**
   * Names this instance in projection leases. Stable across restarts by default (host and
   * port), so a restarted instance takes its leases back at once instead of waiting for them
   * to expire.
   */
  readonly instanceId: string;
  /** The currency of the default chart and of the posting accounts' plain codes. */
  readonly baseCurrency: string;
  readonly projectionBatchSize: number;
  /** A projection's lease expires this long after its holder last renewed it. */
  readonly projectionLeaseTtlMs: number;
  /** How often leases are renewed and rebuilds looked after. */
  readonly projectionTickMs: number;
  /** How long a replaced read-model collection is kept for queries already reading it. */
  readonly projectionDropDelayMs: number;
  /** Writes wait while a live read model or reactor is further behind the log; 0 never waits. */
  readonly readModelMaxLagMs: number;
  /** The longest a write waits for that before it goes ahead. */
  readonly readModelMaxLagWaitMs: number;
  /**
   * Bearer token `GET /metrics` requires; undefined: served to loopback clients only. A secret:
   * never log the configuration whole.
   */
  readonly metricsToken: string | undefined;
  /** How often `store_up` pings each store. */
  readonly storeHealthIntervalMs: number;
  /** Each module's own settings, by module name, as its `settings` schema gave them. */
  readonly modules: Readonly<Record<string, unknown>>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  modules: readonly ModuleSettingsSpec[] = [],
): Config {
  const parsed = envSchema.safeParse(env);
  const issues = parsed.success ? [] : [...parsed.error.issues];
  const moduleSettings: Record<string, unknown> = {};
  for (const module of modules) {
    if (!module.settings) continue;
    const result = module.settings.safeParse(env);
    if (result.success) moduleSettings[module.name] = result.data;
    else issues.push(...result.error.issues);
  }
  if (!parsed.success || issues.length > 0) {
    const lines = issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const values = parsed.data;
  return {
    port: values.PORT,
    host: values.HOST,
    dataDir: values.DATA_DIR,
    logLevel: values.LOG_LEVEL,
    apiKeys: values.API_KEYS,
    masterKey: values.MASTER_KEY,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    commandMaxAttempts: values.COMMAND_MAX_ATTEMPTS,
    commandStateCacheStreams: values.COMMAND_STATE_CACHE_STREAMS,
    idempotencyWaitMs: values.IDEMPOTENCY_WAIT_MS,
    idempotencyLeaseMs: values.IDEMPOTENCY_LEASE_MS,
    consistencyWaitMs: values.CONSISTENCY_WAIT_MS,
    eventStoreUrl: values.EVENTSTORE_URL,
    eventStoreConnectTimeoutMs: values.EVENTSTORE_CONNECT_TIMEOUT_MS,
    eventStoreHealthIntervalMs: values.EVENTSTORE_HEALTH_INTERVAL_MS,
    mongoUrl: values.MONGODB_URL,
    mongoDatabase: values.MONGODB_DATABASE,
    mongoConnectTimeoutMs: values.MONGODB_CONNECT_TIMEOUT_MS,
    readFreshnessWaitMs: values.READ_FRESHNESS_WAIT_MS,
    instanceId: values.INSTANCE_ID ?? `${hostname()}:${values.PORT}`,
    baseCurrency: values.BASE_CURRENCY,
    projectionBatchSize: values.PROJECTION_BATCH_SIZE,
    projectionLeaseTtlMs: values.PROJECTION_LEASE_TTL_MS,
    projectionTickMs: values.PROJECTION_TICK_MS,
    projectionDropDelayMs: values.PROJECTION_DROP_DELAY_MS,
    readModelMaxLagMs: values.READ_MODEL_MAX_LAG_MS,
    readModelMaxLagWaitMs: values.READ_MODEL_MAX_LAG_WAIT_MS,
    metricsToken: values.METRICS_TOKEN,
    storeHealthIntervalMs: values.STORE_HEALTH_INTERVAL_MS,
    modules: moduleSettings,
  };
}

/** A connection string fit for logs: any password in it is masked. */
export function redactCredentials(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
