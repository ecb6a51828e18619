import { hostname } from 'node:os';
import { z } from 'zod';
import { ACCOUNT_CODE } from './domain/ledger/account.js';
import { accountTypes } from './domain/ledger/events.js';
import { isCurrencyCode } from './domain/shared/currency.js';
import { apiKeysSchema, type ApiKey } from './http/api-keys.js';

const emptyAsUnset = (value: unknown) => (value === '' ? undefined : value);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const accountCodeSchema = z.string().regex(ACCOUNT_CODE, 'must be an account code like 12000');

const chartSchema = z.array(
  z.strictObject({
    code: accountCodeSchema,
    name: z.string().trim().min(1).max(200),
    type: z.enum(accountTypes),
    currency: z
      .string()
      .refine((code: string): boolean => isCurrencyCode(code), 'must be an ISO 4217 currency code'),
  }),
);

export type ChartOfAccounts = z.infer<typeof chartSchema>;

/**
 * Opened on first start (and any missing account on later starts): what receivables, payroll
 * and stock postings book to. Five-digit codes, so they do not take the short codes a company
 * may want for its own accounts.
 */
export function defaultChartOfAccounts(currency: string): ChartOfAccounts {
  const account = (code: string, name: string, type: ChartOfAccounts[number]['type']) => ({
    code,
    name,
    type,
    currency,
  });
  return [
    account('10000', 'Cash at bank', 'asset'),
    account('12000', 'Accounts receivable', 'asset'),
    account('13000', 'Inventory', 'asset'),
    account('21000', 'Payroll liabilities', 'liability'),
    account('40000', 'Sales revenue', 'revenue'),
    account('50000', 'Cost of goods sold', 'expense'),
    account('60000', 'Salaries and wages', 'expense'),
  ];
}

/** Every setting the service reads, with a default that works for a first start. */
const envSchema = z.object({
  PORT: z.preprocess(emptyAsUnset, int(0, 65535).default(3000)),
  HOST: z.preprocess(emptyAsUnset, z.string().default('0.0.0.0')),
  DATA_DIR: z.preprocess(emptyAsUnset, z.string().default('./data')),
  LOG_LEVEL: z.preprocess(
    emptyAsUnset,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  API_KEYS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON array of keys' });
          return z.NEVER;
        }
      })
      .pipe(apiKeysSchema)
      .optional(),
  ),
  BODY_LIMIT_BYTES: z.preprocess(emptyAsUnset, int(1024, 64 * 1024 * 1024).default(1024 * 1024)),
  COMMAND_MAX_ATTEMPTS: z.preprocess(emptyAsUnset, int(1, 100).default(10)),
  IDEMPOTENCY_WAIT_MS: z.preprocess(emptyAsUnset, int(0, 120_000).default(10_000)),
  CONSISTENCY_WAIT_MS: z.preprocess(emptyAsUnset, int(0, 60_000).default(3_000)),
  IDEMPOTENCY_LEASE_MS: z.preprocess(emptyAsUnset, int(1_000, 3_600_000).default(60_000)),
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
  EVENTSTORE_CONNECT_TIMEOUT_MS: z.preprocess(emptyAsUnset, int(100, 300_000).default(10_000)),
  EVENTSTORE_HEALTH_INTERVAL_MS: z.preprocess(emptyAsUnset, int(50, 300_000).default(5_000)),
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
  MONGODB_CONNECT_TIMEOUT_MS: z.preprocess(emptyAsUnset, int(100, 300_000).default(10_000)),
  READ_FRESHNESS_WAIT_MS: z.preprocess(emptyAsUnset, int(0, 60_000).default(1_000)),
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
  CHART_OF_ACCOUNTS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON array of accounts' });
          return z.NEVER;
        }
      })
      .pipe(chartSchema)
      .optional(),
  ),
  RECEIVABLE_ACCOUNT: z.preprocess(emptyAsUnset, accountCodeSchema.default('12000')),
  CASH_ACCOUNT: z.preprocess(emptyAsUnset, accountCodeSchema.default('10000')),
  INSTANCE_ID: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[A-Za-z0-9._:@-]{1,128}$/, 'must be 1-128 letters, digits or ._:@-')
      .optional(),
  ),
  PROJECTION_BATCH_SIZE: z.preprocess(emptyAsUnset, int(1, 10_000).default(500)),
  PROJECTION_LEASE_TTL_MS: z.preprocess(emptyAsUnset, int(1_000, 3_600_000).default(10_000)),
  PROJECTION_TICK_MS: z.preprocess(emptyAsUnset, int(10, 60_000).default(1_000)),
  PROJECTION_DROP_DELAY_MS: z.preprocess(emptyAsUnset, int(0, 86_400_000).default(30_000)),
  AUDIT_CHECKPOINT_EVERY: z.preprocess(emptyAsUnset, int(100, 10_000_000).default(10_000)),
  AUDIT_RECHECK_SEGMENTS: z.preprocess(emptyAsUnset, int(0, 1_000).default(1)),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Undefined when API_KEYS is not set: a bootstrap admin key is used instead. */
  readonly apiKeys: readonly ApiKey[] | undefined;
  readonly bodyLimitBytes: number;
  readonly commandMaxAttempts: number;
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
  /** The currency of the default chart and of the receivables posting accounts' plain codes. */
  readonly baseCurrency: string;
  readonly chartOfAccounts: ChartOfAccounts;
  /**
   * Where receivables post: in the base currency these codes, in another currency XXX the
   * accounts `<code>-XXX` (which must be opened before invoicing in XXX).
   */
  readonly receivableAccount: string;
  readonly cashAccount: string;
  readonly projectionBatchSize: number;
  /** A projection's lease expires this long after its holder last renewed it. */
  readonly projectionLeaseTtlMs: number;
  /** How often leases are renewed and rebuilds looked after. */
  readonly projectionTickMs: number;
  /** How long a replaced read-model collection is kept for queries already reading it. */
  readonly projectionDropDelayMs: number;
  /** A verification saves a digest checkpoint every this many events of the log. */
  readonly auditCheckpointEvery: number;
  /** Old segments an incremental verification re-reads, least recently re-checked first. */
  readonly auditRecheckSegments: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const values = parsed.data;
  return {
    port: values.PORT,
    host: values.HOST,
    dataDir: values.DATA_DIR,
    logLevel: values.LOG_LEVEL,
    apiKeys: values.API_KEYS,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    commandMaxAttempts: values.COMMAND_MAX_ATTEMPTS,
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
    chartOfAccounts: values.CHART_OF_ACCOUNTS ?? defaultChartOfAccounts(values.BASE_CURRENCY),
    receivableAccount: values.RECEIVABLE_ACCOUNT,
    cashAccount: values.CASH_ACCOUNT,
    projectionBatchSize: values.PROJECTION_BATCH_SIZE,
    projectionLeaseTtlMs: values.PROJECTION_LEASE_TTL_MS,
    projectionTickMs: values.PROJECTION_TICK_MS,
    projectionDropDelayMs: values.PROJECTION_DROP_DELAY_MS,
    auditCheckpointEvery: values.AUDIT_CHECKPOINT_EVERY,
    auditRecheckSegments: values.AUDIT_RECHECK_SEGMENTS,
  };
}

/** A connection string fit for logs: any password in it is masked. */
export function redactCredentials(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
