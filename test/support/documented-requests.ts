/**
 * Requests built from the served OpenAPI document: one valid request per operation, sent as a
 * client would, and the string fields of its body and parameters, each with a way to put another
 * value in it. What the property tests of hostile input vary.
 */
import fc from 'fast-check';
import type supertest from 'supertest';
import { validValues, type JsonSchema } from './json-schema-arbitrary.js';
import type { Operation } from './openapi-checker.js';

export interface Built {
  readonly path: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

const wireText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * One request the document allows, the same for a seed. Without `consistentWith` (a position the
 * log has not reached is refused before anything else is looked at) and without a cursor (only
 * one the service issued is valid).
 */
export function validRequest(operation: Operation, seed = 7): Built {
  const part = (where: 'path' | 'query' | 'header') => {
    const parameters = operation.parameters.filter(
      (p) => p.in === where && p.name !== 'cursor' && p.name !== 'consistentWith',
    );
    return fc.record(
      Object.fromEntries(parameters.map((p) => [p.name, validValues(p.schema).map(wireText)])),
      { requiredKeys: parameters.filter((p) => p.required).map((p) => p.name) },
    ) as fc.Arbitrary<Record<string, string>>;
  };
  const body = operation.requestBody?.content['application/json'].schema;
  const built = fc.sample(
    fc.record({
      path: part('path'),
      query: part('query'),
      headers: part('header'),
      body: body ? validValues(body) : fc.constant(undefined),
    }),
    { numRuns: 1, seed },
  )[0]!;
  // Rules between two values, refused as they should be: `from` after `to` (swapped, as a
  // report may require both), and `asOf` beside a range (the trial balance).
  let query = built.query;
  const { from, to } = query;
  if (from !== undefined && to !== undefined && instant(from, 'start') > instant(to, 'end')) {
    query = { ...query, from: to, to: from };
  }
  if (query.asOf !== undefined && (from !== undefined || to !== undefined)) {
    const { asOf: _asOf, ...rest } = query;
    query = rest;
  }
  return { ...built, query };
}

function instant(value: string, edge: 'start' | 'end'): number {
  if (value.length > 10) return Date.parse(value);
  return Date.parse(`${value}T${edge === 'start' ? '00:00:00.000' : '23:59:59.999'}Z`);
}

/** The request's target: the path with its parameters encoded, and the query string. */
export function targetOf(operation: Operation, built: Built): string {
  const url = operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(built.path[name]!),
  );
  const query = new URLSearchParams(built.query).toString();
  return `${url}${query ? `?${query}` : ''}`;
}

export function sendRequest(
  request: ReturnType<typeof supertest>,
  operation: Operation,
  built: Built,
  auth: string | undefined,
) {
  const target = targetOf(operation, built);
  const req = operation.method === 'get' ? request.get(target) : request.post(target);
  if (auth) req.set('Authorization', auth);
  req.set(built.headers);
  if (operation.method === 'get') return req;
  // As bytes: Node's client sends the headers in the body's encoding when the body is a string.
  return req
    .set('Content-Type', 'application/json')
    .serialize((bytes) => bytes as string)
    .send(Buffer.from(JSON.stringify(built.body ?? {}), 'utf8'));
}

/** A string field of a request: where the answer's `errors[].path` names it, and its schema. */
export interface StringField {
  readonly path: string;
  readonly inBody: boolean;
  readonly schema: JsonSchema;
  readonly with: (value: string) => Built;
}

const isString = (schema: JsonSchema) =>
  schema.type === 'string' || (schema.anyOf ?? []).some((branch) => branch.type === 'string');

/** Every string field of the request: its path and query parameters, and in its body. */
export function stringFields(operation: Operation, built: Built): StringField[] {
  const fields: StringField[] = [];
  for (const parameter of operation.parameters) {
    if (parameter.in === 'header' || !isString(parameter.schema)) continue;
    const where = parameter.in;
    fields.push({
      path: `${where}.${parameter.name}`,
      inBody: false,
      schema: parameter.schema,
      with: (value) => ({ ...built, [where]: { ...built[where], [parameter.name]: value } }),
    });
  }
  const schema = operation.requestBody?.content['application/json'].schema;
  if (schema) {
    walk(
      schema,
      built.body,
      '',
      (body) => body,
      (path, field, set) =>
        fields.push({
          path,
          inBody: true,
          schema: field,
          with: (value) => ({ ...built, body: set(value) }),
        }),
    );
  }
  return fields;
}

function walk(
  schema: JsonSchema,
  value: unknown,
  at: string,
  set: (value: unknown) => unknown,
  found: (path: string, schema: JsonSchema, set: (value: unknown) => unknown) => void,
): void {
  if (isString(schema)) {
    found(at, schema, set);
    return;
  }
  if (schema.type === 'object' && typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      walk(
        property,
        object[name],
        at === '' ? name : `${at}.${name}`,
        (v) => set({ ...object, [name]: v }),
        found,
      );
    }
  }
  if (schema.type === 'array' && schema.items && Array.isArray(value) && value.length > 0) {
    walk(schema.items, value[0], `${at}[0]`, (v) => set([v, ...value.slice(1)]), found);
  }
}
