/**
 * `seed-demo [--year YYYY]`: a year of a small company through the command pipeline, as its
 * systems would send it: every step is an HTTP request to the service's own app, started
 * in-process on this DATA_DIR and configuration, each with the Idempotency-Key
 * `seed-demo:<year>:<step>`. A second run is answered from the idempotency records and writes
 * nothing.
 *
 * It writes, so it takes the DATA_DIR lock as the service does: while a service runs on the same
 * DATA_DIR it stops with a clear message instead (stop the service, seed, start it again). It
 * sends with keys of its own (seed-finance, seed-hr, seed-payroll-approver, seed-warehouse,
 * made afresh each run and known to this process only), which the audit trail names as actors.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import { loadConfig } from '../config.js';
import { modules } from '../modules.js';
import { createService, type Service } from '../service.js';
import { DataDirInUseError } from '../stores/sqlite/data-dir-lock.js';
import { demoCompanyPlan, type SeedActor } from './demo-company.js';
import type { CliIo } from './io.js';
import { newApiSecret } from './keys.js';
import { parseOptions } from './options.js';
import { startProgress } from './progress.js';
import { cliLogger, configOrExit, failed, type Env } from './service-stores.js';

export const SEED_USAGE = `Usage:
  npm run cli -- seed-demo [--year YYYY]

Records a year of a small company through the service's commands: tax codes, 10 customers,
100 invoices with payments and two credit notes, 5 employees with monthly payroll runs (drafted,
approved by a second key, paid), items, stock receipts and shipments packed, dispatched and
delivered. The year is the previous calendar year unless --year says otherwise.
Every step carries the Idempotency-Key seed-demo:<year>:<step>: running it again writes nothing.
It opens the stores for writing: stop a service running on the same DATA_DIR first.`;

const SEED_KEYS: Record<SeedActor | 'reports', { id: string; scopes: string[] }> = {
  finance: { id: 'seed-finance', scopes: ['finance:write'] },
  hr: { id: 'seed-hr', scopes: ['people:write'] },
  approver: { id: 'seed-payroll-approver', scopes: ['people:write'] },
  warehouse: { id: 'seed-warehouse', scopes: ['logistics:write'] },
  reports: { id: 'seed-reports', scopes: ['reports:read'] },
};

export interface SeedDemoDeps {
  /** The clock the service runs on, and the default year is the one before. */
  readonly clock?: () => Date;
}

export async function seedDemoCommand(
  args: readonly string[],
  env: Env,
  io: CliIo,
  deps: SeedDemoDeps = {},
): Promise<number> {
  const parsed = parseOptions(args, { year: { type: 'string' } }, SEED_USAGE, io);
  if (parsed === 2) return 2;
  if (parsed.values.help) {
    io.out(SEED_USAGE);
    return 0;
  }
  const clock = deps.clock ?? (() => new Date());
  const year = Number(parsed.values.year ?? clock().getUTCFullYear() - 1);
  if (!Number.isInteger(year) || year < 1900 || year > 9999 || parsed.positionals.length > 0) {
    io.err(`--year must be a year like 2025.\n\n${SEED_USAGE}`);
    return 2;
  }
  if (configOrExit(env, io) === 2) return 2;
  const secrets = Object.fromEntries(
    Object.keys(SEED_KEYS).map((actor) => [actor, newApiSecret()]),
  ) as Record<keyof typeof SEED_KEYS, string>;
  // The operator's own keys stay as they are for the service; this process knows only its own.
  const config: Config = loadConfig(
    {
      ...env,
      API_KEYS: JSON.stringify(
        Object.entries(SEED_KEYS).map(([actor, key]) => ({
          ...key,
          secret: secrets[actor as keyof typeof SEED_KEYS],
        })),
      ),
    },
    modules,
  );
  const logger = cliLogger(env, config);
  let service: Service;
  try {
    service = createService(config, logger, { clock });
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      io.err(
        `${error.message}\nseed-demo writes through the service's own commands and needs DATA_DIR to itself: stop the service, seed, then start it again.`,
      );
      return 2;
    }
    throw error;
  }
  let server: Server | undefined;
  try {
    await service.started;
    server = createServer(service.app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const send = async (
      method: 'GET' | 'POST',
      path: string,
      actor: keyof typeof SEED_KEYS,
      body?: object,
      idempotencyKey?: string,
    ) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${secrets[actor]}`,
          ...(body ? { 'Content-Type': 'application/json' } : {}),
          ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      return {
        status: response.status,
        replayed: response.headers.get('Idempotent-Replayed') === 'true',
        body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
      };
    };

    const plan = demoCompanyPlan(year, config.baseCurrency);
    const answers = new Map<string, Record<string, unknown>>();
    const progress = startProgress(io, 'seeded', 'steps', plan.length);
    let written = 0;
    try {
      for (const [index, step] of plan.entries()) {
        const answer = await send(
          'POST',
          step.path,
          step.actor,
          step.body(answers),
          `seed-demo:${year}:${step.key}`,
        );
        if (answer.status >= 300) {
          throw new Error(
            `step ${step.key} (POST ${step.path}) was answered ${answer.status}: ${String(answer.body.detail ?? answer.body.title ?? '')}`,
          );
        }
        if (!answer.replayed) written += 1;
        answers.set(step.key, answer.body);
        progress.update(index + 1);
      }
    } finally {
      progress.stop();
    }
    await settled(service, io);
    const head = await service.eventStore.headPosition();
    const trial = await send(
      'GET',
      `/v1/reports/trial-balance?asOf=${year}-12-31&consistentWith=${head}`,
      'reports',
    );
    const totals = (trial.body.totals ?? []) as {
      currency: string;
      debits: string;
      credits: string;
    }[];
    io.out(
      `Seeded ${year}: ${plan.length} steps, ${written} recorded now, ${plan.length - written} already there.`,
    );
    io.out(
      `Trial balance as of ${year}-12-31: ${trial.body.balanced === true ? 'balanced' : 'NOT balanced'} (${totals
        .map((total) => `${total.currency} debits ${total.debits}, credits ${total.credits}`)
        .join('; ')}).`,
    );
    return trial.body.balanced === true ? 0 : 1;
  } catch (error) {
    failed(io, error);
    return 1;
  } finally {
    if (server) await new Promise((resolve) => server!.close(resolve));
    await service.close();
  }
}

/**
 * Waits until the reactors have done what the seeded events ask (the ledger postings of payroll
 * and stock) and what they wrote is itself reacted to, so nothing is left for the service's
 * next start to add: that start must find the year complete, and a second seed-demo nothing new.
 */
async function settled(service: Service, io: CliIo): Promise<void> {
  for (let head = await service.eventStore.headPosition(); ;) {
    while (!(await allReached(service, head))) await io.sleep(20);
    const now = await service.eventStore.headPosition();
    if (now === head) return;
    head = now;
  }
}

async function allReached(service: Service, head: bigint): Promise<boolean> {
  const reached = await Promise.all(service.reactors.map((reactor) => reactor.reached(head)));
  return reached.every(Boolean);
}
