// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './eslint/layer-imports.js';

/**
 * Where an import lands: the area with the longest folder (or file, without extension) holding
 * it. Anything else under src/ is the composition root (service, main, cli, modules,
 * module-host, open-stores), which wires every layer and may import anything.
 */
const areas = {
  domain: ['src/domain'],
  commands: ['src/commands'],
  projections: ['src/projections'],
  http: ['src/http'],
  // The ports: what inner layers may depend on. Whatever opens an adapter is an adapter too,
  // or the composition root.
  ports: ['src/stores'],
  adapters: ['src/stores/sqlite', 'src/stores/mongodb', 'src/stores/eventstoredb'],
  // The environment, parsed; module manifests declare their settings with its helpers.
  config: ['src/config'],
  // Helpers with no dependency of their own.
  utilities: ['src/wait-until'],
  // Prometheus metrics: they observe the layers through their seams; only the root wires them.
  metrics: ['src/metrics'],
  'the composition root': ['src'],
};

/** The storage drivers: only adapters speak to a database. */
const drivers = ['better-sqlite3', 'mongodb', '@eventstore/db-client'];

const inward = 'dependencies point inward (DESIGN.md §2, docs/architecture.md#layers).';

/** What each layer may import. Areas not listed are forbidden, new ones included. */
const layerPolicy = {
  domain: {
    may: ['domain'],
    packages: { allow: ['zod'] },
    why: 'src/domain is pure (no I/O, no framework) and depends on nothing outside itself.',
  },
  commands: {
    may: ['domain', 'commands', 'ports', 'utilities'],
    packages: { deny: drivers },
    why: `commands know the domain and the store ports, not read models, HTTP or a database; ${inward}`,
  },
  projections: {
    may: ['domain', 'commands', 'projections', 'ports', 'utilities'],
    packages: { deny: drivers },
    why: `projections (and the reactors that issue commands) know nothing of HTTP or a database; ${inward}`,
  },
  http: {
    may: ['domain', 'commands', 'projections', 'http', 'ports', 'config', 'utilities'],
    packages: { deny: drivers },
    why: `routes reach the stores through their ports; the composition root picks the adapters; ${inward}`,
  },
  ports: {
    may: ['domain', 'ports', 'utilities'],
    packages: { deny: drivers },
    why: `a port is what inner layers depend on: it knows no adapter, no HTTP and no configuration; ${inward}`,
  },
  metrics: {
    may: ['domain', 'commands', 'projections', 'http', 'ports', 'utilities', 'metrics'],
    packages: { deny: drivers },
    why: `metrics observe the other layers through their seams (handler middleware, the event store port, the read side's memory), and no layer depends on them; ${inward}`,
  },
  adapters: {
    may: ['domain', 'commands', 'projections', 'ports', 'adapters', 'utilities'],
    why: `adapters implement the ports; they are given their settings, never HTTP or the configuration; ${inward}`,
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The console's front-end: plain ES modules run by the browser, not by Node.
    files: ['console/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
  {
    files: ['src/**/*.{ts,js,mts,cts,mjs,cjs}'],
    plugins: { layers },
    rules: {
      'layers/imports': ['error', { root: import.meta.dirname, areas, layers: layerPolicy }],
    },
  },
);
