/**
 * The generated docs, formatted as `prettier --check` expects them: what `npm run docs` writes
 * and what the test compares the committed files with.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { modules } from '../../src/modules.js';
import { renderEventsDoc } from './events-doc.js';
import { renderProblemsDoc } from './problems-doc.js';

const EVENTS_PROSE = 'scripts/docs/events-prose.md';

/** The repository's root, found from wherever this module runs (scripts/ or dist/scripts/). */
export function repositoryRoot(): string {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, EVENTS_PROSE))) return dir;
  }
  throw new Error(`No ${EVENTS_PROSE} above ${import.meta.dirname}`);
}

export interface GeneratedDoc {
  /** From the repository root. */
  readonly path: string;
  readonly content: string;
}

export async function generateDocs(root: string): Promise<GeneratedDoc[]> {
  const prose = await readFile(join(root, EVENTS_PROSE), 'utf8');
  const docs = [
    { path: 'docs/problems.md', content: renderProblemsDoc(modules) },
    { path: 'docs/events.md', content: renderEventsDoc(modules, prose) },
  ];
  return Promise.all(
    docs.map(async (doc) => {
      const filepath = join(root, doc.path);
      const options = await resolveConfig(filepath);
      return { path: doc.path, content: await format(doc.content, { ...options, filepath }) };
    }),
  );
}
