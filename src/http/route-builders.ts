/**
 * Builders for the shapes of route that repeat: a command answered with its record, a record
 * read with its ETag, a page of a list. A route states only what is its own (path, schemas,
 * what its refusals mean, how to run it); the builder adds the write headers, `position`,
 * ETag, Location, 404s, paging and consistency, and documents every one of them in OpenAPI.
 */
import { z } from 'zod';
import type { IdGenerator } from '../commands/ids.js';
import { isAccountingDate } from '../domain/shared/dates.js';
import { platformProblems } from './problem-types.js';
import { httpProblem } from './problem.js';
import { defineRoute, type RequestContext, type ResponseSpec, type RouteSpec } from './route.js';
import {
  consistencyQuery,
  CURSOR,
  DEFAULT_PAGE_LIMIT,
  globalPosition,
  pageOf,
  MAX_CURSOR,
  paginationQuery,
} from './schemas.js';

type ObjectSchema = z.ZodObject;

/** What every route states about itself, as `RouteSpec` names it. */
type RouteBasics<P extends ObjectSchema> = Pick<
  RouteSpec<P>,
  'path' | 'operationId' | 'summary' | 'description' | 'tag' | 'scopes' | 'params'
>;

function basics<P extends ObjectSchema>(spec: RouteBasics<P>): RouteBasics<P> {
  const { path, operationId, summary, description, tag, scopes, params } = spec;
  return { path, operationId, summary, description, tag, scopes, params };
}

/**
 * The id of the record a command creates: the caller's when given, else one derived from the
 * Idempotency-Key (so a retry names the same record), else a new one.
 */
export function newRecordId(
  ids: IdGenerator,
  kind: string,
  given: string | undefined,
  context: Pick<RequestContext, 'principal' | 'idempotencyKey'>,
): string {
  if (given !== undefined) return given;
  return context.idempotencyKey
    ? ids.derived(kind, context.principal.id, context.idempotencyKey)
    : ids.random();
}

/** What a write stored: where its stream is and where in the log its last event landed. */
export interface Written {
  readonly revision: bigint;
  readonly position: bigint;
}

/** Headers of every write's answer: read your own write, chain `If-Match`, find the record. */
export function writeHeaders(result: Written, location?: string): Record<string, string> {
  return {
    ETag: `"${result.revision}"`,
    'X-Position': result.position.toString(),
    ...(location ? { Location: location } : {}),
  };
}

export interface CommandRouteSpec<
  P extends ObjectSchema,
  B extends z.ZodType,
> extends RouteBasics<P> {
  readonly body: B;
  /** 201 when the command creates the record, 200 when it changes one. */
  readonly success: {
    readonly status: 200 | 201;
    readonly description: string;
    /** The record as answered; `position` is added. */
    readonly schema: ObjectSchema;
  };
  /**
   * Its own 400s: the refusals of its decider that depend on what is stored (an account that
   * does not exist, a currency's decimals), which no schema can say; name each problem type.
   */
  readonly invalid?: string;
  /** When the command answers 404: it acts on a record that must exist. */
  readonly notFound?: string;
  /** What its 409 refusals are. */
  readonly conflict?: string;
  readonly handle: (input: {
    readonly params: z.output<P>;
    readonly body: z.output<B>;
    readonly context: RequestContext;
  }) => Promise<{
    readonly result: Written;
    readonly body: Record<string, unknown>;
    /** The record's URL; a created record always has one. */
    readonly location?: string;
    /** The person whose personal data `body` shows, if any (see `HttpResult`). */
    readonly personalDataOf?: string;
  }>;
}

/** A command: answers the record with `position`, ETag, X-Position and (for 201) Location. */
/**
 * Every command may carry the time the business action happened, when it is not now: history
 * imported from another system. It becomes the events' `occurredAt`; `recordedAt` stays the
 * server's. Only a key with the `import` scope (or `admin`) may give it; the command handler
 * refuses one in the future.
 */
const UTC_TIME = /^(19|[2-9]\d)\d{2}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?Z$/;
const occurredAt = z
  .string()
  .refine(
    (text) => UTC_TIME.test(text) && isAccountingDate(text.slice(0, 10)),
    'must be a UTC time like 2024-03-01T09:30:00Z, from 1900 on',
  )
  .meta({ format: 'date-time', pattern: UTC_TIME.source })
  .optional()
  .describe(
    'When the business action happened, if not now (importing history): ISO 8601 UTC, not in the future. Needs the `import` scope.',
  );

/** The body with `occurredAt` beside its own fields; its documentation (meta) kept. */
function withOccurredAt(body: z.ZodType): z.ZodType {
  if (!(body instanceof z.ZodObject)) return body;
  const extended = body.extend({ occurredAt });
  const meta = body.meta();
  return meta ? extended.meta(meta) : extended;
}

function withBusinessTime(context: RequestContext, time: string): RequestContext {
  const { scopes } = context.principal;
  if (!scopes.includes('import') && !scopes.includes('admin')) {
    throw httpProblem(
      platformProblems.forbidden,
      'occurredAt sets a business time of the past: only a key with the import scope may give it',
    );
  }
  return { ...context, occurredAt: time };
}

export function commandRoute<
  P extends ObjectSchema = ObjectSchema,
  B extends z.ZodType = z.ZodType,
>(spec: CommandRouteSpec<P, B>): RouteSpec {
  const { success } = spec;
  const responses: Record<number, ResponseSpec> = {
    [success.status]: {
      description: success.description,
      schema: success.schema.extend({ position: globalPosition }),
      headers: success.status === 201 ? ['ETag', 'X-Position', 'Location'] : ['ETag', 'X-Position'],
    },
  };
  if (spec.invalid) responses[400] = { description: spec.invalid };
  if (spec.notFound) responses[404] = { description: spec.notFound };
  if (spec.conflict) responses[409] = { description: spec.conflict };
  return defineRoute({
    method: 'post',
    ...basics(spec),
    body: withOccurredAt(spec.body),
    conditional: true,
    responses,
    async handle({ params, body, context }) {
      const { occurredAt: given, ...rest } = body as Record<string, unknown>;
      const answer = await spec.handle({
        params,
        body: given === undefined ? body : rest,
        context: given === undefined ? context : withBusinessTime(context, given as string),
      } as never);
      return {
        status: success.status,
        headers: writeHeaders(answer.result, answer.location),
        body: { ...answer.body, position: answer.result.position.toString() },
        ...(answer.personalDataOf === undefined ? {} : { personalDataOf: answer.personalDataOf }),
      };
    },
  });
}

export interface RecordRouteSpec<
  P extends ObjectSchema,
  Q extends ObjectSchema,
> extends RouteBasics<P> {
  readonly params: P;
  /** Query parameters beyond `consistentWith`. */
  readonly query?: Q;
  /** The projections it reads (see `RouteSpec.readModels`). */
  readonly readModels: readonly string[];
  readonly response: { readonly description: string; readonly schema: z.ZodType };
  readonly notFound: {
    readonly description: string;
    /** The 404's detail for these parameters. */
    readonly detail: (params: z.output<P>) => string;
  };
  readonly handle: (input: {
    readonly params: z.output<P>;
    readonly query: z.output<Q>;
    readonly context: RequestContext;
  }) => Promise<{ readonly body: unknown; readonly revision: number | bigint } | undefined>;
}

/** One record read from a read model: 200 with its ETag, or 404. */
export function recordRoute<P extends ObjectSchema, Q extends ObjectSchema = ObjectSchema>(
  spec: RecordRouteSpec<P, Q>,
): RouteSpec {
  return defineRoute({
    method: 'get',
    ...basics(spec),
    query: spec.query ? consistencyQuery.extend(spec.query.shape) : consistencyQuery,
    readModels: spec.readModels,
    responses: {
      200: { ...spec.response, headers: ['ETag'] },
      404: { description: spec.notFound.description },
    },
    async handle({ params, query, context }) {
      const found = await spec.handle({ params, query, context } as never);
      if (!found) throw notFound(spec.notFound.detail(params as z.output<P>));
      return { status: 200, headers: { ETag: `"${found.revision}"` }, body: found.body };
    },
  });
}

export interface ListRouteSpec<
  P extends ObjectSchema,
  F extends ObjectSchema,
> extends RouteBasics<P> {
  /** Filters beyond `consistentWith`, `limit` and `cursor`. */
  readonly filters?: F;
  /** The projections it reads; none when it reads the event store itself. */
  readonly readModels?: readonly string[];
  readonly item: z.ZodType;
  readonly pageDescription: string;
  /** Fields of the page beside `items` and `nextCursor`. */
  readonly pageFields?: z.ZodRawShape;
  /** For a list that belongs to a record (an account's lines): what its 404 means. */
  readonly notFound?: {
    readonly description: string;
    readonly detail: (params: z.output<P>) => string;
  };
  readonly handle: (input: {
    readonly params: z.output<P>;
    readonly query: z.output<F> & { readonly limit: number; readonly cursor: string | undefined };
    readonly context: RequestContext;
  }) => Promise<
    { readonly items: readonly unknown[]; readonly nextCursor: string | null } | undefined
  >;
}

/** A page of a list: `{ items, nextCursor }`, `?limit=` (1-500, default 50) and `?cursor=`. */
export function listRoute<
  P extends ObjectSchema = ObjectSchema,
  F extends ObjectSchema = ObjectSchema,
>(spec: ListRouteSpec<P, F>): RouteSpec {
  const page = pageOf(spec.item);
  return defineRoute({
    method: 'get',
    ...basics(spec),
    query: consistencyQuery.extend({ ...(spec.filters?.shape ?? {}), ...paginationQuery }),
    readModels: spec.readModels,
    responses: listResponses(spec, spec.pageFields ? page.extend(spec.pageFields) : page),
    async handle({ params, query, context }) {
      const { limit, cursor } = query as { limit?: number; cursor?: string };
      // Decoding would skip characters outside the alphabet and might read something else.
      if (cursor !== undefined && (!CURSOR.test(cursor) || cursor.length > MAX_CURSOR)) {
        throw invalidCursor();
      }
      const result = await spec.handle({
        params,
        query: { ...query, limit: limit ?? DEFAULT_PAGE_LIMIT, cursor },
        context,
      } as never);
      if (!result) throw notFound(spec.notFound?.detail(params as z.output<P>) ?? 'Not found');
      return { status: 200, body: result };
    },
  });
}

function listResponses(
  spec: { readonly pageDescription: string; readonly notFound?: { readonly description: string } },
  schema: z.ZodType,
): Record<number, ResponseSpec> {
  const responses: Record<number, ResponseSpec> = {
    200: { description: spec.pageDescription, schema },
    400: {
      description: '`invalid-query`: a cursor the service did not issue, or one of another list',
    },
  };
  if (spec.notFound) responses[404] = { description: spec.notFound.description };
  return responses;
}

function invalidCursor() {
  return httpProblem(platformProblems.invalidQuery, 'Invalid cursor', {
    errors: [{ path: 'query.cursor', message: 'Invalid cursor' }],
  });
}

export function notFound(detail: string) {
  return httpProblem(platformProblems.notFound, detail);
}

/** A read model's view without its stream revision, which answers carry as the ETag instead. */
export function withoutRevision<T extends { readonly revision: number }>(
  view: T,
): Omit<T, 'revision'> {
  const { revision: _revision, ...rest } = view;
  return rest;
}
