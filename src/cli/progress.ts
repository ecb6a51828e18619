/**
 * Progress of a long command: a bar redrawn on stderr when stderr is a terminal, else a plain
 * line at every tenth of the way ("verified 1000/5000 events"), so a CI log stays readable.
 */
import cliProgress from 'cli-progress';
import type { CliIo } from './io.js';

export interface Progress {
  /** `done` of `total` (the total may grow, as a log does while it is read). */
  update(done: number, total?: number): void;
  /** Draws the last state and lets go of the terminal. */
  stop(): void;
}

/** `verb`: past tense of what is counted, e.g. "verified"; `unit`: what, e.g. "events". */
export function startProgress(io: CliIo, verb: string, unit: string, total: number): Progress {
  if (io.tty) return barProgress(io, verb, unit, total);
  let shownStep = -1;
  let last = { done: 0, total };
  const line = () => io.err(`${verb} ${last.done}/${last.total} ${unit}`);
  return {
    update(done, newTotal) {
      last = { done, total: newTotal ?? last.total };
      const step = last.total === 0 ? 10 : Math.floor((done / last.total) * 10);
      if (step > shownStep) {
        shownStep = step;
        line();
      }
    },
    stop() {
      // The final count, unless the last update already printed it.
      if (shownStep < 10 || last.done !== last.total) line();
    },
  };
}

function barProgress(io: CliIo, verb: string, unit: string, total: number): Progress {
  const bar = new cliProgress.SingleBar(
    {
      // cli-progress reads a Node stream; the injected terminal has what it uses.
      stream: io.tty as unknown as NodeJS.WritableStream,
      format: `${verb} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}
