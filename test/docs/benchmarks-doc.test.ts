/**
 * docs/benchmarks.md is rendered from docs/benchmarks.json (`npm run bench:docs`), never from a
 * measurement, so this compares committed files only and no figure depends on the machine the
 * tests run on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { figures, type BenchSummary } from '../../bench/summary.js';
import {
  BENCHMARKS_JSON,
  BENCHMARKS_MD,
  generateBenchmarksDoc,
  parseSummary,
  renderBenchmarksDoc,
} from '../../scripts/docs/benchmarks-doc.js';
import { repositoryRoot } from '../../scripts/docs/generated-docs.js';

const root = repositoryRoot();
const committed = parseSummary(readFileSync(join(root, BENCHMARKS_JSON), 'utf8'));

const load = (label: string, server: 'bare express' | 'service', rps: number) => ({
  label,
  server,
  requests: rps * 10,
  seconds: 10,
  rps,
  p50Ms: 5,
  p99Ms: 20,
  non2xx: 0,
  errors: 0,
});

const sample: BenchSummary = {
  ...committed,
  http: [
    load('POST bare express (1)', 'bare express', 1000),
    load('POST journal entry, no key', 'service', 600),
    load('POST journal entry, Idempotency-Key', 'service', 500),
    load('POST payment, many invoices', 'service', 400),
    load('POST bare express (2)', 'bare express', 1000),
    load('GET bare express', 'bare express', 2000),
    load('GET account', 'service', 1500),
    load('GET trial balance', 'service', 1000),
  ],
  lag: {
    loadSeconds: 60,
    payments: 6000,
    rps: 100,
    behindAtEnd: 12,
    behindAfter2s: 0,
    catchUpSeconds: 0.4,
  },
  streamLatency: {
    stream: 'customer-bench-stream',
    samples: 21,
    early: { revisions: '1-21', medianMs: 4 },
    late: { revisions: '4990-5010', medianMs: 8 },
    ratio: 2,
  },
  builds: [100_000, 1_000_000].map((events) => ({
    events,
    seedSeconds: 10,
    rawReadSeconds: 1,
    firstBuildSeconds: 4,
    firstBuildRatio: 0.25,
    rebuildSeconds: 2.5,
    rebuildRatio: 0.4,
    peakRssMbFirstBuild: events === 1_000_000 ? 320 : 200,
    projections: ['ledger_balances', 'audit_events'],
  })),
};

describe('docs/benchmarks.md', () => {
  it('is what `npm run bench:docs` renders from the committed docs/benchmarks.json', async () => {
    const page = readFileSync(join(root, BENCHMARKS_MD), 'utf8');
    expect(page, 'docs/benchmarks.md is out of date: run `npm run bench:docs`').toBe(
      await generateBenchmarksDoc(root),
    );
  });

  it('comes from a run that measured every figure the issue names', () => {
    const names = figures(committed).map((row) => row.figure);
    for (const figure of [
      /^POST journal entry, no key, c=\d+, vs bare express POST$/,
      /^the same with an Idempotency-Key, vs without$/,
      /^POST payment, many invoices/,
      /^GET account/,
      /^GET trial balance/,
      /^events behind 2 s after \d+ s of payments at full speed$/,
      /^first build of every read model vs raw read/,
      /^rebuild of ledger_balances vs raw read/,
      /^command at events .* of one stream vs events /,
      /^peak RSS, first build at /,
    ]) {
      expect(
        names.some((name) => figure.test(name)),
        String(figure),
      ).toBe(true);
    }
    expect(committed.builds.length).toBeGreaterThan(0);
  });
});

describe('the figures of a summary', () => {
  it('judge each against its target', () => {
    const judged = Object.fromEntries(figures(sample).map((row) => [row.figure, row]));
    expect(judged['POST journal entry, no key, c=32, vs bare express POST']).toMatchObject({
      measured: '0.60×',
      meets: true,
    });
    expect(judged['the same with an Idempotency-Key, vs without']).toMatchObject({
      measured: '0.83×',
      meets: false,
    });
    expect(judged['GET account, c=32, vs bare express GET']).toMatchObject({
      measured: '0.75×',
      meets: null,
    });
    expect(judged['events behind 2 s after 60 s of payments at full speed']?.meets).toBe(true);
    expect(judged['first build of every read model vs raw read, 1,000,000 events']?.meets).toBe(
      true,
    );
    expect(judged['rebuild of ledger_balances vs raw read, 100,000 events']?.meets).toBe(false);
    expect(judged['command at events 4990-5010 of one stream vs events 1-21']?.meets).toBe(false);
    expect(judged['peak RSS, first build at 1,000,000 events']).toMatchObject({
      measured: '320 MB',
      meets: false,
    });
  });

  it('are all on the rendered page, with every table of the run', () => {
    const page = renderBenchmarksDoc(sample);
    for (const row of figures(sample)) expect(page).toContain(`| ${row.figure} | ${row.measured}`);
    for (const heading of [
      '## HTTP throughput and latency',
      '## Read-model lag after a sustained write load',
      '## Command latency as one stream grows',
      '## Building read models against a raw read of the log',
    ]) {
      expect(page).toContain(heading);
    }
    expect(page).toContain('| 1000000 | 1.00 | 4.00 | 0.25× | 2.50 | 0.40× | 320 |');
  });
});
