/* eslint-disable no-console */
/**
 * Projection throughput during a rebuild, against the raw read speed of the same log in the same
 * run: a ledger log is seeded on a temp SQLite file, read whole through `readAll` pages (the
 * baseline), then projected from scratch by each ledger projection alone, by all four at once
 * (what a full rebuild of the service does), and through the projection manager (first build,
 * then a requested rebuild of one projection, timed until queries switch to it).
 *
 *   npm run build && node dist/bench/projection-rebuild.js
 *   BENCH_EVENTS=20000 BENCH_REBUILD=ledger_lines node dist/bench/projection-rebuild.js
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createLogger } from '../src/logger.js';
import { ledgerProjections } from '../src/projections/ledger/ledger-projections.js';
import { handlesEventType, type Projection } from '../src/projections/projection.js';
import { createProjectionManager } from '../src/projections/projection-manager.js';
import { createLogFeed } from '../src/projections/engine/log-feed.js';
import type { EventStore, LogFilter } from '../src/stores/event-store.js';
import { openSqliteDatabase, type SqliteDatabase } from '../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../src/stores/sqlite/sqlite-event-store.js';
import { createSqliteLeaseStore } from '../src/stores/sqlite/sqlite-lease-store.js';
import {
  createSqliteReadModelStore,
  openSqliteReadModelDatabase,
} from '../src/stores/sqlite/sqlite-read-model-store.js';
import {
  mb,
  printTable,
  round,
  startMemorySampler,
  printReads,
  type MemorySampler,
  type ReadRow,
} from './bench-support.js';
import { ACCOUNT_COUNT, seedLedgerLog } from './ledger-log.js';

export interface ProjectionBenchmarkOptions {
  /** Events in the seeded log, accounts and reversals included. Default 50000. */
  readonly events?: number;
  /** The projection the manager is asked to rebuild. Default ledger_balances. */
  readonly rebuild?: string;
  /** Where the temp files go. Default the OS temp directory. */
  readonly directory?: string;
}

export type { ReadRow };

export interface ProjectionRow {
  readonly label: string;
  /** Events of the projections' types applied (summed over projections run together). */
  readonly eventsHandled: number;
  readonly documents: number;
  readonly seconds: number;
  /** eventsHandled per second of the run. */
  readonly handledPerSecond: number;
  /** Log events (the whole log) per second of the run: what a rebuild's duration follows. */
  readonly logEventsPerSecond: number;
  /** logEventsPerSecond / the mean of the raw reads of every event before and after. */
  readonly ratio: number;
  readonly peakRssMb: number;
}

export interface ProjectionBenchmarkResult {
  readonly events: number;
  readonly postings: number;
  readonly reversals: number;
  readonly accounts: number;
  readonly lines: number;
  readonly seedSeconds: number;
  /** Every event before the projections, posting types only, every event after them. */
  readonly reads: readonly ReadRow[];
  readonly projections: readonly ProjectionRow[];
  /** The manager's own `rebuild.eventsPerSecond`, as status() last showed it before the switch. */
  readonly managerReportedEventsPerSecond: number | null;
  readonly rssMb: { readonly start: number; readonly seeded: number; readonly end: number };
}

/** As the service's default PROJECTION_BATCH_SIZE. */
const BATCH_SIZE = 500;
const READ_PAGE = 500;
const POSTING_TYPES = ['JournalEntryPosted', 'JournalEntryReversed'];

export async function runProjectionBenchmark(
  options: ProjectionBenchmarkOptions = {},
): Promise<ProjectionBenchmarkResult> {
  const total = options.events ?? 50_000;
  if (total < ACCOUNT_COUNT + 3) throw new Error(`Need at least ${ACCOUNT_COUNT + 3} events`);
  const rebuildName = options.rebuild ?? 'ledger_balances';
  const rebuildProjection = ledgerProjections.find((p) => p.name === rebuildName);
  if (!rebuildProjection) throw new Error(`There is no ledger projection named ${rebuildName}`);

  const memory = startMemorySampler();
  const rssStart = memory.rss();
  const dir = await mkdtemp(join(options.directory ?? tmpdir(), 'projection-bench-'));
  const eventsDb = openSqliteDatabase(join(dir, 'events.db'));
  const eventStore = createSqliteEventStore(eventsDb, { pollIntervalMs: 0 });
  const logger = createLogger('silent');
  try {
    const seedStarted = performance.now();
    const seeded = await seedLedgerLog(eventStore, total);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const rssSeeded = memory.rss();
    const countOf = (projection: Projection): number => {
      const handles = handlesEventType(projection);
      let count = 0;
      for (const [type, n] of seeded.byType) if (handles(type)) count += n;
      return count;
    };

    // Baseline. One untimed pass first, so the OS cache and the JIT are as warm for the read as
    // they will be for the projections; then the median of three, before the projections and
    // again after them, so a change of machine load during the run shows.
    await readWholeLog(eventStore);
    const reads: ReadRow[] = [
      await timedRead(eventStore, 'readAll, every event (before)'),
      await timedRead(eventStore, 'readAll, posting types only', { eventTypes: POSTING_TYPES }),
    ];

    const runs: Omit<ProjectionRow, 'ratio'>[] = [];
    const row = (
      label: string,
      run: { seconds: number; handled: number; documents: number; peakRss: number },
    ): Omit<ProjectionRow, 'ratio'> => ({
      label,
      eventsHandled: run.handled,
      documents: run.documents,
      seconds: round(run.seconds, 2),
      handledPerSecond: round(run.handled / run.seconds),
      logEventsPerSecond: round(total / run.seconds),
      peakRssMb: mb(run.peakRss),
    });

    for (const projection of ledgerProjections) {
      const run = await withReadModels(dir, (readModels) =>
        runRunners([projection], eventStore, readModels, logger, memory),
      );
      runs.push(row(`runner: ${projection.name}`, run));
    }
    const all = await withReadModels(dir, (readModels) =>
      runRunners(ledgerProjections, eventStore, readModels, logger, memory),
    );
    runs.push(row('runner: all four at once', all));

    let managerReportedEventsPerSecond: number | null = null;
    await withReadModels(dir, async (db) => {
      const readModels = createSqliteReadModelStore(db);
      const manager = createProjectionManager({
        projections: ledgerProjections,
        eventStore,
        readModels,
        leases: createSqliteLeaseStore(db),
        logger,
        instanceId: 'bench',
        batchSize: BATCH_SIZE,
      });
      try {
        // First build: every projection from an empty registry, as on a fresh deployment.
        memory.resetPeak();
        let started = performance.now();
        await manager.start();
        await poll(async () =>
          Object.values(await manager.readiness()).every((state) => state === 'ok'),
        );
        runs.push(
          row('manager: first build, all four', {
            seconds: (performance.now() - started) / 1000,
            handled: ledgerProjections.reduce((sum, p) => sum + countOf(p), 0),
            documents: await countDocuments(manager, readModels, ledgerProjections),
            peakRss: memory.peak(),
          }),
        );

        // Requested rebuild: a new generation is built beside the active one and swapped in.
        const before = await manager.collection(rebuildName);
        memory.resetPeak();
        started = performance.now();
        await manager.requestRebuild(rebuildName);
        await poll(async () => {
          const report = (await manager.status()).find((r) => r.name === rebuildName);
          if (report?.rebuild) managerReportedEventsPerSecond = report.rebuild.eventsPerSecond;
          return report !== undefined && report.collection !== null && report.collection !== before;
        });
        runs.push(
          row(`manager: rebuild of ${rebuildName}`, {
            seconds: (performance.now() - started) / 1000,
            handled: countOf(rebuildProjection),
            documents: await countDocuments(manager, readModels, [rebuildProjection]),
            peakRss: memory.peak(),
          }),
        );
      } finally {
        await manager.stop();
      }
    });

    reads.push(await timedRead(eventStore, 'readAll, every event (after)'));
    // The raw read rate the ratios are taken against: the mean of the before and after reads.
    const rawRate = (reads[0]!.eventsPerSecond + reads[2]!.eventsPerSecond) / 2;
    const projections: ProjectionRow[] = runs.map((run) => ({
      ...run,
      ratio: round(run.logEventsPerSecond / rawRate, 3),
    }));

    return {
      events: total,
      postings: seeded.byType.get('JournalEntryPosted') ?? 0,
      reversals: seeded.byType.get('JournalEntryReversed') ?? 0,
      accounts: seeded.byType.get('AccountOpened') ?? 0,
      lines: seeded.lines,
      seedSeconds: round(seedSeconds, 2),
      reads,
      projections,
      managerReportedEventsPerSecond,
      rssMb: { start: mb(rssStart), seeded: mb(rssSeeded), end: mb(memory.rss()) },
    };
  } finally {
    memory.stop();
    await eventStore.close();
    eventsDb.close();
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- measuring -------------------------------------------------------------------------------

async function readWholeLog(store: EventStore, filter?: LogFilter): Promise<number> {
  let after = 0n;
  let count = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: READ_PAGE, filter });
    count += page.length;
    const last = page.at(-1);
    if (page.length < READ_PAGE || !last) return count;
    after = last.position;
  }
}

async function timedRead(store: EventStore, label: string, filter?: LogFilter): Promise<ReadRow> {
  const runs: { events: number; seconds: number }[] = [];
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    const events = await readWholeLog(store, filter);
    runs.push({ events, seconds: (performance.now() - started) / 1000 });
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  const median = runs[1]!;
  return {
    label,
    events: median.events,
    seconds: round(median.seconds, 3),
    eventsPerSecond: round(median.events / median.seconds),
  };
}

/** A fresh read-model file per run, so no run pays for (or profits from) another's pages. */
async function withReadModels<T>(dir: string, use: (db: SqliteDatabase) => Promise<T>): Promise<T> {
  const file = join(dir, `readmodels-${randomUUID()}.db`);
  const db = openSqliteReadModelDatabase(file);
  try {
    return await use(db);
  } finally {
    db.close();
    await rm(file, { force: true });
    await rm(`${file}-wal`, { force: true });
    await rm(`${file}-shm`, { force: true });
  }
}

/** Catches the projections up from position 0 on fresh collections, all at once. */
async function runRunners(
  projections: readonly Projection[],
  eventStore: EventStore,
  db: SqliteDatabase,
  logger: ReturnType<typeof createLogger>,
  memory: MemorySampler,
) {
  const readModels = createSqliteReadModelStore(db);
  // One feed: the projections share every read of the log, as they do in the service.
  const feed = createLogFeed({ eventStore, readModels, logger, batchSize: BATCH_SIZE });
  const members = projections.map((projection) =>
    feed.addProjection(projection, { collection: `${projection.name}_bench` }),
  );
  memory.resetPeak();
  const started = performance.now();
  await feed.catchUp();
  const seconds = (performance.now() - started) / 1000;
  const peakRss = memory.peak();
  let documents = 0;
  for (const projection of projections) {
    documents += await readModels.count(`${projection.name}_bench`);
  }
  const handled = members.reduce((sum, member) => sum + member.status().eventsProcessed, 0);
  return { seconds, handled, documents, peakRss };
}

async function countDocuments(
  manager: ReturnType<typeof createProjectionManager>,
  readModels: ReturnType<typeof createSqliteReadModelStore>,
  projections: readonly Projection[],
): Promise<number> {
  let documents = 0;
  for (const projection of projections) {
    documents += await readModels.count(await manager.collection(projection.name));
  }
  return documents;
}

async function poll(condition: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('Timed out waiting for the projections');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// ---- output ----------------------------------------------------------------------------------

function printResult(result: ProjectionBenchmarkResult): void {
  console.log(
    `Projection rebuild on SQLite: ${result.events} events (${result.accounts} AccountOpened, ` +
      `${result.postings} JournalEntryPosted, ${result.reversals} JournalEntryReversed, ` +
      `${result.lines} lines), seeded in ${result.seedSeconds} s`,
  );
  console.log('');
  printReads('raw read (pages of 500)', result.reads, 3);
  console.log('');
  printTable(
    [
      'projection run',
      'events handled',
      'documents',
      'seconds',
      'handled/s',
      'log events/s',
      'vs raw read',
      'peak RSS (MB)',
    ],
    result.projections.map((row) => [
      row.label,
      String(row.eventsHandled),
      String(row.documents),
      row.seconds.toFixed(2),
      String(row.handledPerSecond),
      String(row.logEventsPerSecond),
      row.ratio.toFixed(3),
      String(row.peakRssMb),
    ]),
  );
  console.log('');
  console.log(
    `RSS: ${result.rssMb.start} MB at start, ${result.rssMb.seeded} MB after seeding, ` +
      `${result.rssMb.end} MB at the end. Manager's own rebuild figure, last seen before the ` +
      `switch: ${result.managerReportedEventsPerSecond ?? 'none seen'} events/s`,
  );
}

function parseEvents(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= ACCOUNT_COUNT + 2) {
    throw new Error(`BENCH_EVENTS must be an integer above ${ACCOUNT_COUNT + 2}, got ${raw}`);
  }
  return value;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const rebuild = process.env['BENCH_REBUILD'];
  const result = await runProjectionBenchmark({
    events: parseEvents(process.env['BENCH_EVENTS']),
    ...(rebuild ? { rebuild } : {}),
  });
  printResult(result);
  console.log(JSON.stringify({ benchmark: 'projection-rebuild', ...result }));
}
