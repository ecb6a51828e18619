import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli.js';
import { projectionsOf } from '../../src/module-host.js';
import { modules } from '../../src/modules.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { openStandardAccounts, postEntry, sale } from '../http/fixtures.js';

/** Every module's projections: admin status and the CLI list each of them. */
const everyProjection = projectionsOf(modules)
  .map((projection) => projection.name)
  .sort();

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
    const rows = io.lines.slice(1);
    expect(rows.map((row) => row.split(/\s+/)[0]).sort()).toEqual(everyProjection);
    for (const row of rows) expect(row).toMatch(/_v1_1\s+\d+\s+0\s/);
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

  it('explains its usage and refuses unknown projections with exit code 2', async () => {
    const io = capture();
    expect(await runCli(['projections', 'rebuild', 'nope'], { DATA_DIR: tmpdir() }, io)).toBe(2);
    expect(io.errors.join('\n')).toMatch(/no projection named nope[\s\S]*ledger_accounts/);
    expect(await runCli(['frobnicate'], {}, io)).toBe(2);
    expect(await runCli(['projections', 'status'], { PORT: 'x' }, io)).toBe(2);
  });
});
