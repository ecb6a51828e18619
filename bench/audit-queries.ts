/* eslint-disable no-console */
/**
 * The audit trail under a big log, through the real service over real HTTP: a log of synthetic
 * records (event types no other projection handles, so only `audit_events` has work) is seeded
 * on a temp SQLite event store, the service is started on that directory and timed until its
 * first build of `audit_events` has caught up, then
 * - the latency of `GET /v1/audit/events` (unfiltered, each filter alone, actor + type, pages
 *   deep into one actor's events) and of a record's `/history`, sequential requests on one
 *   keep-alive connection, against `GET /healthz` of the same server in the same run;
 * - `GET /v1/audit/verify` (full, then incremental after a few more appends) against a raw
 *   `readAll` of the whole log in the same run;
 * - `GET /v1/audit/export?format=ndjson` of every row and of small filtered sets, with the
 *   process RSS sampled every 50 ms while it streams;
 * - how the same server answers `/healthz` on a second connection (and how long the event loop
 *   stands still) during the first build, the full verification and the full export.
 *
 * The server runs in this process and answers the client of this process: every figure is the
 * two together, on the same cores.
 *
 *   npm run build && node dist/bench/audit-queries.js
 *   BENCH_AUDIT_EVENTS=50000 BENCH_AUDIT_REQUESTS=100 node dist/bench/audit-queries.js
 *   BENCH_AUDIT_KEEP=1 ...   keeps the data directory (to look at query plans) and prints it
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { GENESIS_HASH } from '../src/commands/hash-chain.js';
import type { CommandContext } from '../src/commands/command-context.js';
import { sealEvent } from '../src/commands/seal-event.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { modules } from '../src/modules.js';
import { createService, type Service } from '../src/service.js';
import type { EventStore, EventToAppend } from '../src/stores/event-store.js';
import { openSqliteDatabase } from '../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../src/stores/sqlite/sqlite-event-store.js';
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

export interface AuditBenchmarkOptions {
  /** Events seeded into the log. Default 1 000 000. */
  readonly events?: number;
  /** Measured requests per query. Default 200. */
  readonly requests?: number;
  /** Where the temp directory goes. Default the OS temp directory. */
  readonly directory?: string;
  /** Keep the data directory at the end (to inspect it). Default false. */
  readonly keep?: boolean;
}

export interface SeedSummary {
  readonly events: number;
  readonly records: number;
  readonly streams: number;
  readonly commits: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly byEntityType: Readonly<Record<string, number>>;
  readonly firstRecordedAt: string;
  readonly lastRecordedAt: string;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export interface FirstBuild {
  /** From createService() until `audit_events` is active and has applied the whole log. */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** `GET /v1/admin/projections/audit_events` once caught up. */
  readonly lag: number;
  readonly state: string;
  readonly collection: string | null;
  /** The highest RSS sampled (every 50 ms) by the end of the build: the event loop does not
   * turn while the build runs, so in practice the RSS right after it. */
  readonly rssAfterMb: number;
  /** From createService() until the HTTP server's 'listening' event. */
  readonly listeningSeconds: number;
}

export interface ResponsivenessRow {
  readonly label: string;
  readonly seconds: number;
  /** /healthz requests on a second connection, one every 20 ms, while the operation ran. */
  readonly probes: number | null;
  readonly p50Ms: number | null;
  readonly maxMs: number | null;
  /** The longest gap between turns of the event loop (a 10 ms interval timer's ticks). */
  readonly loopMaxMs: number;
}

export interface LatencyRow {
  readonly label: string;
  readonly requests: number;
  /** Mean items per answer (events of a page, entries of a history). */
  readonly meanItems: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** p50 / the /healthz baseline's p50 (the mean of its before and after runs). */
  readonly p50Ratio: number;
  readonly p99Ratio: number;
}

export interface VerifyRow {
  readonly label: string;
  readonly status: string;
  readonly eventsChecked: number;
  readonly eventsRechecked: number;
  /** As the report says (the verification alone). */
  readonly serverSeconds: number;
  /** The whole request, as the client saw it. */
  readonly clientSeconds: number;
  /** (eventsChecked + eventsRechecked) / serverSeconds. */
  readonly eventsPerSecond: number;
  /** eventsPerSecond / the raw readAll rate. */
  readonly ratio: number | null;
}

export type { ReadRow };

export interface ExportRow {
  readonly label: string;
  readonly rows: number;
  readonly megabytes: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
  readonly rssAfterMb: number;
  readonly heapBeforeMb: number;
  readonly heapPeakMb: number;
}

export interface AuditBenchmarkResult {
  readonly seed: SeedSummary;
  readonly firstBuild: FirstBuild;
  readonly latency: readonly LatencyRow[];
  /** healthz p50 and p99 that the ratios are taken against. */
  readonly baseline: { readonly p50Ms: number; readonly p99Ms: number };
  readonly reads: readonly ReadRow[];
  readonly verify: readonly VerifyRow[];
  readonly exports: readonly ExportRow[];
  /** Access events the benchmark's own audit requests appended. */
  readonly accessEvents: number;
  /** How the same server answered /healthz while the long operations ran. */
  readonly responsiveness: readonly ResponsivenessRow[];
  readonly rssMb: { readonly start: number; readonly seeded: number; readonly end: number };
  readonly dataDir: string | null;
}

const ENTITY_TYPES = ['benchCustomer', 'benchSupplier', 'benchContract', 'benchAsset'] as const;
/** Share of the records of each entity type, so the entity-type filter's selectivity varies. */
const ENTITY_WEIGHTS = [0.4, 0.3, 0.2, 0.1] as const;
const CREATED = 'BenchRecordCreated';
const CHANGED = 'BenchRecordChanged';
const CLOSED = 'BenchRecordClosed';
const EVENT_TYPES = [CREATED, CHANGED, CLOSED] as const;
const ACTORS = Array.from(
  { length: 20 },
  (_, i) => `bench-actor-${String(i + 1).padStart(2, '0')}`,
);
const USERS = Array.from({ length: 50 }, (_, i) => `bench-user-${String(i + 1).padStart(3, '0')}`);
const DAY_MS = 86_400_000;
const SEED_START = Date.UTC(2025, 10, 1);
const SEED_SPAN_MS = 365 * DAY_MS;
/** A record's later events are appended this many commits after its first ones. */
const CONTINUE_AFTER = 8;
const SAMPLE_SIZE = 2000;
const AUDITOR_SECRET = 'bench-auditor-secret-0123456789';
const ADMIN_SECRET = 'bench-admin-secret-0123456789';
const WARM_UP = 20;
const DEEP_PAGES = 30;
const DEEP_FROM = 21;
const READ_PAGE = 1000;

export async function runAuditBenchmark(
  options: AuditBenchmarkOptions = {},
): Promise<AuditBenchmarkResult> {
  const total = options.events ?? 1_000_000;
  const requests = options.requests ?? 200;
  const random = mulberry32(20261123);
  const memory = startMemorySampler();
  const rssStart = memory.rss();
  const dir = await mkdtemp(join(options.directory ?? tmpdir(), 'audit-bench-'));
  let started: StartedService | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    console.log(`Seeding ${total} events into ${join(dir, 'backoffice.db')} ...`);
    const seeded = await seedLog(join(dir, 'backoffice.db'), total, random);
    const rssSeeded = memory.rss();
    console.log(`  seeded in ${seeded.summary.seconds} s`);

    console.log('Starting the service; first build of audit_events ...');
    started = await startService(dir, total, memory);
    const { service, port, firstBuild, buildStall } = started;
    const client = createClient(agent, port);
    console.log(
      `  caught up in ${firstBuild.seconds} s (${firstBuild.state}, lag ${firstBuild.lag})`,
    );

    console.log(`Latency: ${requests} sequential requests per query on one keep-alive connection`);
    const accessBefore = await service.eventStore.headPosition();
    const { latency, baseline } = await measureLatency(client, seeded.samples, random, requests);

    console.log('Verification: raw readAll, full, then incremental after a few appends ...');
    const verification = await measureVerification(client, port, service.eventStore, seeded);

    console.log('Export: every row, then small filtered sets, as NDJSON ...');
    const exported = await measureExports(client, port, memory);
    const accessEvents =
      Number((await service.eventStore.headPosition()) - accessBefore) -
      verification.appended -
      verification.checkpoints;

    return {
      seed: seeded.summary,
      firstBuild,
      latency,
      baseline,
      reads: verification.reads,
      verify: verification.rows,
      exports: exported.rows,
      accessEvents,
      responsiveness: [
        { ...buildStall, label: 'first build of audit_events', seconds: firstBuild.seconds },
        { ...verification.responsiveness, label: 'GET /v1/audit/verify (full)' },
        { ...exported.responsiveness, label: 'GET /v1/audit/export (every row)' },
      ],
      rssMb: { start: mb(rssStart), seeded: mb(rssSeeded), end: mb(memory.rss()) },
      dataDir: options.keep ? dir : null,
    };
  } finally {
    memory.stop();
    agent.destroy();
    await started?.close();
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}

// ---- the phases ------------------------------------------------------------------------------

interface StartedService {
  readonly service: Service;
  readonly port: number;
  readonly firstBuild: FirstBuild;
  readonly buildStall: Omit<ResponsivenessRow, 'label' | 'seconds'>;
  close(): Promise<void>;
}

/**
 * The real service on the seeded directory, listening on an ephemeral port, timed from
 * createService() until `audit_events` is active and has applied the whole log.
 */
async function startService(
  dir: string,
  total: number,
  memory: MemorySampler,
): Promise<StartedService> {
  memory.resetPeak();
  // From before the service exists: its first tick may start the build at once.
  const stall = startStallWatch();
  const buildStarted = performance.now();
  const config = loadConfig(
    {
      DATA_DIR: dir,
      API_KEYS: JSON.stringify([
        { id: 'auditor', secret: AUDITOR_SECRET, scopes: ['audit:read'] },
        { id: 'bench-admin', secret: ADMIN_SECRET, scopes: ['admin'] },
      ]),
      LOG_LEVEL: 'silent',
      CHART_OF_ACCOUNTS: '[]',
      PORT: '0',
      HOST: '127.0.0.1',
      INSTANCE_ID: 'audit-bench',
    },
    modules,
  );
  const service = createService(config, createLogger('silent'));
  const server = service.app.listen(0, '127.0.0.1');
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await service.close();
  };
  try {
    await once(server, 'listening');
    const listeningSeconds = (performance.now() - buildStarted) / 1000;
    // Phases pause between requests; keep the connections open across them.
    server.keepAliveTimeout = 120_000;
    const port = (server.address() as AddressInfo).port;
    // The build runs while the server answers: probe it the whole time.
    const probe = startProbe(port);
    await service.started;
    const head = await service.eventStore.headPosition();
    // Cheap checks only: status() counts the lag by reading the log.
    await poll(
      async () =>
        (await service.projections.readiness())['audit_events'] === 'ok' &&
        (await service.projections.reached(head, ['audit_events'])),
      3_600_000,
    );
    const seconds = (performance.now() - buildStarted) / 1000;
    const rssAfter = memory.peak();
    const probed = await probe.stop();
    const loopMaxMs = round(Math.max(stall.stop(), probed.loopMaxMs));
    const adminAgent = new http.Agent({ keepAlive: false });
    const admin = await createClient(adminAgent, port).json(
      '/v1/admin/projections/audit_events',
      ADMIN_SECRET,
    );
    adminAgent.destroy();
    const report = admin.body as { lag: number; state: string; collection: string | null };
    return {
      service,
      port,
      firstBuild: {
        seconds: round(seconds, 2),
        eventsPerSecond: round(total / seconds),
        lag: report.lag,
        state: report.state,
        collection: report.collection,
        rssAfterMb: mb(rssAfter),
        listeningSeconds: round(listeningSeconds, 2),
      },
      buildStall: { ...probed, loopMaxMs },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

type Client = ReturnType<typeof createClient>;

/**
 * Each query `requests` times after a warm-up, sequentially, with random parameters drawn from
 * what was seeded; /healthz before and after them all is the baseline.
 */
async function measureLatency(
  client: Client,
  samples: Samples,
  random: () => number,
  requests: number,
): Promise<{ latency: LatencyRow[]; baseline: { p50Ms: number; p99Ms: number } }> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const events = (params: Record<string, string>) => `/v1/audit/events${query(params)}`;
  const record = (stream: string) => {
    const hyphen = stream.indexOf('-');
    return { entityType: stream.slice(0, hyphen), entityId: stream.slice(hyphen + 1) };
  };
  const timings: { label: string; ms: number[]; items: number[] }[] = [];
  const timing = (label: string) => {
    const row = { label, ms: [] as number[], items: [] as number[] };
    timings.push(row);
    return row;
  };
  const measure = async (
    label: string,
    count: number,
    path: () => string,
    warmUp: number = WARM_UP,
  ) => {
    for (let i = 0; i < warmUp; i += 1) await client.json(path());
    const row = timing(label);
    for (let i = 0; i < count; i += 1) {
      const answer = await client.json(path());
      row.ms.push(answer.ms);
      row.items.push(itemCount(answer.body));
    }
    return row.ms;
  };

  const healthBefore = await measure('GET /healthz (before)', requests, () => '/healthz');
  await measure('events, unfiltered, first page', requests, () => events({}));
  await measure('events, stream=', requests, () => events({ stream: pick(samples.streams) }));
  await measure('events, entityType= & entityId=', requests, () =>
    events(record(pick(samples.streams))),
  );
  await measure('events, entityType=', requests, () => events({ entityType: pick(ENTITY_TYPES) }));
  await measure('events, actor=', requests, () => events({ actor: pick(ACTORS) }));
  await measure('events, type=', requests, () => events({ type: pick(EVENT_TYPES) }));
  await measure('events, correlationId=', requests, () =>
    events({ correlationId: pick(samples.correlations) }),
  );
  await measure('events, from= & to= (one day)', requests, () => {
    const day = isoDay(new Date(SEED_START + Math.floor(random() * 365) * DAY_MS));
    return events({ from: day, to: day });
  });
  await measure('events, actor= & type=', requests, () =>
    events({ actor: pick(ACTORS), type: pick(EVENT_TYPES) }),
  );

  // Shapes the indexes serve badly, fewer requests each: a wide recordedAt window (its rows
  // are sorted by position before the first page can be answered), and a rare actor with a
  // common type (only one of the two indexes is used).
  const fewer = Math.max(5, Math.round(requests / 10));
  await measure(
    'events, from= & to= (30 days)',
    fewer,
    () => {
      const from = new Date(SEED_START + Math.floor(random() * 335) * DAY_MS);
      return events({ from: isoDay(from), to: isoDay(new Date(from.getTime() + 29 * DAY_MS)) });
    },
    3,
  );
  await measure(
    `events, actor=auditor & type=${CHANGED} (none)`,
    fewer,
    () => events({ actor: 'auditor', type: CHANGED }),
    3,
  );

  // Deep pages: actors' events followed page by page through the cursor.
  const middle = timing(`events, actor=, pages 2-${DEEP_FROM - 1} (cursor)`);
  const deep = timing(`events, actor=, pages ${DEEP_FROM}-${DEEP_PAGES} (cursor)`);
  const walks = Math.max(1, Math.ceil(requests / (DEEP_PAGES - DEEP_FROM + 1)));
  for (let walk = 0; walk < walks; walk += 1) {
    const actor = ACTORS[walk % ACTORS.length]!;
    let cursor: string | undefined;
    for (let page = 1; page <= DEEP_PAGES; page += 1) {
      const answer = await client.json(events({ actor, ...(cursor ? { cursor } : {}) }));
      const row = page >= DEEP_FROM ? deep : page >= 2 ? middle : undefined;
      row?.ms.push(answer.ms);
      row?.items.push(itemCount(answer.body));
      const next = (answer.body as { nextCursor: string | null }).nextCursor;
      if (!next) break;
      cursor = next;
    }
  }

  await measure('entities/{type}/{id}/history', requests, () => {
    const { entityType, entityId } = record(pick(samples.streams));
    return `/v1/audit/entities/${entityType}/${encodeURIComponent(entityId)}/history`;
  });

  // Diagnostic: the same first page once the previous request's access event has long been
  // handled everywhere, so the freshness wait before the query has nothing to wait for.
  const idle = timing('events, unfiltered, 300 ms idle before each');
  for (let i = 0; i < Math.max(10, Math.round(requests / 5)); i += 1) {
    await sleep(300);
    const answer = await client.json(events({}));
    idle.ms.push(answer.ms);
    idle.items.push(itemCount(answer.body));
  }

  const healthAfter = await measure('GET /healthz (after)', requests, () => '/healthz');
  const baseline = {
    p50Ms: (percentile(healthBefore, 50) + percentile(healthAfter, 50)) / 2,
    p99Ms: (percentile(healthBefore, 99) + percentile(healthAfter, 99)) / 2,
  };
  // A small log may not give an actor enough events for the deep pages.
  const latency = timings
    .filter(({ ms }) => ms.length > 0)
    .map(({ label, ms, items }) => ({
      label,
      requests: ms.length,
      meanItems: round(items.reduce((sum, n) => sum + n, 0) / items.length, 1),
      p50Ms: round(percentile(ms, 50), 2),
      p99Ms: round(percentile(ms, 99), 2),
      maxMs: round(Math.max(...ms), 2),
      p50Ratio: round(percentile(ms, 50) / baseline.p50Ms, 1),
      p99Ratio: round(percentile(ms, 99) / baseline.p99Ms, 1),
    }));
  return {
    latency,
    baseline: { p50Ms: round(baseline.p50Ms, 3), p99Ms: round(baseline.p99Ms, 3) },
  };
}

/**
 * A full verification over HTTP between two raw reads of the whole log, then a few appends
 * and two incremental verifications.
 */
async function measureVerification(
  client: Client,
  port: number,
  store: EventStore,
  seeded: { readonly samples: Samples },
): Promise<{
  reads: ReadRow[];
  rows: VerifyRow[];
  appended: number;
  /** Checkpoint events the verifications appended to the log. */
  checkpoints: number;
  responsiveness: Omit<ResponsivenessRow, 'label'>;
}> {
  // One untimed pass first, so the OS cache and the JIT are as warm for the timed reads as
  // they will be for the verification.
  await timedRead(store, 'warm-up');
  const reads: ReadRow[] = [await timedRead(store, 'readAll, whole log (before)')];
  const runs: Omit<VerifyRow, 'ratio'>[] = [];
  let checkpoints = 0;
  const verify = async (label: string, mode: 'full' | 'incremental') => {
    const answer = await client.json(`/v1/audit/verify?mode=${mode}`);
    const body = answer.body as {
      status: string;
      eventsChecked: number;
      eventsRechecked: number;
      durationMs: number;
      checkpoints: { saved: number };
    };
    checkpoints += body.checkpoints.saved;
    const serverSeconds = body.durationMs / 1000;
    runs.push({
      label,
      status: body.status,
      eventsChecked: body.eventsChecked,
      eventsRechecked: body.eventsRechecked,
      serverSeconds: round(serverSeconds, 3),
      clientSeconds: round(answer.ms / 1000, 3),
      eventsPerSecond: round(
        (body.eventsChecked + body.eventsRechecked) / Math.max(serverSeconds, 0.001),
      ),
    });
  };
  const probe = startProbe(port);
  await verify('verify, full', 'full');
  const responsiveness = { ...(await probe.stop()), seconds: runs[0]!.clientSeconds };
  reads.push(await timedRead(store, 'readAll, whole log (after)'));
  const appended = await appendFew(store, seeded.samples.streams.slice(0, 5));
  await verify(`verify, incremental (${appended} events appended first)`, 'incremental');
  await verify('verify, incremental (again)', 'incremental');
  const rawRate = (reads[0]!.eventsPerSecond + reads[1]!.eventsPerSecond) / 2;
  const rows = runs.map((run, i) => ({
    ...run,
    // An incremental run's rate mixes the new events with a re-read segment: not comparable.
    ratio: i === 0 ? round(run.eventsPerSecond / rawRate, 3) : null,
  }));
  return { reads, rows, appended, checkpoints, responsiveness };
}

/** Streams exports, counting lines and discarding every chunk, with RSS and heap sampled. */
async function measureExports(
  client: Client,
  port: number,
  memory: MemorySampler,
): Promise<{ rows: ExportRow[]; responsiveness: Omit<ResponsivenessRow, 'label'> }> {
  const rows: ExportRow[] = [];
  let responsiveness: Omit<ResponsivenessRow, 'label'> | undefined;
  const exportOf = async (label: string, path: string, probed = false) => {
    // Let the collector and the previous phase settle, so "before" is a resting figure.
    await sleep(500);
    const probe = probed ? startProbe(port) : undefined;
    const rssBefore = memory.rss();
    const heapBefore = process.memoryUsage().heapUsed;
    memory.resetPeak();
    let heapPeak = heapBefore;
    const heapTimer = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 50);
    let lines = 0;
    let bytes = 0;
    const answer = await client.stream(path, (chunk) => {
      bytes += chunk.length;
      for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines += 1;
    });
    clearInterval(heapTimer);
    if (probe) responsiveness = { ...(await probe.stop()), seconds: round(answer.ms / 1000, 2) };
    if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}`);
    const seconds = answer.ms / 1000;
    rows.push({
      label,
      rows: lines,
      megabytes: round(bytes / 1_048_576, 1),
      seconds: round(seconds, 2),
      rowsPerSecond: round(lines / seconds),
      rssBeforeMb: mb(rssBefore),
      rssPeakMb: mb(memory.peak()),
      rssAfterMb: mb(memory.rss()),
      heapBeforeMb: mb(heapBefore),
      heapPeakMb: mb(heapPeak),
    });
  };
  await exportOf('export ndjson, every row', '/v1/audit/export?format=ndjson', true);
  const week = new Date(SEED_START + 180 * DAY_MS);
  const weekEnd = new Date(week.getTime() + 6 * DAY_MS);
  await exportOf(
    'export ndjson, actor= & 7 days from/to',
    `/v1/audit/export${query({ format: 'ndjson', actor: ACTORS[6]!, from: isoDay(week), to: isoDay(weekEnd) })}`,
  );
  await exportOf(
    'export ndjson, from= & to= (one day)',
    `/v1/audit/export${query({ format: 'ndjson', from: isoDay(week), to: isoDay(week) })}`,
  );
  return { rows, responsiveness: responsiveness! };
}

function query(params: Readonly<Record<string, string>>): string {
  const text = new URLSearchParams(params).toString();
  return text === '' ? '' : `?${text}`;
}

// ---- seeding ---------------------------------------------------------------------------------

/** Uniform samples of what was seeded, for the queries' parameters. */
interface Samples {
  readonly streams: readonly string[];
  readonly correlations: readonly string[];
}

interface Continuation {
  readonly stream: string;
  /** Events the stream holds so far. */
  readonly written: number;
  readonly lastHash: string;
  /** Events still to append. */
  readonly remaining: number;
  readonly closes: boolean;
  readonly record: number;
}

interface PlannedAppend {
  readonly stream: string;
  readonly written: number;
  readonly lastHash: string;
  /** Types of the events of this append, in order. */
  readonly types: readonly string[];
  readonly record: number;
  /** What is left for a later commit, if anything. */
  readonly rest?: { readonly remaining: number; readonly closes: boolean };
}

/**
 * Appends `total` events on a fresh SQLite event store. Records get 2 to 6 events (one is the
 * creation, the last is a closing in 70% of them), appended in two parts: the first half when
 * the record is created, the rest {@link CONTINUE_AFTER} commits later, so streams are extended
 * with an expected revision. Appends are grouped into requests of 1 to 3 appends that share an
 * actor, an on-behalf-of user (70% of them), a correlation id and a request id. Each commit
 * (one group-commit transaction) carries ~`eventsPerCommit` events; the store's clock is set
 * per commit so `recorded_at` spreads evenly over a year. Only one commit's appends and the
 * pending continuations are in memory at a time.
 */
async function seedLog(
  file: string,
  total: number,
  random: () => number,
): Promise<{ summary: SeedSummary; samples: Samples }> {
  const started = performance.now();
  let clockMs = SEED_START;
  const db = openSqliteDatabase(file);
  const store = createSqliteEventStore(db, { now: () => new Date(clockMs), pollIntervalMs: 0 });
  const eventsPerCommit = Math.min(1000, Math.max(100, Math.round(total / 2000)));
  const step = SEED_SPAN_MS / (Math.ceil(total / eventsPerCommit) + CONTINUE_AFTER);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const pending = new Map<number, Continuation[]>();
  const byType = new Map<string, number>();
  const byEntityType = new Map<string, number>();
  const perTypeIds = new Map<string, number>();
  const streams = reservoir<string>(SAMPLE_SIZE, random);
  const correlations = reservoir<string>(SAMPLE_SIZE, random);
  let planned = 0;
  let written = 0;
  let records = 0;
  let commit = 0;
  let firstRecordedAt = '';
  let lastRecordedAt = '';
  try {
    while (planned < total || pending.size > 0) {
      const appends: PlannedAppend[] = [];
      let eventsInCommit = 0;
      for (const continuation of pending.get(commit) ?? []) {
        const types = Array.from({ length: continuation.remaining }, (_, i) =>
          continuation.closes && i === continuation.remaining - 1 ? CLOSED : CHANGED,
        );
        appends.push({ ...continuation, types });
        eventsInCommit += types.length;
      }
      pending.delete(commit);
      while (eventsInCommit < eventsPerCommit && planned < total) {
        const size = Math.min(2 + Math.floor(random() * 5), total - planned);
        const closes = size >= 2 && random() < 0.7;
        const entityType = weighted(ENTITY_TYPES, ENTITY_WEIGHTS, random);
        const id = (perTypeIds.get(entityType) ?? 0) + 1;
        perTypeIds.set(entityType, id);
        const stream = `${entityType}-${id}`;
        const first = Math.ceil(size / 2);
        const types = Array.from({ length: first }, (_, i) =>
          i === 0 ? CREATED : closes && i === size - 1 ? CLOSED : CHANGED,
        );
        appends.push({
          stream,
          written: 0,
          lastHash: GENESIS_HASH,
          types,
          record: records,
          ...(size > first ? { rest: { remaining: size - first, closes } } : {}),
        });
        streams.offer(stream);
        records += 1;
        planned += size;
        eventsInCommit += first;
        byEntityType.set(entityType, (byEntityType.get(entityType) ?? 0) + size);
      }

      clockMs = Math.round(SEED_START + commit * step);
      const recordedAt = new Date(clockMs).toISOString();
      firstRecordedAt ||= recordedAt;
      lastRecordedAt = recordedAt;
      const queued: Promise<unknown>[] = [];
      for (let at = 0; at < appends.length;) {
        const requestSize = 1 + Math.floor(random() * 3);
        const requestId = randomUUID();
        const context: CommandContext = {
          actor: pick(ACTORS),
          ...(random() < 0.7 ? { onBehalfOf: pick(USERS) } : {}),
          correlationId: randomUUID(),
          causationId: requestId,
          requestId,
          // Business time up to six hours before the commit.
          occurredAt: new Date(clockMs - Math.floor(random() * 6 * 3_600_000)).toISOString(),
        };
        correlations.offer(context.correlationId);
        for (const append of appends.slice(at, at + requestSize)) {
          let prevHash = append.lastHash;
          const events: EventToAppend[] = append.types.map((type, i) => {
            const sealed = sealEvent({
              id: randomUUID(),
              type,
              data: eventData(type, append.record, append.written + i, random),
              context,
              recordedAt,
              prevHash,
            });
            prevHash = sealed.metadata.hash as string;
            byType.set(type, (byType.get(type) ?? 0) + 1);
            return sealed;
          });
          written += events.length;
          if (append.rest) {
            const due = commit + CONTINUE_AFTER;
            const list = pending.get(due) ?? [];
            list.push({
              stream: append.stream,
              written: append.written + events.length,
              lastHash: prevHash,
              remaining: append.rest.remaining,
              closes: append.rest.closes,
              record: append.record,
            });
            pending.set(due, list);
          }
          // Queued in one turn of the event loop: group commit makes the commit one transaction.
          queued.push(
            store.append(append.stream, events, {
              expectedRevision: append.written === 0 ? 'no_stream' : BigInt(append.written - 1),
            }),
          );
        }
        at += requestSize;
      }
      await Promise.all(queued);
      commit += 1;
    }
  } finally {
    await store.close();
    db.close();
  }
  if (written !== total) throw new Error(`Seeded ${written} events, meant ${total}`);
  const seconds = (performance.now() - started) / 1000;
  return {
    summary: {
      events: written,
      records,
      streams: records,
      commits: commit,
      byType: Object.fromEntries(byType),
      byEntityType: Object.fromEntries(byEntityType),
      firstRecordedAt,
      lastRecordedAt,
      seconds: round(seconds, 2),
      eventsPerSecond: round(written / seconds),
    },
    samples: { streams: streams.items(), correlations: correlations.items() },
  };
}

const STATUSES = ['open', 'pending', 'approved', 'on-hold', 'escalated'] as const;
const REASONS = ['completed', 'cancelled', 'duplicate', 'expired'] as const;

function eventData(
  type: string,
  record: number,
  revision: number,
  random: () => number,
): Record<string, unknown> {
  const amount = () => (Math.floor(random() * 10_000_000) / 100).toFixed(2);
  if (type === CREATED) {
    return {
      name: `Benchmark record ${record}`,
      status: 'open',
      amount: amount(),
      currency: 'EUR',
      owner: USERS[Math.floor(random() * USERS.length)]!,
    };
  }
  if (type === CLOSED) {
    return { status: 'closed', reason: REASONS[Math.floor(random() * REASONS.length)]! };
  }
  const changes: Record<string, unknown> = {
    status: STATUSES[Math.floor(random() * STATUSES.length)]!,
  };
  if (random() < 0.5) changes.amount = amount();
  if (random() < 0.3) changes.owner = USERS[Math.floor(random() * USERS.length)]!;
  return { changes, note: `Change ${revision} of record ${record}` };
}

/** A few sealed appends through the service's own store: 5 streams extended, one new. */
async function appendFew(store: EventStore, extend: readonly string[]): Promise<number> {
  const requestId = randomUUID();
  const context: CommandContext = {
    actor: 'bench-actor-01',
    correlationId: randomUUID(),
    causationId: requestId,
    requestId,
  };
  const recordedAt = new Date().toISOString();
  let count = 0;
  const append = async (stream: string, types: readonly string[]) => {
    const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    let prevHash = (last?.metadata.hash as string | undefined) ?? GENESIS_HASH;
    const events = types.map((type, i) => {
      const sealed = sealEvent({
        id: randomUUID(),
        type,
        data: eventData(type, -1, Number(last?.revision ?? -1n) + 1 + i, Math.random),
        context,
        recordedAt,
        prevHash,
      });
      prevHash = sealed.metadata.hash as string;
      return sealed;
    });
    await store.append(stream, events, {
      expectedRevision: last ? last.revision : 'no_stream',
    });
    count += events.length;
  };
  for (const stream of extend) await append(stream, [CHANGED]);
  await append(`benchAsset-extra-${randomUUID()}`, [CREATED, CHANGED, CLOSED]);
  return count;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function weighted<T>(items: readonly T[], weights: readonly number[], random: () => number): T {
  let left = random();
  for (let i = 0; i < items.length; i += 1) {
    left -= weights[i]!;
    if (left < 0) return items[i]!;
  }
  return items[items.length - 1]!;
}

/** A uniform sample of at most `size` of the items offered, in bounded memory. */
function reservoir<T>(size: number, random: () => number) {
  const kept: T[] = [];
  let seen = 0;
  return {
    offer(item: T) {
      seen += 1;
      if (kept.length < size) kept.push(item);
      else {
        const slot = Math.floor(random() * seen);
        if (slot < size) kept[slot] = item;
      }
    },
    items: () => [...kept],
  };
}

// ---- HTTP ------------------------------------------------------------------------------------

interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly body: unknown;
}

/** Sequential GETs on one keep-alive connection, timed from the request to the body's end. */
function createClient(agent: http.Agent, port: number) {
  function get(
    path: string,
    secret: string | undefined,
    onChunk: (chunk: Buffer) => void,
  ): Promise<{ status: number; ms: number }> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const request = http.get(
        {
          host: '127.0.0.1',
          port,
          path,
          agent,
          headers: secret ? { authorization: `Bearer ${secret}` } : {},
        },
        (response) => {
          response.on('data', onChunk);
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
    });
  }
  return {
    /** The parsed JSON answer; throws unless 200. */
    async json(path: string, secret: string = AUDITOR_SECRET): Promise<Answer> {
      const chunks: Buffer[] = [];
      const { status, ms } = await get(path, secret, (chunk) => chunks.push(chunk));
      const text = Buffer.concat(chunks).toString('utf8');
      if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${text.slice(0, 500)}`);
      return { status, ms, body: JSON.parse(text) as unknown };
    },
    /** Hands each chunk to `onChunk` and keeps nothing. */
    stream(path: string, onChunk: (chunk: Buffer) => void) {
      return get(path, AUDITOR_SECRET, onChunk);
    },
  };
}

function itemCount(body: unknown): number {
  const items = (body as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? items.length : 0;
}

// ---- measuring -------------------------------------------------------------------------------

/**
 * Sequential `/healthz` requests on a connection of their own, one every 20 ms, and the event
 * loop's longest stall, until stopped: how responsive the server stays during an operation.
 */
function startProbe(port: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const client = createClient(agent, port);
  const stall = startStallWatch();
  const ms: number[] = [];
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      ms.push((await client.json('/healthz')).ms);
      await sleep(20);
    }
  })();
  return {
    async stop(): Promise<Omit<ResponsivenessRow, 'label' | 'seconds'>> {
      stopped = true;
      await running;
      agent.destroy();
      return {
        probes: ms.length,
        p50Ms: round(percentile(ms, 50), 2),
        maxMs: round(Math.max(...ms), 1),
        loopMaxMs: round(stall.stop()),
      };
    },
  };
}

/** The longest gap between the ticks of a 10 ms interval: how long the event loop stood still. */
function startStallWatch() {
  let last = performance.now();
  let longest = 0;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  };
  const timer = setInterval(tick, 10);
  return {
    stop(): number {
      tick();
      clearInterval(timer);
      return longest;
    },
  };
}

async function timedRead(store: EventStore, label: string): Promise<ReadRow> {
  const started = performance.now();
  let after = 0n;
  let events = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: READ_PAGE });
    events += page.length;
    const last = page.at(-1);
    if (page.length < READ_PAGE || !last) break;
    after = last.position;
  }
  const seconds = (performance.now() - started) / 1000;
  return { label, events, seconds: round(seconds, 2), eventsPerSecond: round(events / seconds) };
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

async function poll(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error('Timed out waiting for audit_events');
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- output ----------------------------------------------------------------------------------

export function printAuditResult(result: AuditBenchmarkResult): void {
  const { seed, firstBuild } = result;
  const counts = (record: Readonly<Record<string, number>>) =>
    Object.entries(record)
      .map(([name, n]) => `${n} ${name}`)
      .join(', ');
  console.log('');
  console.log(
    `Audit trail on SQLite: ${seed.events} events (${counts(seed.byType)}) in ${seed.streams} ` +
      `streams (${counts(seed.byEntityType)}), ${ACTORS.length} actors, ${USERS.length} ` +
      `on-behalf-of users, ${seed.commits} commits recorded ${seed.firstRecordedAt} to ` +
      `${seed.lastRecordedAt}; seeded in ${seed.seconds} s (${seed.eventsPerSecond} events/s)`,
  );
  console.log(
    `First build of audit_events by the service: ${firstBuild.seconds} s from createService() ` +
      `until caught up, ${firstBuild.eventsPerSecond} events/s; then state ${firstBuild.state}, ` +
      `lag ${firstBuild.lag} (GET /v1/admin/projections/audit_events), collection ` +
      `${firstBuild.collection}; RSS ${firstBuild.rssAfterMb} MB after it. The HTTP server's ` +
      `'listening' event came ${firstBuild.listeningSeconds} s after createService().`,
  );
  console.log('');
  printTable(
    [
      'query (sequential, keep-alive)',
      'requests',
      'items',
      'p50 ms',
      'p99 ms',
      'max ms',
      'p50 × healthz',
      'p99 × healthz',
    ],
    result.latency.map((row) => [
      row.label,
      String(row.requests),
      row.meanItems.toFixed(1),
      row.p50Ms.toFixed(2),
      row.p99Ms.toFixed(2),
      row.maxMs.toFixed(2),
      row.p50Ratio.toFixed(1),
      row.p99Ratio.toFixed(1),
    ]),
  );
  console.log(
    `Baseline: /healthz p50 ${result.baseline.p50Ms} ms, p99 ${result.baseline.p99Ms} ms ` +
      `(mean of the before and after runs). Every audit request (not /healthz) also appends an ` +
      `AuditTrailAccessed event, an fsync'd commit, and first waits until the reactor and ` +
      `audit_events have caught up with the log, which includes the previous request's access ` +
      `event: ${result.accessEvents} access events were appended in all.`,
  );
  console.log('');
  printReads('raw read (pages of 1000)', result.reads, 2);
  console.log('');
  printTable(
    [
      'verification',
      'status',
      'events checked',
      'rechecked',
      'server s',
      'client s',
      'events/s',
      'vs raw read',
    ],
    result.verify.map((row) => [
      row.label,
      row.status,
      String(row.eventsChecked),
      String(row.eventsRechecked),
      row.serverSeconds.toFixed(3),
      row.clientSeconds.toFixed(3),
      String(row.eventsPerSecond),
      row.ratio === null ? '-' : row.ratio.toFixed(3),
    ]),
  );
  console.log('');
  printTable(
    [
      'export (streamed, body discarded)',
      'rows',
      'MB',
      'seconds',
      'rows/s',
      'RSS before',
      'RSS peak',
      'RSS after',
      'heap before',
      'heap peak',
    ],
    result.exports.map((row) => [
      row.label,
      String(row.rows),
      row.megabytes.toFixed(1),
      row.seconds.toFixed(2),
      String(row.rowsPerSecond),
      `${row.rssBeforeMb} MB`,
      `${row.rssPeakMb} MB`,
      `${row.rssAfterMb} MB`,
      `${row.heapBeforeMb} MB`,
      `${row.heapPeakMb} MB`,
    ]),
  );
  console.log('');
  printTable(
    [
      'responsiveness while…',
      'seconds',
      '/healthz probes',
      'p50 ms',
      'max ms',
      'event-loop max stall ms',
    ],
    result.responsiveness.map((row) => [
      row.label,
      row.seconds.toFixed(2),
      row.probes === null ? '-' : String(row.probes),
      row.p50Ms === null ? '-' : row.p50Ms.toFixed(2),
      row.maxMs === null ? '-' : row.maxMs.toFixed(1),
      String(row.loopMaxMs),
    ]),
  );
  console.log(
    '/healthz on a second keep-alive connection, one request every 20 ms while the operation ' +
      'ran; the stall is the longest gap between the ticks of a 10 ms interval timer.',
  );
  console.log('');
  console.log(
    'The server runs in this process: RSS and heap are the server and the client together ' +
      '(sampled every 50 ms); the client counts lines and discards every chunk.',
  );
  console.log(
    `RSS: ${result.rssMb.start} MB at start, ${result.rssMb.seeded} MB after seeding, ` +
      `${result.rssMb.end} MB at the end.` +
      (result.dataDir ? ` Data directory kept: ${result.dataDir}` : ''),
  );
}

function parseCount(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be an integer of at least ${min}, got ${raw}`);
  }
  return value;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const result = await runAuditBenchmark({
    events: parseCount('BENCH_AUDIT_EVENTS', process.env['BENCH_AUDIT_EVENTS'], 1000),
    requests: parseCount('BENCH_AUDIT_REQUESTS', process.env['BENCH_AUDIT_REQUESTS'], 10),
    keep: process.env['BENCH_AUDIT_KEEP'] === '1',
  });
  printAuditResult(result);
  console.log(JSON.stringify({ benchmark: 'audit-queries', ...result }));
}
