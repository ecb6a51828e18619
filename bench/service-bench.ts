/* eslint-disable no-console */
/**
 * `npm run bench`: the built service driven over real HTTP from this process with autocannon,
 * against a bare express endpoint run in the same way and the same run; read-model builds timed
 * against a raw read of the same log. Prints every figure with its target and writes the JSON
 * summary docs/benchmarks.md is generated from (`npm run bench:docs`).
 *
 *   BENCH_QUICK=1             a smoke run of well under a minute
 *   BENCH_DURATION_S=10       each HTTP load, after a warm-up (BENCH_WARMUP_S, default 2)
 *   BENCH_CONNECTIONS=32
 *   BENCH_SUSTAINED_S=60      the sustained payment load before the lag is measured
 *   BENCH_STREAM_EVENTS=5000  how far one stream grows before its commands are timed again
 *   BENCH_EVENTS=100000,1000000   the logs the read models are built from
 *   BENCH_ONLY=http,lag,stream,build   a subset of the scenarios
 *   BENCH_OUTPUT=bench/results/latest.json
 */
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EVENT_STORE_FILE } from '../src/open-stores.js';
import { openSqliteDatabase } from '../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../src/stores/sqlite/sqlite-event-store.js';
import { printTable, round } from './bench-support.js';
import { seedLedgerLog } from './ledger-log.js';
import { runLoad, type LoadSpec } from './load.js';
import {
  JSON_HEADERS,
  rawRead,
  startBareExpress,
  startService,
  type RunningServer,
} from './service-process.js';
import {
  BUILD_HEADER,
  HTTP_HEADER,
  LABELS,
  SUMMARY_VERSION,
  buildTable,
  figures,
  httpTable,
  meetsText,
  type BenchSummary,
  type BuildRow,
  type HttpRow,
  type LagResult,
  type StreamLatency,
} from './summary.js';

const env = process.env;
const quick = env['BENCH_QUICK'] === '1';
const num = (name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number, got ${raw}`);
  return value;
};
const settings = {
  quick,
  connections: num('BENCH_CONNECTIONS', 32),
  durationS: num('BENCH_DURATION_S', quick ? 2 : 10),
  warmupS: num('BENCH_WARMUP_S', quick ? 1 : 2),
  sustainedS: num('BENCH_SUSTAINED_S', quick ? 3 : 60),
  customers: num('BENCH_CUSTOMERS', quick ? 5 : 50),
  invoices: num('BENCH_INVOICES', quick ? 30 : 1000),
  streamEvents: num('BENCH_STREAM_EVENTS', quick ? 150 : 5000),
  logSizes: (env['BENCH_EVENTS'] ?? (quick ? '5000' : '100000,1000000'))
    .split(',')
    .filter((size) => size.trim() !== '')
    .map((size) => {
      const value = Number(size);
      if (!Number.isSafeInteger(value) || value < 100) {
        throw new Error(`BENCH_EVENTS must list integers of at least 100, got ${size}`);
      }
      return value;
    }),
  serviceLogLevel: env['BENCH_SERVICE_LOG_LEVEL'] ?? 'info',
};
const only = new Set((env['BENCH_ONLY'] ?? 'http,lag,stream,build').split(','));
const output = resolve(env['BENCH_OUTPUT'] ?? 'bench/results/latest.json');
const root = mkdtempSync(join(env['BENCH_TMPDIR'] ?? tmpdir(), 'service-bench-'));
let dirs = 0;
const dataDir = (): string => join(root, `data-${++dirs}`);

const log = (message: string): void =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** The same day for every dated body, so no request is refused for its date. */
const DAY = '2026-11-20';

// ---- HTTP throughput -------------------------------------------------------------------------

interface Projections {
  items: {
    name: string;
    collection: string | null;
    lag: number;
    state: string;
    position: string;
  }[];
  reactors: { name: string; position: string; state: string }[];
}

async function projections(service: RunningServer): Promise<Projections> {
  const answer = await service.request('GET', '/v1/admin/projections');
  if (answer.status !== 200) throw new Error(`projections status answered ${answer.status}`);
  const status = answer.body as Projections;
  const failed = status.items.find((item) => item.state === 'failed');
  if (failed) throw new Error(`Projection ${failed.name} failed: ${JSON.stringify(answer.body)}`);
  return status;
}

/**
 * Events the read models are behind: the largest projection lag, plus how far the postings
 * reactor is from the head (its reactions are events the projections have yet to see). The head
 * is `lastWrite` when given, else the furthest projection position (`audit_events` handles every
 * event type, so at lag 0 its position is the head's). Reactors' positions move past events
 * they ignore, so a reactor at the head has nothing left to do.
 */
async function behind(service: RunningServer, lastWrite?: bigint): Promise<number> {
  const status = await projections(service);
  let count = Math.max(0, ...status.items.map((item) => item.lag));
  if (status.items.some((item) => item.collection === null) && count === 0) count = 1;
  const head =
    lastWrite ??
    status.items.reduce(
      (max, item) => (BigInt(item.position) > max ? BigInt(item.position) : max),
      0n,
    );
  let reactorGap = 0;
  for (const reactor of status.reactors) {
    reactorGap = Math.max(reactorGap, Number(head - BigInt(reactor.position)));
  }
  return count + reactorGap;
}

/** Resolves with the seconds it took until the read models were current twice in a row. */
async function untilCurrent(
  service: RunningServer,
  lastWrite?: bigint,
  timeoutMs = 3_600_000,
): Promise<number> {
  const started = performance.now();
  let current = 0;
  while (current < 2) {
    current = (await behind(service, lastWrite)) === 0 ? current + 1 : 0;
    if (performance.now() - started > timeoutMs) throw new Error('The read models never caught up');
    if (current < 2) await sleep(50);
  }
  return (performance.now() - started) / 1000;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function must(
  service: RunningServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const answer = await service.request(method, path, body);
  if (answer.status >= 300) {
    throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body as Record<string, unknown>;
}

/** `count` calls of `task`, `concurrency` at a time. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) await task(i);
    }),
  );
}

let keys = 0;

const journalBody = (n: number): string =>
  JSON.stringify({
    date: DAY,
    description: `Benchmark entry ${n}`,
    lines: [
      { account: '10000', debit: '10.00' },
      { account: '40000', credit: '10.00' },
    ],
  });

async function measure(
  label: string,
  server: HttpRow['server'],
  spec: Omit<LoadSpec, 'durationS' | 'connections'>,
): Promise<HttpRow> {
  const base = { ...spec, connections: settings.connections };
  if (settings.warmupS > 0) await runLoad({ ...base, durationS: settings.warmupS });
  const result = await runLoad({ ...base, durationS: settings.durationS });
  log(`${label}: ${result.rps} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${label}: ${result.non2xx} answers other than 2xx, ${result.errors} errors`);
  }
  return { label, server, ...result };
}

function invoicePaymentBuilder(invoices: number) {
  return (n: number) => ({
    path: `/v1/invoices/bench-inv-${n % invoices}/payments`,
    body: JSON.stringify({
      amount: '0.01',
      receivedOn: DAY,
      method: 'bank_transfer',
      reference: `bench ${n}`,
    }),
  });
}

async function seedReceivables(service: RunningServer): Promise<void> {
  await pool(settings.customers, 8, (i) =>
    must(service, 'POST', '/v1/customers', {
      customerId: `bench-cust-${i}`,
      name: `Customer ${i}`,
      email: `customer${i}@example.com`,
      billingAddress: {
        line1: `${i} Bench Street`,
        city: 'Berlin',
        postalCode: '10115',
        country: 'DE',
      },
      currency: 'EUR',
      paymentTermsDays: 30,
    }),
  );
  await pool(settings.invoices, 8, (i) =>
    must(service, 'POST', '/v1/invoices', {
      invoiceId: `bench-inv-${i}`,
      customerId: `bench-cust-${i % settings.customers}`,
      issueDate: '2026-11-01',
      lines: [
        {
          description: 'Benchmark goods',
          quantity: '1',
          unitPrice: '1000000.00',
          revenueAccount: '40000',
        },
      ],
    }),
  );
}

async function httpScenarios(http: HttpRow[]): Promise<LagResult | null> {
  const bare = await startBareExpress();
  // A service that cannot start must not leave the baseline running (and the run hanging).
  const service = await startService({ dataDir: dataDir() }).catch(async (error: unknown) => {
    await bare.stop();
    throw error;
  });
  try {
    const postBare = (round: number) =>
      measure(LABELS.barePost(round), 'bare express', {
        url: bare.url,
        method: 'POST',
        path: '/echo',
        headers: JSON_HEADERS,
        build: (n) => ({ body: journalBody(n) }),
      });
    const journal = (keyed: boolean) =>
      measure(keyed ? LABELS.journalKeyed : LABELS.journal, 'service', {
        url: service.url,
        method: 'POST',
        path: '/v1/ledger/journal-entries',
        headers: JSON_HEADERS,
        build: (n) => ({
          body: journalBody(n),
          // Unique over the whole run, warm-ups included: a repeated key would be a replay.
          ...(keyed ? { headers: { 'idempotency-key': `bench-key-${++keys}` } } : {}),
        }),
      });
    http.push(await postBare(1));
    http.push(await journal(false));
    http.push(await journal(true));

    log(`seeding ${settings.customers} customers and ${settings.invoices} invoices`);
    await seedReceivables(service);
    await untilCurrent(service);
    http.push(
      await measure(LABELS.payment, 'service', {
        url: service.url,
        method: 'POST',
        path: '/v1/invoices/bench-inv-0/payments',
        headers: JSON_HEADERS,
        build: invoicePaymentBuilder(settings.invoices),
      }),
    );
    http.push(await postBare(2));

    await untilCurrent(service);
    const get = (label: string, url: string, path: string) =>
      measure(label, url === bare.url ? 'bare express' : 'service', {
        url,
        method: 'GET',
        path,
        headers: JSON_HEADERS,
      });
    http.push(await get(LABELS.bareGet, bare.url, '/echo'));
    http.push(await get(LABELS.account, service.url, '/v1/ledger/accounts/12000'));
    http.push(await get(LABELS.trialBalance, service.url, '/v1/reports/trial-balance'));

    return only.has('lag') ? await sustained(service) : null;
  } finally {
    await bare.stop();
    await service.stop();
  }
}

// ---- lag after a sustained write load --------------------------------------------------------

async function sustained(service: RunningServer): Promise<LagResult> {
  await untilCurrent(service);
  log(`payments at full speed for ${settings.sustainedS} s`);
  const result = await runLoad({
    url: service.url,
    method: 'POST',
    path: '/v1/invoices/bench-inv-0/payments',
    headers: JSON_HEADERS,
    connections: settings.connections,
    durationS: settings.sustainedS,
    build: invoicePaymentBuilder(settings.invoices),
  });
  const ended = performance.now();
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`sustained payments: ${result.non2xx} refused, ${result.errors} errors`);
  }
  // One more payment marks the head of the load: the read models are current once the postings
  // reactor has reacted to it and every projection has applied what that wrote.
  const last = await must(service, 'POST', '/v1/invoices/bench-inv-0/payments', {
    amount: '0.01',
    receivedOn: DAY,
    method: 'bank_transfer',
    reference: 'bench last',
  });
  const lastWrite = BigInt(last['position'] as string);
  const behindAtEnd = await behind(service, lastWrite);
  await sleep(Math.max(0, 2000 - (performance.now() - ended)));
  const behindAfter2s = await behind(service, lastWrite);
  await untilCurrent(service, lastWrite);
  const catchUpSeconds = round((performance.now() - ended) / 1000, 1);
  log(
    `${result.requests} payments (${result.rps}/s); behind at the end ${behindAtEnd}, 2 s later ` +
      `${behindAfter2s}, current ${catchUpSeconds} s after the load`,
  );
  return {
    loadSeconds: settings.sustainedS,
    payments: result.requests,
    rps: result.rps,
    behindAtEnd,
    behindAfter2s,
    catchUpSeconds,
  };
}

// ---- command latency as one stream grows -----------------------------------------------------

const SAMPLES = 21;

async function streamLatency(): Promise<StreamLatency> {
  const service = await startService({ dataDir: dataDir() });
  try {
    const id = 'bench-stream';
    const customer = (customerId: string, name: string) => ({
      customerId,
      name,
      email: `${customerId}@example.com`,
      billingAddress: {
        line1: '1 Bench Street',
        city: 'Berlin',
        postalCode: '10115',
        country: 'DE',
      },
      currency: 'EUR',
      paymentTermsDays: 30,
    });
    await must(service, 'POST', '/v1/customers', customer(id, 'Stream 0'));
    // Warm the route up on another customer, so the first sample is not the JIT's first call.
    await must(service, 'POST', '/v1/customers', customer('bench-warm', 'Warm 0'));
    for (let i = 1; i <= (quick ? 20 : 200); i += 1) {
      await must(service, 'POST', '/v1/customers/bench-warm/changes', { name: `Warm ${i}` });
    }
    // Each change names the customer anew, so each appends one event: the stream's revision n
    // is the n-th change.
    let revision = 0;
    const change = async (): Promise<number> => {
      revision += 1;
      const started = performance.now();
      await must(service, 'POST', `/v1/customers/${id}/changes`, { name: `Stream ${revision}` });
      return performance.now() - started;
    };
    const sample = async () => {
      const first = revision + 1;
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i += 1) times.push(await change());
      times.sort((a, b) => a - b);
      return { revisions: `${first}-${revision}`, medianMs: round(times[(SAMPLES - 1) >> 1]!, 2) };
    };
    const early = await sample();
    const farStart = Math.max(revision, settings.streamEvents - (SAMPLES >> 1) - 1);
    log(`growing one stream to ${farStart} events`);
    while (revision < farStart) await change();
    const late = await sample();
    const ratio = round(late.medianMs / early.medianMs, 2);
    log(
      `command latency: ${early.medianMs} ms at ${early.revisions}, ${late.medianMs} ms at ${late.revisions}`,
    );
    return { stream: `customer-${id}`, samples: SAMPLES, early, late, ratio };
  } finally {
    await service.stop();
  }
}

// ---- read-model builds against the raw read of the log ---------------------------------------

async function build(events: number): Promise<BuildRow> {
  const dir = dataDir();
  mkdirSync(dir, { recursive: true });
  log(`seeding ${events} events`);
  let started = performance.now();
  {
    const db = openSqliteDatabase(join(dir, EVENT_STORE_FILE));
    const store = createSqliteEventStore(db, { pollIntervalMs: 0 });
    await seedLedgerLog(store, events);
    await store.close();
    db.close();
  }
  const seedSeconds = round((performance.now() - started) / 1000, 1);
  const raw = rawRead(dir);
  log(`raw read of ${raw.events} events: ${raw.seconds.toFixed(2)} s`);

  // No chart of accounts to open: the service writes nothing and only builds.
  const service = await startService({ dataDir: dir, env: { CHART_OF_ACCOUNTS: '[]' } });
  try {
    await untilCurrentQuiet(service);
    const firstBuildSeconds = (performance.now() - service.startedAt) / 1000;
    const peakRssMbFirstBuild = service.peakRssMb();
    const status = await projections(service);
    log(`first build: ${firstBuildSeconds.toFixed(2)} s, peak RSS ${peakRssMbFirstBuild} MB`);

    const before = status.items.find((item) => item.name === 'ledger_balances')?.collection;
    started = performance.now();
    await must(service, 'POST', '/v1/admin/projections/ledger_balances/rebuild');
    for (;;) {
      const now = await projections(service);
      const item = now.items.find((candidate) => candidate.name === 'ledger_balances');
      if (item && item.collection !== before && item.collection !== null && item.lag === 0) break;
      await sleep(50);
    }
    const rebuildSeconds = (performance.now() - started) / 1000;
    log(`rebuild of ledger_balances: ${rebuildSeconds.toFixed(2)} s`);
    return {
      events: raw.events,
      seedSeconds,
      rawReadSeconds: round(raw.seconds, 3),
      firstBuildSeconds: round(firstBuildSeconds, 2),
      firstBuildRatio: round(raw.seconds / firstBuildSeconds, 3),
      rebuildSeconds: round(rebuildSeconds, 2),
      rebuildRatio: round(raw.seconds / rebuildSeconds, 3),
      peakRssMbFirstBuild,
      projections: status.items.map((item) => item.name),
    };
  } finally {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** As untilCurrent, with status requests far enough apart not to slow the build down. */
async function untilCurrentQuiet(service: RunningServer): Promise<void> {
  for (;;) {
    const status = await projections(service);
    if (
      status.items.every(
        (item) => item.collection !== null && item.lag === 0 && item.state === 'live',
      )
    ) {
      return;
    }
    await sleep(250);
  }
}

// ---- the run ---------------------------------------------------------------------------------

const started = performance.now();
const loadAtStart = loadavg().map((value) => round(value, 2));
const http: HttpRow[] = [];
let lag: LagResult | null = null;
let stream: StreamLatency | null = null;
const builds: BuildRow[] = [];

const summarize = (): BenchSummary => ({
  version: SUMMARY_VERSION,
  date: new Date().toISOString(),
  command: quick ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench',
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: { start: loadAtStart, end: loadavg().map((value) => round(value, 2)) },
  },
  settings,
  http,
  lag,
  streamLatency: stream,
  builds,
});
/** Written after every scenario, so a run that fails late keeps what it measured (`.partial`). */
const write = (summary: BenchSummary, path: string): void => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(summary, null, 2)}\n`);
};

try {
  log(`settings ${JSON.stringify(settings)}; temp files in ${root}`);
  if (only.has('http')) {
    lag = await httpScenarios(http);
    write(summarize(), `${output}.partial`);
  }
  if (only.has('stream')) {
    stream = await streamLatency();
    write(summarize(), `${output}.partial`);
  }
  if (only.has('build')) {
    for (const events of settings.logSizes) {
      builds.push(await build(events));
      write(summarize(), `${output}.partial`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

const summary = summarize();
console.log('');
if (http.length > 0) {
  printTable(HTTP_HEADER, httpTable(summary));
  console.log('');
}
if (builds.length > 0) {
  printTable(BUILD_HEADER, buildTable(summary));
  console.log('');
}
printTable(
  ['figure', 'measured', 'target', 'meets'],
  figures(summary).map((row) => [row.figure, row.measured, row.target, meetsText(row.meets)]),
);
write(summary, output);
rmSync(`${output}.partial`, { force: true });
console.log('');
console.log(`Wrote ${output} in ${round((performance.now() - started) / 1000)} s.`);
console.log(`docs/benchmarks.md from it: npm run bench:docs -- ${output}`);
