/**
 * A strict reader of the Prometheus text exposition format (0.0.4), as a scraper reads it:
 * `# HELP` and `# TYPE` lines, then samples `name{label="value",...} value`. Anything else is
 * an error naming the line, so a test that parses a scrape shows it is valid text.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  /** Metric family name to its type (counter, gauge, histogram, summary, untyped). */
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
  /** The value of the one sample of `name` with exactly these labels (others ignored: `le`...). */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const fail = (why: string) => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return; // a plain comment
      const [, keyword, name, rest] = match;
      if (!NAME.test(name!)) fail('bad metric name');
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest!)) fail('unknown type');
        if (types.has(name!)) fail('second TYPE line');
        types.set(name!, rest!);
      }
      return;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    if (!match) fail('not a sample');
    const [, name, , labelText, valueText] = match!;
    const labels: Record<string, string> = {};
    let rest = labelText ?? '';
    while (rest.length > 0) {
      const label = /^([^=]+)="((?:[^"\\]|\\["\\n])*)"(,|$)/.exec(rest);
      if (!label || !LABEL_NAME.test(label[1]!)) fail('bad label');
      if (label![1]! in labels) fail('repeated label');
      labels[label![1]!] = label![2]!.replace(/\\(["\\n])/g, (_, c: string) =>
        c === 'n' ? '\n' : c,
      );
      rest = rest.slice(label![0].length);
    }
    // As Prometheus reads it (Go's ParseFloat): NaN and Inf in any case.
    const special = valueText!.toLowerCase();
    const value =
      special === '+inf' || special === 'inf'
        ? Infinity
        : special === '-inf'
          ? -Infinity
          : special === 'nan'
            ? NaN
            : Number(valueText);
    if (Number.isNaN(value) && special !== 'nan') fail('bad value');
    const family = name!.replace(/_(bucket|sum|count|total|created)$/, '');
    if (!types.has(name!) && !types.has(family)) fail('sample before its TYPE line');
    samples.push({ name: name!, labels, value });
  });
  return {
    types,
    samples,
    value(name, wanted = {}) {
      const keys = Object.keys(wanted);
      const found = samples.filter(
        (sample) =>
          sample.name === name &&
          Object.keys(sample.labels).length === keys.length &&
          keys.every((key) => sample.labels[key] === wanted[key]),
      );
      if (found.length > 1) throw new Error(`${name} ${JSON.stringify(wanted)} is ambiguous`);
      return found[0]?.value;
    },
  };
}
