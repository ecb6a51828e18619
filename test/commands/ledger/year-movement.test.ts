/**
 * What a year-end close moves: the year's movement of revenue and expense accounts, summed from
 * the log's writes that count. A write stored after its period's close (late) never counts, nor
 * the reversal of a posting that never counted; a reversal dated in the year counts against it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AccountState } from '../../../src/domain/ledger/account.js';
import type { PostedLine } from '../../../src/domain/ledger/events.js';
import { readYearMovement } from '../../../src/commands/ledger/year-movement.js';
import type { EventStore, RecordedEvent } from '../../../src/stores/event-store.js';

const open = (code: string, type: 'revenue' | 'expense' | 'asset'): AccountState => ({
  status: 'open',
  code,
  name: code,
  type,
  currency: 'EUR',
});
const ACCOUNTS = new Map([
  ['1000', open('1000', 'asset')],
  ['4000', open('4000', 'revenue')],
  ['6000', open('6000', 'expense')],
]);

const line = (account: string, side: 'debit' | 'credit', amount: string): PostedLine => ({
  account,
  side,
  amount,
  currency: 'EUR',
});

let position = 0n;
function write(
  type: 'JournalEntryPosted' | 'JournalEntryReversed',
  entryId: string,
  date: string,
  lines: PostedLine[],
): RecordedEvent {
  position += 1n;
  const data =
    type === 'JournalEntryPosted'
      ? { entryId, date, description: 'x', lines }
      : { entryId, date, reason: 'x', lines };
  return {
    id: `event-${position}`,
    type,
    streamId: `journalEntry-${entryId}`,
    revision: type === 'JournalEntryPosted' ? 0n : 1n,
    position,
    data,
    metadata: {},
    recordedAt: '2026-01-01T00:00:00.000Z',
  };
}

const sale = (entryId: string, date: string, amount: string) =>
  write('JournalEntryPosted', entryId, date, [
    line('1000', 'debit', amount),
    line('4000', 'credit', amount),
  ]);
const saleReversed = (entryId: string, date: string, amount: string) =>
  write('JournalEntryReversed', entryId, date, [
    line('1000', 'credit', amount),
    line('4000', 'debit', amount),
  ]);

function movementOf(log: RecordedEvent[], late: ReadonlySet<bigint> = new Set()) {
  const eventStore = {
    async readAll(options: { after?: bigint; maxCount?: number }) {
      return log
        .filter((event) => options.after === undefined || event.position > options.after)
        .slice(0, options.maxCount);
    },
  } as unknown as EventStore;
  return readYearMovement(
    {
      eventStore,
      postingRules: {
        async closedBefore(date, at) {
          return late.has(at) ? { period: date.slice(0, 7), closedAt: 0n } : undefined;
        },
        async facts(codes) {
          return {
            accounts: new Map([...codes].map((code) => [code, ACCOUNTS.get(code)!])),
            closedPeriods: new Set(),
          };
        },
      },
    },
    '2025',
  );
}

describe('the movement a year-end close moves', () => {
  beforeEach(() => {
    position = 0n;
  });

  it('sums the revenue and expense lines dated in the year, no other account or year', async () => {
    const log = [
      sale('A', '2025-02-01', '100.00'),
      sale('B', '2024-12-31', '50.00'),
      sale('C', '2026-01-01', '70.00'),
      write('JournalEntryPosted', 'D', '2025-05-05', [
        line('6000', 'debit', '30.00'),
        line('1000', 'credit', '30.00'),
      ]),
    ];
    expect(await movementOf(log)).toEqual([
      { account: '4000', currency: 'EUR', debits: 0n, credits: 10000n },
      { account: '6000', currency: 'EUR', debits: 3000n, credits: 0n },
    ]);
  });

  it('counts a reversal dated in the year, also of an earlier posting, not one dated later', async () => {
    const log = [
      sale('A', '2024-11-01', '40.00'),
      saleReversed('A', '2025-01-10', '40.00'),
      sale('B', '2025-03-01', '25.00'),
      saleReversed('B', '2026-02-01', '25.00'),
    ];
    expect(await movementOf(log)).toEqual([
      { account: '4000', currency: 'EUR', debits: 4000n, credits: 2500n },
    ]);
  });

  it('leaves out late writes and the reversals of late postings, as the period guard annuls them', async () => {
    const log = [
      sale('A', '2025-03-01', '10.00'),
      sale('LATE', '2025-06-01', '99.00'),
      saleReversed('LATE', '2025-07-01', '99.00'),
      sale('B', '2025-04-01', '20.00'),
      saleReversed('B', '2025-12-31', '20.00'),
    ];
    // The late posting (position 2) and B's late reversal (position 5).
    expect(await movementOf(log, new Set([2n, 5n]))).toEqual([
      { account: '4000', currency: 'EUR', debits: 0n, credits: 3000n },
    ]);
  });

  it('counts an annulled entry posted again, from its new posting on', async () => {
    const log = [
      sale('AGAIN', '2025-06-01', '99.00'),
      saleReversed('AGAIN', '2025-06-02', '99.00'),
      // Annulled with its reversal, then posted again once June was reopened.
      sale('AGAIN', '2025-06-10', '12.00'),
    ];
    expect(await movementOf(log, new Set([1n]))).toEqual([
      { account: '4000', currency: 'EUR', debits: 0n, credits: 1200n },
    ]);
  });
});
