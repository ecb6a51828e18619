import { z } from 'zod';
import type { RouteSpec } from './route.js';

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', description: 'URI naming the kind of problem; see docs/problems.md' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
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
  const headers = [
    {
      name: 'X-Correlation-Id',
      in: 'header',
      required: false,
      description: 'Joins the events of one business flow; generated when absent.',
      schema: { type: 'string', maxLength: 128 },
    },
    {
      name: 'X-On-Behalf-Of',
      in: 'header',
      required: false,
      description: 'The end user the calling service acts for; stored as onBehalfOf.',
      schema: { type: 'string', maxLength: 200 },
    },
  ];
  const writeHeaders =
    route.method === 'post'
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description:
              'A retry with the same key and body returns the first response and writes nothing; the same key with another body is a 422.',
            schema: { type: 'string', maxLength: 255 },
          },
          {
            name: 'If-Match',
            in: 'header',
            required: false,
            description: 'The ETag (stream revision) last seen; a stale one is a 412.',
            schema: { type: 'string' },
          },
        ]
      : [];
  return [
    ...from(route.params, 'path'),
    ...from(route.query, 'query'),
    ...headers,
    ...writeHeaders,
  ];
}

/** The OpenAPI 3.1 document, generated from the same schemas that validate requests. */
export function buildOpenApiDocument(routes: readonly RouteSpec[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
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
    for (const status of ['400', '401', '403', '413', '415', '422', '500']) {
      if (status === '413' || status === '415' || status === '422') {
        if (route.method !== 'post') continue;
      }
      responses[status] ??= {
        description: 'Problem details (RFC 9457)',
        content: {
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        },
      };
    }
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
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Back-office ledger and records service',
      version,
      description:
        'Commands in, immutable events stored, read models out. Money is a decimal string with a currency; errors are RFC 9457 problem details.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
      },
      schemas: { Problem: problemSchema },
    },
    paths,
  };
}
