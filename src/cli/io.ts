/** What a CLI command writes to and waits with: passed in, so tests capture it. */
export interface CliIo {
  /** One line of the answer (stdout). */
  readonly out: (line: string) => void;
  /** One line of diagnostics or plain progress (stderr). */
  readonly err: (line: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
  /** Pause between two looks at a rebuild or a catch-up that another process runs. */
  readonly progressIntervalMs: number;
  /**
   * The terminal a progress bar is drawn on, when stderr is one; absent (CI, a pipe, tests that
   * want plain lines), progress is plain lines through `err`.
   */
  readonly tty?: ProgressTerminal;
  /** Raw stdout, for an export written to `-`; `out` line by line when absent. */
  readonly write?: (chunk: string) => Promise<void>;
}

/** The part of a TTY write stream that a progress bar draws with. */
export interface ProgressTerminal {
  readonly isTTY: true;
  readonly columns?: number;
  write(chunk: string): boolean;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  progressIntervalMs: 1000,
  // Only a terminal gets a bar: its redraws would be noise in a CI log or a file.
  tty: process.stderr.isTTY ? (process.stderr as ProgressTerminal) : undefined,
  write: (chunk) =>
    new Promise((resolve, reject) => {
      process.stdout.write(chunk, (error) => (error ? reject(error) : resolve()));
    }),
};
