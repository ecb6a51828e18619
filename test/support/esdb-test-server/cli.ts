/**
 * Runs the EventStoreDB test server on its own, for trying the service by hand without a real
 * server (`npm run esdb-test-server`, then start the service with the printed EVENTSTORE_URL).
 * The events live in memory: they are gone when this process ends.
 */
import { startEsdbTestServer } from './index.js';

const port = Number(process.env.ESDB_TEST_SERVER_PORT ?? 2113);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`ESDB_TEST_SERVER_PORT must be a port number, got ${String(port)}\n`);
  process.exit(1);
}

const server = await startEsdbTestServer({ port });
process.stdout.write(
  `EventStoreDB test server (in memory, for tests only) listening.\n` +
    `EVENTSTORE_URL='${server.connectionString}'\n` +
    `SIGUSR2 stops and starts it again, to try an outage; Ctrl-C ends it.\n`,
);

// While stopped for an outage nothing else keeps the process alive.
const keepAlive = setInterval(() => undefined, 1 << 30);

let serving = true;
process.on('SIGUSR2', () => {
  serving = !serving;
  void (serving ? server.start() : server.stop()).then(() =>
    process.stdout.write(serving ? 'serving again\n' : 'stopped serving (outage)\n'),
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    clearInterval(keepAlive);
    void server.close().then(() => process.exit(0));
  });
}
