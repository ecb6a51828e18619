/**
 * `verify [--incremental] [--json]`: the tamper verification of GET /v1/audit/verify, run on the
 * event store from here. It reads the log, never writes to it: beside a running service a second
 * writer would race the service's appends, so it saves no digest checkpoint and leaves no access
 * record (the API's verification does both). Incremental therefore starts from the newest
 * checkpoint the service's own verifications saved; with none it reads the whole log.
 *
 * Exit codes: 0 intact, 1 tampered, 2 usage or configuration, 3 could not verify.
 */
import { pino } from 'pino';
import type { Config } from '../config.js';
import { auditModule, type AuditSettings } from '../http/audit/audit-module.js';
import { createLogVerifier, type VerificationReport } from '../projections/audit/log-verifier.js';
import type { CliIo } from './io.js';
import { parseOptions } from './options.js';
import { startProgress, type Progress } from './progress.js';
import {
  cliLogger,
  configOrExit,
  existingStoresOrExit,
  failed,
  type Env,
} from './service-stores.js';

export const VERIFY_USAGE = `Usage:
  npm run cli -- verify [--incremental] [--json]

Recomputes every stream's hash chain and the log digest from the event store, and compares the
digest checkpoints earlier verifications saved, as GET /v1/audit/verify does.
  --incremental  read only what is new since the newest checkpoint (and re-read the stored
                 event before each stream it extends, and the oldest-checked segment)
  --json         print the whole verification report as JSON
It only reads: it saves no checkpoint and records no access (the API's verification does).
Exit code 0 intact, 1 tampered, 2 usage or configuration error, 3 the log could not be read.`;

export async function verifyCommand(args: readonly string[], env: Env, io: CliIo): Promise<number> {
  const parsed = parseOptions(
    args,
    { incremental: { type: 'boolean' }, json: { type: 'boolean' } },
    VERIFY_USAGE,
    io,
  );
  if (parsed === 2) return 2;
  if (parsed.values.help) {
    io.out(VERIFY_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 0) {
    io.err(VERIFY_USAGE);
    return 2;
  }
  const config = configOrExit(env, io);
  if (config === 2) return 2;
  const logger = cliLogger(env, config);
  const stores = existingStoresOrExit(config, logger, io);
  if (stores === 2) return 2;
  let progress: Progress | undefined;
  try {
    const head = Number(await stores.events.store.headPosition());
    progress = startProgress(io, 'verified', 'events', head);
    const shown = progress;
    const verifier = createLogVerifier({
      eventStore: stores.events.store,
      readModels: stores.readModels.store,
      // Read-only: see the head comment.
      recordCheckpoints: async () => undefined,
      logger: progressLogger(logger, (position) => shown.update(Math.min(position, head))),
      checkpointEvery: auditSettings(config).checkpointEvery,
      recheckSegments: auditSettings(config).recheckSegments,
      progressEvery: Math.max(1, Math.min(1000, Math.ceil(head / 20))),
    });
    const report = await verifier.verify(parsed.values.incremental ? 'incremental' : 'full');
    progress.update(Number(report.toPosition), Math.max(head, Number(report.toPosition)));
    progress.stop();
    progress = undefined;
    if (parsed.values.json) io.out(JSON.stringify(report, null, 2));
    else printReport(report, io);
    return report.status === 'intact' ? 0 : 1;
  } catch (error) {
    progress?.stop();
    failed(io, error);
    return 3;
  } finally {
    await stores.close();
  }
}

/** The audit module's settings, as the service reads them (AUDIT_CHECKPOINT_EVERY, ...). */
function auditSettings(config: Config): AuditSettings {
  return config.modules[auditModule.name] as AuditSettings;
}

/**
 * The verifier reports progress in its log ("verification progress", with the position it has
 * reached); this logger hands those lines to the progress display and everything else to the
 * CLI's own logger, so the verifier needs no hook of its own.
 */
function progressLogger(logger: pino.Logger, onPosition: (position: number) => void): pino.Logger {
  return pino(
    { level: 'info' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        const { level, msg, position, ...fields } = entry;
        if (msg === 'verification progress' && typeof position === 'string') {
          onPosition(Number(position));
        } else if (typeof level === 'number' && level >= 40) {
          // pino's own fields are the CLI logger's to write again.
          delete fields.time;
          delete fields.pid;
          delete fields.hostname;
          logger.warn(fields, typeof msg === 'string' ? msg : 'verifier');
        }
      },
    },
  );
}

function printReport(report: VerificationReport, io: CliIo): void {
  io.out(
    `${report.status}: ${report.mode} verification of positions ${report.fromPosition}-${report.toPosition}: ${report.eventsChecked} events in ${report.streamsChecked} streams, ${report.eventsRechecked} re-read; ${report.checkpoints.compared} checkpoints compared.`,
  );
  io.out(
    `digest ${report.digest.value} over ${report.digest.events} events up to position ${report.digest.position}`,
  );
  for (const stream of report.brokenStreams) {
    for (const problem of stream.problems) {
      io.out(
        `broken: ${stream.stream} at revision ${stream.revision} (position ${stream.position}, ${stream.eventType}): ${problem.kind}: ${problem.detail}`,
      );
    }
  }
  if (report.brokenStreamCount > report.brokenStreams.length) {
    io.out(`... and ${report.brokenStreamCount - report.brokenStreams.length} more broken streams`);
  }
  for (const mismatch of report.checkpoints.mismatched) {
    io.out(
      `checkpoint mismatch: positions ${mismatch.fromPosition}-${mismatch.toPosition}, verified ${mismatch.verifiedAt}: ${mismatch.eventsThen} events with digest ${mismatch.digestThen} then, ${mismatch.eventsNow} with ${mismatch.digestNow} now`,
    );
  }
  for (const missing of report.checkpoints.missing) {
    io.out(`checkpoint missing: revision ${missing.revision}: ${missing.detail}`);
  }
}
