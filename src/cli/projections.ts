/**
 * `projections status` and `projections rebuild <name>`.
 *
 * A rebuild is asked for through the projection registry in the read-model store. If a running
 * service holds the projection's lease, that service builds it and this command follows the
 * progress; if none does (the service is stopped), this command takes the lease and builds it
 * itself. Either way queries keep reading the current generation until the new one has caught up.
 */
import { hostname } from 'node:os';
import { projectionsOf } from '../module-host.js';
import { modules } from '../modules.js';
import {
  createProjectionManager,
  type ProjectionManager,
  type ProjectionReport,
} from '../projections/projection-manager.js';
import {
  storedReactorNames,
  storedReactorReport,
  type ReactorReport,
} from '../projections/reactor-runner.js';
import type { CliIo } from './io.js';
import {
  cliLogger,
  configOrExit,
  existingStoresOrExit,
  failed,
  type Env,
} from './service-stores.js';

export const allProjections = projectionsOf(modules);

export const PROJECTIONS_USAGE = `Usage:
  npm run cli -- projections status
  npm run cli -- projections rebuild <name> [--no-wait]

status   every projection's collection, position, lag and state, then the reactors'
rebuild  builds a new generation of one projection; queries switch to it once it has caught up.
         With a service running, the service that holds the projection builds it and this
         command follows; with none, this command builds it. --no-wait: only ask for it.

Projections: ${allProjections.map((projection) => projection.name).join(', ')}`;

export async function projectionsCommand(
  args: readonly string[],
  env: Env,
  io: CliIo,
): Promise<number> {
  const [command, ...rest] = args;
  if (command !== 'status' && command !== 'rebuild') {
    io.err(PROJECTIONS_USAGE);
    return 2;
  }
  const config = configOrExit(env, io);
  if (config === 2) return 2;
  const name = rest.find((arg) => !arg.startsWith('--'));
  const wait = !rest.includes('--no-wait');
  if (command === 'rebuild' && !allProjections.some((projection) => projection.name === name)) {
    io.err(
      name ? `There is no projection named ${name}.\n\n${PROJECTIONS_USAGE}` : PROJECTIONS_USAGE,
    );
    return 2;
  }
  const logger = cliLogger(env, config);
  const stores = existingStoresOrExit(config, logger, io);
  if (stores === 2) return 2;
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
    instanceId: cliInstanceId(),
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
    failed(io, error);
    return 1;
  } finally {
    await manager.stop();
    await stores.close();
  }
}

/** Names this process in projection leases, apart from every service instance. */
export const cliInstanceId = (): string => `cli:${hostname()}:${process.pid}`;

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

export function printTable(header: readonly string[], rows: readonly string[][], io: CliIo): void {
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
