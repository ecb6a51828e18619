/**
 * The baseline of the read-model build figures, run as a child process on a stopped service's
 * DATA_DIR: reads the whole log through the SQLite event store's `readAll`, in pages of the
 * service's default projection batch size, and writes `{ events, seconds }` to stdout. One
 * untimed pass first, so the OS cache is as warm for the read as it is for the service; then the
 * median of three.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EVENT_STORE_FILE } from '../src/open-stores.js';
import { openSqliteDatabase } from '../src/stores/sqlite/database.js';
import { createSqliteEventStore } from '../src/stores/sqlite/sqlite-event-store.js';

const PAGE = 500;
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: raw-read.js <DATA_DIR>');
const db = openSqliteDatabase(join(dataDir, EVENT_STORE_FILE), { mustExist: true });
const store = createSqliteEventStore(db, { pollIntervalMs: 0 });

async function readAll(): Promise<number> {
  let after = 0n;
  let count = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    count += page.length;
    const last = page.at(-1);
    if (page.length < PAGE || !last) return count;
    after = last.position;
  }
}

await readAll();
const runs: { events: number; seconds: number }[] = [];
for (let i = 0; i < 3; i += 1) {
  const started = performance.now();
  const events = await readAll();
  runs.push({ events, seconds: (performance.now() - started) / 1000 });
}
runs.sort((a, b) => a.seconds - b.seconds);
await store.close();
db.close();
process.stdout.write(`${JSON.stringify(runs[1])}\n`);
