/**
 * `npm run bench`: every benchmark, one after another, each in its own process so one's heap
 * and open files do not colour the next one's figures.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benchmarks = ['append-throughput.js', 'http-throughput.js', 'projection-rebuild.js'];

for (const file of benchmarks) {
  const result = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
