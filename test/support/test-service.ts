import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createProcessMetrics } from '../../src/metrics/service-metrics.js';
import { modules } from '../../src/modules.js';
import { createService, type Service, type ServiceOverrides } from '../../src/service.js';

/** Secrets of the API keys every HTTP test service is configured with. */
export const testKeys = {
  admin: 'test-admin-secret-0001',
  finance: 'test-finance-secret-0001',
  reports: 'test-reports-secret-0001',
  people: 'test-people-secret-0001',
  /** A second people:write key: payroll runs need another key than the drafter's to approve. */
  payrollApprover: 'test-payroll-approver-secret-0001',
  auditor: 'test-auditor-secret-0001',
  logistics: 'test-logistics-secret-0001',
  /** finance:write with the import scope: may give commands a business time of the past. */
  importer: 'test-importer-secret-0001',
} as const;

const API_KEYS = JSON.stringify([
  { id: 'admin-key', secret: testKeys.admin, scopes: ['admin'] },
  { id: 'finance-app', secret: testKeys.finance, scopes: ['finance:write'] },
  { id: 'reporting', secret: testKeys.reports, scopes: ['reports:read'] },
  { id: 'hr-app', secret: testKeys.people, scopes: ['people:write'] },
  { id: 'payroll-approver', secret: testKeys.payrollApprover, scopes: ['people:write'] },
  { id: 'auditor', secret: testKeys.auditor, scopes: ['audit:read'] },
  { id: 'warehouse-app', secret: testKeys.logistics, scopes: ['logistics:write'] },
  { id: 'importer', secret: testKeys.importer, scopes: ['finance:write', 'import'] },
]);

/**
 * The master key of every test service on MongoDB, where MASTER_KEY is required (the keys are
 * shared between instances). Embedded test services make their own in their DATA_DIR.
 */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * The runtime metrics every test service of this file shows: their collectors cannot be
 * stopped, so one per file rather than one per service.
 */
let processMetrics: ReturnType<typeof createProcessMetrics> | undefined;

export interface TestService {
  readonly service: Service;
  readonly dataDir: string;
  readonly request: ReturnType<typeof supertest>;
  /** Auth header for one of the test keys. */
  auth(key?: keyof typeof testKeys): { Authorization: string };
  close(): Promise<void>;
}

/** The real app on a fresh temporary SQLite file, as the composition root wires it. */
export function startTestService(
  env: Record<string, string> = {},
  overrides: ServiceOverrides = {},
): TestService {
  const dataDir = mkdtempSync(join(tmpdir(), 'backoffice-test-'));
  const config = loadConfig(
    {
      DATA_DIR: dataDir,
      API_KEYS,
      LOG_LEVEL: 'silent',
      // An empty chart, so tests see only the accounts they open; the default is tested apart.
      CHART_OF_ACCOUNTS: '[]',
      ...(env.MONGODB_URL ? { MASTER_KEY: TEST_MASTER_KEY } : {}),
      ...env,
    },
    overrides.modules ?? modules,
  );
  processMetrics ??= createProcessMetrics();
  const service = createService(config, createLogger('silent'), { processMetrics, ...overrides });
  return {
    service,
    dataDir,
    request: supertest(service.app),
    auth: (key = 'finance') => ({ Authorization: `Bearer ${testKeys[key]}` }),
    async close() {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
