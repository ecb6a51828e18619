/* eslint-disable no-console */
/**
 * Appends per second on a temp SQLite file, group commit on vs off, at several concurrencies.
 * Each append writes one small event to a stream of its own, so no append ever conflicts and
 * the numbers measure commit cost alone.
 *
 *   npm run build && node dist/bench/append-throughput.js
 *   BENCH_APPENDS=5000 node dist/bench/append-throughput.js
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openSqliteDatabase } from '../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../src/stores/sqlite/sqlite-event-store.js';

export interface AppendBenchmarkOptions {
  /** Timed appends per run. Default 2000. */
  readonly appends?: number;
  /** Concurrent appenders to try. Default [1, 16, 64]. */
  readonly concurrencies?: readonly number[];
  /** Where the temp files go. Default the OS temp directory. */
  readonly directory?: string;
}

export interface AppendBenchmarkRow {
  readonly concurrency: number;
  readonly groupCommitOff: number;
  readonly groupCommitOn: number;
  /** groupCommitOn / groupCommitOff. */
  readonly ratio: number;
  /** Transactions the group-commit run needed, to show how much it batched. */
  readonly commitsWithGroupCommit: number;
}

export interface AppendBenchmarkResult {
  readonly appends: number;
  readonly rows: readonly AppendBenchmarkRow[];
}

export async function runAppendBenchmark(
  options: AppendBenchmarkOptions = {},
): Promise<AppendBenchmarkResult> {
  const appends = options.appends ?? 2000;
  const concurrencies = options.concurrencies ?? [1, 16, 64];
  const directory = options.directory ?? tmpdir();
  const rows: AppendBenchmarkRow[] = [];
  for (const concurrency of concurrencies) {
    const off = await measure({ appends, concurrency, groupCommit: false, directory });
    const on = await measure({ appends, concurrency, groupCommit: true, directory });
    rows.push({
      concurrency,
      groupCommitOff: round(off.appendsPerSecond),
      groupCommitOn: round(on.appendsPerSecond),
      ratio: round(on.appendsPerSecond / off.appendsPerSecond, 2),
      commitsWithGroupCommit: on.commits,
    });
  }
  return { appends, rows };
}

interface RunSettings {
  readonly appends: number;
  readonly concurrency: number;
  readonly groupCommit: boolean;
  readonly directory: string;
}

async function measure(
  settings: RunSettings,
): Promise<{ appendsPerSecond: number; commits: number }> {
  // A fresh file per run, so no run pays for (or profits from) the previous one's pages.
  const dir = await mkdtemp(join(settings.directory, 'append-bench-'));
  const db = openSqliteDatabase(join(dir, 'events.sqlite'));
  let commits = 0;
  const store = createSqliteEventStore(db, {
    groupCommit: settings.groupCommit,
    onCommit: () => {
      commits += 1;
    },
  });
  try {
    // Warm up statements and the JIT outside the timed part.
    await appendMany(store, Math.min(100, settings.appends), settings.concurrency, 'warmup');
    commits = 0;
    const started = performance.now();
    await appendMany(store, settings.appends, settings.concurrency, 'timed');
    const seconds = (performance.now() - started) / 1000;
    return { appendsPerSecond: settings.appends / seconds, commits };
  } finally {
    await store.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `concurrency` workers, each awaiting its append before taking the next one. */
async function appendMany(
  store: ReturnType<typeof createSqliteEventStore>,
  total: number,
  concurrency: number,
  label: string,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next;
      next += 1;
      await store.append(
        `${label}-${index}`,
        [{ id: randomUUID(), type: 'BenchAppended', data: { index }, metadata: {} }],
        { expectedRevision: 'no_stream' },
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function printTable(result: AppendBenchmarkResult): void {
  const header = ['concurrency', 'off (appends/s)', 'on (appends/s)', 'on/off', 'commits (on)'];
  const lines = result.rows.map((row) => [
    String(row.concurrency),
    String(row.groupCommitOff),
    String(row.groupCommitOn),
    `${row.ratio}x`,
    String(row.commitsWithGroupCommit),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...lines.map((line) => line[i]?.length ?? 0)),
  );
  const format = (cells: readonly string[]): string =>
    cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ');
  console.log(`SQLite append throughput, ${result.appends} appends per run, synchronous=FULL`);
  console.log(format(header));
  for (const line of lines) console.log(format(line));
}

function parseAppends(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`BENCH_APPENDS must be a positive integer, got ${raw}`);
  }
  return value;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const result = await runAppendBenchmark({ appends: parseAppends(process.env['BENCH_APPENDS']) });
  printTable(result);
  console.log(JSON.stringify({ benchmark: 'append-throughput', ...result }));
}
