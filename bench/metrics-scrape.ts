/**
 * `npm run bench:metrics`: what a Prometheus scrape of `GET /metrics` costs the service, as a
 * ratio to baseline requests sent in the same moment to the same process (`GET /healthz`, and a
 * query of one account), so the figure means the same on a slow machine as on a fast one. The
 * three are interleaved, one after another on one keep-alive connection, and measured at two
 * sizes of the log (a scrape reads only memory, so its cost should not grow with the log), then
 * once every route has been asked (the most series the bounded labels give in practice).
 *
 * BENCH_SCRAPES (default 300) requests of each kind per size; BENCH_SCRAPE_EVENTS the two log
 * sizes (default `200,5000` journal entries).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printTable, round } from './bench-support.js';
import { AUTH, startService, type RunningServer } from './service-process.js';

const rounds = Number(process.env['BENCH_SCRAPES'] ?? 300);
const sizes = (process.env['BENCH_SCRAPE_EVENTS'] ?? '200,5000').split(',').map(Number);

async function timed(server: RunningServer, path: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(`${server.url}${path}`, { headers: AUTH });
  const body = await response.arrayBuffer();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  return { ms, bytes: body.byteLength };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function post(server: RunningServer, path: string, body: unknown): Promise<void> {
  const answer = await server.request('POST', path, body);
  if (answer.status !== 201)
    throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

/**
 * One request to every operation of the OpenAPI document, with `x` for each path parameter and
 * an empty body for a POST: most answer 400 or 404, which is enough to give each route template
 * its series, as a long-running service has.
 */
async function askEveryRoute(server: RunningServer): Promise<void> {
  const document = (await server.request('GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const method of Object.keys(operations)) {
      await server.request(
        method.toUpperCase(),
        path.replace(/\{\w+\}/g, 'x'),
        method === 'post' ? {} : undefined,
      );
    }
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-metrics-'));
const server = await startService({ dataDir, env: { LOG_LEVEL: 'warn', CHART_OF_ACCOUNTS: '[]' } });
try {
  await post(server, '/v1/ledger/accounts', {
    code: '1000',
    name: 'Cash',
    type: 'asset',
    currency: 'EUR',
  });
  await post(server, '/v1/ledger/accounts', {
    code: '4000',
    name: 'Sales',
    type: 'revenue',
    currency: 'EUR',
  });
  const rows: string[][] = [];
  const results: Record<string, unknown>[] = [];
  let posted = 0;
  const stages = [
    ...sizes.map((size) => ({
      label: `${size + 2} events`,
      prepare: async () => {
        for (; posted < size; posted += 1) {
          await post(server, '/v1/ledger/journal-entries', {
            date: '2026-11-02',
            description: `Sale ${posted}`,
            lines: [
              { account: '1000', debit: '1.00' },
              { account: '4000', credit: '1.00' },
            ],
          });
        }
      },
    })),
    // The widest scrape the label sets allow in practice: a series for every route template.
    { label: 'every route asked', prepare: () => askEveryRoute(server) },
  ];
  for (const stage of stages) {
    await stage.prepare();
    // Caught up, so the queries below do not wait for the read models.
    await server.request('GET', '/v1/ledger/accounts/1000?consistentWith=0');
    const samples = { healthz: [] as number[], query: [] as number[], metrics: [] as number[] };
    let bytes = 0;
    for (let i = 0; i < 20; i += 1) await timed(server, '/metrics'); // warm-up
    for (let i = 0; i < rounds; i += 1) {
      samples.healthz.push((await timed(server, '/healthz')).ms);
      samples.query.push((await timed(server, '/v1/ledger/accounts/1000')).ms);
      const scrape = await timed(server, '/metrics');
      samples.metrics.push(scrape.ms);
      bytes = scrape.bytes;
    }
    const p50 = (name: keyof typeof samples) => percentile(samples[name], 50);
    const p99 = (name: keyof typeof samples) => percentile(samples[name], 99);
    results.push({
      stage: stage.label,
      scrapeBytes: bytes,
      p50Ms: { healthz: p50('healthz'), query: p50('query'), metrics: p50('metrics') },
      p99Ms: { healthz: p99('healthz'), query: p99('query'), metrics: p99('metrics') },
      metricsOverHealthzP50: p50('metrics') / p50('healthz'),
      metricsOverQueryP50: p50('metrics') / p50('query'),
    });
    for (const name of ['healthz', 'query', 'metrics'] as const) {
      rows.push([
        stage.label,
        name === 'query' ? 'GET /v1/ledger/accounts/1000' : `GET /${name}`,
        String(round(p50(name), 2)),
        String(round(p99(name), 2)),
        String(round(p50(name) / p50('healthz'), 1)),
        String(round(p50(name) / p50('query'), 2)),
        name === 'metrics' ? String(bytes) : '',
      ]);
    }
  }
  printTable(
    ['stage', 'request', 'p50 ms', 'p99 ms', 'p50 × healthz', 'p50 × query', 'bytes'],
    rows,
  );
  process.stdout.write(`${JSON.stringify({ rounds, results })}\n`);
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(`${dataDir}.log`, { force: true });
}
