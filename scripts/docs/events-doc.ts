/**
 * docs/events.md from the modules' event schemas: the same zod schemas that validate every
 * event appended and read back, so the page describes what is stored, field by field. The
 * prose around the event types (metadata, hash chain, conventions) is hand-written in
 * `events-prose.md` and kept as it is.
 */
import { z } from 'zod';
import type { JsonSchema } from '../../src/http/json-schema.js';
import type { AnyModule } from '../../src/http/module.js';
import { cell, generatedNotice } from './markdown.js';

/** Where the generated event types go in the prose. */
export const EVENT_TYPES_MARKER = '<!-- event types -->';

interface FieldRow {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string;
}

function typeName(schema: JsonSchema, where: string): string {
  // A nullable field: zod writes `type: [<type>, "null"]`.
  const types: unknown = schema.type;
  if (Array.isArray(types) && types.length === 2 && types.includes('null')) {
    const type = types.find((each) => each !== 'null') as string;
    return `${typeName({ ...schema, type }, where)} or null`;
  }
  // A nullable object: zod writes `anyOf: [<object>, { type: "null" }]`.
  const orNull = nonNullOf(schema);
  if (orNull) return `${typeName(orNull, where)} or null`;
  if (schema.enum) return `one of ${schema.enum.map((value) => `\`${String(value)}\``).join(', ')}`;
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  const discriminator = discriminatorOf(schema);
  if (discriminator) return `object, by \`${discriminator}\``;
  switch (schema.type) {
    case 'string':
      return schema.pattern === undefined ? 'string' : `string matching \`${schema.pattern}\``;
    case 'integer':
      // zod bounds every integer to the safe range; only a bound of its own says something.
      return schema.minimum === 0 ? 'integer ≥ 0' : 'integer';
    case 'number':
    case 'boolean':
      return schema.type;
    case 'array': {
      const items = schema.items ? typeName(schema.items, `${where}[]`) : 'anything';
      const atLeast = schema.minItems ? ` (at least ${schema.minItems})` : '';
      return `array of ${items === 'object' ? 'objects' : items}${atLeast}`;
    }
    case 'object':
      if (schema.properties) return 'object';
      if (typeof schema.additionalProperties === 'object') {
        return `object of ${typeName(schema.additionalProperties, where)} values, by name`;
      }
  }
  throw new Error(`${where}: no way to document the schema ${JSON.stringify(schema)}`);
}

/**
 * The field every alternative of a `oneOf` of objects fixes to a constant (a discriminated
 * union such as payslip lines by `kind`), if there is one.
 */
function discriminatorOf(schema: JsonSchema): string | undefined {
  const variants = schema.oneOf;
  if (!variants || variants.length === 0) return undefined;
  const first = variants[0]!.properties ?? {};
  return Object.keys(first).find((name) =>
    variants.every((variant) => variant.properties?.[name]?.const !== undefined),
  );
}

/**
 * A discriminated union's fields as one table: the discriminator with every value it takes,
 * then each field once, saying for which values it is there when not for all.
 */
function unionRows(schema: JsonSchema, prefix: string, where: string): FieldRow[] {
  const variants = schema.oneOf!;
  const discriminator = discriminatorOf(schema)!;
  const values = variants.map((variant) => String(variant.properties![discriminator]!.const));
  const rows: FieldRow[] = [
    {
      path: `${prefix}${discriminator}`,
      type: `one of ${values.map((value) => `\`${value}\``).join(', ')}`,
      required: true,
      description: variants
        .map(
          (variant, index) =>
            `\`${values[index]}\`: ${variant.properties![discriminator]!.description ?? ''}`,
        )
        .join(' '),
    },
  ];
  const seen = new Set([`${prefix}${discriminator}`]);
  for (const variant of variants) {
    for (const row of fieldRows(variant, prefix, where)) {
      if (seen.has(row.path)) continue;
      seen.add(row.path);
      const described = variants.flatMap((other, index) => {
        const found = fieldRows(other, prefix, where).find((each) => each.path === row.path);
        return found ? [{ value: values[index]!, description: found.description }] : [];
      });
      const same = described.every((each) => each.description === row.description);
      const description = same
        ? row.description
        : described.map((each) => `\`${each.value}\`: ${each.description}`).join(' ');
      rows.push(
        described.length === values.length
          ? { ...row, description }
          : {
              ...row,
              required: false,
              description: `${described.map((each) => `\`${each.value}\``).join(', ')} only. ${description}`,
            },
      );
    }
  }
  return rows;
}

/** X of a schema `anyOf: [X, { type: "null" }]`, else undefined. */
function nonNullOf(schema: JsonSchema): JsonSchema | undefined {
  const branches = schema.anyOf;
  if (branches?.length !== 2) return undefined;
  const others = branches.filter((branch) => branch.type !== 'null');
  return others.length === 1 ? others[0] : undefined;
}

/** Every field of an object schema, nested ones by path (`lines[].amount`). */
function fieldRows(schema: JsonSchema, prefix: string, where: string): FieldRow[] {
  if (discriminatorOf(schema)) return unionRows(schema, prefix, where);
  return Object.entries(schema.properties ?? {}).flatMap(([name, field]) => {
    const path = `${prefix}${name}`;
    if (field.description === undefined) {
      throw new Error(`${where}: field ${path} has no description; give it one with .describe()`);
    }
    const row: FieldRow = {
      path,
      type: typeName(field, `${where} ${path}`),
      required: schema.required?.includes(name) ?? false,
      description: field.description,
    };
    const nested = field.type === 'array' ? field.items : (nonNullOf(field) ?? field);
    const nestedPrefix = field.type === 'array' ? `${path}[].` : `${path}.`;
    const expands = nested?.properties !== undefined || (nested && discriminatorOf(nested));
    return [row, ...(expands ? fieldRows(nested!, nestedPrefix, where) : [])];
  });
}

function eventSection(module: AnyModule, type: string, schema: z.ZodType): string[] {
  const where = `${module.name} event ${type}`;
  const json = z.toJSONSchema(schema) as JsonSchema;
  const stream = module.eventStreams[type];
  if (stream === undefined) throw new Error(`${where}: no stream in the module's eventStreams`);
  if (json.description === undefined) {
    throw new Error(`${where}: no description; give its schema one with .describe()`);
  }
  return [
    `### ${type}`,
    '',
    json.description,
    '',
    `Stream: \`${stream}\``,
    '',
    '| field | type | required | description |',
    '| --- | --- | --- | --- |',
    ...fieldRows(json, '', where).map(
      (row) =>
        `| \`${row.path}\` | ${cell(row.type)} | ${row.required ? 'yes' : 'no'} | ${cell(row.description)} |`,
    ),
    '',
  ];
}

function moduleSection(module: AnyModule): string[] {
  const title = module.name.charAt(0).toUpperCase() + module.name.slice(1);
  const extra = Object.keys(module.eventStreams).filter((type) => !(type in module.eventSchemas));
  if (extra.length > 0) {
    throw new Error(`${module.name}: eventStreams names types it has no schema for: ${extra}`);
  }
  return [
    `## ${title} events`,
    '',
    module.summary,
    '',
    ...Object.entries(module.eventSchemas).flatMap(([type, schema]) =>
      eventSection(module, type, schema),
    ),
  ];
}

/** The prose with every module's event types where it says `<!-- event types -->`. */
export function renderEventsDoc(modules: readonly AnyModule[], prose: string): string {
  if (prose.split(EVENT_TYPES_MARKER).length !== 2) {
    throw new Error(`The events prose must say ${EVENT_TYPES_MARKER} once, where the types go`);
  }
  const types = modules
    .filter((module) => Object.keys(module.eventSchemas).length > 0)
    .flatMap(moduleSection)
    .join('\n');
  const source =
    'the modules’ event schemas (`eventSchemas`, `eventStreams`) and `scripts/docs/events-prose.md`';
  return `${generatedNotice(source)}\n\n${prose.replace(EVENT_TYPES_MARKER, () => types)}`;
}
