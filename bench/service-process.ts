/**
 * The processes the service benchmark drives: the built service (`node dist/src/main.js`) on a
 * DATA_DIR of its own, and the bare express baseline (`dist/bench/bare-express.js`). Each runs
 * as a child of the benchmark, which only sends requests, so client and servers share no heap
 * or event loop. The service's log lines go to a file beside its DATA_DIR, as a deployment's
 * would go to a journal, at the service's default level unless BENCH_SERVICE_LOG_LEVEL says;
 * BENCH_SERVICE_NODE_ARGS are node's own arguments for the service: a profiler, for example
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`, which writes its profile when the service stops.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/: the benchmark runs from dist/bench. */
const dist = join(here, '..');
export const SERVICE_MAIN = join(dist, 'src', 'main.js');

export const BENCH_SECRET = 'bench-secret-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${BENCH_SECRET}` } as const;
export const JSON_HEADERS = { ...AUTH, 'content-type': 'application/json' } as const;

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export interface RunningServer {
  readonly url: string;
  readonly pid: number;
  /** Peak resident set of the process so far (VmHWM), in MB; null off Linux. */
  peakRssMb(): number | null;
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function peakRss(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

function running(child: ChildProcess, url: string): RunningServer {
  const pid = child.pid!;
  let exited = child.exitCode !== null;
  child.once('exit', () => {
    exited = true;
  });
  return {
    url,
    pid,
    peakRssMb: () => peakRss(pid),
    async request(method, path, body, headers) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { ...(body === undefined ? AUTH : JSON_HEADERS), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: keep the text.
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async stop() {
      if (exited) return;
      const exit = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

async function waitFor(
  child: ChildProcess,
  url: string,
  logFile: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const log = logFile === '' ? '' : readFileSync(logFile, 'utf8').slice(-4000);
      throw new Error(`The server exited with ${child.exitCode} before answering:\n${log}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Starts the service on `dataDir` (created if needed) and resolves once it answers `/healthz`;
 * `startedAt` is when the process was spawned (performance.now()), for timings that include the
 * start. Its key has the `admin` scope, which grants every route.
 */
export async function startService(options: {
  readonly dataDir: string;
  readonly env?: Record<string, string>;
}): Promise<RunningServer & { readonly startedAt: number; readonly logFile: string }> {
  const port = await freePort();
  const logFile = `${options.dataDir}.log`;
  const fd = openSync(logFile, 'a');
  const startedAt = performance.now();
  const nodeArgs = (process.env['BENCH_SERVICE_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, SERVICE_MAIN], {
    stdio: ['ignore', fd, fd],
    env: {
      PATH: process.env['PATH'] ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: options.dataDir,
      LOG_LEVEL: process.env['BENCH_SERVICE_LOG_LEVEL'] ?? 'info',
      API_KEYS: JSON.stringify([{ id: 'bench', secret: BENCH_SECRET, scopes: ['admin'] }]),
      INSTANCE_ID: 'bench',
      ...options.env,
    },
  });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(child, url, logFile);
  return { ...running(child, url), startedAt, logFile };
}

/** Starts the bare express baseline and resolves once it listens. */
export async function startBareExpress(): Promise<RunningServer> {
  const child = spawn(process.execPath, [join(here, 'bare-express.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env['PATH'] ?? '' },
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const { port } = JSON.parse(chunk.toString('utf8')) as { port: number };
  child.stdout!.resume();
  const url = `http://127.0.0.1:${port}`;
  await waitFor(child, url, '');
  return running(child, url);
}

/** The raw read of a stopped service's log, in a process of its own. */
export function rawRead(dataDir: string): { events: number; seconds: number } {
  const result = spawnSync(process.execPath, [join(here, 'raw-read.js'), dataDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`raw-read.js exited with ${result.status}`);
  return JSON.parse(result.stdout.trim()) as { events: number; seconds: number };
}
