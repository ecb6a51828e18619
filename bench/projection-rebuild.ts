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
import { GENESIS_HASH, eventHash } from '../src/commands/hash-chain.js';
import { SCHEMA_VERSION } from '../src/commands/seal-event.js';
import type { AccountType, LedgerEvent, PostedLine } from '../src/domain/ledger/events.js';
import { ledgerStreams } from '../src/domain/ledger/streams.js';
import { createLogger } from '../src/logger.js';
import { ledgerProjections } from '../src/projections/ledger/ledger-projections.js';
import { handlesEventType, type Projection } from '../src/projections/projection.js';
import { createProjectionManager } from '../src/projections/projection-manager.js';
import { createLogFeed } from '../src/projections/engine/log-feed.js';
import type { EventStore, ExpectedRevision, LogFilter } from '../src/stores/event-store.js';
import { openSqliteDatabase, type SqliteDatabase } from '../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../src/stores/sqlite/sqlite-event-store.js';
import { createSqliteLeaseStore } from '../src/stores/sqlite/sqlite-lease-store.js';
import {
  createSqliteReadModelStore,
  openSqliteReadModelDatabase,
} from '../src/stores/sqlite/sqlite-read-model-store.js';
import {
  mb,
  mulberry32,
  printTable,
  round,
  startMemorySampler,
  printReads,
  type MemorySampler,
  type ReadRow,
} from './bench-support.js';

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

const ACCOUNT_COUNT = 20;
const REVERSED_SHARE = 0.05;
const SEED_BATCH = 1000;
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
    const seeded = await seed(eventStore, total);
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

// ---- seeding ---------------------------------------------------------------------------------

interface Append {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly event: LedgerEvent;
}

/**
 * Appends the log in batches of {@link SEED_BATCH} one-event appends: with group commit each
 * batch is one transaction. Events are what the pipeline would store, metadata and hash chain
 * included, so rows are their real size.
 */
async function seed(
  store: EventStore,
  total: number,
): Promise<{ byType: Map<string, number>; lines: number }> {
  const random = mulberry32(20261123);
  const pick = (n: number): number => Math.floor(random() * n);
  const types: AccountType[] = ['asset', 'liability', 'equity', 'revenue', 'expense'];
  const accounts = Array.from({ length: ACCOUNT_COUNT }, (_, i) => ({
    code: String(1000 + i * 100),
    type: types[i % types.length]!,
  }));

  const postings = Math.ceil((total - ACCOUNT_COUNT) / (1 + REVERSED_SHARE));
  const reversals = total - ACCOUNT_COUNT - postings;
  // Entry j is reversed (evenly spread) some 50 postings after its own, so reversals are
  // scattered through the log rather than bunched at its end.
  const reversedAfter = new Map<number, number[]>();
  for (let k = 0; k < reversals; k += 1) {
    const entry = Math.floor((k * postings) / reversals);
    const after = Math.min(postings - 1, entry + 50);
    reversedAfter.set(after, [...(reversedAfter.get(after) ?? []), entry]);
  }

  const plan: Append[] = accounts.map(({ code, type }) => ({
    streamId: ledgerStreams.account(code),
    expected: 'no_stream',
    event: {
      type: 'AccountOpened',
      data: { code, name: `Account ${code}`, type, currency: 'EUR' },
    },
  }));
  const posted: { entryId: string; date: string; lines: PostedLine[] }[] = [];
  const start = Date.UTC(2025, 0, 1);
  const days = 730;
  let lineCount = 0;
  for (let i = 0; i < postings; i += 1) {
    const entryId = `bench-${String(i).padStart(7, '0')}`;
    // Dates rise with the log, with some jitter, over two years.
    const day = Math.min(days - 1, Math.floor((i / postings) * days) + pick(5));
    const date = isoDate(start, day);
    const lines = journalLines(accounts, random);
    lineCount += lines.length;
    posted.push({ entryId, date, lines });
    plan.push({
      streamId: ledgerStreams.journalEntry(entryId),
      expected: 'no_stream',
      event: {
        type: 'JournalEntryPosted',
        data: { entryId, date, description: `Benchmark entry ${i}`, lines },
      },
    });
    for (const j of reversedAfter.get(i) ?? []) {
      const original = posted[j]!;
      const mirrored = original.lines.map((line): PostedLine => ({
        ...line,
        side: line.side === 'debit' ? 'credit' : 'debit',
      }));
      lineCount += mirrored.length;
      plan.push({
        streamId: ledgerStreams.journalEntry(original.entryId),
        expected: 0n,
        event: {
          type: 'JournalEntryReversed',
          data: {
            entryId: original.entryId,
            date: isoDate(Date.parse(original.date), pick(30)),
            reason: 'Benchmark reversal',
            lines: mirrored,
          },
        },
      });
    }
  }

  const recordedAt = new Date().toISOString();
  const lastHash = new Map<string, string>();
  const byType = new Map<string, number>();
  for (let from = 0; from < plan.length; from += SEED_BATCH) {
    const batch = plan.slice(from, from + SEED_BATCH).map((append) => {
      const id = randomUUID();
      const metadata: Record<string, unknown> = {
        actor: 'bench',
        correlationId: id,
        causationId: id,
        requestId: id,
        occurredAt: recordedAt,
        recordedAt,
        schemaVersion: SCHEMA_VERSION,
        prevHash: lastHash.get(append.streamId) ?? GENESIS_HASH,
      };
      const data = append.event.data as unknown as Record<string, unknown>;
      metadata.hash = eventHash({ id, type: append.event.type, data, metadata });
      lastHash.set(append.streamId, metadata.hash as string);
      byType.set(append.event.type, (byType.get(append.event.type) ?? 0) + 1);
      // Queued in one turn of the event loop: group commit makes the batch one transaction.
      return store.append(append.streamId, [{ id, type: append.event.type, data, metadata }], {
        expectedRevision: append.expected,
      });
    });
    await Promise.all(batch);
  }
  return { byType, lines: lineCount };
}

/** 2-4 balanced EUR lines on distinct accounts, debits first. */
function journalLines(
  accounts: readonly { readonly code: string }[],
  random: () => number,
): PostedLine[] {
  const count = 2 + Math.floor(random() * 3);
  const codes = new Set<string>();
  while (codes.size < count) codes.add(accounts[Math.floor(random() * accounts.length)]!.code);
  const [first, ...rest] = [...codes];
  const debits = count === 4 ? 2 : 1;
  const credits = count - debits;
  // Cents, at least one per line.
  const totalMinor = credits + debits + Math.floor(random() * 500_000);
  const split = (parts: number): number[] => {
    const amounts: number[] = [];
    let left = totalMinor;
    for (let i = parts; i > 1; i -= 1) {
      const amount = 1 + Math.floor(random() * (left - i));
      amounts.push(amount);
      left -= amount;
    }
    amounts.push(left);
    return amounts;
  };
  const ordered = [first!, ...rest];
  const sides = [
    ...split(debits).map((minor) => ({ side: 'debit' as const, minor })),
    ...split(credits).map((minor) => ({ side: 'credit' as const, minor })),
  ];
  return sides.map(({ side, minor }, i) => ({
    account: ordered[i]!,
    side,
    amount: (minor / 100).toFixed(2),
    currency: 'EUR',
  }));
}

function isoDate(fromMs: number, days: number): string {
  return new Date(fromMs + days * 86_400_000).toISOString().slice(0, 10);
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
