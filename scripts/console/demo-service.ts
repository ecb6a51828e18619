/**
 * The service with a small business in it, listening on a real port: what the console's browser
 * test and `npm run console:screenshots` look at. Everything is seeded through the HTTP API, as a
 * client would, so the figures the console shows are the ones the API answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { modules } from '../../src/modules.js';
import { createService } from '../../src/service.js';
import { seedDemoBusiness } from './seed.js';

/** One key per kind of console user; the secrets are for this throwaway service only. */
export const demoKeys = {
  admin: 'console-demo-admin-0001',
  finance: 'console-demo-finance-0001',
  reports: 'console-demo-reports-0001',
  people: 'console-demo-people-0001',
  logistics: 'console-demo-logistics-0001',
  auditor: 'console-demo-auditor-0001',
} as const;

const API_KEYS = JSON.stringify([
  { id: 'admin-key', secret: demoKeys.admin, scopes: ['admin'] },
  { id: 'finance-app', secret: demoKeys.finance, scopes: ['finance:write'] },
  { id: 'reporting', secret: demoKeys.reports, scopes: ['reports:read'] },
  { id: 'hr-app', secret: demoKeys.people, scopes: ['people:write'] },
  { id: 'warehouse-app', secret: demoKeys.logistics, scopes: ['logistics:write'] },
  { id: 'auditor', secret: demoKeys.auditor, scopes: ['audit:read'] },
]);

/**
 * Business "now": fixed, so the seeded dates, the aging buckets and the screenshots are the same
 * on every run; it moves on with real time so recorded times still differ and keep their order.
 */
export const DEMO_NOW = '2026-11-23T10:00:00.000Z';

export interface DemoService {
  readonly url: string;
  /** What the seed wrote that a test looks for (ids of records it made). */
  readonly seeded: Awaited<ReturnType<typeof seedDemoBusiness>>;
  close(): Promise<void>;
}

export async function startDemoService(): Promise<DemoService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'backoffice-console-'));
  const config = loadConfig(
    { DATA_DIR: dataDir, API_KEYS, LOG_LEVEL: 'silent', PORT: '0' },
    modules,
  );
  const startedAt = Date.now();
  const base = Date.parse(DEMO_NOW);
  const service = createService(config, createLogger('silent'), {
    clock: () => new Date(base + (Date.now() - startedAt)),
  });
  await service.started;
  const server = createHttpServer(service.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const seeded = await seedDemoBusiness(url, demoKeys);
    return { url, seeded, close };
  } catch (error) {
    await close();
    throw error;
  }
}
