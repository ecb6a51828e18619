import { z } from 'zod';
import { ACCOUNT_CODE } from '../domain/ledger/account.js';
import { currencyCodes, isCurrencyCode } from '../domain/shared/currency.js';
import { isAccountingDate, isPeriodId } from '../domain/shared/dates.js';
import { MAX_POSITION } from '../stores/event-store.js';

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

/**
 * What no stored text holds, as regex class contents. Control characters (C0, DEL and C1) break
 * logs, CSV exports and terminals; the bidirectional embeddings, overrides and isolates make a
 * text read in another order than it is stored ("Trojan Source"), so an auditor would see an
 * other reference than the one recorded. A lone surrogate (in `u` mode) is altered by stores.
 */
const NEVER =
  '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069\\ud800-\\udfff';
/** What a multi-line field (a description, a reason) may hold and a one-line field may not. */
const LINE_BREAKS = '\\t\\n\\r\\u2028\\u2029';
/** Characters that show nothing: a text of only these and white space is blank. */
export const INVISIBLE = '\\u00ad\\u180e\\u200b-\\u200f\\u2060-\\u2064\\ufeff';

export type Lines = 'one' | 'many';

/** The characters a text of `lines` refuses, as regex class contents. */
export function refusedCharacters(lines: Lines): string {
  return lines === 'one' ? `${NEVER}${LINE_BREAKS}` : NEVER;
}

const refusedPattern = (lines: Lines) => new RegExp(`[${refusedCharacters(lines)}]`, 'u');
const REFUSED: Readonly<Record<Lines, RegExp>> = {
  one: refusedPattern('one'),
  many: refusedPattern('many'),
};
const BLANK = new RegExp(`^[${TRIMMED}${INVISIBLE}]*$`, 'u');

/** True when nothing in `value` shows: white space and invisible characters only. */
export function isBlank(value: string): boolean {
  return BLANK.test(value);
}

/**
 * Why `value` is no text of `lines`, or undefined when it is one: the first refusal, named for
 * the caller (the character's code point, which the answer could not show).
 */
export function textProblem(value: string, lines: Lines): string | undefined {
  if (!isWellFormed(value)) return 'must be well-formed Unicode (it holds a lone surrogate)';
  const refused = REFUSED[lines].exec(value);
  if (!refused) return undefined;
  const code = `U+${refused[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  if (/[\u202a-\u202e\u2066-\u2069]/u.test(refused[0])) {
    return `must not hold bidirectional control characters (it holds ${code})`;
  }
  return lines === 'one'
    ? `must be one line without control characters (it holds ${code})`
    : `must not hold control characters other than tabs and line breaks (it holds ${code})`;
}

/**
 * The JSON Schema pattern of a text of `lines`: only characters it accepts, and unless blanks
 * are allowed, one that shows. One pattern, since JSON Schema takes one.
 */
export function textPattern(lines: Lines, blank: 'refused' | 'allowed'): string {
  const allowed = `[^${refusedCharacters(lines)}]`;
  if (blank === 'allowed') return `^${allowed}*$`;
  return `^${allowed}*[^${refusedCharacters(lines)}${TRIMMED}${INVISIBLE}]${allowed}*$`;
}

/**
 * Well-formed Unicode of at most `max` code points, without control characters (tabs and line
 * breaks only where `lines` is `many`) and without bidirectional controls.
 */
export function unicode(max: number, { lines = 'one' }: { lines?: Lines } = {}) {
  return z
    .string()
    .superRefine((value, ctx) => {
      const problem = textProblem(value, lines);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: problem });
      } else if (codePoints(value) > max) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters` });
      }
    })
    .meta({ maxLength: max, pattern: textPattern(lines, 'allowed') });
}

/**
 * Free text: `unicode(max)` as sent, trimmed once accepted. Unless `blank` is allowed it must
 * hold something that shows (white space and U+200B do not), which its pattern says.
 */
export function text(
  max: number,
  { blank = 'refused', lines = 'one' }: { blank?: 'refused' | 'allowed'; lines?: Lines } = {},
) {
  if (blank === 'allowed') return unicode(max, { lines }).trim();
  return unicode(max, { lines })
    .refine((value) => !isBlank(value), 'must not be blank')
    .trim()
    .meta({ minLength: 1, maxLength: max, pattern: textPattern(lines, 'refused') });
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

/** A month the ledger can close or reopen: YYYY-MM, from 1900 on. */
export const closablePeriodId = z
  .string()
  .refine(isPeriodId, 'must be a month, YYYY-MM')
  .refine((value) => Number(value.slice(0, 4)) >= 1900, 'must be a month of 1900 or later')
  .meta({ pattern: '^(?:19|[2-9]\\d)\\d{2}-(?:0[1-9]|1[0-2])$', example: '2026-11' });

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

/**
 * A regex source for the decimals from 0 to `max` without leading zeros: each alternative fixes
 * a prefix of `max` and lowers the next digit, the last allows `max` itself.
 */
export function decimalAtMost(max: bigint): string {
  const digits = max.toString();
  const shorter = digits.length > 1 ? [`0|[1-9]\\d{0,${digits.length - 2}}`] : [];
  const alternatives = [...shorter];
  for (let i = 0; i < digits.length; i += 1) {
    const digit = Number(digits[i]);
    const lowest = i === 0 && digits.length > 1 ? 1 : 0;
    if (digit > lowest) {
      const rest = digits.length - i - 1;
      const range = digit - 1 === lowest ? `${lowest}` : `[${lowest}-${digit - 1}]`;
      alternatives.push(`${digits.slice(0, i)}${range}${rest > 0 ? `\\d{${rest}}` : ''}`);
    }
  }
  alternatives.push(digits);
  return `^(?:${alternatives.join('|')})$`;
}

const POSITION = decimalAtMost(MAX_POSITION);

export const consistencyQuery = z.strictObject({
  consistentWith: documented(
    z
      .string()
      .regex(
        new RegExp(POSITION),
        `must be a global position returned by a write: a whole number from 0 to ${MAX_POSITION}`,
      ),
    { type: 'string', pattern: POSITION },
  )
    .optional()
    .describe(
      "Wait until the data reflects this position (read your writes); 503 with Retry-After when it has not within CONSISTENCY_WAIT_MS. A position beyond the log's head, which no write has answered, is a 400 position-beyond-head",
    ),
});

export const MAX_PAGE_LIMIT = 500;

/** The longest cursor a list reads. */
export const MAX_CURSOR = 2048;

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
    // Base64url of at most MAX_CURSOR, as the service issues them: `listRoute` refuses any
    // other as invalid-query, like one that does not decode, so every list answers a bad
    // cursor alike. That bound keeps every documented request inside Node's 16 KB
    // request-line-and-headers limit, which 2048 arbitrary characters, percent-encoded, would not.
    .meta({ pattern: `^[A-Za-z0-9_-]{1,${MAX_CURSOR}}$` })
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
