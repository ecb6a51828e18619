import { z } from 'zod';
import { ACCOUNT_CODE } from '../domain/ledger/account.js';
import { currencyCodes, isCurrencyCode } from '../domain/shared/currency.js';
import { isAccountingDate, isPeriodId } from '../domain/shared/dates.js';

/**
 * How a schema is documented when zod cannot say it exactly (a query value parsed from text,
 * a refinement): the OpenAPI generator puts this JSON Schema in its place. Whoever registers
 * one owes a test that the validation accepts exactly what it describes.
 */
export const documentedAs = z.registry<Record<string, unknown>>();

export function documented<T extends z.ZodType>(schema: T, jsonSchema: Record<string, unknown>): T {
  documentedAs.add(schema, jsonSchema);
  return schema;
}

/**
 * What `String.prototype.trim` strips, spelled out: `\s` means other things in other regex
 * engines (Python's includes U+001C-U+001F, JavaScript's U+FEFF), and a client or a fuzzer
 * reads our patterns with theirs.
 */
export const TRIMMED =
  '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/** True when the string holds no lone surrogate: stores and hashes would alter it silently. */
export function isWellFormed(value: string): boolean {
  return !/[\ud800-\udfff]/u.test(value);
}

/** Length in code points, as JSON Schema's minLength and maxLength count it. */
export function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/** Well-formed Unicode of at most `max` code points. */
export function unicode(max: number) {
  return z
    .string()
    .superRefine((value, ctx) => {
      if (!isWellFormed(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be well-formed Unicode' });
      } else if (codePoints(value) > max) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters` });
      }
    })
    .meta({ maxLength: max });
}

/**
 * Free text: `unicode(max)` as sent, trimmed once accepted. Unless `blank` is allowed it must
 * hold something besides white space, which its pattern says.
 */
export function text(max: number, { blank = 'refused' }: { blank?: 'refused' | 'allowed' } = {}) {
  if (blank === 'allowed') return unicode(max).trim();
  return unicode(max)
    .refine((value) => value.trim() !== '', 'must not be blank')
    .trim()
    .meta({ minLength: 1, maxLength: max, pattern: `[^${TRIMMED}]` });
}

/** Schemas shared by every module's routes. */
export const accountCode = z
  .string()
  .regex(ACCOUNT_CODE, 'must be 1-32 letters, digits, ".", "_" or "-"')
  .meta({ example: '1000' });

export const accountingDate = z
  .string()
  .refine(isAccountingDate, 'must be a calendar date, YYYY-MM-DD')
  // `format: date` admits the year 0000, which is no accounting date.
  .meta({ format: 'date', pattern: '^(?!0000)', example: '2026-11-02' });

export const periodId = z
  .string()
  .refine(isPeriodId, 'must be a month, YYYY-MM')
  .meta({ pattern: '^\\d{4}-(?:0[1-9]|1[0-2])$', example: '2026-11' });

export const currencyCode = z
  .string()
  .refine(isCurrencyCode, 'must be an ISO 4217 currency code with minor units, like EUR')
  .meta({ enum: [...currencyCodes], example: 'EUR' });

/**
 * A positive decimal string; how many decimals are allowed depends on the currency (a refusal
 * of the record's own rules, since the currency is the stored account's or invoice's).
 */
export const decimalAmount = z
  .string()
  .regex(/^(?=[\d.]*[1-9])\d{1,18}(\.\d{1,4})?$/, 'must be a positive decimal string like "100.00"')
  .meta({ example: '100.00' });

export const globalPosition = z
  .string()
  .regex(/^\d{1,20}$/)
  .describe('Global log position of the last event written, as a decimal string');

export const consistencyQuery = z.strictObject({
  consistentWith: z
    .string()
    .regex(/^\d{1,20}$/, 'must be a global position returned by a write')
    .optional()
    .describe(
      'Wait until the data reflects this position (read your writes); 503 with Retry-After when it has not within CONSISTENCY_WAIT_MS, as for a position no write returned',
    ),
});

export const MAX_PAGE_LIMIT = 500;

/** The alphabet of the cursors the service issues (base64url). */
export const CURSOR = /^[A-Za-z0-9_-]+$/;

/** `?limit=&cursor=` of every list: `{ items, nextCursor }` answers. */
export const paginationQuery = {
  // A query value is text; the document says which integers it may spell.
  limit: documented(
    z
      .string()
      .regex(/^\d{1,4}$/, `must be a whole number from 1 to ${MAX_PAGE_LIMIT}`)
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(1, 'must be at least 1')
          .max(MAX_PAGE_LIMIT, `must be at most ${MAX_PAGE_LIMIT}`),
      ),
    { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT },
  )
    .optional()
    .describe(`Page size: 50 by default, at most ${MAX_PAGE_LIMIT}`),
  cursor: z
    .string()
    .max(2048)
    // Base64url, as the service issues them (`listRoute` refuses any other as invalid-query).
    // That bound keeps every documented request inside Node's 16 KB request-line-and-headers
    // limit, which 2048 arbitrary characters, percent-encoded, would not.
    .meta({ pattern: '^[A-Za-z0-9_-]{1,2048}$' })
    .optional()
    .describe(
      'The nextCursor of the previous page, with the same filters; one the service did not issue is a 400 invalid-query',
    ),
};

export const DEFAULT_PAGE_LIMIT = 50;

/** The answer of a list: a page of `item`s and the cursor of the next page. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const recordId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/,
    'must be 1-64 letters, digits or ._:- and start with a letter or digit',
  );

/** Headers every write answers with, so a caller can read its own write and chain If-Match. */
export function writeHeaders(result: { revision: bigint; position: bigint }, location?: string) {
  return {
    ETag: `"${result.revision}"`,
    'X-Position': result.position.toString(),
    ...(location ? { Location: location } : {}),
  };
}
