/**
 * How a route is declared (`RouteSpec`, `defineRoute`) and mounted on express (`mountRoutes`):
 * authentication and scopes, parsing of path, query and body against the route's schemas, the
 * waits for read models (`consistentWith`, freshness), the back-pressure on writes, and the
 * idempotent replay of a remembered answer. One file because these steps run in that order on
 * the one request context, and each refuses with a problem before the next may run; the shapes
 * that repeat across routes are in `route-builders.ts`.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { RequestHandler, Request, Response, Router } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { canonicalJson } from '../domain/shared/canonical-json.js';
import { runIdempotently, type IdempotencyDeps } from '../commands/idempotency.js';
import type { CommandContext } from '../commands/command-context.js';
import { ERASED, isSealedValue, type PersonalDataVault } from '../commands/personal-data/vault.js';
import type { Freshness } from '../projections/read-consistency.js';
import type { StoredResponse } from '../stores/idempotency-store.js';
import { hasScope, type ApiKey, type Scope } from './api-keys.js';
import {
  readHeader,
  readIfMatch,
  requestHeaders,
  type ResponseHeaderName,
} from './request-headers.js';
import { platformProblems } from './problem-types.js';
import { httpProblem, toProblemResponse } from './problem.js';

/** Everything a handler knows about the request besides its validated input. */
export interface RequestContext {
  readonly principal: ApiKey;
  readonly requestId: string;
  readonly correlationId: string;
  readonly onBehalfOf?: string;
  readonly idempotencyKey?: string;
  /** The stream revision named by If-Match, when given. */
  readonly ifMatch?: bigint;
  /** A command's business time, when its body gave `occurredAt` (the `import` scope's). */
  readonly occurredAt?: string;
  readonly log: Logger;
  /** Aborted when the client goes away before the answer is complete: long work can stop. */
  readonly signal: AbortSignal;
}

export interface HttpResult {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The data subject (`employee-E1`) whose personal data the body shows: an answer remembered
   * for an Idempotency-Key is then stored sealed with their key, and a replay after their
   * erasure answers without it.
   */
  readonly personalDataOf?: string;
}

/**
 * An answer written as it is produced (exports): memory stays flat however long it is.
 * `write` resolves once the socket can take more, so a slow client slows the producer; it
 * rejects, like `signal` aborts, once the client has gone, which stops the work.
 */
export interface StreamedResult {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly stream: (sink: ResponseSink) => Promise<void>;
}

export interface ResponseSink {
  write(chunk: string): Promise<void>;
  readonly signal: AbortSignal;
}

type AnyObjectSchema = z.ZodObject;

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Media types of a body that is not JSON (a streamed export), described as text. */
  readonly mediaTypes?: readonly string[];
  /** Headers this answer carries beyond those of every answer (documented in OpenAPI). */
  readonly headers?: readonly ResponseHeaderName[];
}

/**
 * A route declared once: its zod schemas validate the request (strictly: unknown fields are a
 * 400) and the same schemas produce the OpenAPI document, so the two cannot drift apart.
 */
export interface RouteSpec<
  P extends AnyObjectSchema = AnyObjectSchema,
  Q extends AnyObjectSchema = AnyObjectSchema,
  B extends z.ZodType = z.ZodType,
> {
  readonly method: 'get' | 'post';
  /** OpenAPI form: `/v1/ledger/accounts/{code}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** Any one of these scopes grants access (`admin` always does). */
  readonly scopes: readonly Scope[];
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /**
   * The projections a query reads: `?consistentWith=` waits for these, and without it the
   * query first gives them a moment to catch up with the log (see `awaitFresh`).
   */
  readonly readModels?: readonly string[];
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** A command: honours If-Match, so it can answer 412 (see `commandRoute`). */
  readonly conditional?: boolean;
  readonly handle: (input: {
    readonly params: z.output<P>;
    readonly query: z.output<Q>;
    readonly body: z.output<B>;
    readonly context: RequestContext;
  }) => Promise<HttpResult | StreamedResult>;
}

/** Identity at run time; at compile time it infers the handler's input types from the schemas. */
export function defineRoute<
  P extends AnyObjectSchema = AnyObjectSchema,
  Q extends AnyObjectSchema = AnyObjectSchema,
  B extends z.ZodType = z.ZodType,
>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** Per-request values set by the app's middleware before any route runs. */
export interface RequestLocals {
  requestId: string;
  correlationId: string;
  principal?: ApiKey;
  /** A header problem found before logging was set up, raised right after. */
  headerProblem?: Error;
  /** Set once the route has checked the caller's scope and read the command headers. */
  context?: RequestContext;
  /** The template of the route the request matched (`/v1/invoices/{id}`), for metrics. */
  route?: string;
}

export function requestLocals(res: Response): RequestLocals {
  return res.locals as RequestLocals;
}

/**
 * On a query answered without learning the log's head (the event store unreachable): the
 * answer is what the read models hold, which may be behind the last writes.
 */
export const FRESHNESS_HEADER = 'X-Read-Freshness';

export function mountRoutes(
  router: Router,
  routes: readonly RouteSpec[],
  deps: {
    readonly idempotency: IdempotencyDeps;
    /**
     * Resolves true once the read models reflect the global position (`?consistentWith=`),
     * or false when they have not within the bound; that is a 503 with Retry-After.
     */
    readonly awaitPosition: (
      position: bigint,
      readModels: readonly string[] | undefined,
    ) => Promise<boolean>;
    /**
     * Before a query without `?consistentWith=`: waits briefly for its read models to reach
     * the log's head as it is now, so a caller usually reads its own writes without asking.
     */
    readonly awaitFresh: (readModels: readonly string[]) => Promise<Freshness>;
    /**
     * Before a command (valid, and allowed for its caller): waits while the read models are too
     * far behind the log. Operators' routes (`/v1/admin`) never wait: they may be the cure.
     */
    readonly admitWrite: () => Promise<void>;
    /** Runs after the scope check, so a caller without access learns nothing from its body. */
    readonly parseBody: readonly RequestHandler[];
    /** Seals remembered answers that show personal data (`HttpResult.personalDataOf`). */
    readonly personalData: PersonalDataVault;
  },
): void {
  for (const route of routes) {
    const expressPath = route.path.replace(/\{(\w+)\}/g, ':$1');
    const authorize: RequestHandler = (req, res, next) => {
      requestLocals(res).route = route.path;
      requestLocals(res).context = requestContext(req, res, route);
      next();
    };
    const bodyParsers = route.method === 'post' ? deps.parseBody : [];
    router[route.method](
      expressPath,
      authorize,
      ...bodyParsers,
      async (req: Request, res: Response) => {
        const context = requestLocals(res).context!;
        const input = {
          params: parsePart(route.params, req.params, 'path.'),
          query: parseQuery(route.query, req.query),
          body: parseBody(route.body, req.body),
          context,
        } as Parameters<RouteSpec['handle']>[0];
        const consistentWith = (input.query as { consistentWith?: unknown } | undefined)
          ?.consistentWith;
        if (typeof consistentWith !== 'string' && route.method === 'get' && route.readModels) {
          // With the event store down, queries still answer from the read models: and say so.
          if ((await deps.awaitFresh(route.readModels)) === 'head-unchecked') {
            res.setHeader(FRESHNESS_HEADER, 'head-unchecked');
          }
        }
        if (
          typeof consistentWith === 'string' &&
          !(await deps.awaitPosition(BigInt(consistentWith), route.readModels))
        ) {
          throw httpProblem(
            platformProblems.notYetConsistent,
            `The data has not reached position ${consistentWith} yet; retry shortly`,
            { headers: { 'Retry-After': '1' } },
          );
        }
        if (route.method === 'post' && !route.path.startsWith('/v1/admin/')) {
          await deps.admitWrite();
        }
        if (route.method !== 'post' || context.idempotencyKey === undefined) {
          const result = await route.handle(input);
          if ('stream' in result) await sendStream(res, result, context.signal);
          else send(res, result);
          return;
        }
        const { response, replayed } = await runIdempotently(
          deps.idempotency,
          {
            scope: context.principal.id,
            key: context.idempotencyKey,
            fingerprint: fingerprint(req, context),
          },
          async () => {
            try {
              const result = await route.handle(input);
              if ('stream' in result) throw new Error('A streamed answer cannot be remembered');
              if (result.personalDataOf === undefined) return toStored(result);
              const body = await deps.personalData.seal(
                result.personalDataOf,
                {
                  event: `answer:${context.principal.id}:${context.idempotencyKey}`,
                  field: 'body',
                },
                result.body,
              );
              return toStored({ ...result, body });
            } catch (error) {
              // Refusals are answers too: a retry must get the same one. Server faults are not
              // remembered, so a retry after one runs the command again.
              const problem = toProblemResponse(error);
              if (problem.status >= 500) throw error;
              return toStored(problem);
            }
          },
        );
        if (replayed) res.setHeader('Idempotent-Replayed', 'true');
        if (response.status >= 400) res.type('application/problem+json');
        send(res, await openedAnswer(deps.personalData, response));
      },
    );
  }
}

function requestContext(req: Request, res: Response, route: RouteSpec): RequestContext {
  const locals = requestLocals(res);
  const principal = locals.principal;
  if (!principal) {
    throw httpProblem(platformProblems.unauthorized, 'An API key is required', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
  if (!hasScope(principal, route.scopes)) {
    throw httpProblem(
      platformProblems.forbidden,
      `This API key lacks the scope for this operation; it needs one of: ${route.scopes.join(', ')}`,
    );
  }
  const get = (name: string) => req.get(name);
  const writes = route.method === 'post';
  return {
    principal,
    requestId: locals.requestId,
    correlationId: locals.correlationId,
    onBehalfOf: readHeader(get, requestHeaders.onBehalfOf),
    idempotencyKey: writes ? readHeader(get, requestHeaders.idempotencyKey) : undefined,
    ifMatch: writes ? readIfMatch(get) : undefined,
    log: req.log,
    signal: clientGone(res),
  };
}

/** Express leaves `req.body` undefined when no body came; `null` is a body, and not an object. */
function parseBody(schema: z.ZodType | undefined, body: unknown): unknown {
  if (
    schema &&
    body !== undefined &&
    (typeof body !== 'object' || body === null || Array.isArray(body))
  ) {
    throw httpProblem(platformProblems.validation, 'The body must be a JSON object', {
      errors: [{ path: '(body)', message: 'must be a JSON object' }],
    });
  }
  return parsePart(schema, body ?? {}, '');
}

/** A range's ends in any query, compared as parsed: dates and UTC instants sort as text. */
function parseQuery(schema: z.ZodType | undefined, query: unknown): unknown {
  const parsed = parsePart(schema, query, 'query.') as { from?: unknown; to?: unknown } | undefined;
  const { from, to } = parsed ?? {};
  if (typeof from === 'string' && typeof to === 'string' && from > to) {
    throw httpProblem(platformProblems.validation, 'query.from: must not be after to', {
      errors: [{ path: 'query.from', message: 'must not be after to' }],
    });
  }
  return parsed;
}

function parsePart<T extends z.ZodType | undefined>(
  schema: T,
  value: unknown,
  prefix: string,
): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => {
    const at = prefix + formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: prefix + formatPath([...issue.path, key]),
        message: 'unknown field',
      }));
    }
    return [{ path: at === '' ? '(body)' : at, message: issue.message }];
  });
  // The detail names the first few; `errors` says the rest, bounded (see `boundedProblem`).
  const named = errors.slice(0, 5).map((error) => `${error.path}: ${error.message}`);
  const more = errors.length > named.length ? ` (and ${errors.length - named.length} more)` : '';
  throw httpProblem(platformProblems.validation, `${named.join('; ')}${more}`, { errors });
}

/** `lines[0].debit`: the path form used in every `errors[].path`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

function fingerprint(req: Request, context: RequestContext): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        method: req.method,
        path: req.originalUrl,
        ifMatch: context.ifMatch?.toString(),
        onBehalfOf: context.onBehalfOf,
        body: req.body ?? null,
      }),
    )
    .digest('hex');
}

/**
 * A remembered answer as sent: its body opened when it was stored sealed. Once the person is
 * erased, a replay says so rather than showing what was erased.
 */
async function openedAnswer(
  vault: PersonalDataVault,
  response: StoredResponse,
): Promise<StoredResponse> {
  if (!isSealedValue(response.body)) return response;
  const body = await vault.open(response.body);
  return {
    ...response,
    body:
      body === ERASED
        ? { erased: true, detail: 'This answer showed personal data that has since been erased' }
        : body,
  };
}

function toStored(result: HttpResult): StoredResponse {
  return { status: result.status, headers: { ...(result.headers ?? {}) }, body: result.body };
}

function send(res: Response, result: HttpResult): void {
  res.status(result.status);
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  res.json(result.body);
}

function clientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort(new Error('The client closed the connection'));
  });
  return gone.signal;
}

async function sendStream(
  res: Response,
  result: StreamedResult,
  signal: AbortSignal,
): Promise<void> {
  res.status(result.status);
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  await result.stream({
    signal,
    async write(chunk) {
      signal.throwIfAborted();
      if (res.write(chunk)) return;
      await once(res, 'drain', { signal });
    },
  });
  if (!signal.aborted) res.end();
}

/** The command metadata a request implies (DESIGN.md §3). */
export function commandContext(context: RequestContext): CommandContext {
  return {
    actor: context.principal.id,
    onBehalfOf: context.onBehalfOf,
    correlationId: context.correlationId,
    causationId: context.requestId,
    requestId: context.requestId,
    idempotencyKey: context.idempotencyKey,
    expectedRevision: context.ifMatch,
    ...(context.occurredAt === undefined ? {} : { occurredAt: context.occurredAt }),
  };
}
