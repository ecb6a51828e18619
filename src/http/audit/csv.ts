/**
 * CSV as RFC 4180 writes it (CRLF rows, fields with a comma, quote or line break quoted, quotes
 * doubled), with one addition for spreadsheets: a text that starts with `=`, `+`, `-`, `@`, tab
 * or carriage return is prefixed with `'`, so opening an export never runs a formula an event
 * carried in (CSV injection). The ndjson export keeps every value exactly.
 */
const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvRow(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
