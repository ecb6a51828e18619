import { z } from 'zod';
import {
  UnknownProjectionError,
  type ProjectionManager,
} from '../../projections/projection-manager.js';
import type { ReactorReport } from '../../projections/reactor-runner.js';
import { platformProblems } from '../problem-types.js';
import { httpProblem } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { consistencyQuery } from '../schemas.js';

const projectionStates = [
  'starting',
  'catching_up',
  'live',
  'paused',
  'failed',
  'stopped',
] as const;

const projectionError = z
  .object({
    message: z.string(),
    eventId: z.string().optional(),
    eventType: z.string().optional(),
    position: z.string().optional(),
    at: z.string(),
  })
  .nullable();

const projectionReport = z.object({
  name: z.string(),
  version: z.number().int().describe('The version this code defines'),
  collection: z
    .string()
    .nullable()
    .describe('The collection queries read; null until the first build has caught up'),
  activeVersion: z.number().int().nullable(),
  position: z.string().describe('Every event up to this global position is applied'),
  head: z.string().describe("The log's head when the report was made"),
  lag: z
    .number()
    .int()
    .describe(
      'head − position: events behind on the embedded store; on EventStoreDB a distance in commit positions, 0 exactly when caught up',
    ),
  state: z.enum([...projectionStates, 'not_running']),
  lastError: projectionError,
  rebuild: z
    .object({
      collection: z.string(),
      version: z.number().int(),
      reason: z.enum(['first_build', 'version_change', 'requested']),
      state: z.enum(projectionStates),
      startedAt: z.string(),
      position: z.string(),
      targetPosition: z.string().describe('The head of the log when the rebuild started'),
      percent: z.number().describe('position / targetPosition × 100'),
      eventsProcessed: z.number().int(),
      eventsPerSecond: z.number(),
      lastError: projectionError,
    })
    .nullable()
    .describe('The generation being built while the current one keeps serving'),
  rebuildRequested: z.boolean(),
  lastSwitchAt: z.string().nullable(),
  runningOn: z.string().nullable().describe('The service instance that runs it'),
});

const projectionName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a projection name');

const reactorReport = z.object({
  name: z.string(),
  position: z.string().describe('Every event up to here has been reacted to'),
  head: z.string().describe("The log's head when the report was made"),
  lag: z.number().int().describe('head − position, as for projections'),
  state: z
    .enum(['standby', 'catching_up', 'live', 'paused', 'failed', 'stopped'])
    .describe('As the instance running it last reported; standby when none has'),
  lastError: projectionError,
  eventsProcessed: z.number().int(),
  runningOn: z.string().nullable().describe('The service instance that runs it'),
});

export function projectionAdminRoutes({
  projections,
  reactors,
}: {
  readonly projections: ProjectionManager;
  /** Every reactor, from here where it runs here, else as the instance running it reported. */
  readonly reactors: () => Promise<readonly ReactorReport[]>;
}): RouteSpec[] {
  const notFound = (error: unknown, name: string): never => {
    if (error instanceof UnknownProjectionError) {
      throw httpProblem(
        platformProblems.notFound,
        `There is no projection named ${name}; there are: ${projections.names().join(', ')}`,
      );
    }
    throw error;
  };

  return [
    defineRoute({
      method: 'get',
      path: '/v1/admin/projections',
      operationId: 'listProjections',
      summary: 'Every projection: position, lag, state, last error and any rebuild in progress',
      tag: 'admin',
      scopes: ['admin'],
      query: consistencyQuery,
      responses: {
        200: {
          description: 'The projections',
          schema: z.object({ items: z.array(projectionReport), reactors: z.array(reactorReport) }),
        },
      },
      async handle() {
        return {
          status: 200,
          body: {
            items: await projections.status(),
            reactors: await reactors(),
          },
        };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/admin/projections/{name}',
      operationId: 'getProjection',
      summary: 'One projection, with the progress of its rebuild if one is running',
      tag: 'admin',
      scopes: ['admin'],
      params: z.strictObject({ name: projectionName }),
      query: consistencyQuery,
      responses: {
        200: { description: 'The projection', schema: projectionReport },
        404: { description: 'No such projection' },
      },
      async handle({ params }) {
        if (!projections.names().includes(params.name))
          notFound(new UnknownProjectionError(), params.name);
        const report = (await projections.status()).find((item) => item.name === params.name)!;
        return { status: 200, body: report };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/v1/admin/projections/{name}/rebuild',
      operationId: 'rebuildProjection',
      summary: 'Rebuild a projection from the start of the log without downtime',
      description:
        'Builds a new generation into a fresh collection while the current one keeps serving, and switches queries to it once it has caught up with the log. Answers at once; follow the progress at the Location. Asking again while a rebuild runs changes nothing.',
      tag: 'admin',
      scopes: ['admin'],
      params: z.strictObject({ name: projectionName }),
      body: z.strictObject({}),
      responses: {
        202: {
          description: 'Rebuild requested or already running',
          schema: projectionReport,
          headers: ['Location'],
        },
        404: { description: 'No such projection' },
      },
      async handle({ params }) {
        const report = await projections
          .requestRebuild(params.name)
          .catch((error: unknown) => notFound(error, params.name));
        return {
          status: 202,
          headers: { Location: `/v1/admin/projections/${params.name}` },
          body: report,
        };
      },
    }),
  ];
}
