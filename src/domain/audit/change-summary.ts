/**
 * A readable account of what each event of a record changed, derived from the event data alone
 * so that it works for every event type without per-module code.
 *
 * The record's known values are the leaves of every earlier event's data (nested objects as
 * dotted paths, arrays as whole values). An event's changes are the fields it carries whose
 * value is new or differs from the last one seen; a field it repeats unchanged is left out.
 *
 * One convention is understood: an event whose data has a `changes` object (as the *Changed
 * events do) changes the record's fields of those names, so `changes.email` is compared with
 * the `email` an earlier event set.
 *
 * A personal value is stored sealed (`SealedValue`): it is one leaf, and the summary line says
 * only that it was set or changed, never its value. Each sealing differs, so a personal field an
 * event carries always counts as changed; the deciders record only values that differ.
 */
import { canonicalJson } from '../shared/canonical-json.js';
import { isSealedValue } from '../shared/sealed-value.js';

export interface FieldChange {
  readonly field: string;
  /** The value the record's earlier events last gave this field; absent when it had none. */
  readonly from?: unknown;
  readonly to: unknown;
}

export interface ChangeSummary {
  /** One line: what happened and the fields it set, e.g. `Customer details changed: name "A" → "B"`. */
  readonly summary: string;
  readonly changes: readonly FieldChange[];
}

/** The fields a summary line names before it says "and N more". */
const FIELDS_IN_SUMMARY = 8;
/** Values longer than this are cut short in the summary line (never in `changes`). */
const VALUE_IN_SUMMARY = 60;

export interface HistoryFolder {
  /** The summary of the next event of the record, and takes its values into account. */
  next(event: { readonly type: string; readonly data: unknown }): ChangeSummary;
}

/** Folds a record's events in order; each call describes one event against the ones before. */
export function createHistoryFolder(): HistoryFolder {
  const known = new Map<string, { readonly value: unknown; readonly text: string }>();
  return {
    next(event) {
      const changes: FieldChange[] = [];
      for (const [field, value] of recordFields(event.data)) {
        const text = canonicalJson(value);
        const before = known.get(field);
        if (before && before.text === text) continue;
        changes.push(before ? { field, from: before.value, to: value } : { field, to: value });
        known.set(field, { value, text });
      }
      return { summary: summaryLine(event.type, changes), changes };
    },
  };
}

/** `CustomerDetailsChanged` → `Customer details changed`. */
export function humaniseEventType(type: string): string {
  const words = type
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function summaryLine(type: string, changes: readonly FieldChange[]): string {
  const title = humaniseEventType(type);
  if (changes.length === 0) return title;
  const shown = changes
    .slice(0, FIELDS_IN_SUMMARY)
    .map((change) =>
      'from' in change
        ? `${change.field} ${brief(change.from)} → ${brief(change.to)}`
        : `${change.field} ${brief(change.to)}`,
    );
  const more = changes.length - shown.length;
  return `${title}: ${shown.join(', ')}${more > 0 ? `, and ${more} more` : ''}`;
}

function brief(value: unknown): string {
  if (isSealedValue(value)) return '(personal data)';
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  const text = value === undefined ? 'null' : JSON.stringify(value);
  return text.length > VALUE_IN_SUMMARY ? `${text.slice(0, VALUE_IN_SUMMARY - 1)}…` : text;
}

/** The record fields an event's data sets: its leaves, with `changes.x` read as `x`. */
function recordFields(data: unknown): [string, unknown][] {
  return leaves(data).map(([field, value]): [string, unknown] =>
    field.startsWith('changes.') ? [field.slice('changes.'.length), value] : [field, value],
  );
}

/** The scalar and array leaves of a JSON value, keyed by dotted path, in key order. */
function leaves(value: unknown, prefix = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isSealedValue(value)) {
    return prefix === '' ? [] : [[prefix, value]];
  }
  const entries = Object.keys(value)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined);
  if (entries.length === 0) return prefix === '' ? [] : [[prefix, {}]];
  return entries.flatMap((key) =>
    leaves((value as Record<string, unknown>)[key], prefix === '' ? key : `${prefix}.${key}`),
  );
}
