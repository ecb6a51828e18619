/**
 * `npm run bench`: the service benchmark (`service-bench.ts`: the built service over HTTP
 * against bare express, read-model builds against a raw read of the log; it writes the summary
 * docs/benchmarks.md is generated from). With BENCH_COMPONENTS=1, then the benchmarks of single
 * components described in docs/benchmarks-components.md, each in its own process so one's heap
 * and open files do not colour the next one's figures.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benchmarks: { file: string; env?: Record<string, string> }[] = [{ file: 'service-bench.js' }];
if (process.env['BENCH_COMPONENTS'] === '1') {
  benchmarks.push(
    { file: 'append-throughput.js' },
    { file: 'metrics-scrape.js' },
    // Its own log size: BENCH_EVENTS is the service benchmark's list of sizes.
    { file: 'projection-rebuild.js', env: { BENCH_EVENTS: '' } },
    // A reduced log here; run the script alone for the 1 000 000-event default.
    {
      file: 'audit-queries.js',
      env: { BENCH_AUDIT_EVENTS: process.env['BENCH_AUDIT_EVENTS'] ?? '100000' },
    },
  );
}

for (const { file, env } of benchmarks) {
  const result = spawnSync(process.execPath, [join(here, file)], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
