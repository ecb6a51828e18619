/**
 * The BUILT service (`node dist/src/main.js`) as a child process, for end-to-end tests: start it
 * on a free port with a clean environment, wait until ready, call it, kill it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { waitUntil } from '../../src/wait-until.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'dist/src/main.js');

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningService {
  readonly process: ChildProcess;
  readonly port: number;
  readonly exited: Promise<Exit>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  stderr(): string;
}

const children = new Set<ChildProcess>();
const dataDirs: string[] = [];

export function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'backoffice-e2e-'));
  dataDirs.push(dir);
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

export function spawnService(env: Record<string, string>, port: number): RunningService {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    // A clean environment: nothing from the test runner's env leaks into the config.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolveExit) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolveExit({ code, signal });
    });
  });
  return { process: child, port, exited, output: () => stdout + stderr, stderr: () => stderr };
}

/**
 * Starts the service and waits until /readyz answers 200 and it has logged that it listens. A
 * port found free can be taken by another test's process before the service binds it: then it
 * starts again on another.
 */
export async function startService(env: Record<string, string>): Promise<RunningService> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnFreePort(env);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortTakenError)) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startOnFreePort(env: Record<string, string>): Promise<RunningService> {
  const port = await freePort();
  const service = spawnService({ ...env, PORT: String(port) }, port);
  let exit: Exit | undefined;
  void service.exited.then((value) => (exit = value));
  const settled = await waitUntil(
    async () => {
      if (exit) return true;
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return res.status === 200 && service.output().includes('"listening"');
      } catch {
        return false; // not listening yet
      }
    },
    { timeoutMs: 15_000 },
  );
  if (exit) {
    const message = `service exited (${JSON.stringify(exit)}) before ready:\n${service.output()}`;
    throw service.output().includes('EADDRINUSE')
      ? new PortTakenError(message)
      : new Error(message);
  }
  if (!settled) throw new Error(`service not ready within 15 s:\n${service.output()}`);
  return service;
}

export async function kill(
  service: RunningService,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<Exit> {
  service.process.kill(signal);
  return service.exited;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** The reply, once it has `status`; its body is the failure's message otherwise. */
export function expectStatus(reply: Reply, status: number): Reply {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return reply;
}

export async function call(
  service: RunningService,
  method: 'GET' | 'POST',
  path: string,
  options: { secret?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.secret !== undefined) headers.Authorization = `Bearer ${options.secret}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`http://127.0.0.1:${service.port}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** Registers the hooks that check the build exists and clean up children and data dirs. */
export function useChildServices(): void {
  beforeAll(() => {
    if (!existsSync(MAIN)) {
      throw new Error(
        `${MAIN} is missing: run \`npm run build\` before this test (npm test does).`,
      );
    }
  });

  afterEach(async () => {
    const running = [...children];
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolveExit) => {
            if (child.exitCode !== null || child.signalCode !== null) resolveExit();
            else child.once('exit', () => resolveExit());
          }),
      ),
    );
  });

  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });
}
