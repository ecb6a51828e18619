import { z } from 'zod';
import { isCurrencyCode } from '../domain/shared/currency.js';
import { isAccountingDate, isPeriodId } from '../domain/shared/dates.js';

/** Schemas shared by every module's routes. */
export const accountingDate = z
  .string()
  .refine(isAccountingDate, 'must be a calendar date, YYYY-MM-DD')
  .meta({ format: 'date', example: '2026-11-02' });

export const periodId = z
  .string()
  .refine(isPeriodId, 'must be a month, YYYY-MM')
  .meta({ example: '2026-11' });

export const currencyCode = z
  .string()
  .refine(isCurrencyCode, 'must be an ISO 4217 currency code with minor units, like EUR')
  .meta({ example: 'EUR' });

/** A positive decimal string; how many decimals are allowed depends on the currency. */
export const decimalAmount = z
  .string()
  .regex(/^\d{1,18}(\.\d{1,4})?$/, 'must be a positive decimal string like "100.00"')
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
    .describe('Wait until the data reflects this position (read your writes)'),
});

/** `?limit=&cursor=` of every list: `{ items, nextCursor }` answers. */
export const paginationQuery = {
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number from 1 to 500')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(500, 'must be at most 500'))
    .optional()
    .describe('Page size: 50 by default, at most 500'),
  cursor: z
    .string()
    .max(2048)
    .optional()
    .describe('The nextCursor of the previous page, with the same filters'),
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
