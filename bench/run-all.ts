/**
 * `npm run bench`: every benchmark, one after another, each in its own process so one's heap
 * and open files do not colour the next one's figures.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benchmarks: { file: string; env?: Record<string, string> }[] = [
  { file: 'append-throughput.js' },
  { file: 'http-throughput.js' },
  { file: 'projection-rebuild.js' },
  // A reduced log here; run the script alone for the 1 000 000-event default.
  {
    file: 'audit-queries.js',
    env: { BENCH_AUDIT_EVENTS: process.env['BENCH_AUDIT_EVENTS'] ?? '100000' },
  },
];

for (const { file, env } of benchmarks) {
  const result = spawnSync(process.execPath, [join(here, file)], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
