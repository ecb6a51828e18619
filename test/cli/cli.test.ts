import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli.js';
import { projectionsOf } from '../../src/module-host.js';
import { modules } from '../../src/modules.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { openStandardAccounts, postEntry, sale } from '../http/fixtures.js';
import { startEsdbTestServer } from '../support/esdb-test-server/index.js';

/** Every module's projections: admin status and the CLI list each of them. */
const everyProjection = projectionsOf(modules)
  .map((projection) => projection.name)
  .sort();
/** Each projection's version, as its module declares it. */
const versionOf = new Map(
  projectionsOf(modules).map((projection) => [projection.name, projection.version]),
);

const dirs: string[] = [];
const services: TestService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function capture(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    // The CLI's own pause between progress reports (shortened), not a wait of the test's.
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    progressIntervalMs: 20,
  };
}

/** A data directory with a few postings, written by a service that has since stopped. */
async function seededDataDir(): Promise<{ dataDir: string; trialBalance: unknown }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'backoffice-cli-'));
  dirs.push(dataDir);
  const t = startTestService({ DATA_DIR: dataDir });
  await openStandardAccounts(t);
  let position = '0';
  for (let i = 1; i <= 12; i += 1) {
    position = (await postEntry(t, sale(`${i}.00`, `2026-0${(i % 9) + 1}-01`))).body.position;
  }
  const trialBalance = (
    await t.request
      .get(`/v1/reports/trial-balance?asOf=2026-06-30&consistentWith=${position}`)
      .set(t.auth('reports'))
  ).body;
  await t.service.close();
  return { dataDir, trialBalance };
}

describe('operator CLI', () => {
  it('prints every projection with its collection, position, lag and state', async () => {
    const { dataDir } = await seededDataDir();
    const io = capture();
    expect(await runCli(['projections', 'status'], { DATA_DIR: dataDir }, io)).toBe(0);
    expect(io.lines[0]).toMatch(/^projection\s+version\s+collection\s+position\s+lag\s+state/);
    const gap = io.lines.indexOf('');
    const rows = io.lines.slice(1, gap);
    expect(rows.map((row) => row.split(/\s+/)[0]).sort()).toEqual(everyProjection);
    for (const row of rows) {
      const [name, version] = row.split(/\s+/);
      expect(version).toBe(String(versionOf.get(name!)));
      expect(row).toContain(` ${name}_v${version}_1 `);
      expect(row).toMatch(/_v\d+_1\s+\d+\s+0\s/);
    }
    // Then the reactors, as the service that ran them left them: caught up, and by whom.
    expect(io.lines[gap + 1]).toMatch(/^reactor\s+position\s+lag\s+state\s+running on/);
    const reactorRows = io.lines.slice(gap + 2);
    expect(reactorRows.map((row) => row.split(/\s+/)[0])).toEqual([
      'ledger_period_guard',
      'logistics_ledger_postings',
      'logistics_stock_reconciler',
      'payroll_ledger_postings',
      'receivables_ledger_postings',
    ]);
    for (const row of reactorRows) expect(row).toMatch(/^\S+\s+\d+\s+0\s+(live|catching_up)\s/);
  });

  it('rebuilds a projection itself when no service runs it, and the service then reads it', async () => {
    const { dataDir, trialBalance } = await seededDataDir();
    const io = capture();
    const code = await runCli(
      ['projections', 'rebuild', 'ledger_balances'],
      { DATA_DIR: dataDir },
      io,
    );
    expect(code, io.errors.join('\n')).toBe(0);
    expect(io.lines[0]).toMatch(/Rebuild of ledger_balances requested/);
    expect(io.lines.at(-1)).toMatch(/switched to ledger_balances_v1_2 at position \d+/);

    const t = startTestService({ DATA_DIR: dataDir });
    services.push(t);
    const admin = await t.request.get('/v1/admin/projections/ledger_balances').set(t.auth('admin'));
    expect(admin.body.collection).toBe('ledger_balances_v1_2');
    const again = await t.request
      .get('/v1/reports/trial-balance?asOf=2026-06-30')
      .set(t.auth('reports'));
    expect(again.body).toEqual(trialBalance);
  });

  it('hands the rebuild to the running service that holds the lease and follows it', async () => {
    const { dataDir } = await seededDataDir();
    const t = startTestService({ DATA_DIR: dataDir, PROJECTION_TICK_MS: '20' });
    services.push(t);
    await t.request.get('/v1/ledger/accounts').set(t.auth('reports'));
    const io = capture();
    const code = await runCli(
      ['projections', 'rebuild', 'ledger_lines'],
      { DATA_DIR: dataDir },
      io,
    );
    expect(code, io.errors.join('\n')).toBe(0);
    expect(io.lines.at(-1)).toMatch(/switched to ledger_lines_v1_2/);
    const admin = await t.request.get('/v1/admin/projections/ledger_lines').set(t.auth('admin'));
    expect(admin.body).toMatchObject({ collection: 'ledger_lines_v1_2' });
    expect(admin.body.runningOn).not.toMatch(/^cli:/);
  });

  it.each([['status'], ['rebuild', 'ledger_lines']])(
    'refuses a DATA_DIR with no store in it (projections %s), creating nothing',
    async (...command) => {
      const empty = mkdtempSync(join(tmpdir(), 'backoffice-cli-'));
      dirs.push(empty);
      const absent = join(empty, 'not-here');
      for (const dataDir of [empty, absent]) {
        const io = capture();
        expect(await runCli(['projections', ...command], { DATA_DIR: dataDir }, io)).toBe(2);
        expect(io.errors.join('\n')).toContain(`no store at ${join(dataDir, 'backoffice.db')}`);
        expect(io.lines).toEqual([]);
      }
      expect(readdirSync(empty)).toEqual([]);
    },
  );

  it('refuses a DATA_DIR whose read models file is missing, and does not recreate it', async () => {
    const { dataDir } = await seededDataDir();
    rmSync(join(dataDir, 'readmodels.db'));
    const io = capture();
    expect(await runCli(['projections', 'status'], { DATA_DIR: dataDir }, io)).toBe(2);
    expect(io.errors.join('\n')).toContain(`no store at ${join(dataDir, 'readmodels.db')}`);
    expect(existsSync(join(dataDir, 'readmodels.db'))).toBe(false);
  });

  it('needs no event log file when the events are in EventStoreDB', async () => {
    const server = await startEsdbTestServer();
    try {
      const dataDir = mkdtempSync(join(tmpdir(), 'backoffice-cli-'));
      dirs.push(dataDir);
      const env = { DATA_DIR: dataDir, EVENTSTORE_URL: server.connectionString };
      const t = startTestService(env);
      const opened = await t.request
        .post('/v1/ledger/accounts')
        .set(t.auth())
        .send({ code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' });
      expect(opened.status).toBe(201);
      const read = await t.request
        .get(`/v1/ledger/accounts/1000?consistentWith=${opened.body.position as string}`)
        .set(t.auth('reports'));
      expect(read.status).toBe(200);
      await t.service.close();
      // What is left of the local file on EventStoreDB is idempotency records: not the CLI's.
      for (const file of readdirSync(dataDir).filter((name) => name.startsWith('backoffice.db'))) {
        rmSync(join(dataDir, file));
      }

      const io = capture();
      expect(await runCli(['projections', 'status'], env, io), io.errors.join('\n')).toBe(0);
      expect(io.lines.find((line) => line.startsWith('ledger_accounts'))).toMatch(
        /^ledger_accounts\s+1\s+ledger_accounts_v1_1\s+\d+\s+0\s/,
      );
      expect(existsSync(join(dataDir, 'backoffice.db'))).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('needs no read models file when the read models are in MongoDB', async () => {
    const { dataDir } = await seededDataDir();
    rmSync(join(dataDir, 'readmodels.db'));
    const io = capture();
    const env = {
      DATA_DIR: dataDir,
      MONGODB_URL: `mongodb://127.0.0.1:${await closedPort()}`,
      MONGODB_CONNECT_TIMEOUT_MS: '200',
    };
    // It goes to MongoDB, here unreachable, instead of refusing the directory.
    expect(await runCli(['projections', 'status'], env, io)).toBe(1);
    expect(io.errors.join('\n')).toMatch(/^Failed: /);
    expect(io.errors.join('\n')).not.toContain('no store');
    expect(existsSync(join(dataDir, 'readmodels.db'))).toBe(false);
  });

  it('explains its usage and refuses unknown projections with exit code 2', async () => {
    const io = capture();
    expect(await runCli(['projections', 'rebuild', 'nope'], { DATA_DIR: tmpdir() }, io)).toBe(2);
    expect(io.errors.join('\n')).toMatch(/no projection named nope[\s\S]*ledger_accounts/);
    expect(await runCli(['frobnicate'], {}, io)).toBe(2);
    expect(await runCli(['projections', 'status'], { PORT: 'x' }, io)).toBe(2);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
