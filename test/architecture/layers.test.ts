/**
 * Dependencies point inward (DESIGN.md §2), enforced by `npm run lint`: the `layers/imports`
 * rule of eslint.config.js. Each case lints a file that does not exist, placed in a layer, with
 * the project's real configuration, exactly as `eslint .` would lint it there.
 */
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const RULE = 'layers/imports';

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function layerErrors(file: string, code: string): Promise<string[]> {
  const filePath = join(root, file);
  // A probe that is ignored, or outside the rule's files, would pass without being judged.
  expect(await eslint.isPathIgnored(filePath)).toBe(false);
  const [result] = await eslint.lintText(code, { filePath });
  expect(result?.messages.filter((message) => message.fatal)).toEqual([]);
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === RULE)
    .map((message) => message.message);
}

/** [file, import, what the error names]: each must fail `npm run lint`. */
const forbidden: readonly (readonly [string, string, string])[] = [
  // domain: nothing outside itself, no I/O, no framework
  ['src/domain/ledger/probe.ts', `import { loadConfig } from '../../config.js';`, 'config'],
  ['src/domain/probe.ts', `import { modules } from '../modules.js';`, 'composition root'],
  [
    'src/domain/ledger/probe.ts',
    `import type { EventStore } from '../../stores/event-store.js';`,
    'ports',
  ],
  ['src/domain/ledger/probe.ts', `export * from '../../commands/ids.js';`, 'commands'],
  ['src/domain/shared/probe.ts', `import { x } from '../../projections/projection.js';`, 'proj'],
  ['src/domain/shared/probe.ts', `import { x } from '../../../test/http/fixtures.js';`, 'outside'],
  ['src/domain/probe.ts', `import { createHash } from 'node:crypto';`, 'node:crypto'],
  ['src/domain/probe.ts', `import { createHash } from 'crypto';`, 'crypto'],
  ['src/domain/shared/probe.ts', `import express from 'express';`, 'express'],
  ['src/domain/shared/probe.ts', `import { pino } from 'pino';`, 'pino'],
  // commands: not projections, http, adapters or the composition root
  [
    'src/commands/probe.ts',
    `import type { Projection } from '../projections/projection.js';`,
    'proj',
  ],
  [
    'src/commands/ledger/probe.ts',
    `import { x } from '../../projections/ledger/ledger-projections.js';`,
    'proj',
  ],
  [
    'src/commands/ledger/probe.ts',
    `import { x } from './../../projections/projection.js';`,
    'proj',
  ],
  ['src/commands/ledger/probe.ts', `import { x } from '../../domain/../http/route.js';`, 'http'],
  ['src/commands/probe.ts', `import { x } from '${root}/src/http/app.js';`, 'http'],
  ['src/commands/probe.ts', `export const load = () => import('../http/app.js');`, 'http'],
  ['src/commands/probe.ts', `import { x } from '../stores/sqlite/database.js';`, 'adapters'],
  ['src/commands/probe.ts', `import { MongoClient } from 'mongodb';`, 'mongodb'],
  ['src/commands/probe.ts', `import { x } from '../service.js';`, 'composition root'],
  [
    'src/commands/probe.ts',
    `const name = '../http/app.js'; export const f = () => import(name);`,
    'relative path',
  ],
  // projections: not http, adapters or the composition root
  [
    'src/projections/ledger/probe.ts',
    `import type { RouteSpec } from '../../http/route.js';`,
    'http',
  ],
  ['src/projections/probe.ts', `export type App = typeof import('../http/app.js');`, 'http'],
  ['src/projections/probe.ts', `export { x } from '../http/problem.js';`, 'http'],
  [
    'src/projections/probe.ts',
    `import { x } from '../stores/mongodb/mongo-errors.js';`,
    'adapters',
  ],
  ['src/projections/probe.ts', `import { x } from '../config.js';`, 'config'],
  // stores: not http or config, ports not adapters
  ['src/stores/probe.ts', `import type { Config } from '../config.js';`, 'config'],
  ['src/stores/probe.ts', `import { x } from '../http/problem.js';`, 'http'],
  ['src/stores/probe.ts', `import { x } from './sqlite/database.js';`, 'adapters'],
  ['src/stores/sqlite/probe.ts', `import type { Config } from '../../config.js';`, 'config'],
  ['src/stores/sqlite/probe.ts', `import { x } from '../../stores/../config.js';`, 'config'],
  ['src/stores/mongodb/probe.ts', `import { x } from '../../http/problem.js';`, 'http'],
  [
    'src/stores/eventstoredb/probe.ts',
    `import { modules } from '../../modules.js';`,
    'composition root',
  ],
  // http: not adapters or the composition root
  ['src/http/probe.ts', `import { x } from '../stores/sqlite/sqlite-event-store.js';`, 'adapters'],
  [
    'src/http/ledger/probe.ts',
    `import x = require('../../stores/mongodb/mongo-errors.js');`,
    'adapters',
  ],
  ['src/http/probe.ts', `import { modules } from '../modules.js';`, 'composition root'],
  ['src/http/probe.ts', `import Database from 'better-sqlite3';`, 'better-sqlite3'],
  // Reaching our own files by a name the rule cannot map is refused, not waved through.
  ['src/commands/probe.ts', `import { x } from '#http/app.js';`, 'relative path'],
  [
    'src/commands/probe.ts',
    `import { x } from 'backoffice-ledger/src/http/app.js';`,
    'relative path',
  ],
];

/** [file, import]: what each layer may depend on. */
const allowed: readonly (readonly [string, string])[] = [
  ['src/domain/ledger/probe.ts', `import { x } from '../shared/money.js';`],
  ['src/domain/ledger/probe.ts', `import { z } from 'zod';`],
  ['src/commands/ledger/probe.ts', `import { x } from '../../domain/ledger/events.js';`],
  ['src/commands/probe.ts', `import type { EventStore } from '../stores/event-store.js';`],
  ['src/commands/probe.ts', `import { createHash } from 'node:crypto';`],
  [
    'src/projections/receivables/probe.ts',
    `import type { LedgerCommands } from '../../commands/ledger/ledger-commands.js';`,
  ],
  [
    'src/projections/probe.ts',
    `import type { ReadModelStore } from '../stores/read-model-store.js';`,
  ],
  ['src/projections/probe.ts', `import { waitUntil } from '../wait-until.js';`],
  ['src/http/ledger/probe.ts', `import { emptyAsUnset } from '../../config.js';`],
  ['src/http/probe.ts', `import type { Projection } from '../projections/projection.js';`],
  ['src/stores/probe.ts', `import type { DomainEvent } from '../domain/shared/decider.js';`],
  ['src/stores/sqlite/probe.ts', `import type { EventStore } from '../event-store.js';`],
  ['src/stores/sqlite/probe.ts', `import Database from 'better-sqlite3';`],
  [
    'src/probe.ts',
    `import { x } from './stores/sqlite/database.js'; import { c } from './config.js';`,
  ],
];

describe('layer rule', () => {
  it.each(forbidden)('%s: refuses %s', async (file, code, named) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(named);
  });

  it.each(allowed)('%s: accepts %s', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});

describe('the source tree', () => {
  it('has no import that points outward', async () => {
    const results = await eslint.lintFiles(['src']);
    const violations = results.flatMap((result) =>
      result.messages
        .filter((message) => message.ruleId === RULE)
        .map((message) => `${result.filePath}:${message.line} ${message.message}`),
    );
    expect(results.length).toBeGreaterThan(50);
    expect(violations).toEqual([]);
  });
});
