/**
 * The durable state of the projections, in the read-model store so every instance (and the
 * CLI) sees the same thing:
 *
 * - `projection_registry`: per projection, the generation queries read, the one being built, a
 *   pending rebuild request, and replaced collections awaiting their drop (see
 *   `generation-planner.ts`). Updated by compare-and-set: the document's position is a revision
 *   counter and the store's position guard refuses a write based on a stale read.
 * - `projection_status`: what the instance running a projection (or, as `reactor:<name>`, a
 *   reactor) last saw (state, last error, build progress), so any instance can report it.
 *
 * Both are checked against a schema when read: a document another version of the service
 * wrote in a shape this one does not know fails loudly instead of being misread.
 */
import { z } from 'zod';
import type { ReadModelStore } from '../../stores/read-model-store.js';
import type { RegistryBody } from './generation-planner.js';
import type { ProjectionError, ProjectionState } from './log-feed.js';

export const REGISTRY_COLLECTION = 'projection_registry';
export const STATUS_COLLECTION = 'projection_status';

const generationSchema = z.object({
  collection: z.string(),
  version: z.number(),
  generation: z.number(),
});

const registrySchema = z.object({
  name: z.string(),
  active: generationSchema.nullable(),
  building: generationSchema
    .extend({
      reason: z.enum(['first_build', 'version_change', 'requested']),
      startedAt: z.string(),
      targetPosition: z.string(),
    })
    .nullable(),
  rebuildRequestedAt: z.string().nullable(),
  lastGeneration: z.number(),
  switchedAt: z.string().nullable(),
  retired: z.array(z.object({ collection: z.string(), at: z.string() })),
});

const stateSchema = z.enum(['starting', 'catching_up', 'live', 'paused', 'failed', 'stopped']);

const errorSchema = z.object({
  message: z.string(),
  eventId: z.string().optional(),
  eventType: z.string().optional(),
  position: z.string().optional(),
  at: z.string(),
});

const runtimeSchema = z.object({
  holder: z.string(),
  state: stateSchema,
  lastError: errorSchema.nullable(),
  build: z
    .object({
      state: stateSchema,
      position: z.string(),
      eventsProcessed: z.number(),
      startedAt: z.string(),
      lastError: errorSchema.nullable(),
    })
    .nullable(),
  at: z.string(),
});

/** What the instance running a projection reports of it. */
export interface RuntimeStatus {
  readonly holder: string;
  readonly state: ProjectionState;
  readonly lastError: ProjectionError | null;
  readonly build: {
    readonly state: ProjectionState;
    readonly position: string;
    readonly eventsProcessed: number;
    readonly startedAt: string;
    readonly lastError: ProjectionError | null;
  } | null;
  readonly at: string;
}

const reactorStatusSchema = z.object({
  holder: z.string(),
  state: stateSchema,
  lastError: errorSchema.nullable(),
  eventsProcessed: z.number(),
  at: z.string(),
});

/** What the instance running a reactor reports of it (id `reactor:<name>`). */
export interface ReactorRuntimeStatus {
  readonly holder: string;
  readonly state: ProjectionState;
  readonly lastError: ProjectionError | null;
  readonly eventsProcessed: number;
  readonly at: string;
}

export interface Registry {
  readonly revision: bigint;
  readonly body: RegistryBody;
}

export async function prepareRegistry(readModels: ReadModelStore): Promise<void> {
  await readModels.ensureCollection(REGISTRY_COLLECTION);
  await readModels.ensureCollection(STATUS_COLLECTION);
}

export async function loadRegistry(
  readModels: ReadModelStore,
  name: string,
): Promise<Registry | undefined> {
  const stored = (await readModels.load(REGISTRY_COLLECTION, [name])).get(name);
  if (!stored?.body) return undefined;
  return { revision: stored.position, body: registrySchema.parse(stored.body) };
}

/**
 * Applies `change` by compare-and-set, re-reading and retrying when another writer got there
 * first. `change` returns undefined when there is nothing to do; the registry as it then is
 * comes back either way.
 */
export async function updateRegistry(
  readModels: ReadModelStore,
  name: string,
  change: (current: RegistryBody | undefined) => RegistryBody | undefined,
): Promise<Registry | undefined> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const current = await loadRegistry(readModels, name);
    const next = change(current?.body);
    if (!next) return current;
    const revision = (current?.revision ?? 0n) + 1n;
    const result = await readModels.writeBatch(REGISTRY_COLLECTION, [
      { id: name, position: revision, body: { ...next } },
    ]);
    if (result.written === 1) return { revision, body: next };
  }
  throw new Error(`Registry of ${name} keeps changing under this writer`);
}

export async function loadRuntimeStatus(
  readModels: ReadModelStore,
  name: string,
): Promise<RuntimeStatus | undefined> {
  const stored = (await readModels.load(STATUS_COLLECTION, [name])).get(name);
  return stored?.body ? runtimeSchema.parse(stored.body) : undefined;
}

export async function loadReactorStatus(
  readModels: ReadModelStore,
  id: string,
): Promise<ReactorRuntimeStatus | undefined> {
  const stored = (await readModels.load(STATUS_COLLECTION, [id])).get(id);
  return stored?.body ? reactorStatusSchema.parse(stored.body) : undefined;
}

/**
 * Writes the status at `revision` (one past the stored one); false when another holder wrote
 * in between (a lease handover), and the caller should read the revision again.
 */
export async function writeRuntimeStatus(
  readModels: ReadModelStore,
  name: string,
  revision: bigint,
  status: RuntimeStatus | ReactorRuntimeStatus,
): Promise<boolean> {
  const result = await readModels.writeBatch(STATUS_COLLECTION, [
    { id: name, position: revision, body: { ...status } },
  ]);
  return result.written === 1;
}

export async function storedStatusRevision(
  readModels: ReadModelStore,
  name: string,
): Promise<bigint> {
  return (await readModels.load(STATUS_COLLECTION, [name])).get(name)?.position ?? 0n;
}
