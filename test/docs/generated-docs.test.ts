/**
 * docs/problems.md and docs/events.md are generated from the code they describe (`npm run
 * docs`), and what is committed must be what the code gives today. Links into the docs must
 * land on a heading, so a problem `type` or an event type that moved leaves no dead link.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EVENT_TYPES_MARKER, renderEventsDoc } from '../../scripts/docs/events-doc.js';
import { generateDocs, repositoryRoot } from '../../scripts/docs/generated-docs.js';
import { defineModule, type AnyModule } from '../../src/http/module.js';
import { problemRegistry } from '../../src/http/problem-types.js';
import { modules } from '../../src/modules.js';

const root = repositoryRoot();
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('generated docs', () => {
  it('are current: the committed files are what `npm run docs` writes', async () => {
    const docs = await generateDocs(root);
    expect(docs.map((doc) => doc.path)).toEqual(['docs/problems.md', 'docs/events.md']);
    for (const doc of docs) {
      expect(read(doc.path), `${doc.path} is out of date: run \`npm run docs\``).toBe(doc.content);
    }
  });

  it('give every problem type an entry whose anchor is its slug', () => {
    const anchors = headingAnchors(read('docs/problems.md'));
    for (const slug of problemRegistry(modules).keys()) expect(anchors).toContain(slug);
  });

  it('give every event type of every module a section with its stream', () => {
    const events = read('docs/events.md');
    for (const module of modules) {
      for (const type of Object.keys(module.eventSchemas)) {
        expect(events).toContain(`### ${type}\n`);
        expect(events).toContain(`Stream: \`${module.eventStreams[type]}\``);
      }
    }
  });
});

describe('the events doc generator', () => {
  const prose = `# Events\n\n${EVENT_TYPES_MARKER}\n`;
  const moduleWith = (schema: z.ZodType, streams: Record<string, string>): AnyModule =>
    defineModule({
      ...modules[0]!,
      name: 'notes',
      eventSchemas: { NoteWritten: schema },
      eventStreams: streams,
    });
  const described = z
    .strictObject({ text: z.string().describe('What the note says.') })
    .describe('A note was written.');

  it('documents a field with its type, whether it is required, and its description', () => {
    const doc = renderEventsDoc([moduleWith(described, { NoteWritten: 'note-<id>' })], prose);
    expect(doc).toContain('Stream: `note-<id>`');
    expect(doc).toMatch(/\| `text` \| string \| yes \| What the note says\. \|/);
  });

  it('refuses a field without a description', () => {
    const bare = z.strictObject({ text: z.string() }).describe('A note was written.');
    expect(() => renderEventsDoc([moduleWith(bare, { NoteWritten: 'note-<id>' })], prose)).toThrow(
      'field text has no description',
    );
  });

  it('refuses an event type without a stream, or a stream without an event type', () => {
    expect(() => renderEventsDoc([moduleWith(described, {})], prose)).toThrow('no stream');
    expect(() =>
      renderEventsDoc([moduleWith(described, { NoteWritten: 'a-<id>', Gone: 'b-<id>' })], prose),
    ).toThrow('Gone');
  });
});

/** GitHub's anchors: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchors(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
    match[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-'),
  );
}

describe('links into the docs', () => {
  it('land on a heading of the file they name', () => {
    const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));
    const files = ['README.md', ...docs.map((name) => `docs/${name}`)];
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      const text = read(file);
      for (const [, target = '', anchor = ''] of text.matchAll(
        /\]\(([^)\s#]*\.md|)#([^)\s]+)\)/g,
      )) {
        const linked =
          target === '' ? file : relative(root, resolve(dirname(join(root, file)), target));
        checked += 1;
        if (!headingAnchors(read(linked)).includes(anchor))
          broken.push(`${file}: ${target}#${anchor}`);
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(broken).toEqual([]);
  });
});
