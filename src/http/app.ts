import { isUtf8 } from 'node:buffer';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { IdempotencyDeps } from '../commands/idempotency.js';
import type { IdGenerator } from '../commands/ids.js';
import type { Freshness } from '../projections/read-consistency.js';
import type { PersonalDataVault } from '../commands/personal-data/vault.js';
import type { Authenticate } from './api-keys.js';
import { consoleRouter } from './console/console-static.js';
import { renderDocsPage } from './docs-page.js';
import { buildOpenApiDocument } from './openapi.js';
import { platformProblems } from './problem-types.js';
import { httpProblem, INVALID_UTF8, sendProblem, toProblemResponse } from './problem.js';
import { readHeader, requestHeaders } from './request-headers.js';
import { mountRoutes, requestLocals, type RouteSpec } from './route.js';

export interface AppDeps {
  readonly logger: Logger;
  readonly authenticate: Authenticate;
  readonly ids: IdGenerator;
  readonly idempotency: IdempotencyDeps;
  /** `/readyz`: each check's result; ready only when every check is `ok`. */
  readonly readiness: () => Promise<Readonly<Record<string, string>>>;
  /** Every module's routes; each declares its own scopes and schemas. */
  readonly routes: readonly RouteSpec[];
  readonly bodyLimitBytes: number;
  readonly version: string;
  /** See `mountRoutes`: how queries wait for their read models. */
  readonly awaitPosition: (
    position: bigint,
    readModels: readonly string[] | undefined,
  ) => Promise<boolean>;
  readonly awaitFresh: (readModels: readonly string[]) => Promise<Freshness>;
  /** Seals remembered answers that show personal data. */
  readonly personalData: PersonalDataVault;
  /** See `mountRoutes`: the back-pressure on writes; none when not given. */
  readonly admitWrite?: () => Promise<void>;
  /** Times every request (`record`, first of all) and serves `GET /metrics` (`endpoint`). */
  readonly metrics: { readonly record: RequestHandler; readonly endpoint: RequestHandler };
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // ETags here are stream revisions, set by the routes; Express's body hashes would mislead.
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(deps.metrics.record);
  app.use(requestIds(deps.ids));
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (_req, res) => requestLocals(res).requestId,
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId' },
      customProps: (_req, res) => ({ correlationId: requestLocals(res).correlationId }),
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );
  app.use((req, res, next) => {
    const locals = requestLocals(res);
    req.log = req.log.child({ correlationId: locals.correlationId });
    next(locals.headerProblem);
  });

  app.use(refuseUndecodableQuery);
  app.use(readUnusedBody);

  const openApi = buildOpenApiDocument(deps.routes, deps.version);
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(renderDocsPage(openApi));
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (req, res) => {
    const checks = await deps.readiness();
    const ready = Object.values(checks).every((check) => check === 'ok');
    if (!ready) req.log.warn({ checks }, 'not ready');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  app.get('/metrics', deps.metrics.endpoint);

  // The console is static files that read /v1 with the user's key; it needs none to load.
  app.use('/console', consoleRouter());

  // Before the key is checked: which methods a path has is in the public document anyway.
  app.use(allowedMethods(deps.routes));
  app.use('/v1', authenticate(deps.authenticate));
  const v1 = express.Router();
  mountRoutes(v1, deps.routes, {
    idempotency: deps.idempotency,
    awaitPosition: deps.awaitPosition,
    awaitFresh: deps.awaitFresh,
    admitWrite: deps.admitWrite ?? (() => Promise.resolve()),
    personalData: deps.personalData,
    parseBody: [
      requireJsonBody,
      express.json({
        limit: deps.bodyLimitBytes,
        // Any JSON value is read, so that `null` or `[]` is refused as "not an object" (by the
        // route) rather than as "not JSON", which it is.
        strict: false,
        type: ['application/json', 'application/*+json'],
        verify: refuseInvalidUtf8,
      }),
    ],
  });
  app.use(v1);

  app.use((req, _res, next) => {
    next(httpProblem(platformProblems.notFound, `No route for ${req.method} ${req.path}`));
  });
  app.use(problemHandler);
  return app;
}

/**
 * Every request gets a request id (the caller's X-Request-Id when it is sane) and a correlation
 * id (X-Correlation-Id, or new); both are echoed and land on every log line and event.
 */
function requestIds(ids: IdGenerator): RequestHandler {
  return (req, res, next) => {
    const get = (name: string) => req.get(name);
    const requestId = readHeader(get, requestHeaders.requestId) ?? ids.random();
    const locals = requestLocals(res);
    locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    try {
      locals.correlationId = readHeader(get, requestHeaders.correlationId) ?? ids.random();
    } catch (problem) {
      locals.correlationId = ids.random();
      // Raised once the request logger exists, so the refusal is logged like any other.
      locals.headerProblem = problem as Error;
    }
    res.setHeader('X-Correlation-Id', locals.correlationId);
    next();
  };
}

function authenticate(check: Authenticate): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const principal = match ? check(match[1]!) : undefined;
    if (!principal) {
      next(
        httpProblem(
          platformProblems.unauthorized,
          header ? 'The API key is not valid' : 'Send an API key: Authorization: Bearer <key>',
          { headers: { 'WWW-Authenticate': 'Bearer' } },
        ),
      );
      return;
    }
    requestLocals(res).principal = principal;
    next();
  };
}

const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  if (hasBody && !req.is(['application/json', 'application/*+json'])) {
    next(
      httpProblem(
        platformProblems.unsupportedMediaType,
        `Send JSON with Content-Type: application/json (got ${req.get('content-type') ?? 'none'})`,
      ),
    );
    return;
  }
  next();
};

/**
 * The decoder would put U+FFFD in place of what it cannot read, and the text stored would not
 * be the one sent; the bytes are as decompressed, before any decoding.
 */
function refuseInvalidUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  if (isUtf8(body)) return;
  throw Object.assign(new Error('The body is not valid UTF-8'), {
    status: 400,
    type: INVALID_UTF8,
  });
}

/**
 * A body sent where none is read (a GET's) is read to its end, and dropped, before anything is
 * done: if its framing is broken Node refuses the request, and the query must not have run (an
 * audit read records itself) while the client is told 400. A POST's body is read by its parser.
 */
const readUnusedBody: RequestHandler = (req, _res, next) => {
  if (req.method === 'POST' || req.complete) {
    next();
    return;
  }
  req.on('data', () => undefined);
  req.once('end', () => next());
};

/**
 * The query parser reads a percent-encoding that is not UTF-8 as U+FFFD, silently: a filter
 * would search for another text than the one sent, so it is refused like such a body or path.
 */
const refuseUndecodableQuery: RequestHandler = (req, _res, next) => {
  const query = req.url.indexOf('?');
  if (query < 0) {
    next();
    return;
  }
  try {
    for (const part of req.url.slice(query + 1).split(/[&=]/)) {
      decodeURIComponent(part.replaceAll('+', ' '));
    }
  } catch {
    next(
      httpProblem(
        platformProblems.badRequest,
        'The query string is not valid percent-encoded UTF-8',
      ),
    );
    return;
  }
  next();
};

/** The service's own paths outside `/v1`, each answering GET (and HEAD). */
const OPERATIONS_PATHS = ['/openapi.json', '/docs', '/healthz', '/readyz', '/metrics'];

/**
 * A known path asked with a method it does not have is a 405 with `Allow`, and `OPTIONS` on a
 * known path says which it has (no key needed: the document says as much). Paths match as
 * Express matches them: any case, one trailing slash.
 */
function allowedMethods(routes: readonly RouteSpec[]): RequestHandler {
  const byPath = new Map<string, { path: string; pattern: RegExp; methods: Set<string> }>();
  const add = (path: string, method: string) => {
    const entry = byPath.get(path) ?? {
      path,
      pattern: new RegExp(
        `^${path
          .split(/\{\w+\}/)
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]+')}/?$`,
        'i',
      ),
      methods: new Set<string>(),
    };
    entry.methods.add(method);
    if (method === 'GET') entry.methods.add('HEAD');
    byPath.set(path, entry);
  };
  for (const path of OPERATIONS_PATHS) add(path, 'GET');
  for (const route of routes) add(route.path, route.method.toUpperCase());
  const entries = [...byPath.values()];
  return (req, res, next) => {
    const matching = entries.filter((entry) => entry.pattern.test(req.path));
    if (matching.length === 0) {
      next();
      return;
    }
    const methods = new Set(matching.flatMap((entry) => [...entry.methods]));
    // A template for the metrics of a request refused before its route runs (401, 405); the
    // route itself sets its own once it runs.
    requestLocals(res).route = (
      matching.find((entry) => entry.methods.has(req.method)) ?? matching[0]!
    ).path;
    if (methods.has(req.method)) {
      next();
      return;
    }
    const allow = [...[...methods].sort(), 'OPTIONS'].join(', ');
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', allow);
      res.status(204).end();
      return;
    }
    next(
      httpProblem(
        platformProblems.methodNotAllowed,
        `${req.path} answers ${allow}, not ${req.method}`,
        { headers: { Allow: allow } },
      ),
    );
  };
}

const problemHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const problem = toProblemResponse(error);
  if (problem.status >= 500) req.log.error({ err: error }, 'request failed');
  else req.log.info({ problem: problem.body.type, detail: problem.body.detail }, 'request refused');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendProblem(res, problem);
};
