/**
 * Which collection generation of a projection queries read, which one is being built, and when
 * a replaced one may go: pure functions from the registry document to its next state, so every
 * rule of a rebuild is decided here and tested without a store (`generation-planner.test.ts`).
 * Each returns undefined when the registry is to stay as it is.
 */

export interface Generation {
  readonly collection: string;
  readonly version: number;
  readonly generation: number;
}

export type BuildReason = 'first_build' | 'version_change' | 'requested';

export interface Build extends Generation {
  readonly reason: BuildReason;
  readonly startedAt: string;
  /** The head of the log when the build started: progress is measured against it. */
  readonly targetPosition: string;
}

export interface RegistryBody {
  readonly name: string;
  /** What queries read: null until a first build has caught up. */
  readonly active: Generation | null;
  readonly building: Build | null;
  readonly rebuildRequestedAt: string | null;
  readonly lastGeneration: number;
  readonly switchedAt: string | null;
  /** Replaced collections, kept a while for queries that had already picked them. */
  readonly retired: readonly { readonly collection: string; readonly at: string }[];
}

/** What the code running the projection knows when it looks at the registry. */
export interface ProjectionFacts {
  readonly name: string;
  /** The version the code defines. */
  readonly version: number;
  /** Its build here has stopped on a failure (a new one may be asked for). */
  readonly buildFailed: boolean;
}

export function generationCollection(name: string, version: number, generation: number): string {
  return `${name}_v${version}_${generation}`;
}

export function emptyRegistry(name: string): RegistryBody {
  return {
    name,
    active: null,
    building: null,
    rebuildRequestedAt: null,
    lastGeneration: 0,
    switchedAt: null,
    retired: [],
  };
}

function buildReason(body: RegistryBody, facts: ProjectionFacts): BuildReason | undefined {
  const buildIsCurrent = body.building !== null && body.building.version === facts.version;
  if (buildIsCurrent) {
    // A failed build is replaced only when asked to: rebuilding it at once would fail again.
    return body.rebuildRequestedAt !== null && facts.buildFailed ? 'requested' : undefined;
  }
  if (body.active === null) return 'first_build';
  if (body.active.version !== facts.version) return 'version_change';
  if (body.rebuildRequestedAt !== null) return 'requested';
  return undefined;
}

/**
 * Starts the build the projection needs (a first build, a new version, a requested rebuild),
 * retiring a build it replaces; answers a request with the build already under way.
 */
export function planBuild(
  current: RegistryBody | undefined,
  facts: ProjectionFacts,
  head: bigint,
  now: string,
): RegistryBody | undefined {
  const body = current ?? emptyRegistry(facts.name);
  const reason = buildReason(body, facts);
  if (reason === undefined) {
    const buildIsCurrent = body.building !== null && body.building.version === facts.version;
    if (body.rebuildRequestedAt !== null && buildIsCurrent) {
      return { ...body, rebuildRequestedAt: null };
    }
    return current === undefined ? body : undefined;
  }
  const generation = body.lastGeneration + 1;
  return {
    ...body,
    building: {
      collection: generationCollection(facts.name, facts.version, generation),
      version: facts.version,
      generation,
      reason,
      startedAt: now,
      targetPosition: head.toString(),
    },
    lastGeneration: generation,
    rebuildRequestedAt: null,
    retired: body.building
      ? [...body.retired, { collection: body.building.collection, at: now }]
      : body.retired,
  };
}

/** The build of `collection` has reached the head: queries read it from now on. */
export function planSwitch(
  current: RegistryBody | undefined,
  collection: string,
  now: string,
): RegistryBody | undefined {
  if (!current?.building || current.building.collection !== collection) return undefined;
  const { collection: built, version, generation } = current.building;
  return {
    ...current,
    active: { collection: built, version, generation },
    building: null,
    switchedAt: now,
    retired: current.active
      ? [...current.retired, { collection: current.active.collection, at: now }]
      : current.retired,
  };
}

/** Asks for a rebuild, unless one is under way (and not failed) or already asked for. */
export function planRebuildRequest(
  current: RegistryBody | undefined,
  facts: ProjectionFacts,
  now: string,
): RegistryBody | undefined {
  const body = current ?? emptyRegistry(facts.name);
  const underWay =
    body.building !== null && body.building.version === facts.version && !facts.buildFailed;
  if (underWay || body.rebuildRequestedAt !== null) return undefined;
  return { ...body, rebuildRequestedAt: now };
}

/** The retired collections whose grace period is over at `nowMs`. */
export function dueForDrop(
  current: RegistryBody | undefined,
  nowMs: number,
  dropDelayMs: number,
): string[] {
  return (current?.retired ?? [])
    .filter((entry) => nowMs - Date.parse(entry.at) >= dropDelayMs)
    .map((entry) => entry.collection);
}

/** Forgets the retired collections that have been dropped. */
export function withoutDropped(
  current: RegistryBody | undefined,
  dropped: ReadonlySet<string>,
): RegistryBody | undefined {
  if (!current || !current.retired.some((entry) => dropped.has(entry.collection))) return undefined;
  return { ...current, retired: current.retired.filter((entry) => !dropped.has(entry.collection)) };
}

/** The collection the running code follows as live: the active one, if of its version. */
export function liveCollection(body: RegistryBody, version: number): string | undefined {
  return body.active && body.active.version === version ? body.active.collection : undefined;
}
