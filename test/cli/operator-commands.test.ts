/**
 * The operator CLI's verify, export, keys and seed-demo, on a DATA_DIR that seed-demo filled
 * (seeded once for the file: it is the slow part), and its help texts and exit codes.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli.js';
import type { ProgressTerminal } from '../../src/cli/io.js';
import { apiKeysSchema, createAuthenticator, scopes } from '../../src/http/api-keys.js';
import { EXPORT_COLUMNS } from '../../src/http/audit/audit-schemas.js';
import { startTestService } from '../support/test-service.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'backoffice-cli-ops-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function capture(tty?: ProgressTerminal): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    progressIntervalMs: 20,
    tty,
  };
}

function fakeTerminal(): ProgressTerminal & { written: string } {
  const terminal = {
    isTTY: true as const,
    columns: 100,
    written: '',
    write(chunk: string) {
      terminal.written += chunk;
      return true;
    },
  };
  return terminal;
}

/** The clock seed-demo runs on: its default year is the one before. */
const clock = () => new Date('2026-03-15T10:00:00Z');

function headOf(dataDir: string): number {
  const db = new Database(join(dataDir, 'backoffice.db'), { readonly: true });
  try {
    return (db.prepare('SELECT MAX(position) AS head FROM events').get() as { head: number }).head;
  } finally {
    db.close();
  }
}

let seeded: string;
let firstRun: ReturnType<typeof capture>;

beforeAll(async () => {
  seeded = tempDir();
  firstRun = capture();
  const code = await runCli(['seed-demo'], { DATA_DIR: seeded }, firstRun, { clock });
  expect(code, firstRun.errors.join('\n')).toBe(0);
}, 60_000);

describe('seed-demo', () => {
  it('records a year whose books balance, with plain progress lines when stderr is no terminal', async () => {
    expect(firstRun.lines).toEqual([
      expect.stringMatching(/^Seeded 2025: (\d+) steps, \1 recorded now, 0 already there\.$/),
      expect.stringMatching(
        /^Trial balance as of 2025-12-31: balanced \(EUR debits ([\d.]+), credits \1\)\.$/,
      ),
    ]);
    const progress = firstRun.errors.filter((line) => line.startsWith('seeded '));
    expect(progress.length).toBeGreaterThanOrEqual(10);
    for (const line of progress) expect(line).toMatch(/^seeded \d+\/\d+ steps$/);
    const total = /^Seeded 2025: (\d+) steps/.exec(firstRun.lines[0]!)![1];
    expect(progress.at(-1)).toBe(`seeded ${total}/${total} steps`);

    // What the service then serves: the year's business, through every module.
    const t = startTestService({ DATA_DIR: seeded });
    try {
      const get = async (path: string) => {
        const res = await t.request.get(path).set(t.auth('admin'));
        expect(res.status, res.text).toBe(200);
        return res.body;
      };
      const trial = await get('/v1/reports/trial-balance?asOf=2025-12-31');
      expect(trial.balanced).toBe(true);
      const invoices = await get('/v1/invoices?limit=500');
      expect(invoices.items).toHaveLength(100);
      expect(
        invoices.items.filter((i: { status: string }) => i.status === 'paid').length,
      ).toBeGreaterThan(80);
      expect(invoices.items.some((i: { credited: string }) => i.credited !== '0.00')).toBe(true);
      const runs = await get('/v1/payroll-runs?limit=500');
      expect(runs.items.map((run: { status: string }) => run.status)).toEqual(
        Array(12).fill('paid'),
      );
      const shipments = await get('/v1/shipments?limit=500');
      expect(shipments.items.length).toBeGreaterThanOrEqual(24);
      const customers = await get('/v1/customers?limit=500');
      expect(customers.items).toHaveLength(10);
      // Payroll and stock posted to the ledger through their reactors, before seed-demo ended.
      const salaries = await get('/v1/ledger/accounts/60000?asOf=2025-12-31');
      expect(salaries.balance).not.toBe('0.00');
    } finally {
      await t.close();
    }
  });

  it('writes nothing when run again', async () => {
    const before = headOf(seeded);
    const io = capture();
    expect(
      await runCli(['seed-demo'], { DATA_DIR: seeded }, io, { clock }),
      io.errors.join('\n'),
    ).toBe(0);
    expect(io.lines[0]).toMatch(/^Seeded 2025: (\d+) steps, 0 recorded now, \1 already there\.$/);
    expect(headOf(seeded)).toBe(before);
  });

  it('refuses while a service runs on the same DATA_DIR', async () => {
    const dataDir = tempDir();
    const t = startTestService({ DATA_DIR: dataDir });
    try {
      const io = capture();
      expect(await runCli(['seed-demo'], { DATA_DIR: dataDir }, io, { clock })).toBe(2);
      expect(io.errors.join('\n')).toMatch(/stop the service, seed, then start it again/);
    } finally {
      await t.close();
    }
  });
});

describe('verify', () => {
  it('exits 0 on the intact log, full and incremental', async () => {
    for (const args of [['verify'], ['verify', '--incremental']]) {
      const io = capture();
      expect(await runCli(args, { DATA_DIR: seeded }, io), io.errors.join('\n')).toBe(0);
      expect(io.lines[0]).toMatch(
        /^intact: (full|incremental) verification of positions 0-\d+: \d+ events/,
      );
      expect(io.errors.at(-1)).toMatch(/^verified (\d+)\/\1 events$/);
    }
  });

  it('exits 1 once an event was altered in the SQLite file, and names it', async () => {
    const copy = tempDir();
    cpSync(seeded, copy, { recursive: true });
    const db = new Database(join(copy, 'backoffice.db'));
    const row = db
      .prepare(
        "SELECT position, data FROM events WHERE stream_id = 'invoice-INV-2025-0042' AND revision = 0",
      )
      .get() as { position: number; data: string };
    const data = JSON.parse(row.data) as { customerId: string };
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(
      JSON.stringify({ ...data, customerId: 'C-999' }),
      row.position,
    );
    db.close();
    const io = capture();
    expect(await runCli(['verify'], { DATA_DIR: copy }, io)).toBe(1);
    expect(io.lines[0]).toMatch(/^tampered: full verification/);
    expect(io.lines.join('\n')).toMatch(
      /broken: invoice-INV-2025-0042 at revision 0 .*content-altered/,
    );
    const json = capture();
    expect(await runCli(['verify', '--json'], { DATA_DIR: copy }, json)).toBe(1);
    expect(JSON.parse(json.lines.join('\n'))).toMatchObject({
      status: 'tampered',
      brokenStreamCount: 1,
    });
  });

  it('refuses a DATA_DIR without a store, creating nothing', async () => {
    const empty = tempDir();
    const io = capture();
    expect(await runCli(['verify'], { DATA_DIR: empty }, io)).toBe(2);
    expect(io.errors.join('\n')).toContain('no store at');
  });
});

describe('export', () => {
  it('writes the rows the API export gives for the same filters', async () => {
    const out = join(tempDir(), 'invoices.ndjson');
    const io = capture();
    const args = ['export', '--out', out, '--format', 'ndjson', '--type', 'InvoiceIssued'];
    expect(
      await runCli([...args, '--actor', 'seed-finance'], { DATA_DIR: seeded }, io),
      io.errors.join('\n'),
    ).toBe(0);
    expect(io.lines).toEqual([
      expect.stringMatching(
        /^Wrote .*invoices\.ndjson: 100 events up to position \d+ \(ndjson\)\.$/,
      ),
    ]);
    const t = startTestService({ DATA_DIR: seeded });
    try {
      const api = await t.request
        .get('/v1/audit/export?format=ndjson&type=InvoiceIssued&actor=seed-finance')
        .set(t.auth('auditor'));
      expect(api.status, api.text).toBe(200);
      expect(readFileSync(out, 'utf8')).toBe(api.text);
    } finally {
      await t.close();
    }
  });

  it('writes every event as CSV, drawing a bar on a terminal', async () => {
    const out = join(tempDir(), 'all.csv');
    const terminal = fakeTerminal();
    const io = capture(terminal);
    expect(
      await runCli(['export', '--out', out], { DATA_DIR: seeded }, io),
      io.errors.join('\n'),
    ).toBe(0);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    expect(rows[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(rows.length - 1).toBe(headOf(seeded));
    expect(terminal.written).toMatch(/exported \[[█░]+\] 100% \| (\d+)\/\1 log positions/);
    // On a terminal the bar is the progress: no plain lines beside it.
    expect(io.errors.filter((line) => line.startsWith('exported '))).toEqual([]);
  });

  it.each([
    [['export'], /--out/],
    [['export', '--out', '-', '--from', 'yesterday'], /--from: must be an ISO 8601 timestamp/],
    [
      ['export', '--out', '-', '--from', '2025-06-02', '--to', '2025-06-01'],
      /--from must not be after --to/,
    ],
    [['export', '--out', '-', '--format', 'xml'], /--format:/],
    [['export', '--out', '-', '--colour'], /Unknown option '--colour'/],
  ])('refuses %j with exit code 2', async (args, message) => {
    const io = capture();
    expect(await runCli(args, { DATA_DIR: seeded }, io)).toBe(2);
    expect(io.errors.join('\n')).toMatch(message);
    expect(io.lines).toEqual([]);
  });
});

describe('keys create', () => {
  it('prints a secret once and an API_KEYS entry with its SHA-256 that the service accepts', async () => {
    const io = capture();
    expect(
      await runCli(
        ['keys', 'create', '--id', 'ops-1', '--scopes', 'audit:read,reports:read', '--json'],
        {},
        io,
      ),
    ).toBe(0);
    const { secret, entry } = JSON.parse(io.lines[0]!) as {
      secret: string;
      entry: { id: string; secretSha256: string; scopes: string[] };
    };
    expect(secret).toMatch(/^bok_[A-Za-z0-9_-]{32}$/);
    expect(entry).toEqual({
      id: 'ops-1',
      secretSha256: createHash('sha256').update(secret).digest('hex'),
      scopes: ['audit:read', 'reports:read'],
    });
    const keys = apiKeysSchema.parse([entry]);
    expect(createAuthenticator(keys)(secret)).toMatchObject({ id: 'ops-1' });

    const text = capture();
    expect(await runCli(['keys', 'create', '--id', 'ops-2', '--scopes', 'admin'], {}, text)).toBe(
      0,
    );
    const shown = text.lines.find((line) => line.startsWith('secret: '))!.slice('secret: '.length);
    const printed = JSON.parse(text.lines.at(-1)!) as { secretSha256: string };
    expect(printed.secretSha256).toBe(createHash('sha256').update(shown).digest('hex'));
    expect(text.lines.join('\n').split(shown)).toHaveLength(2); // the secret, once
  });

  it.each([
    [['keys', 'create', '--id', 'x', '--scopes', 'finance:write,root'], /no scope root/],
    [['keys', 'create', '--id', 'bad id', '--scopes', 'admin'], /--id/],
    [['keys', 'create', '--scopes', 'admin'], /needs --id and --scopes/],
    [['keys', 'delete'], /keys create/],
  ])('refuses %j with exit code 2', async (args, message) => {
    const io = capture();
    expect(await runCli(args, {}, io)).toBe(2);
    expect(io.errors.join('\n')).toMatch(message);
    expect(io.lines).toEqual([]);
  });
});

describe('help and usage', () => {
  it("prints the whole usage and every command's own with exit code 0", async () => {
    const io = capture();
    expect(await runCli(['--help'], {}, io)).toBe(0);
    for (const command of [
      'verify',
      'export',
      'keys create',
      'seed-demo',
      'projections status',
      'projections rebuild',
    ]) {
      expect(io.lines.join('\n')).toContain(`  ${command}`);
    }
    for (const command of [['verify'], ['export'], ['keys'], ['seed-demo'], ['projections']]) {
      for (const asked of [
        [...command, '--help'],
        ['help', ...command],
      ]) {
        const help = capture();
        expect(await runCli(asked, {}, help), asked.join(' ')).toBe(0);
        expect(help.lines.join('\n')).toMatch(
          new RegExp(`^Usage:\\n  npm run cli -- ${command[0]}`),
        );
        expect(help.errors).toEqual([]);
      }
    }
    const keys = capture();
    await runCli(['keys', '--help'], {}, keys);
    for (const scope of scopes) expect(keys.lines.join('\n')).toContain(scope);
  });

  it('answers an unknown or missing command with the usage on stderr and exit code 2', async () => {
    for (const args of [['frobnicate'], [], ['help', 'frobnicate']]) {
      const io = capture();
      expect(await runCli(args, {}, io)).toBe(2);
      expect(io.errors.join('\n')).toContain('Usage: npm run cli -- <command>');
      expect(io.lines).toEqual([]);
    }
  });
});
