/**
 * A module of the service (ledger, receivables, audit, ...) declared once: everything the
 * composition root, the CLI, admin status, readiness, the OpenAPI document and the generated
 * docs need to know about it. A module is its own folder in each layer (`src/domain/<name>`,
 * `src/commands/<name>`, `src/projections/<name>`, `src/http/<name>`) plus one line in the list
 * of `src/modules.ts`.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ChartAccount } from '../commands/ledger/chart-of-accounts.js';
import type { CommandHandler } from '../commands/command-handler.js';
import type { IdGenerator } from '../commands/ids.js';
import type { PersonalFieldDeclarations } from '../commands/personal-data/personal-fields.js';
import type { PersonalDataVault } from '../commands/personal-data/vault.js';
import type { StateReader } from '../commands/read-state.js';
import type { Config } from '../config.js';
import type { ControlAccount, ControlAccounts } from '../domain/ledger/control-accounts.js';
import type { EventSchemas } from '../domain/shared/event-schemas.js';
import type { Projection } from '../projections/projection.js';
import type { Reactor } from '../projections/reactor.js';
import type { EventStore } from '../stores/event-store.js';
import type { ReadModelStore } from '../stores/read-model-store.js';
import type { Scope } from './api-keys.js';
import type { ProblemType } from './problem-types.js';
import type { RouteSpec } from './route.js';

/**
 * What a module may add to the service's metrics (the composition root's prom-client registry):
 * counters whose label values the module bounds. Asking twice for one name gives the same one.
 */
export interface ModuleMetrics {
  counter<Label extends string>(spec: {
    readonly name: string;
    readonly help: string;
    readonly labelNames: readonly Label[];
  }): { inc(labels: Partial<Record<Label, string>>, value?: number): void };
}

/** What every module is given to build its commands, reactors and routes from. */
export interface ModuleContext<Settings = unknown> {
  /** This module's own settings, as its `settings` schema parsed them from the environment. */
  readonly settings: Settings;
  readonly config: Config;
  readonly eventStore: EventStore;
  readonly readModels: ReadModelStore;
  /** Runs a decider's command: the one command pipeline, with its middleware. */
  readonly handle: CommandHandler;
  /** Another record's current state, for a command's facts: through the commands' state cache. */
  readonly readState: StateReader;
  readonly ids: IdGenerator;
  readonly clock: () => Date;
  /** Today's date (UTC), `YYYY-MM-DD`, by the same clock. */
  readonly today: () => string;
  readonly logger: Logger;
  /** The collection a projection's queries read now (blue/green: it changes on a rebuild). */
  readonly collection: (projection: string) => Promise<string>;
  /**
   * True once the read models named, and the reactors, reflect `position`; false after
   * CONSISTENCY_WAIT_MS. For answers that must be complete up to a position (exports).
   */
  readonly awaitPosition: (position: bigint, readModels: readonly string[]) => Promise<boolean>;
  /** Every module's chart accounts, in code order: what a fresh ledger opens by default. */
  readonly defaultChart: readonly ChartAccount[];
  /** Which accounts are control accounts, and of which module: every module's declarations. */
  readonly controlAccounts: ControlAccounts;
  /**
   * Seals, opens and erases personal data (one key per person). The command pipeline seals the
   * fields modules declare (`personalFields`); queries open what their caller may see.
   */
  readonly personalData: PersonalDataVault;
  /** Whether a key with `scopes` may see the personal data of `subject` (see `personalData`). */
  readonly mayReadPersonalData: (scopes: readonly Scope[], subject: string) => boolean;
  /** The service's metrics registry, for a module's own counters (README, "Operating"). */
  readonly metrics: ModuleMetrics;
  /** The API of a module earlier in the list, as its `api` built it. */
  use<Api>(module: { readonly name: string; readonly api: (context: never) => Api }): Api;
}

export interface ModuleDefinition<Api = unknown, Settings = unknown> {
  /** Lower case; the module's folder name in every layer. */
  readonly name: string;
  /** One sentence for the generated docs. */
  readonly summary: string;
  /** The environment variables it owns; their parsed value is `context.settings`. */
  readonly settings?: z.ZodType<Settings>;
  /** Every event type this module writes, with the schema its data must match. */
  readonly eventSchemas: EventSchemas;
  /**
   * The `schemaVersion` new events of a type carry in their metadata, for the types whose data
   * shape changed since version 1 (unnamed types are at 1). Whoever reads the stored log reads
   * the older versions through the module's upcaster.
   */
  readonly schemaVersions?: Readonly<Record<string, number>>;
  /** The stream each of those event types is appended to, as a pattern: `invoice-<invoiceId>`. */
  readonly eventStreams: Readonly<Record<string, string>>;
  /**
   * The personal data it keeps: the fields of its event types and whose they are, which the
   * command pipeline stores only sealed with that person's key (see `src/commands/personal-data`),
   * and who may read them: keys with `readScope` see the values of subjects `<subjectType>-<id>`
   * wherever they are shown (the audit trail included); others see them redacted.
   */
  readonly personalData?: {
    readonly subjectType: string;
    readonly readScope: Scope;
    readonly fields: PersonalFieldDeclarations;
  };
  /** Its read models. */
  readonly projections: readonly Projection[];
  /** The accounts it posts to, opened at start unless CHART_OF_ACCOUNTS says otherwise. */
  readonly chartAccounts?: (input: {
    readonly settings: Settings;
    readonly baseCurrency: string;
  }) => readonly ChartAccount[];
  /**
   * The accounts its subledger owns (control accounts): the ledger refuses manual journal
   * entries, and other modules' postings, that book to them, so the subledger and the account
   * always agree. Only accounts whose balance the module's records add up to belong here, not
   * the cash or revenue it posts against.
   */
  readonly controlAccounts?: (input: {
    readonly settings: Settings;
    readonly baseCurrency: string;
  }) => readonly ControlAccount[];
  /** The problem types its commands can answer with (the codes its deciders refuse with). */
  readonly problems: readonly ProblemType[];
  /** Builds its commands and whatever later modules use of it (`context.use`). */
  readonly api: (context: ModuleContext<Settings>) => Api;
  readonly reactors?: (context: ModuleContext<Settings>, api: Api) => readonly Reactor[];
  readonly routes: (context: ModuleContext<Settings>, api: Api) => readonly RouteSpec[];
  /** Runs once the stores are open, before the service answers (e.g. opening the chart). */
  readonly start?: (context: ModuleContext<Settings>, api: Api) => Promise<void>;
}

/** Identity at run time; at compile time it checks the definition against its own types. */
export function defineModule<Api, Settings = undefined>(
  module: ModuleDefinition<Api, Settings>,
): ModuleDefinition<Api, Settings> {
  return module;
}

/** A module of any API and settings, as lists hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list holds modules of every API
export type AnyModule = ModuleDefinition<any, any>;
