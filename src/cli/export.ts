/**
 * `export`: the audit trail to a file, with the filters of GET /v1/audit/export and its rows
 * (CSV or NDJSON, every match up to the head of the log when the export starts). It reads the
 * read model beside the service, so unlike the API's export it leaves no access record: the
 * operator who can run it can read DATA_DIR anyway. Personal data stays sealed, redacted as for
 * a key that may not read it.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { z } from 'zod';
import type { PersonalDataVault } from '../commands/personal-data/vault.js';
import { revealSealedValues } from '../commands/personal-data/personal-fields.js';
import { EXPORT_COLUMNS, filterQuery } from '../http/audit/audit-schemas.js';
import { csvRow } from '../http/audit/csv.js';
import {
  createAuditQueries,
  type AuditEventView,
  type AuditFilter,
} from '../projections/audit/audit-queries.js';
import { caughtUpAuditEvents } from './audit-catch-up.js';
import type { CliIo } from './io.js';
import { parseOptions } from './options.js';
import { startProgress } from './progress.js';
import {
  cliLogger,
  configOrExit,
  existingStoresOrExit,
  failed,
  type Env,
} from './service-stores.js';

export const EXPORT_USAGE = `Usage:
  npm run cli -- export --out <file|-> [--format csv|ndjson] [filters]

Writes every matching event of the audit trail, up to the head of the log when it starts, as
GET /v1/audit/export does: CSV (the default) or NDJSON. --out - writes to stdout.
Filters (combined with AND, as the API's):
  --stream <name>          events of this stream, e.g. invoice-INV-7
  --entity-type <type>     events of records of this type, e.g. invoice
  --entity-id <id>         events of records with this id
  --actor <key id>         events written by this API key
  --type <event type>      events of this type, e.g. InvoiceIssued
  --correlation-id <id>    events written within this correlation id
  --from <instant|date>    recorded at or after (a date: from its start, UTC)
  --to <instant|date>      recorded at or before (a date: to its end, UTC)
Personal data stays sealed (shown as { "redacted": true }). No access record is written.`;

const FILTER_OPTIONS = {
  stream: 'stream',
  'entity-type': 'entityType',
  'entity-id': 'entityId',
  actor: 'actor',
  type: 'type',
  'correlation-id': 'correlationId',
  from: 'from',
  to: 'to',
} as const;

const exportQuery = z
  .strictObject({ format: z.enum(['csv', 'ndjson']).default('csv'), ...filterQuery })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    message: '--from must not be after --to',
  });

/** Redacts every sealed value: `mayRead` says no to all, so the vault is never asked. */
const sealedVault: PersonalDataVault = {
  seal: () => Promise.reject(new Error('the CLI export seals nothing')),
  open: () => Promise.reject(new Error('the CLI export opens no personal data')),
  erase: () => Promise.reject(new Error('the CLI export erases nothing')),
  status: () => Promise.reject(new Error('the CLI export reads no key status')),
};

export async function exportCommand(args: readonly string[], env: Env, io: CliIo): Promise<number> {
  const parsed = parseOptions(
    args,
    {
      out: { type: 'string', short: 'o' },
      format: { type: 'string' },
      ...Object.fromEntries(
        Object.keys(FILTER_OPTIONS).map((name) => [name, { type: 'string' as const }]),
      ),
    },
    EXPORT_USAGE,
    io,
  );
  if (parsed === 2) return 2;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    io.out(EXPORT_USAGE);
    return 0;
  }
  const out = values.out;
  if (typeof out !== 'string' || parsed.positionals.length > 0) {
    io.err(
      `${typeof out !== 'string' ? 'Say where to write it: --out <file>, or --out - for stdout.\n\n' : ''}${EXPORT_USAGE}`,
    );
    return 2;
  }
  const query = exportQuery.safeParse({
    format: values.format,
    ...Object.fromEntries(
      Object.entries(FILTER_OPTIONS).map(([option, field]) => [field, values[option]]),
    ),
  });
  if (!query.success) {
    for (const issue of query.error.issues) {
      const field = issue.path[0];
      const option =
        field === 'format'
          ? 'format'
          : Object.entries(FILTER_OPTIONS).find(([, name]) => name === field)?.[0];
      io.err(`${option ? `--${option}` : 'options'}: ${issue.message}`);
    }
    return 2;
  }
  const config = configOrExit(env, io);
  if (config === 2) return 2;
  const logger = cliLogger(env, config);
  const stores = existingStoresOrExit(config, logger, io);
  if (stores === 2) return 2;
  const { format, ...filter } = query.data;
  try {
    const upTo = await stores.events.store.headPosition();
    const manager = await caughtUpAuditEvents(config, stores, logger, io, upTo);
    try {
      const queries = createAuditQueries({
        readModels: stores.readModels.store,
        collection: (name) => manager.collection(name),
      });
      const rows = await writeExport(
        out,
        format,
        queries.scanEvents({ ...(filter as AuditFilter), upToPosition: upTo }),
        upTo,
        io,
      );
      io.out(
        `${out === '-' ? 'Exported' : `Wrote ${out}:`} ${rows} events up to position ${upTo} (${format}).`,
      );
      return 0;
    } finally {
      await manager.stop();
    }
  } catch (error) {
    failed(io, error);
    return 1;
  } finally {
    await stores.close();
  }
}

/** Chunks of about this size are written at a time, as the route does. */
const CHUNK_CHARS = 64 * 1024;

async function writeExport(
  out: string,
  format: 'csv' | 'ndjson',
  events: AsyncIterable<AuditEventView>,
  upTo: bigint,
  io: CliIo,
): Promise<number> {
  // A file is written beside its name and renamed at the end, so a failed export never leaves
  // a file that looks complete.
  const partial = `${out}.partial`;
  const file = out === '-' ? undefined : createWriteStream(partial, { flags: 'w' });
  const write = async (chunk: string) => {
    if (file) {
      if (!file.write(chunk)) await once(file, 'drain');
    } else if (io.write) await io.write(chunk);
    else for (const line of chunk.replace(/\r?\n$/, '').split(/\r?\n/)) io.out(line);
  };
  const progress = startProgress(io, 'exported', 'log positions', Number(upTo));
  let rows = 0;
  try {
    let chunk = format === 'csv' ? csvRow(EXPORT_COLUMNS) : '';
    for await (const stored of events) {
      const event = (await revealSealedValues(sealedVault, stored, () => false)) as AuditEventView;
      chunk += format === 'csv' ? csvLine(event) : `${JSON.stringify(event)}\n`;
      rows += 1;
      progress.update(Number(event.position));
      if (chunk.length >= CHUNK_CHARS) {
        await write(chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) await write(chunk);
    progress.update(Number(upTo));
    if (file) {
      file.end();
      await once(file, 'finish');
      renameSync(partial, out);
    }
    return rows;
  } catch (error) {
    if (file) {
      file.destroy();
      rmSync(partial, { force: true });
    }
    throw error;
  } finally {
    progress.stop();
  }
}

function csvLine(event: AuditEventView): string {
  return csvRow(
    EXPORT_COLUMNS.map((column) =>
      column === 'data' ? JSON.stringify(event.data) : event[column],
    ),
  );
}
