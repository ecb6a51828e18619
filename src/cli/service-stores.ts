/**
 * The stores of a service's configuration, opened beside the service: without its DATA_DIR lock,
 * and never creating one. A DATA_DIR without a store is a wrong DATA_DIR, and an empty store
 * made there would only hide that.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createLogger } from '../logger.js';
import { modules } from '../modules.js';
import { embeddedStoreFiles, openStores } from '../open-stores.js';
import type { CliIo } from './io.js';

export type Env = Readonly<Record<string, string | undefined>>;
export type Stores = ReturnType<typeof openStores>;

/** The configuration, or the exit code 2 after saying what is wrong with it. */
export function configOrExit(env: Env, io: CliIo): Config | 2 {
  try {
    return loadConfig(env, modules);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
}

/** Logs go to stderr at warn and above: stdout is for the answer. */
export function cliLogger(env: Env, config: Config): Logger {
  return createLogger(env.LOG_LEVEL === undefined ? 'warn' : config.logLevel, process.stderr);
}

/** The service's stores, or the exit code 2 when one of its files is missing. */
export function existingStoresOrExit(config: Config, logger: Logger, io: CliIo): Stores | 2 {
  const missing = embeddedStoreFiles(config).find((file) => !existsSync(file));
  if (missing !== undefined) {
    io.err(
      `There is no store at ${resolve(missing)}: point DATA_DIR at the service's data directory, or start the service on it once.`,
    );
    return 2;
  }
  // Never creates a file: a missing one was refused above, one that vanished since fails.
  return openStores(config, logger, () => new Date(), { mustExist: true });
}

export const failed = (io: CliIo, error: unknown): void =>
  io.err(`Failed: ${error instanceof Error ? error.message : String(error)}`);
