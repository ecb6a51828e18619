/**
 * What an operator is told about a projection (admin status, CLI, readiness), put together from
 * the registry, the runtime status and positions alone: nothing here reads events, so a status
 * call costs a few document loads whatever the lag.
 */
import type { BuildReason, RegistryBody } from './generation-planner.js';
import type { ProjectionError, ProjectionState, ProjectionStatus } from './log-feed.js';
import type { RuntimeStatus } from './projection-registry.js';

export interface BuildReport {
  readonly collection: string;
  readonly version: number;
  readonly reason: BuildReason;
  readonly state: ProjectionState;
  readonly startedAt: string;
  readonly position: string;
  readonly targetPosition: string;
  /** position / targetPosition, 0-100: exact on SQLite, where positions count events. */
  readonly percent: number;
  readonly eventsProcessed: number;
  readonly eventsPerSecond: number;
  readonly lastError: ProjectionError | null;
}

export interface ProjectionReport {
  readonly name: string;
  /** The version this code defines. */
  readonly version: number;
  /** What queries read: null until the first build has caught up. */
  readonly collection: string | null;
  readonly activeVersion: number | null;
  readonly position: string;
  /** The log's head as this report saw it. */
  readonly head: string;
  /**
   * head − position: the number of events behind on the embedded store, where positions count
   * events; on EventStoreDB a distance in its commit positions, zero exactly when caught up.
   */
  readonly lag: number;
  readonly state: ProjectionState | 'not_running';
  readonly lastError: ProjectionError | null;
  readonly rebuild: BuildReport | null;
  readonly rebuildRequested: boolean;
  readonly lastSwitchAt: string | null;
  /** The instance running it, as it last reported; null when none has. */
  readonly runningOn: string | null;
}

export interface ReportInput {
  readonly name: string;
  readonly version: number;
  readonly registry: RegistryBody | undefined;
  /** The active generation's position (0 when there is none). */
  readonly position: bigint;
  readonly head: bigint;
  /** When this instance runs it: its members' statuses; otherwise what the holder stored. */
  readonly here:
    { readonly live?: ProjectionStatus; readonly build?: ProjectionStatus } | undefined;
  readonly runtime: RuntimeStatus | undefined;
  /** The build's stored checkpoint, for a build running elsewhere. */
  readonly buildCheckpoint: bigint;
  readonly holder: string | null;
  readonly now: Date;
}

export function lagBetween(position: bigint, head: bigint): number {
  return head > position ? Number(head - position) : 0;
}

export function projectionReport(input: ReportInput): ProjectionReport {
  const { registry, here, runtime } = input;
  let rebuild: BuildReport | null = null;
  if (registry?.building) {
    const building = registry.building;
    const build = here?.build;
    const target = BigInt(building.targetPosition);
    const position = build ? build.position : input.buildCheckpoint;
    const processed = build?.eventsProcessed ?? runtime?.build?.eventsProcessed ?? 0;
    const since = build?.startedAt ?? runtime?.build?.startedAt ?? building.startedAt;
    const seconds = Math.max(0.001, (input.now.getTime() - Date.parse(since)) / 1000);
    rebuild = {
      collection: building.collection,
      version: building.version,
      reason: building.reason,
      state: build?.state ?? runtime?.build?.state ?? 'starting',
      startedAt: building.startedAt,
      position: position.toString(),
      targetPosition: building.targetPosition,
      percent:
        target === 0n || position >= target
          ? 100
          : Math.floor(Number((position * 10_000n) / target)) / 100,
      eventsProcessed: processed,
      eventsPerSecond: Math.round(processed / seconds),
      lastError: build?.lastError ?? runtime?.build?.lastError ?? null,
    };
  }
  return {
    name: input.name,
    version: input.version,
    collection: registry?.active?.collection ?? null,
    activeVersion: registry?.active?.version ?? null,
    position: input.position.toString(),
    head: input.head.toString(),
    lag: lagBetween(input.position, input.head),
    state: here?.live?.state ?? runtime?.state ?? 'not_running',
    lastError: here?.live?.lastError ?? runtime?.lastError ?? null,
    rebuild,
    rebuildRequested: (registry?.rebuildRequestedAt ?? null) !== null,
    lastSwitchAt: registry?.switchedAt ?? null,
    runningOn: input.holder,
  };
}
