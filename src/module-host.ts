/**
 * Builds the modules of `src/modules.ts` in list order: each gets its own settings and may use
 * the API of the modules before it. The composition root and the tests go through here, so
 * no module is wired by hand anywhere.
 */
import type { ChartAccount } from './commands/ledger/chart-of-accounts.js';
import type { PersonalFieldDeclarations } from './commands/personal-data/personal-fields.js';
import type { Config } from './config.js';
import { controlAccountsOf, type ControlAccounts } from './domain/ledger/control-accounts.js';
import type { Scope } from './http/api-keys.js';
import type { AnyModule, ModuleContext } from './http/module.js';
import type { RouteSpec } from './http/route.js';
import type { Projection } from './projections/projection.js';
import type { Reactor } from './projections/reactor.js';

export type SharedContext = Omit<
  ModuleContext,
  'settings' | 'use' | 'defaultChart' | 'controlAccounts' | 'mayReadPersonalData'
>;

export interface ComposedModules {
  readonly routes: readonly RouteSpec[];
  readonly reactors: readonly Reactor[];
  /** Runs every module's `start`, in list order. */
  start(): Promise<void>;
}

/** Every module's personal fields, by event type. */
export function personalFieldsOf(modules: readonly AnyModule[]): PersonalFieldDeclarations {
  return Object.assign(
    {},
    ...modules.map((module) => module.personalData?.fields ?? {}),
  ) as PersonalFieldDeclarations;
}

/** Every module's event schema versions, by event type (see `ModuleDefinition.schemaVersions`). */
export function schemaVersionsOf(modules: readonly AnyModule[]): Readonly<Record<string, number>> {
  return Object.assign({}, ...modules.map((module) => module.schemaVersions ?? {})) as Record<
    string,
    number
  >;
}

/**
 * Who may read whose personal data: `admin`, or the scope the module keeping that kind of
 * subject names. Nobody else, and nobody for a subject no module claims.
 */
export function personalDataReaders(
  modules: readonly AnyModule[],
): (scopes: readonly Scope[], subject: string) => boolean {
  const scopeOf = new Map<string, Scope>();
  for (const module of modules) {
    if (module.personalData)
      scopeOf.set(module.personalData.subjectType, module.personalData.readScope);
  }
  return (scopes, subject) => {
    if (scopes.includes('admin')) return true;
    const scope = scopeOf.get(subject.slice(0, subject.indexOf('-')));
    return scope !== undefined && scopes.includes(scope);
  };
}

/** Every projection of every module: what the projection manager runs and the CLI names. */
export function projectionsOf(modules: readonly AnyModule[]): Projection[] {
  return modules.flatMap((module) => module.projections);
}

/** The module's settings as `loadConfig` parsed them; a config loaded without them is a bug. */
export function settingsOf(module: AnyModule, config: Config): unknown {
  if (module.settings === undefined) return undefined;
  if (!(module.name in config.modules)) {
    throw new Error(
      `The configuration was loaded without the settings of module ${module.name}: pass the module list to loadConfig`,
    );
  }
  return config.modules[module.name];
}

/** Every module's chart accounts by code; a code two modules declare is opened once. */
export function defaultChart(modules: readonly AnyModule[], config: Config): ChartAccount[] {
  const byCode = new Map<string, ChartAccount>();
  for (const module of modules) {
    const accounts =
      module.chartAccounts?.({
        settings: settingsOf(module, config),
        baseCurrency: config.baseCurrency,
      }) ?? [];
    for (const account of accounts)
      if (!byCode.has(account.code)) byCode.set(account.code, account);
  }
  return [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/** Every module's control accounts; an account two modules claim stops the start. */
export function controlAccounts(modules: readonly AnyModule[], config: Config): ControlAccounts {
  return controlAccountsOf(
    modules.map((module) => ({
      module: module.name,
      accounts:
        module.controlAccounts?.({
          settings: settingsOf(module, config),
          baseCurrency: config.baseCurrency,
        }) ?? [],
    })),
  );
}

export function composeModules(
  modules: readonly AnyModule[],
  shared: SharedContext,
): ComposedModules {
  const chart = defaultChart(modules, shared.config);
  const controlled = controlAccounts(modules, shared.config);
  const readers = personalDataReaders(modules);
  const apis = new Map<string, unknown>();
  const built = modules.map((module) => {
    const context: ModuleContext = {
      ...shared,
      settings: settingsOf(module, shared.config),
      defaultChart: chart,
      controlAccounts: controlled,
      mayReadPersonalData: readers,
      use: <Api>(other: { readonly name: string }) => {
        if (!apis.has(other.name)) {
          throw new Error(
            `Module ${module.name} uses ${other.name}, which must come before it in src/modules.ts`,
          );
        }
        return apis.get(other.name) as Api;
      },
    };
    const api: unknown = module.api(context);
    apis.set(module.name, api);
    return { module, context, api };
  });
  return {
    routes: built.flatMap(({ module, context, api }) => module.routes(context, api)),
    reactors: built.flatMap(({ module, context, api }) => module.reactors?.(context, api) ?? []),
    async start() {
      for (const { module, context, api } of built) await module.start?.(context, api);
    },
  };
}
