/**
 * The operator CLI, on the same configuration (env vars) as the service:
 *
 *   npm run cli -- projections status
 *   npm run cli -- projections rebuild <name> [--no-wait]
 *
 * A rebuild is asked for through the projection registry in the read-model store. If a running
 * service holds the projection's lease, that service builds it and this command follows the
 * progress; if none does (the service is stopped), this command takes the lease and builds it
 * itself. Either way queries keep reading the current generation until the new one has caught up.
 *
 * It does not take the service's DATA_DIR lock (it runs beside the service), and it never creates
 * a store: a DATA_DIR without one is refused with exit code 2.
 */
import { hostname } from 'node:os';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { projectionsOf } from './module-host.js';
import { modules } from './modules.js';
import {
  createProjectionManager,
  type ProjectionManager,
  type ProjectionReport,
} from './projections/projection-manager.js';
import { embeddedStoreFiles, openStores } from './open-stores.js';
import {
  storedReactorNames,
  storedReactorReport,
  type ReactorReport,
} from './projections/reactor-runner.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const allProjections = projectionsOf(modules);

const USAGE = `Usage:
  npm run cli -- projections status
  npm run cli -- projections rebuild <name> [--no-wait]

Projections: ${allProjections.map((projection) => projection.name).join(', ')}
Configuration comes from the same environment variables as the service (DATA_DIR, EVENTSTORE_URL, MONGODB_URL, ...).`;

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
  readonly progressIntervalMs: number;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  progressIntervalMs: 1000,
};

/** Runs one command; resolves to the process exit code. */
export async function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo = defaultIo,
): Promise<number> {
  const [area, command, ...rest] = args;
  if (area !== 'projections' || (command !== 'status' && command !== 'rebuild')) {
    io.err(USAGE);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(env, modules);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
  const name = rest.find((arg) => !arg.startsWith('--'));
  const wait = !rest.includes('--no-wait');
  if (command === 'rebuild' && !allProjections.some((projection) => projection.name === name)) {
    io.err(name ? `There is no projection named ${name}.\n\n${USAGE}` : USAGE);
    return 2;
  }

  // The CLI works on a service's stores: a missing file means a wrong DATA_DIR, and creating an
  // empty store there would only hide that.
  const missing = embeddedStoreFiles(config).find((file) => !existsSync(file));
  if (missing !== undefined) {
    io.err(
      `There is no store at ${resolve(missing)}: point DATA_DIR at the service's data directory, or start the service on it once.`,
    );
    return 2;
  }

  // Logs go to stderr at warn and above: stdout is for the answer.
  const logger = createLogger(
    env.LOG_LEVEL === undefined ? 'warn' : config.logLevel,
    process.stderr,
  );
  // Never creates a file: a missing one was refused above, one that vanished since fails.
  const stores = openStores(config, logger, () => new Date(), { mustExist: true });
  const { events, readModels } = stores;
  const manager = createProjectionManager({
    // A rebuild takes part only for its own projection: it must not start running the others.
    projections:
      command === 'rebuild'
        ? allProjections.filter((projection) => projection.name === name)
        : allProjections,
    eventStore: events.store,
    readModels: readModels.store,
    leases: readModels.leases,
    logger,
    instanceId: `cli:${hostname()}:${process.pid}`,
    batchSize: config.projectionBatchSize,
    leaseTtlMs: config.projectionLeaseTtlMs,
    tickIntervalMs: Math.min(config.projectionTickMs, 500),
    dropDelayMs: config.projectionDropDelayMs,
  });
  try {
    if (command === 'status') {
      const reports = await manager.status();
      const head = await events.store.headPosition();
      const reactors = await Promise.all(
        (await storedReactorNames(readModels.store)).map((reactor) =>
          storedReactorReport(readModels.store, reactor, head),
        ),
      );
      printStatus(reports, reactors, io);
      return 0;
    }
    return await rebuild(manager, name!, wait, io);
  } catch (error) {
    io.err(`Failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await manager.stop();
    await stores.close();
  }
}

async function rebuild(
  manager: ProjectionManager,
  name: string,
  wait: boolean,
  io: CliIo,
): Promise<number> {
  const before = await manager.requestRebuild(name);
  io.out(
    `Rebuild of ${name} requested; queries keep reading ${before.collection ?? '(nothing yet)'} until it is done.`,
  );
  if (!wait) return 0;
  // Take part: if no running service holds the lease, this process builds it.
  await manager.start();
  for (;;) {
    await io.sleep(io.progressIntervalMs);
    const report = (await manager.status()).find((item) => item.name === name)!;
    if (report.rebuild) {
      const build = report.rebuild;
      io.out(
        `${name}: ${build.state} ${build.percent.toFixed(1)}% (position ${build.position} of ${build.targetPosition}, ${build.eventsProcessed} events, ${build.eventsPerSecond}/s) on ${report.runningOn ?? 'no instance yet'}`,
      );
      if (build.state === 'failed') {
        io.err(`Rebuild failed: ${build.lastError?.message ?? 'unknown error'}`);
        return 1;
      }
    } else if (report.collection !== before.collection && report.collection !== null) {
      io.out(`${name}: switched to ${report.collection} at position ${report.position}.`);
      return 0;
    } else {
      io.out(`${name}: waiting for the instance that runs it to start the rebuild`);
    }
  }
}

function printStatus(
  reports: readonly ProjectionReport[],
  reactors: readonly ReactorReport[],
  io: CliIo,
): void {
  printTable(
    ['projection', 'version', 'collection', 'position', 'lag', 'state', 'rebuild', 'last error'],
    reports.map((report) => [
      report.name,
      String(report.version),
      report.collection ?? '-',
      report.position,
      String(report.lag),
      report.state,
      report.rebuild ? `${report.rebuild.percent.toFixed(1)}% (${report.rebuild.reason})` : '-',
      report.lastError ? `${report.lastError.message}` : '-',
    ]),
    io,
  );
  if (reactors.length === 0) return;
  io.out('');
  printTable(
    ['reactor', 'position', 'lag', 'state', 'running on', 'last error'],
    reactors.map((report) => [
      report.name,
      report.position,
      String(report.lag),
      report.state,
      report.runningOn ?? '-',
      report.lastError ? report.lastError.message : '-',
    ]),
    io,
  );
}

function printTable(header: readonly string[], rows: readonly string[][], io: CliIo): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  for (const row of [header, ...rows]) {
    io.out(
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    );
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  runCli(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
