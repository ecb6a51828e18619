/**
 * The operator CLI, on the same configuration (env vars) as the service:
 *
 *   npm run cli -- <command> [options]      npm run cli -- <command> --help
 *
 * Commands that read a service's stores (verify, export, projections) run beside the service:
 * they do not take its DATA_DIR lock, never write to the event log, and never create a store (a
 * DATA_DIR without one is refused with exit code 2). seed-demo writes through the service's own
 * commands, so it takes the lock and refuses while a service runs there. keys needs no store.
 * Each command is a file of src/cli/; every one returns its exit code, and writes through the
 * injected CliIo so tests see what an operator would.
 */
import { exportCommand, EXPORT_USAGE } from './cli/export.js';
import { processIo, type CliIo } from './cli/io.js';
import { keysCommand, KEYS_USAGE } from './cli/keys.js';
import { wantsHelp } from './cli/options.js';
import { projectionsCommand, PROJECTIONS_USAGE } from './cli/projections.js';
import { seedDemoCommand, SEED_USAGE, type SeedDemoDeps } from './cli/seed-demo.js';
import type { Env } from './cli/service-stores.js';
import { verifyCommand, VERIFY_USAGE } from './cli/verify.js';

export type { CliIo } from './cli/io.js';

export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  verify [--incremental]             check the audit trail's hash chains and digest checkpoints
                                     (exit 0 intact, 1 tampered)
  export --out <file|-> [filters]    write the audit trail as CSV or NDJSON, filtered as the API's
  keys create --id <id> --scopes ..  make an API key: its secret once, and its API_KEYS entry
  seed-demo [--year YYYY]            record a year of a small company through the commands
  projections status                 every projection's and reactor's position, lag and state
  projections rebuild <name>         rebuild one projection while queries keep reading
  help [command]                     this text, or a command's (as <command> --help)

Configuration comes from the same environment variables as the service (DATA_DIR,
EVENTSTORE_URL, MONGODB_URL, ...). Progress is a bar on stderr when stderr is a terminal, plain
lines on stderr otherwise; answers go to stdout. Exit code 2: usage or configuration error.`;

const usageOf: Readonly<Record<string, string>> = {
  verify: VERIFY_USAGE,
  export: EXPORT_USAGE,
  keys: KEYS_USAGE,
  'seed-demo': SEED_USAGE,
  projections: PROJECTIONS_USAGE,
};

/** Runs one command; resolves to the process exit code. */
export async function runCli(
  args: readonly string[],
  env: Env,
  io: CliIo = processIo,
  deps: SeedDemoDeps = {},
): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    const topic = command === 'help' ? rest[0] : undefined;
    if (topic !== undefined && usageOf[topic] === undefined) {
      io.err(`There is no command ${topic}.\n\n${USAGE}`);
      return 2;
    }
    // Asked for, help is the answer (stdout); a bare `cli` is a usage error.
    if (command === undefined) {
      io.err(USAGE);
      return 2;
    }
    io.out(topic ? usageOf[topic]! : USAGE);
    return 0;
  }
  switch (command) {
    case 'verify':
      return verifyCommand(rest, env, io);
    case 'export':
      return exportCommand(rest, env, io);
    case 'keys':
      return keysCommand(rest, io);
    case 'seed-demo':
      return seedDemoCommand(rest, env, io, deps);
    case 'projections':
      if (wantsHelp(rest)) {
        io.out(PROJECTIONS_USAGE);
        return 0;
      }
      return projectionsCommand(rest, env, io);
    default:
      io.err(`There is no command ${command}.\n\n${USAGE}`);
      return 2;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  // `export --out - | head`: a reader that stops early is no failure of the export.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  runCli(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
