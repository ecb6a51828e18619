/**
 * End to end: one BUILT service process (`node dist/src/main.js`) per DATA_DIR. A second one
 * stops before it opens or runs anything; a SIGKILLed one leaves no lock behind. Run
 * `npm run build` first (`npm test` does).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  call,
  freePort,
  kill,
  newDataDir,
  spawnService,
  startService,
  useChildServices,
  type RunningService,
} from '../support/child-service.js';

useChildServices();

const SECRET = 'e2e-finance-secret-0001';
const API_KEYS = JSON.stringify([{ id: 'finance-app', secret: SECRET, scopes: ['finance:write'] }]);

/** The messages of the JSON log lines on stdout. */
function logMessages(service: RunningService): string[] {
  return service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

async function openAccount(service: RunningService, code: string): Promise<string> {
  const opened = await call(service, 'POST', '/v1/ledger/accounts', {
    secret: SECRET,
    body: { code, name: `Account ${code}`, type: 'asset', currency: 'EUR' },
  });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  return opened.body.position as string;
}

describe('one service process per DATA_DIR', () => {
  it('stops a second process on the same DATA_DIR at once, naming the holder, while the first serves on', async () => {
    const dataDir = newDataDir();
    const first = await startService({ DATA_DIR: dataDir, API_KEYS });
    await openAccount(first, '1000');

    const port = await freePort();
    // Without API_KEYS: had it got as far as its stores, it would generate and print a key.
    const second = spawnService({ DATA_DIR: dataDir, PORT: String(port) }, port);
    const exit = await second.exited;

    expect(exit, second.output()).toEqual({ code: 1, signal: null });
    expect(second.stderr()).toContain(
      `Could not start: DATA_DIR ${dataDir} is in use by another service process (pid ${first.process.pid} on `,
    );
    // Nothing ran before it stopped: no store, no key, no projection, no listener.
    expect(logMessages(second)).toEqual(['DATA_DIR is in use']);
    expect(second.output()).not.toContain('bok_');
    expect(existsSync(join(dataDir, 'bootstrap-admin-key.json'))).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    const position = await openAccount(first, '2000');
    const read = await call(first, 'GET', `/v1/ledger/accounts/2000?consistentWith=${position}`, {
      secret: SECRET,
    });
    expect(read.status).toBe(200);
    expect((await call(first, 'GET', '/readyz')).status).toBe(200);
  });

  it('starts again at once on the DATA_DIR of a SIGKILLed service, and then holds it', async () => {
    // A stable instance id: the restarted service takes its projection leases back at once.
    const env = { DATA_DIR: newDataDir(), API_KEYS, INSTANCE_ID: 'e2e-lock' };
    const killed = await startService(env);
    const position = await openAccount(killed, '1000');
    expect((await kill(killed, 'SIGKILL')).signal).toBe('SIGKILL');
    // The file stays; the lock in it died with the process.
    expect(existsSync(join(env.DATA_DIR, 'service.lock'))).toBe(true);

    // startService fails at once if the service exits instead of serving.
    const restarted = await startService(env);
    const read = await call(
      restarted,
      'GET',
      `/v1/ledger/accounts/1000?consistentWith=${position}`,
      { secret: SECRET },
    );
    expect(read.status).toBe(200);

    const port = await freePort();
    const another = spawnService({ ...env, PORT: String(port) }, port);
    expect((await another.exited).code).toBe(1);
    expect(another.stderr()).toContain(`(pid ${restarted.process.pid} on `);
  });

  it('gives the DATA_DIR back on a clean stop', async () => {
    const env = { DATA_DIR: newDataDir(), API_KEYS };
    const stopped = await startService(env);
    expect((await kill(stopped, 'SIGTERM')).code, stopped.output()).toBe(0);
    const next = await startService(env);
    expect((await call(next, 'GET', '/readyz')).status).toBe(200);
  });
});
