/**
 * Brings the audit trail's read model up to a position before the CLI reads it, as the export
 * route waits for it. With a service running, the service holds the projection's lease and this
 * only watches; with none, this process takes the lease and projects the missing events itself
 * (the projection is idempotent, so which of them does it makes no difference).
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { auditEventsProjection } from '../projections/audit/audit-projection.js';
import {
  createProjectionManager,
  type ProjectionManager,
} from '../projections/projection-manager.js';
import type { CliIo } from './io.js';
import { cliInstanceId } from './projections.js';
import { startProgress } from './progress.js';
import type { Stores } from './service-stores.js';

export async function caughtUpAuditEvents(
  config: Config,
  stores: Stores,
  logger: Logger,
  io: CliIo,
  upTo: bigint,
): Promise<ProjectionManager> {
  const manager = createProjectionManager({
    projections: [auditEventsProjection],
    eventStore: stores.events.store,
    readModels: stores.readModels.store,
    leases: stores.readModels.leases,
    logger,
    instanceId: cliInstanceId(),
    batchSize: config.projectionBatchSize,
    leaseTtlMs: config.projectionLeaseTtlMs,
    tickIntervalMs: Math.min(config.projectionTickMs, 100),
    dropDelayMs: config.projectionDropDelayMs,
  });
  let report = await statusOf(manager);
  if (report.collection !== null && BigInt(report.position) >= upTo) return manager;
  await manager.start();
  const progress = startProgress(io, 'audit trail caught up', 'events', Number(upTo));
  try {
    for (;;) {
      report = await statusOf(manager);
      progress.update(Math.min(Number(report.position), Number(upTo)));
      if (report.state === 'failed') {
        throw new Error(
          `the audit read model failed at position ${report.position}: ${report.lastError?.message ?? 'unknown error'}`,
        );
      }
      if (report.collection !== null && BigInt(report.position) >= upTo) return manager;
      await io.sleep(Math.min(io.progressIntervalMs, 100));
    }
  } finally {
    progress.stop();
  }
}

async function statusOf(manager: ProjectionManager) {
  return (await manager.status()).find((item) => item.name === auditEventsProjection.name)!;
}
