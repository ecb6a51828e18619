/**
 * Reads the served OpenAPI document the way a client generated from it would, and judges an
 * answer by it alone: is its status documented for the operation, its content type one the
 * status documents, its body valid against that schema (JSON Schema 2020-12, formats included).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import type { Response } from 'supertest';
import type { JsonSchema } from './json-schema-arbitrary.js';

// ajv-formats is CommonJS whose `module.exports` is the plugin itself.
const addFormats = ((formatsModule as { default?: FormatsPlugin }).default ??
  formatsModule) as FormatsPlugin;

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required: boolean;
  readonly schema: JsonSchema;
}

interface DocumentedResponse {
  readonly description: string;
  readonly content?: Readonly<Record<string, { readonly schema: JsonSchema }>>;
}

export interface Operation {
  readonly method: 'get' | 'post';
  readonly path: string;
  readonly operationId: string;
  readonly security?: readonly unknown[];
  readonly parameters: readonly Parameter[];
  readonly requestBody?: {
    readonly content: { readonly 'application/json': { schema: JsonSchema } };
  };
  readonly responses: Readonly<Record<string, DocumentedResponse | { readonly $ref: string }>>;
}

export interface OpenApiDocument {
  readonly paths: Readonly<
    Record<string, Readonly<Record<string, Omit<Operation, 'method' | 'path'>>>>
  >;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly responses?: Readonly<Record<string, DocumentedResponse>>;
  };
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      ...operation,
      parameters: operation.parameters ?? [],
      method: method as Operation['method'],
      path,
    })),
  );
}

export interface OpenApiChecker {
  /** Null when `value` is valid against `schema`, else what is wrong with it. */
  errorsOf(schema: JsonSchema, value: unknown): string | null;
  /** What is wrong with `res` as an answer of `operation`; empty when nothing is. */
  problemsWith(operation: Operation, res: Response): string[];
}

export function openApiChecker(document: OpenApiDocument): OpenApiChecker {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  addFormats(ajv);
  ajv.addKeyword('example');
  const compiled = new WeakMap<JsonSchema, ValidateFunction>();

  /** The schema with `#/components/schemas/...` references replaced by what they name. */
  const resolve = (schema: unknown): unknown => {
    if (Array.isArray(schema)) return schema.map(resolve);
    if (typeof schema !== 'object' || schema === null) return schema;
    const ref = (schema as { $ref?: unknown }).$ref;
    if (typeof ref === 'string') {
      const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
      const target = name === undefined ? undefined : document.components.schemas[name];
      if (!target) throw new Error(`Unresolvable reference ${ref}`);
      return resolve(target);
    }
    return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, resolve(value)]));
  };

  const errorsOf = (schema: JsonSchema, value: unknown): string | null => {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(resolve(schema) as object);
      compiled.set(schema, validate);
    }
    return validate(value) ? null : ajv.errorsText(validate.errors);
  };

  const responseOf = (operation: Operation, status: number) => {
    const documented = operation.responses[String(status)] ?? operation.responses.default;
    if (!documented || !('$ref' in documented)) return documented;
    const name = /^#\/components\/responses\/(.+)$/.exec(documented.$ref)?.[1];
    return name === undefined ? undefined : document.components.responses?.[name];
  };

  return {
    errorsOf,
    problemsWith(operation, res) {
      const label = `${operation.method.toUpperCase()} ${operation.path} answered ${res.status}`;
      const documented = responseOf(operation, res.status);
      if (!documented) return [`${label}, which it does not document: ${res.text.slice(0, 300)}`];
      const contentType = res.headers['content-type'] as string | undefined;
      if (!documented.content) {
        return res.text ? [`${label} with a body it documents none for`] : [];
      }
      const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
      const media = mediaType === undefined ? undefined : documented.content[mediaType];
      if (!media) {
        return [
          `${label} as ${contentType ?? 'no content type'}; documented: ${Object.keys(documented.content).join(', ')}`,
        ];
      }
      const json = mediaType === 'application/json' || mediaType!.endsWith('+json');
      const body: unknown = json ? JSON.parse(res.text) : res.text;
      const errors = errorsOf(media.schema, body);
      return errors ? [`${label} off its schema: ${errors}; body ${res.text.slice(0, 300)}`] : [];
    },
  };
}
