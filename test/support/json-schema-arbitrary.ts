/**
 * Values drawn from a JSON Schema, the subset our OpenAPI document uses: what a client generated
 * from the document may send (`validValues`), and values the document forbids (`invalidValues`).
 * Neither is trusted blindly: callers check each value against the schema with a validator, so a
 * gap here shows as a failing test, not as a request that proves nothing.
 */
import fc from 'fast-check';
import type { JsonSchema } from '../../src/http/json-schema.js';

export type { JsonSchema };

/** Arrays are kept short: a request with 500 journal lines tests nothing a short one does not. */
const MAX_GENERATED_ITEMS = 3;

const codePoints = (value: string) => [...value].length;

/** Lookarounds narrow a pattern; generate from the rest and keep what the whole accepts. */
function withoutLookarounds(pattern: string): string {
  return pattern.replace(/\(\?[=!][^()]*(?:\([^()]*\)[^()]*)*\)/g, '');
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const { minLength = 0, maxLength, pattern, format } = schema;
  const fits = (value: string) =>
    codePoints(value) >= minLength &&
    (maxLength === undefined || codePoints(value) <= maxLength) &&
    (pattern === undefined || new RegExp(pattern, 'u').test(value));
  let base: fc.Arbitrary<string>;
  if (format === 'date') {
    base = instants().map((at) => at.toISOString().slice(0, 10));
  } else if (format === 'date-time') {
    base = fc
      .tuple(instants(), fc.constantFrom('Z', '+00:00', '-05:30', '+14:00'))
      .map(([at, zone]) => at.toISOString().replace('Z', zone));
  } else if (pattern?.startsWith('^')) {
    base = fc.stringMatching(new RegExp(withoutLookarounds(pattern), 'u'));
  } else {
    base = fc.string({ unit: 'binary', minLength, maxLength: Math.min(maxLength ?? 40, 300) });
  }
  return base.filter(fits);
}

function instants(): fc.Arbitrary<Date> {
  return fc.date({
    min: new Date('0001-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  });
}

function objectArbitrary(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  // `oneOf: [{ required: [a] }, { required: [b] }]`: exactly one of a and b.
  const exclusive = (schema.oneOf ?? []).map((branch) => branch.required ?? []);
  const exclusiveKeys = new Set(exclusive.flat());
  const choice = exclusive.length > 0 ? fc.nat(exclusive.length - 1) : fc.constant(-1);
  const fields = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, validValues(property)]),
  );
  return fc
    .tuple(
      choice,
      fc.record(fields, {
        requiredKeys: Object.keys(properties).filter(
          (name) => required.has(name) || exclusiveKeys.has(name),
        ),
      }),
    )
    .map(([chosen, value]) => {
      if (chosen < 0) return value;
      const keep = new Set(exclusive[chosen]);
      return Object.fromEntries(
        Object.entries(value).filter(([name]) => !exclusiveKeys.has(name) || keep.has(name)),
      );
    })
    .filter((value) => Object.keys(value).length >= (schema.minProperties ?? 0));
}

/** Values the schema accepts. */
export function validValues(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(validValues));
  switch (schema.type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? Number.MIN_SAFE_INTEGER,
        max: schema.maximum ?? Number.MAX_SAFE_INTEGER,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? minLength + MAX_GENERATED_ITEMS, minLength + 2);
      return fc.array(validValues(schema.items ?? {}), { minLength, maxLength });
    }
    case 'object':
      return objectArbitrary(schema);
    default:
      throw new Error(`No generator for the schema ${JSON.stringify(schema)}`);
  }
}

/**
 * Values near the schema's edges and past them, for a caller to keep those the schema refuses:
 * too short and too long, off the pattern, off the enum, out of range, of another type.
 */
export function invalidValues(schema: JsonSchema): unknown[] {
  // The schema's own edges first: callers try only the first few a schema refuses.
  const candidates: unknown[] = [];
  if (schema.format === 'date' || schema.anyOf) {
    candidates.push('2026-00-10', '2026-02-30', '0000-01-01', '2026-1-01', '2026-11-23T10:00:00');
  }
  if (schema.type === 'integer') {
    candidates.push((schema.minimum ?? 0) - 1, (schema.maximum ?? 0) + 1, 1.5, 'abc');
  }
  if (schema.enum) candidates.push(`${String(schema.enum[0])}x`);
  if (schema.maxLength !== undefined) candidates.push('7'.repeat(schema.maxLength + 1));
  if (schema.minLength !== undefined && schema.minLength > 1) {
    candidates.push('7'.repeat(schema.minLength - 1));
  }
  if (schema.type === 'object') candidates.push({ unknownField: 1 }, []);
  candidates.push(42, true, null, '', ' ', '~', 'x y', '\u00e9t\u00e9', '-1', '0');
  return candidates;
}
