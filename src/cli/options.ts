import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIo } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A command's `--options` (node's own parser, strict: an unknown option or a missing value is
 * a usage error), or exit code 2 after printing what was wrong and the command's usage.
 * `--help` is every command's: the caller prints the usage to stdout and exits 0.
 */
export function parseOptions<T extends Options>(
  args: readonly string[],
  options: T,
  usage: string,
  io: CliIo,
):
  | ReturnType<
      typeof parseArgs<{ options: T & { help: { type: 'boolean' } }; allowPositionals: true }>
    >
  | 2 {
  try {
    return parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
}

export const wantsHelp = (args: readonly string[]): boolean =>
  args.includes('--help') || args.includes('-h');
