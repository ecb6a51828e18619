import type { Server } from 'node:http';
import { ConfigError, loadConfig, redactCredentials } from './config.js';
import { createLogger } from './logger.js';
import { modules } from './modules.js';
import { createHttpServer } from './http/server.js';
import { createProcessMetrics } from './metrics/service-metrics.js';
import { createService } from './service.js';
import { DataDirInUseError } from './stores/sqlite/data-dir-lock.js';
import { waitUntil } from './wait-until.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, modules);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let service;
  try {
    service = createService(config, logger, { processMetrics: createProcessMetrics() });
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      logger.fatal({ dataDir: error.dataDir, holder: error.holder }, 'DATA_DIR is in use');
      process.stderr.write(`Could not start: ${error.message}\n`);
      process.exit(1);
    }
    logger.fatal({ err: error, dataDir: config.dataDir }, 'could not open the stores');
    process.stderr.write(
      `Could not start: ${error instanceof Error ? error.message : String(error)} (DATA_DIR=${config.dataDir})\n`,
    );
    process.exit(1);
  }
  const remoteStores = [
    service.eventStoreKind === 'eventstoredb' && {
      name: 'EventStoreDB',
      url: config.eventStoreUrl ?? '',
      timeoutMs: config.eventStoreConnectTimeoutMs,
      ping: () => service.eventStore.ping(),
    },
    service.readModelsKind === 'mongodb' && {
      name: 'MongoDB',
      url: config.mongoUrl ?? '',
      timeoutMs: config.mongoConnectTimeoutMs,
      ping: () => service.readModels.ping(),
    },
  ].filter((store) => store !== false);
  for (const store of remoteStores) {
    let lastError: unknown;
    const reachable = await waitUntil(
      () =>
        store.ping().then(
          () => true,
          (error: unknown) => {
            lastError = error;
            return false;
          },
        ),
      { timeoutMs: store.timeoutMs },
    );
    if (!reachable) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      const message = `Could not reach ${store.name} at ${redactCredentials(store.url)} within ${store.timeoutMs} ms${reason}`;
      logger.fatal({ err: lastError }, message);
      process.stderr.write(`${message}\n`);
      await service.close().catch(() => undefined);
      process.exit(1);
    }
    logger.info({ url: redactCredentials(store.url) }, `connected to ${store.name}`);
  }
  // The chart of accounts is open before the first request can ask to post to it.
  await service.started;
  if (service.generatedAdminKey) {
    logger.warn(
      { apiKeyId: 'bootstrap-admin', dataDir: config.dataDir },
      `No API_KEYS configured: generated an admin API key, shown only this once. Use it as "Authorization: Bearer ${service.generatedAdminKey}" and keep it safe; only its hash is stored.`,
    );
  }
  const server: Server = createHttpServer(service.app).listen(config.port, config.host);
  server.on('listening', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ port, host: config.host, dataDir: config.dataDir }, 'listening');
  });
  server.on('error', (error) => {
    logger.fatal({ err: error }, 'server failed');
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      service
        .close()
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'error while closing stores');
          process.exit(1);
        });
    });
    server.closeIdleConnections();
    // Do not hang forever on a client that keeps a connection open.
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
