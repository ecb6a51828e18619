/**
 * End to end: the BUILT service's read models after bursts of concurrent postings, during
 * rebuilds under load, and across SIGKILL restarts. The expected figures are computed here, by
 * the test, from what the service acknowledged.
 */
import { describe, expect, it } from 'vitest';
import { ledgerModule } from '../../src/http/ledger/ledger-module.js';
import {
  call,
  kill,
  newDataDir,
  startService,
  useChildServices,
  type RunningService,
} from '../support/child-service.js';
import { waitUntil } from '../../src/wait-until.js';

useChildServices();

const SECRETS = { finance: 'e2e-finance-secret-0001', admin: 'e2e-admin-secret-00001' };
const API_KEYS = JSON.stringify([
  { id: 'finance-app', secret: SECRETS.finance, scopes: ['finance:write', 'reports:read'] },
  { id: 'ops', secret: SECRETS.admin, scopes: ['admin'] },
]);
const ENV = {
  API_KEYS,
  PROJECTION_TICK_MS: '50',
  PROJECTION_DROP_DELAY_MS: '200',
  // Small batches: a rebuild then takes many steps, and a kill lands in the middle of one.
  PROJECTION_BATCH_SIZE: '25',
  // The same identity across restarts, as a host and port would give: leases come back at once.
  INSTANCE_ID: 'e2e-instance',
};
const ACCOUNTS = ['1000', '1010', '4000', '4010', '5000'];
/** The ledger module's projections: the ones these tests rebuild. */
const PROJECTIONS = ledgerModule.projections.map((projection) => projection.name).sort();

/** What the acknowledged postings add up to, per account, per date. */
class Books {
  readonly lines: { account: string; date: string; minor: bigint }[] = [];
  lastPosition = 0n;

  record(entry: Entry, position: string): void {
    for (const line of entry.lines) {
      const minor = BigInt(Math.round(Number(line.debit ?? line.credit) * 100));
      this.lines.push({
        account: line.account,
        date: entry.date,
        minor: line.debit ? minor : -minor,
      });
    }
    if (BigInt(position) > this.lastPosition) this.lastPosition = BigInt(position);
  }

  balance(account: string, asOf = '9999-12-31'): string {
    const minor = this.lines
      .filter((line) => line.account === account && line.date <= asOf)
      .reduce((sum, line) => sum + line.minor, 0n);
    const negative = minor < 0n;
    const digits = (negative ? -minor : minor).toString().padStart(3, '0');
    return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
  }
}

interface Entry {
  date: string;
  description: string;
  lines: { account: string; debit?: string; credit?: string }[];
}

function entry(i: number): Entry {
  const amount = `${(i % 97) + 1}.${String(i % 100).padStart(2, '0')}`;
  const from = ACCOUNTS[i % 2]!;
  const to = ACCOUNTS[2 + (i % 3)]!;
  const month = String((i % 12) + 1).padStart(2, '0');
  const day = String((i % 28) + 1).padStart(2, '0');
  return {
    date: `${2025 + (i % 2)}-${month}-${day}`,
    description: `Entry ${i}`,
    lines: [
      { account: from, debit: amount },
      { account: to, credit: amount },
    ],
  };
}

async function openAccounts(service: RunningService): Promise<void> {
  for (const code of ACCOUNTS) {
    const type = code.startsWith('1') ? 'asset' : code.startsWith('4') ? 'revenue' : 'expense';
    const res = await call(service, 'POST', '/v1/ledger/accounts', {
      secret: SECRETS.finance,
      body: { code, name: `Account ${code}`, type, currency: 'EUR' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
}

/** Posts entries `from..to-1` with `concurrency` writers at a time. */
async function burst(
  service: RunningService,
  books: Books,
  from: number,
  to: number,
  concurrency = 8,
): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < to) {
        const i = next++;
        const body = entry(i);
        const res = await call(service, 'POST', '/v1/ledger/journal-entries', {
          secret: SECRETS.finance,
          body,
        });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        books.record(body, String(res.body.position));
      }
    }),
  );
}

async function expectBooksMatch(service: RunningService, books: Books): Promise<void> {
  const consistent = `consistentWith=${books.lastPosition}`;
  for (const code of ACCOUNTS) {
    const account = await call(service, 'GET', `/v1/ledger/accounts/${code}?${consistent}`, {
      secret: SECRETS.finance,
    });
    expect(account.status, JSON.stringify(account.body)).toBe(200);
    expect(account.body.balance).toBe(books.balance(code));
    const asOf = await call(
      service,
      'GET',
      `/v1/ledger/accounts/${code}?asOf=2025-06-30&${consistent}`,
      { secret: SECRETS.finance },
    );
    expect(asOf.body.balance).toBe(books.balance(code, '2025-06-30'));
  }
  const trialBalance = await call(service, 'GET', `/v1/reports/trial-balance?${consistent}`, {
    secret: SECRETS.finance,
  });
  expect(trialBalance.body.balanced).toBe(true);
  const rows = trialBalance.body.accounts as { code: string; balance: string }[];
  expect(rows.map((row) => [row.code, row.balance])).toEqual(
    ACCOUNTS.map((code) => [code, books.balance(code)]),
  );
  // The general ledger's last running balance is the account's balance.
  let cursor: string | null = null;
  let last: string | undefined;
  let count = 0;
  do {
    const page: Awaited<ReturnType<typeof call>> = await call(
      service,
      'GET',
      `/v1/ledger/accounts/1000/entries?limit=500&${consistent}${cursor ? `&cursor=${cursor}` : ''}`,
      { secret: SECRETS.finance },
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    const items = page.body.items as { balance: string }[];
    count += items.length;
    last = items.at(-1)?.balance ?? last;
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  expect(count).toBe(books.lines.filter((line) => line.account === '1000').length);
  expect(last).toBe(books.balance('1000'));
}

async function projectionsStatus(service: RunningService) {
  const res = await call(service, 'GET', '/v1/admin/projections', { secret: SECRETS.admin });
  expect(res.status).toBe(200);
  // The ledger's projections: the ones these tests rebuild.
  return (res.body.items as { name: string; collection: string | null; rebuild: unknown }[]).filter(
    (item) => PROJECTIONS.includes(item.name),
  );
}

describe('read models of the running service', () => {
  it('are right after a burst, stay right during rebuilds under load, and never answer 5xx', async () => {
    const service = await startService({ ...ENV, DATA_DIR: newDataDir() });
    const books = new Books();
    await openAccounts(service);
    await burst(service, books, 0, 300);
    await expectBooksMatch(service, books);

    for (const name of PROJECTIONS) {
      const res = await call(service, 'POST', `/v1/admin/projections/${name}/rebuild`, {
        secret: SECRETS.admin,
        body: {},
      });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
    }
    // Writers and readers keep going while the four rebuilds run.
    const failures: string[] = [];
    let reading = true;
    const readers = Array.from({ length: 3 }, async (_, reader) => {
      while (reading) {
        const paths = [
          '/v1/reports/trial-balance',
          `/v1/ledger/accounts/${ACCOUNTS[reader]}`,
          `/v1/ledger/accounts/${ACCOUNTS[reader]}/entries?limit=50`,
          '/v1/ledger/journal-entries?limit=20',
        ];
        for (const path of paths) {
          const res = await call(service, 'GET', path, { secret: SECRETS.finance });
          if (res.status >= 500)
            failures.push(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
          if (path === '/v1/reports/trial-balance' && res.body.balanced !== true) {
            failures.push(`unbalanced trial balance: ${JSON.stringify(res.body.totals)}`);
          }
        }
      }
    });
    await burst(service, books, 300, 450, 4);
    await waitUntil(
      async () =>
        (await projectionsStatus(service)).every(
          (item) => item.rebuild === null && item.collection?.endsWith('_v1_2'),
        ),
      { timeoutMs: 15_000 },
    );
    reading = false;
    await Promise.all(readers);

    expect(failures).toEqual([]);
    const status = await projectionsStatus(service);
    expect(status.map((item) => item.collection).sort()).toEqual(
      PROJECTIONS.map((name) => `${name}_v1_2`),
    );
    await expectBooksMatch(service, books);
  });

  it('converge after SIGKILL right after a burst and right after a rebuild request', async () => {
    const dataDir = newDataDir();
    const books = new Books();
    let service = await startService({ ...ENV, DATA_DIR: dataDir });
    await openAccounts(service);
    await burst(service, books, 0, 200);
    // Killed while the projections are still working through the burst.
    await kill(service);

    service = await startService({ ...ENV, DATA_DIR: dataDir });
    await expectBooksMatch(service, books);

    const rebuild = await call(service, 'POST', '/v1/admin/projections/ledger_balances/rebuild', {
      secret: SECRETS.admin,
      body: {},
    });
    expect(rebuild.status).toBe(202);
    await kill(service);

    // The rebuild resumes from the registry on restart and completes.
    service = await startService({ ...ENV, DATA_DIR: dataDir });
    await burst(service, books, 200, 260, 4);
    await waitUntil(
      async () => {
        const balances = (await projectionsStatus(service)).find(
          (item) => item.name === 'ledger_balances',
        )!;
        return balances.rebuild === null && balances.collection === 'ledger_balances_v1_2';
      },
      { timeoutMs: 15_000 },
    );
    const balances = (await projectionsStatus(service)).find(
      (item) => item.name === 'ledger_balances',
    )!;
    expect(balances).toMatchObject({ collection: 'ledger_balances_v1_2', rebuild: null });
    await expectBooksMatch(service, books);
  });
});
