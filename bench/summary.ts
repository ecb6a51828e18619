/**
 * The service benchmark's JSON summary (what `npm run bench` writes and docs/benchmarks.md is
 * generated from) and the figures it is judged by: each with the target, so the table
 * the benchmark prints and the one in the docs are the same rows.
 */
import type { LoadResult } from './load.js';

export const SUMMARY_VERSION = 1;

export interface HttpRow extends LoadResult {
  /** What was driven, as in the printed table. */
  readonly label: string;
  readonly server: 'bare express' | 'service';
}

export interface BuildRow {
  readonly events: number;
  readonly seedSeconds: number;
  /** Median of three `readAll` passes over the whole log, in a process of its own. */
  readonly rawReadSeconds: number;
  /** From spawning the service on the log with no read models until every projection is live at the head. */
  readonly firstBuildSeconds: number;
  readonly firstBuildRatio: number;
  /** From the rebuild request until queries read the new `ledger_balances` collection. */
  readonly rebuildSeconds: number;
  readonly rebuildRatio: number;
  /** The service process's VmHWM after the first build (and before the rebuild). */
  readonly peakRssMbFirstBuild: number | null;
  readonly projections: readonly string[];
}

export interface LagResult {
  readonly loadSeconds: number;
  readonly payments: number;
  readonly rps: number;
  /** Events the read models were behind when the load ended, and 2 s later. */
  readonly behindAtEnd: number;
  readonly behindAfter2s: number;
  /** From the end of the load until every projection and reactor was at the head. */
  readonly catchUpSeconds: number;
}

export interface StreamLatency {
  readonly stream: string;
  readonly samples: number;
  /** The revisions sampled at the start and at the far point, and the median latency of each. */
  readonly early: { readonly revisions: string; readonly medianMs: number };
  readonly late: { readonly revisions: string; readonly medianMs: number };
  readonly ratio: number;
}

export interface BenchSummary {
  readonly version: typeof SUMMARY_VERSION;
  readonly date: string;
  readonly command: string;
  readonly machine: {
    readonly cores: number;
    readonly cpu: string;
    readonly memoryGb: number;
    readonly node: string;
    readonly platform: string;
    /** 1, 5 and 15 minute load averages when the run started and ended: others' work shows. */
    readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  };
  readonly settings: {
    readonly quick: boolean;
    readonly connections: number;
    readonly durationS: number;
    readonly warmupS: number;
    readonly sustainedS: number;
    readonly customers: number;
    readonly invoices: number;
    readonly streamEvents: number;
    readonly logSizes: readonly number[];
    readonly serviceLogLevel: string;
  };
  readonly http: readonly HttpRow[];
  readonly lag: LagResult | null;
  readonly streamLatency: StreamLatency | null;
  readonly builds: readonly BuildRow[];
}

export interface Figure {
  readonly figure: string;
  readonly measured: string;
  readonly target: string;
  /** null: no target, or not measured in this run. */
  readonly meets: boolean | null;
}

const ratio = (value: number): string => `${value.toFixed(2)}×`;

function httpRow(summary: BenchSummary, label: string): HttpRow | undefined {
  return summary.http.find((row) => row.label === label);
}

/** The bare express rate a service row is divided by: the mean of the runs with that method. */
export function bareRate(summary: BenchSummary, method: 'POST' | 'GET'): number {
  const rows = summary.http.filter(
    (row) => row.server === 'bare express' && row.label.startsWith(method),
  );
  return rows.reduce((sum, row) => sum + row.rps, 0) / Math.max(1, rows.length);
}

export const LABELS = {
  barePost: (n: number) => `POST bare express (${n})`,
  bareGet: 'GET bare express',
  journal: 'POST journal entry, no key',
  journalKeyed: 'POST journal entry, Idempotency-Key',
  payment: 'POST payment, many invoices',
  account: 'GET account',
  trialBalance: 'GET trial balance',
} as const;

/** Every figure the issue names, with its target and whether this run meets it. */
export function figures(summary: BenchSummary): Figure[] {
  const rows: Figure[] = [];
  const vsBare = (label: string, method: 'POST' | 'GET', target?: number) => {
    const row = httpRow(summary, label);
    if (!row) return;
    const value = row.rps / bareRate(summary, method);
    rows.push({
      figure: `${label}, c=${summary.settings.connections}, vs bare express ${method}`,
      measured: ratio(value),
      target: target === undefined ? '-' : `≥ ${target}×`,
      meets: target === undefined ? null : value >= target,
    });
  };
  vsBare(LABELS.journal, 'POST', 0.5);
  const plain = httpRow(summary, LABELS.journal);
  const keyed = httpRow(summary, LABELS.journalKeyed);
  if (plain && keyed) {
    const value = keyed.rps / plain.rps;
    rows.push({
      figure: 'the same with an Idempotency-Key, vs without',
      measured: ratio(value),
      target: '≥ 0.9×',
      meets: value >= 0.9,
    });
  }
  vsBare(LABELS.payment, 'POST');
  vsBare(LABELS.account, 'GET');
  vsBare(LABELS.trialBalance, 'GET');
  if (summary.lag) {
    const { lag } = summary;
    rows.push({
      figure: `events behind 2 s after ${lag.loadSeconds} s of payments at full speed`,
      measured: `${lag.behindAfter2s} (caught up ${lag.catchUpSeconds} s after)`,
      target: '0',
      meets: lag.behindAfter2s === 0,
    });
  }
  for (const build of summary.builds) {
    const size = build.events.toLocaleString('en-US');
    rows.push({
      figure: `first build of every read model vs raw read, ${size} events`,
      measured: ratio(build.firstBuildRatio),
      target: '≥ 0.2×',
      meets: build.firstBuildRatio >= 0.2,
    });
    rows.push({
      figure: `rebuild of ledger_balances vs raw read, ${size} events`,
      measured: ratio(build.rebuildRatio),
      target: '≥ 0.5×',
      meets: build.rebuildRatio >= 0.5,
    });
  }
  if (summary.streamLatency) {
    const { streamLatency: s } = summary;
    rows.push({
      figure: `command at events ${s.late.revisions} of one stream vs events ${s.early.revisions}`,
      measured: ratio(s.ratio),
      target: '≤ 1.5×',
      meets: s.ratio <= 1.5,
    });
  }
  const largest = summary.builds.at(-1);
  if (largest) {
    const value = largest.peakRssMbFirstBuild;
    rows.push({
      figure: `peak RSS, first build at ${largest.events.toLocaleString('en-US')} events`,
      measured: value === null ? 'not measured' : `${value} MB`,
      target: '≤ 300 MB',
      meets: value === null ? null : value <= 300,
    });
  }
  return rows;
}

export function meetsText(meets: boolean | null): string {
  return meets === null ? '-' : meets ? 'yes' : 'no';
}

/** Rows of the HTTP table: req/s, ratio to bare express of the same method, p50, p99. */
export function httpTable(summary: BenchSummary): string[][] {
  return summary.http.map((row) => {
    const method = row.label.startsWith('GET') ? 'GET' : 'POST';
    return [
      row.label,
      String(row.requests),
      String(row.rps),
      row.server === 'service' ? ratio(row.rps / bareRate(summary, method)) : '-',
      row.p50Ms.toFixed(1),
      row.p99Ms.toFixed(1),
    ];
  });
}

export const HTTP_HEADER = ['load', 'requests', 'req/s', 'vs bare', 'p50 ms', 'p99 ms'];

export function buildTable(summary: BenchSummary): string[][] {
  return summary.builds.map((build) => [
    String(build.events),
    build.rawReadSeconds.toFixed(2),
    build.firstBuildSeconds.toFixed(2),
    ratio(build.firstBuildRatio),
    build.rebuildSeconds.toFixed(2),
    ratio(build.rebuildRatio),
    build.peakRssMbFirstBuild === null ? '-' : String(build.peakRssMbFirstBuild),
  ]);
}

export const BUILD_HEADER = [
  'events',
  'raw read s',
  'first build s',
  'vs raw',
  'rebuild ledger_balances s',
  'vs raw',
  'peak RSS MB',
];
