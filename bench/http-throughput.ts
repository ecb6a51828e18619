/* eslint-disable no-console */
/**
 * Requests per second for posting journal entries through the whole service (auth, validation,
 * pipeline, fsync'd append) against a bare express JSON endpoint in the same process and moment,
 * so the figure is a ratio that travels between machines.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { modules } from '../src/modules.js';
import { createService } from '../src/service.js';

const SECRET = 'bench-secret-0123456789';

async function listen(app: express.Express) {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function drive(
  total: number,
  concurrency: number,
  send: (i: number) => Promise<Response>,
): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const response = await send(i);
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`request ${i} failed with ${response.status}`);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return total / seconds;
}

export async function runHttpBenchmark(options: { requests: number; concurrency: number }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-http-'));
  const config = loadConfig(
    {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      API_KEYS: JSON.stringify([{ id: 'bench', secret: SECRET, scopes: ['admin'] }]),
    },
    modules,
  );
  const service = createService(config, createLogger('silent'));
  const bare = express();
  bare.use(express.json());
  bare.post('/echo', (req, res) => {
    res.status(201).json({ received: req.body as unknown });
  });

  const svc = await listen(service.app);
  const baseline = await listen(bare);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` };
  try {
    for (const [code, type] of [
      ['1000', 'asset'],
      ['4000', 'revenue'],
    ] as const) {
      await fetch(`${svc.url}/v1/ledger/accounts`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ code, name: code, type, currency: 'EUR' }),
      });
    }
    const entry = (i: number) =>
      JSON.stringify({
        entryId: `bench-${i}`,
        date: '2026-11-02',
        description: 'benchmark',
        lines: [
          { account: '1000', debit: '10.00' },
          { account: '4000', credit: '10.00' },
        ],
      });
    const { requests, concurrency } = options;
    const bareRate = await drive(requests, concurrency, (i) =>
      fetch(`${baseline.url}/echo`, { method: 'POST', headers, body: entry(i) }),
    );
    const postRate = await drive(requests, concurrency, (i) =>
      fetch(`${svc.url}/v1/ledger/journal-entries`, { method: 'POST', headers, body: entry(i) }),
    );
    return { requests, concurrency, bareRate, postRate, ratio: postRate / bareRate };
  } finally {
    svc.server.close();
    baseline.server.close();
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const requests = Number(process.env.BENCH_REQUESTS ?? 2000);
  const rows = [];
  for (const concurrency of [1, 16]) rows.push(await runHttpBenchmark({ requests, concurrency }));
  console.log('POST /v1/ledger/journal-entries vs a bare express JSON endpoint (requests/s)');
  console.log('concurrency  bare express  journal entry  ratio');
  for (const row of rows) {
    console.log(
      `${String(row.concurrency).padStart(11)}  ${row.bareRate.toFixed(0).padStart(12)}  ${row.postRate.toFixed(0).padStart(13)}  ${row.ratio.toFixed(3)}`,
    );
  }
  console.log(JSON.stringify({ benchmark: 'http-throughput', rows }));
}
