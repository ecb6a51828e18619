/** `npm run docs`: writes docs/problems.md and docs/events.md from the code they describe. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDocs, repositoryRoot } from './docs/generated-docs.js';

const root = repositoryRoot();
for (const doc of await generateDocs(root)) {
  await writeFile(join(root, doc.path), doc.content);
  process.stdout.write(`wrote ${doc.path}\n`);
}
