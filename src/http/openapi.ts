/**
 * The OpenAPI 3.1 document, generated from what the service runs: the zod schemas that validate
 * each request, the header rules that read it (`request-headers.ts`), the answers each route
 * declares and the ones every route of its kind can give (auth, validation, idempotency,
 * If-Match, outages), each problem answer with the problem+json schema. So a client generated
 * from it sends only what is accepted, and every answer it gets is one the document describes.
 */
import { z } from 'zod';
import { PROBLEM_TYPE_PREFIX } from './problem-types.js';
import {
  documentedPattern,
  requestHeaders,
  responseHeaders,
  type HeaderRule,
  type ResponseHeaderName,
} from './request-headers.js';
import type { ResponseSpec, RouteSpec } from './route.js';
import { documentedAs } from './schemas.js';

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: {
      type: 'string',
      pattern: `^${PROBLEM_TYPE_PREFIX}[a-z0-9-]+$`,
      description: `The kind of problem: ${PROBLEM_TYPE_PREFIX}<slug>, explained under <slug> in docs/problems.md`,
    },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string', description: 'What went wrong with this request, for a human' },
    errors: {
      type: 'array',
      description: 'On 400: each offending part of the request, at most 50',
      maxItems: 50,
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
    errorsOmitted: {
      type: 'integer',
      minimum: 1,
      description: 'How many offending parts `errors` leaves out, when there were more than 50',
    },
  },
} as const;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override({ zodSchema, jsonSchema }) {
      const documented = documentedAs.get(zodSchema);
      if (!documented) return;
      for (const key of Object.keys(jsonSchema))
        delete (jsonSchema as Record<string, unknown>)[key];
      Object.assign(jsonSchema, documented);
    },
  }) as Record<string, unknown>;
  return rest;
}

function headerParameter(rule: HeaderRule) {
  return {
    name: rule.name,
    in: 'header',
    required: false,
    description: rule.description,
    schema: { type: 'string', pattern: documentedPattern(rule).source },
  };
}

/** The headers of `route`'s request that the service reads. */
function headerParameters(route: Pick<RouteSpec, 'method'>, operation: boolean) {
  const rules: HeaderRule[] = Object.values(requestHeaders).filter(
    (rule) =>
      rule.on === 'every-request' ||
      (operation && rule.on === 'operations') ||
      (operation && rule.on === 'writes' && route.method === 'post'),
  );
  return rules.map(headerParameter);
}

function parameters(route: RouteSpec) {
  const from = (schema: z.ZodObject | undefined, location: 'path' | 'query') => {
    if (!schema) return [];
    const objectSchema = jsonSchema(schema, 'input') as {
      properties?: Record<string, Record<string, unknown>>;
      required?: string[];
    };
    return Object.entries(objectSchema.properties ?? {}).map(([name, property]) => ({
      name,
      in: location,
      required: location === 'path' || (objectSchema.required ?? []).includes(name),
      description: property.description,
      schema: property,
    }));
  };
  return [
    ...from(route.params, 'path'),
    ...from(route.query, 'query'),
    ...headerParameters(route, true),
  ];
}

function headersOf(names: readonly ResponseHeaderName[]) {
  const all: ResponseHeaderName[] = ['X-Request-Id', 'X-Correlation-Id', ...names];
  return Object.fromEntries(
    [...new Set(all)].map((name) => [
      name,
      { description: responseHeaders[name], schema: { type: 'string' } },
    ]),
  );
}

const problemContent = {
  'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
};

function problemResponse(description: string, headers: readonly ResponseHeaderName[] = []) {
  return { description, headers: headersOf(headers), content: problemContent };
}

function documentedResponse(status: number, response: ResponseSpec, method: RouteSpec['method']) {
  if (status >= 400) return problemResponse(response.description, response.headers);
  const replayable: ResponseHeaderName[] = method === 'post' ? ['Idempotent-Replayed'] : [];
  return {
    description: response.description,
    headers: headersOf([...(response.headers ?? []), ...replayable]),
    ...(response.schema
      ? { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } }
      : response.mediaTypes
        ? {
            content: Object.fromEntries(
              response.mediaTypes.map((type) => [type, { schema: { type: 'string' } }]),
            ),
          }
        : {}),
  };
}

/**
 * Answers given for Node.js's parser before the service sees the request, so on every operation
 * (`components.responses`), problem+json like the service's own; the connection closes after.
 */
const nodeResponses = {
  RequestTimeout: {
    description:
      '`request-timeout`: the request headers did not arrive within 60 s, or the whole request within 5 minutes.',
    headers: {},
    content: problemContent,
  },
  RequestHeaderFieldsTooLarge: {
    description:
      '`headers-too-large`: the request line and headers together exceed 16 KB (a URL that long gets this, not 414).',
    headers: {},
    content: problemContent,
  },
} as const;

const nodeResponseRefs = {
  408: { $ref: '#/components/responses/RequestTimeout' },
  431: { $ref: '#/components/responses/RequestHeaderFieldsTooLarge' },
};

const NODE_BAD_REQUEST =
  "`bad-request` also for a request Node.js's parser refuses (a control character in a header, a malformed request line, a bad `Content-Length`), after which the connection closes";

/** What the service's own 400s on `route` can be, by problem type. */
function badRequestDescription(route: RouteSpec): string {
  const reasons = [
    '`validation`: the path, query or body is off its schema (a body that is not a JSON object included), or off a rule the description states, like `from` after `to` (`errors` lists each part)',
    '`invalid-header`: a header off its pattern',
    '`bad-request`: a path that does not percent-decode',
  ];
  if (route.query && 'consistentWith' in route.query.shape) {
    reasons.push(
      '`position-beyond-head`: a `consistentWith` beyond the head of the log, which no write has answered',
    );
  }
  if (route.method === 'post') {
    reasons.push(
      '`malformed-json`, `invalid-utf8`, `invalid-compression`, `request-aborted`, `request-size-invalid`, `too-many-parameters`: a body that cannot be read',
    );
  }
  return `${reasons.join('; ')}. ${NODE_BAD_REQUEST}.`;
}

/** Every answer `route` can give: its own, and those of every route of its kind. */
function responsesOf(route: RouteSpec): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = documentedResponse(Number(status), response, route.method);
  }
  const common: [number, string, ResponseHeaderName[]][] = [
    [400, badRequestDescription(route), []],
    [401, 'No API key, or not a valid one', ['WWW-Authenticate']],
    [403, 'The API key lacks every scope this operation accepts', []],
    [500, 'Unexpected error; logged under the request id', []],
    [
      503,
      'A store is unreachable, a read model is not built yet or not yet at consistentWith, or a write lost too many races; retry after Retry-After',
      ['Retry-After'],
    ],
  ];
  if (route.method === 'post') {
    common.push(
      [409, 'A request with this Idempotency-Key is still in progress', ['Retry-After']],
      [413, 'Body larger than BODY_LIMIT_BYTES, or chunk extensions over 16 KB', []],
      [415, 'Body not JSON, or in an encoding or charset the service does not read', []],
      [422, 'Idempotency-Key reused with a different request', []],
    );
  }
  if (route.conditional) common.push([412, 'If-Match no longer matches the record', ['ETag']]);
  for (const [status, description, headers] of common) {
    const key = String(status);
    const declared = route.responses[status];
    responses[key] = problemResponse(
      declared ? `${declared.description}; or: ${description}` : description,
      [...(declared?.headers ?? []), ...headers],
    );
  }
  return { ...responses, ...nodeResponseRefs };
}

/** `/healthz`, `/readyz`, `/metrics`, `/openapi.json` and `/docs`: outside `/v1`, without an API key. */
function operationsPaths() {
  const everyRequest = headerParameters({ method: 'get' }, false);
  const invalidHeader = problemResponse(
    `\`invalid-header\`: X-Correlation-Id off its pattern. ${NODE_BAD_REQUEST}.`,
  );
  const readiness = {
    type: 'object',
    required: ['status', 'checks'],
    additionalProperties: false,
    properties: {
      status: { type: 'string', enum: ['ready', 'not_ready'] },
      checks: {
        type: 'object',
        description:
          'Each check by name (eventStore, readModels, every projection, reactor:<name>): `ok` or why not',
        additionalProperties: { type: 'string' },
      },
    },
  };
  const operation = (
    operationId: string,
    summary: string,
    responses: Record<string, unknown>,
  ): Record<string, unknown> => ({
    get: {
      operationId,
      summary,
      tags: ['operations'],
      security: [],
      parameters: everyRequest,
      responses: { ...responses, 400: invalidHeader, ...nodeResponseRefs },
    },
  });
  const json = (schema: Record<string, unknown>) => ({
    'application/json': { schema },
  });
  return {
    '/healthz': operation('getHealth', 'Liveness: the process answers', {
      200: {
        description: 'Alive',
        headers: headersOf([]),
        content: json({
          type: 'object',
          required: ['status'],
          additionalProperties: false,
          properties: { status: { type: 'string', enum: ['ok'] } },
        }),
      },
    }),
    '/readyz': operation(
      'getReadiness',
      'Readiness: both stores answer, every projection serves and no reactor has failed',
      {
        200: { description: 'Ready', headers: headersOf([]), content: json(readiness) },
        503: { description: 'Not ready', headers: headersOf([]), content: json(readiness) },
      },
    ),
    '/metrics': operation(
      'getMetrics',
      'Prometheus metrics (text exposition format 0.0.4): loopback clients only, or the METRICS_TOKEN as a Bearer token when it is set',
      {
        200: {
          description: 'The metrics, as Prometheus text (Content-Type: text/plain; version=0.0.4)',
          headers: headersOf([]),
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        401: problemResponse('`unauthorized`: METRICS_TOKEN is set and was not sent'),
        403: problemResponse(
          '`forbidden`: METRICS_TOKEN is unset and the client is not on this host (or came through a proxy)',
        ),
      },
    ),
    '/openapi.json': operation('getOpenApi', 'This document', {
      200: {
        description: 'The OpenAPI document',
        headers: headersOf([]),
        content: json({ type: 'object' }),
      },
    }),
    '/docs': operation('getDocs', 'This document, rendered as a page', {
      200: {
        description: 'The rendered document',
        headers: headersOf([]),
        content: { 'text/html': { schema: { type: 'string' } } },
      },
    }),
  };
}

export function buildOpenApiDocument(routes: readonly RouteSpec[], version: string) {
  const paths: Record<string, Record<string, unknown>> = { ...operationsPaths() };
  for (const route of routes) {
    (paths[route.path] ??= {})[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      security: [{ apiKey: [] }],
      'x-scopes': route.scopes,
      parameters: parameters(route),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses: responsesOf(route),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Back-office ledger and records service',
      version,
      description:
        'Commands in, immutable events stored, read models out. Money is a decimal string with a currency; errors are RFC 9457 problem details, and each problem type is explained under its slug in docs/problems.md of the repository.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
      },
      schemas: { Problem: problemSchema },
      responses: nodeResponses,
    },
    paths,
  };
}
