/**
 * Helpers every benchmark shares: a seeded PRNG, an RSS sampler, rounding and table printing.
 */
/* eslint-disable no-console */

/** Small seeded PRNG, so every run generates the same data and asks the same questions. */
export function mulberry32(seedValue: number): () => number {
  let state = seedValue >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface MemorySampler {
  rss(): number;
  peak(): number;
  resetPeak(): void;
  stop(): void;
}

/** RSS now, and the highest RSS seen (sampled every 50 ms) since the last reset. */
export function startMemorySampler(): MemorySampler {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  timer.unref();
  return {
    rss: () => process.memoryUsage.rss(),
    peak: () => Math.max(peak, process.memoryUsage.rss()),
    resetPeak: () => {
      peak = process.memoryUsage.rss();
    },
    stop: () => clearInterval(timer),
  };
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function mb(bytes: number): number {
  return Math.round(bytes / 1_048_576);
}

/** A markdown table: the first column left-aligned, the others right-aligned. */
export function printTable(header: readonly string[], lines: readonly (readonly string[])[]): void {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...lines.map((line) => line[i]?.length ?? 0)),
  );
  const format = (cells: readonly string[]): string =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(format(header));
  console.log(`| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`);
  for (const line of lines) console.log(format(line));
}

/** One timed read of the raw log: the baseline other figures are divided by. */
export interface ReadRow {
  readonly label: string;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export function printReads(title: string, reads: readonly ReadRow[], digits: number): void {
  printTable(
    [title, 'events', 'seconds', 'events/s'],
    reads.map((read) => [
      read.label,
      String(read.events),
      read.seconds.toFixed(digits),
      String(read.eventsPerSecond),
    ]),
  );
}
