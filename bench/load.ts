/**
 * Load from the benchmark process with autocannon: a fixed number of connections for a fixed
 * time, each request built by `setupRequest` when they must differ (a fresh Idempotency-Key, an
 * invoice to pay). Only 2xx answers count as throughput; anything else is reported and fails
 * the run, since a benchmark of refusals measures nothing.
 */
import autocannon from 'autocannon';
import { round } from './bench-support.js';

export interface LoadSpec {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly durationS: number;
  /** Builds request number `n` (0-based, over every connection): its path, body and headers. */
  readonly build?: (n: number) => {
    path?: string;
    body?: string;
    headers?: Record<string, string>;
  };
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  /** 2xx answers per second. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let n = 0;
  const build = spec.build;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationS,
    requests: [
      {
        method: spec.method,
        path: spec.path,
        headers: spec.headers,
        ...(build
          ? {
              setupRequest: (request: autocannon.Request) => {
                const built = build(n++);
                return {
                  ...request,
                  ...(built.path ? { path: built.path } : {}),
                  ...(built.body !== undefined ? { body: built.body } : {}),
                  headers: { ...request.headers, ...built.headers },
                };
              },
            }
          : {}),
      },
    ],
  });
  const ok = result['2xx'];
  return {
    requests: ok + result.non2xx,
    seconds: round(result.duration, 2),
    rps: round(ok / result.duration),
    p50Ms: round(result.latency.p50, 1),
    p99Ms: round(result.latency.p99, 1),
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
