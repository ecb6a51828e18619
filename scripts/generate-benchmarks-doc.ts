/**
 * `npm run bench:docs [-- <summary.json>]`: renders docs/benchmarks.md from docs/benchmarks.json;
 * given the summary of a run (`npm run bench` writes bench/results/latest.json), first copies it
 * to docs/benchmarks.json, so the page and the figures it shows are committed together.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  BENCHMARKS_JSON,
  BENCHMARKS_MD,
  formatSummary,
  generateBenchmarksDoc,
} from './docs/benchmarks-doc.js';
import { repositoryRoot } from './docs/generated-docs.js';

const root = repositoryRoot();
const source = process.argv[2];
if (source !== undefined) {
  // npm runs scripts from the package root; a relative path is the caller's.
  const path = resolve(process.env['INIT_CWD'] ?? process.cwd(), source);
  await writeFile(
    join(root, BENCHMARKS_JSON),
    await formatSummary(root, await readFile(path, 'utf8')),
  );
  process.stdout.write(`wrote ${BENCHMARKS_JSON} from ${path}\n`);
}
await writeFile(join(root, BENCHMARKS_MD), await generateBenchmarksDoc(root));
process.stdout.write(`wrote ${BENCHMARKS_MD}\n`);
