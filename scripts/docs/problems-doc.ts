/**
 * docs/problems.md from the problem registry: the page every problem `type` URN points to, so
 * it lists exactly what the service can answer, and nothing a hand-kept table forgot.
 */
import type { AnyModule } from '../../src/http/module.js';
import {
  PROBLEM_TYPE_PREFIX,
  platformProblems,
  problemRegistry,
  problemTypeUri,
} from '../../src/http/problem-types.js';
import { cell, generatedNotice } from './markdown.js';

/** Who answers a slug: the platform (any route) and every module that declares it. */
function answeredBy(slug: string, modules: readonly AnyModule[]): string[] {
  const platform = Object.values(platformProblems).some((type) => type.slug === slug);
  const declaring = modules.filter((module) => module.problems.some((type) => type.slug === slug));
  return [
    ...(platform ? ['the platform (any route)'] : []),
    ...declaring.map((module) => `the ${module.name} module`),
  ];
}

export function renderProblemsDoc(modules: readonly AnyModule[]): string {
  const types = [...problemRegistry(modules).values()].sort(
    (a, b) => a.status - b.status || a.slug.localeCompare(b.slug),
  );
  const example =
    types.find((type) => type.slug === 'period-closed') ??
    types.find((type) => type.module !== null) ??
    types[0]!;
  const lines = [
    generatedNotice(
      'the problem registry (`src/http/problem-types.ts` and the modules’ `problems`)',
    ),
    '',
    '# Problem types',
    '',
    `Every error answer is \`application/problem+json\` (RFC 9457), and its \`type\` is a URN:`,
    `\`${PROBLEM_TYPE_PREFIX}<slug>\`. Each slug has an entry below whose anchor is the slug`,
    `itself: \`${problemTypeUri(example.slug)}\` is explained at [\`#${example.slug}\`](#${example.slug}).`,
    'Branch on the `type`; `title` names it and `detail` says what happened this time, for people.',
    '',
    'Problems of the platform are answered by the HTTP layer on any route (authentication, input',
    "validation, idempotency, consistency, outages). The others are a module's rules refusing a",
    'command: the refusal code of the decider in `PascalCase` is the slug in `kebab-case`',
    '(`PeriodClosed` is `period-closed`), and its status follows from the kind of refusal: 400 for',
    'a request that is wrong whatever the state, 404 for a record that does not exist, 409 for a',
    'rule the current state refuses. A 400 also lists what is wrong in `errors: [{ path, message }]`.',
    '',
    '| type | status | title | answered by |',
    '| --- | --- | --- | --- |',
    ...types.map(
      (type) =>
        `| [\`${type.slug}\`](#${type.slug}) | ${type.status} | ${cell(type.title)} | ${answeredBy(type.slug, modules).join(', ')} |`,
    ),
  ];
  for (const type of types) {
    lines.push(
      '',
      `## ${type.slug}`,
      '',
      `- type: \`${problemTypeUri(type.slug)}\``,
      `- status: ${type.status}`,
      `- title: ${type.title}`,
      `- answered by: ${answeredBy(type.slug, modules).join(', ')}`,
      '',
      type.description,
    );
  }
  return `${lines.join('\n')}\n`;
}
