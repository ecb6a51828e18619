import { describe, expect, it } from 'vitest';
import type { AccountType, LedgerEvent, PostedLine } from '../../../src/domain/ledger/events.js';
import { ledgerStreams } from '../../../src/domain/ledger/streams.js';
import {
  accountsProjection,
  balancePeriods,
  balancesProjection,
  journalEntriesProjection,
  ledgerLinesProjection,
  ledgerProjections,
  lineSeq,
  type AccountDocument,
  type BalanceDocument,
  type LedgerLineDocument,
} from '../../../src/projections/ledger/ledger-projections.js';
import type { JsonObject, RecordedEvent } from '../../../src/stores/event-store.js';
import { given, givenEvents } from '../given-events.js';

// --- fixtures ---------------------------------------------------------------------------------

const debit = (account: string, amount: string, currency = 'EUR'): PostedLine => ({
  account,
  side: 'debit',
  amount,
  currency,
});
const credit = (account: string, amount: string, currency = 'EUR'): PostedLine => ({
  account,
  side: 'credit',
  amount,
  currency,
});
/** The lines a reversal books: the posting's, each on the other side. */
const mirrored = (lines: readonly PostedLine[]): PostedLine[] =>
  lines.map((line) => ({ ...line, side: line.side === 'debit' ? 'credit' : 'debit' }));

/**
 * A fresh global log: every event recorded through it gets the next position (from 1) and the
 * next revision of its own stream (from 0), as the event store would assign them.
 */
function ledgerLog() {
  let position = 0n;
  const revisions = new Map<string, bigint>();
  function record(streamId: string, event: LedgerEvent): RecordedEvent {
    position += 1n;
    const revision = (revisions.get(streamId) ?? -1n) + 1n;
    revisions.set(streamId, revision);
    return {
      id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
      type: event.type,
      streamId,
      revision,
      position,
      data: { ...event.data },
      metadata: {},
      recordedAt: new Date(Date.UTC(2026, 0, 1) + Number(position) * 1000).toISOString(),
    };
  }
  return {
    accountOpened: (
      code: string,
      currency: string,
      options: { name?: string; type?: AccountType } = {},
    ) =>
      record(ledgerStreams.account(code), {
        type: 'AccountOpened',
        data: {
          code,
          name: options.name ?? `Account ${code}`,
          type: options.type ?? 'asset',
          currency,
        },
      }),
    entryPosted: (
      entryId: string,
      date: string,
      lines: PostedLine[],
      description = `Entry ${entryId}`,
    ) =>
      record(ledgerStreams.journalEntry(entryId), {
        type: 'JournalEntryPosted',
        data: { entryId, date, description, lines },
      }),
    entryReversed: (entryId: string, date: string, reason: string, lines: PostedLine[]) =>
      record(ledgerStreams.journalEntry(entryId), {
        type: 'JournalEntryReversed',
        data: { entryId, date, reason, lines },
      }),
    periodClosed: (period: string) =>
      record(ledgerStreams.periodLock, { type: 'PeriodClosed', data: { period } }),
    entryAnnulled: (
      entryId: string,
      cause: RecordedEvent,
      removed: { kind: 'posting' | 'reversal'; date: string; lines: PostedLine[] }[],
    ) =>
      record(ledgerStreams.journalEntry(entryId), {
        type: 'JournalEntryAnnulled',
        data: {
          entryId,
          period: String(cause.data.period),
          closedAt: cause.position.toString(),
          reason: 'late',
          removed,
        },
      }),
  };
}

function account(
  code: string,
  currency: string,
  totals: { debitsMinor?: string; creditsMinor?: string; revision?: number } = {},
): JsonObject {
  const document: AccountDocument = {
    code,
    name: `Account ${code}`,
    type: 'asset',
    currency,
    status: 'open',
    debitsMinor: totals.debitsMinor ?? '0',
    creditsMinor: totals.creditsMinor ?? '0',
    revision: totals.revision ?? 0,
  };
  return { ...document };
}

function balance(
  accountCode: string,
  period: string,
  debitsMinor: string,
  creditsMinor: string,
  currency = 'EUR',
): JsonObject {
  const granularity = period.length === 4 ? 'year' : period.length === 7 ? 'month' : 'day';
  const parent =
    granularity === 'year'
      ? '-'
      : granularity === 'month'
        ? period.slice(0, 4)
        : period.slice(0, 7);
  const document: BalanceDocument = {
    account: accountCode,
    currency,
    granularity,
    period,
    parent,
    debitsMinor,
    creditsMinor,
  };
  return { ...document };
}

// --- every projection ------------------------------------------------------------------------

describe('the ledger projections', () => {
  it('handle exactly the ledger events that change their documents', () => {
    const postings = [
      'JournalEntryPosted',
      'JournalEntryReversed',
      'JournalEntryAnnulled',
      'FiscalYearClosed',
      'FiscalYearReopened',
    ];
    expect(accountsProjection.eventTypes).toEqual(['AccountOpened', ...postings]);
    expect(journalEntriesProjection.eventTypes).toEqual(postings);
    expect(ledgerLinesProjection.eventTypes).toEqual(postings);
    expect(balancesProjection.eventTypes).toEqual(postings);
    expect(ledgerProjections.map((projection) => projection.name)).toEqual([
      'ledger_accounts',
      'ledger_journal_entries',
      'ledger_lines',
      'ledger_balances',
    ]);
  });

  it.each(ledgerProjections.map((projection) => [projection.name, projection] as const))(
    '%s ignores PeriodClosed',
    (_name, projection) => {
      const { accountOpened, entryPosted, entryReversed, periodClosed } = ledgerLog();
      const lines = [debit('1000', '10.00'), credit('4000', '10.00')];
      const closed = periodClosed('2026-01');
      const history = [
        accountOpened('1000', 'EUR'),
        accountOpened('4000', 'EUR'),
        entryPosted('JE1', '2026-01-10', lines),
        closed,
        entryReversed('JE1', '2026-02-01', 'Duplicate', mirrored(lines)),
        periodClosed('2026-02'),
      ];

      expect(projection.eventTypes).not.toContain('PeriodClosed');
      expect(projection.documentIds(closed)).toEqual([]);
      expect(givenEvents(projection, history)).toEqual(
        givenEvents(
          projection,
          history.filter((event) => event.type !== 'PeriodClosed'),
        ),
      );
    },
  );
});

// --- ledger_accounts -------------------------------------------------------------------------

describe('ledger_accounts', () => {
  it('AccountOpened creates an open account with zero totals and its stream revision', () => {
    const { accountOpened } = ledgerLog();
    given(accountsProjection, [
      accountOpened('1000', 'EUR', { name: 'Cash', type: 'asset' }),
      accountOpened('4000', 'USD', { name: 'Sales', type: 'revenue' }),
    ]).thenDocuments({
      '1000': {
        code: '1000',
        name: 'Cash',
        type: 'asset',
        currency: 'EUR',
        status: 'open',
        debitsMinor: '0',
        creditsMinor: '0',
        revision: 0,
      },
      '4000': {
        code: '4000',
        name: 'Sales',
        type: 'revenue',
        currency: 'USD',
        status: 'open',
        debitsMinor: '0',
        creditsMinor: '0',
        revision: 0,
      },
    });
  });

  it('takes the revision from the recorded event, as a number', () => {
    const { accountOpened } = ledgerLog();
    given(accountsProjection, [{ ...accountOpened('1000', 'EUR'), revision: 7n }]).then(
      '1000',
      account('1000', 'EUR', { revision: 7 }),
    );
  });

  it('JournalEntryPosted adds to the accounts on its lines and leaves the others alone', () => {
    const { accountOpened, entryPosted } = ledgerLog();
    const posted = entryPosted('JE1', '2026-03-15', [
      debit('1000', '100.50'),
      credit('4000', '100.50'),
    ]);

    expect(accountsProjection.documentIds(posted)).toEqual(['1000', '4000']);
    given(accountsProjection, [
      accountOpened('1000', 'EUR'),
      accountOpened('4000', 'EUR'),
      accountOpened('6000', 'EUR'),
      posted,
    ]).thenDocuments({
      // A posting is not an event of the account's stream: the revision (its ETag) stays.
      '1000': account('1000', 'EUR', { debitsMinor: '10050' }),
      '4000': account('4000', 'EUR', { creditsMinor: '10050' }),
      '6000': account('6000', 'EUR'),
    });
  });

  it('counts every line of an entry on the same account', () => {
    const { accountOpened, entryPosted } = ledgerLog();
    const posted = entryPosted('JE1', '2026-03-15', [
      debit('1000', '10.00'),
      debit('1000', '5.25'),
      credit('4000', '15.00'),
      credit('1000', '0.25'),
    ]);

    expect(accountsProjection.documentIds(posted)).toEqual(['1000', '4000']);
    given(accountsProjection, [accountOpened('1000', 'EUR'), accountOpened('4000', 'EUR'), posted])
      .then('1000', account('1000', 'EUR', { debitsMinor: '1525', creditsMinor: '25' }))
      .and('4000', account('4000', 'EUR', { creditsMinor: '1500' }));
  });

  it('accumulates debits and credits over several entries', () => {
    const { accountOpened, entryPosted } = ledgerLog();
    given(accountsProjection, [
      accountOpened('1000', 'EUR'),
      accountOpened('4000', 'EUR'),
      accountOpened('6000', 'EUR'),
      entryPosted('JE1', '2026-03-15', [debit('1000', '100.00'), credit('4000', '100.00')]),
      entryPosted('JE2', '2026-03-16', [debit('6000', '30.00'), credit('1000', '30.00')]),
      entryPosted('JE3', '2026-04-01', [debit('1000', '0.01'), credit('4000', '0.01')]),
    ])
      .then('1000', account('1000', 'EUR', { debitsMinor: '10001', creditsMinor: '3000' }))
      .and('4000', account('4000', 'EUR', { creditsMinor: '10001' }))
      .and('6000', account('6000', 'EUR', { debitsMinor: '3000' }));
  });

  it.each([
    ['EUR', '100.50', '10050'],
    ['EUR', '100.5', '10050'],
    ['EUR', '0.07', '7'],
    ['JPY', '500', '500'],
    ['KWD', '1.250', '1250'],
    ['KWD', '0.001', '1'],
    ['USD', '123456789012345678.99', '12345678901234567899'],
  ])('keeps %s %s as %s minor units, exactly', (currency, amount, minor) => {
    const { accountOpened, entryPosted } = ledgerLog();
    given(accountsProjection, [
      accountOpened('1', currency),
      accountOpened('2', currency),
      entryPosted('JE1', '2026-03-15', [
        debit('1', amount, currency),
        credit('2', amount, currency),
      ]),
    ])
      .then('1', account('1', currency, { debitsMinor: minor }))
      .and('2', account('2', currency, { creditsMinor: minor }));
  });

  it('JournalEntryReversed adds the mirrored lines', () => {
    const { accountOpened, entryPosted, entryReversed } = ledgerLog();
    const lines = [debit('1000', '100.50'), credit('4000', '80.00'), credit('4100', '20.50')];
    given(accountsProjection, [
      accountOpened('1000', 'EUR'),
      accountOpened('4000', 'EUR'),
      accountOpened('4100', 'EUR'),
      accountOpened('6000', 'EUR'),
      entryPosted('JE1', '2026-03-15', lines),
      entryReversed('JE1', '2026-03-20', 'Wrong customer', mirrored(lines)),
    ]).thenDocuments({
      '1000': account('1000', 'EUR', { debitsMinor: '10050', creditsMinor: '10050' }),
      '4000': account('4000', 'EUR', { debitsMinor: '8000', creditsMinor: '8000' }),
      '4100': account('4100', 'EUR', { debitsMinor: '2050', creditsMinor: '2050' }),
      '6000': account('6000', 'EUR'),
    });
  });

  it('throws on a posting to an account that was never opened, so the engine stops', () => {
    const { accountOpened, entryPosted } = ledgerLog();
    given(accountsProjection, [
      accountOpened('1000', 'EUR'),
      entryPosted('JE1', '2026-03-15', [debit('1000', '1.00'), credit('9999', '1.00')]),
    ]).thenThrows('JournalEntryPosted books to account 9999, which was never opened');
  });

  it('throws on a reversal to an account that was never opened', () => {
    const { accountOpened, entryReversed } = ledgerLog();
    given(accountsProjection, [
      accountOpened('1000', 'EUR'),
      entryReversed('JE1', '2026-03-15', 'Oops', [credit('1000', '1.00'), debit('9999', '1.00')]),
    ]).thenThrows('JournalEntryReversed books to account 9999, which was never opened');
  });
});

// --- ledger_journal_entries ------------------------------------------------------------------

describe('ledger_journal_entries', () => {
  it('JournalEntryPosted creates the entry as the API shows it', () => {
    const { entryPosted } = ledgerLog();
    const posted = entryPosted(
      'JE1',
      '2026-03-15',
      [debit('1000', '100.50'), credit('4000', '80.00'), credit('4100', '20.50')],
      'Invoice 42',
    );

    expect(journalEntriesProjection.documentIds(posted)).toEqual(['JE1']);
    given(journalEntriesProjection, [posted]).thenDocuments({
      JE1: {
        id: 'JE1',
        date: '2026-03-15',
        description: 'Invoice 42',
        status: 'posted',
        lines: [
          { account: '1000', debit: '100.50', currency: 'EUR' },
          { account: '4000', credit: '80.00', currency: 'EUR' },
          { account: '4100', credit: '20.50', currency: 'EUR' },
        ],
        reversal: null,
        revision: 0,
      },
    });
  });

  it('JournalEntryReversed marks the entry reversed with its date and reason', () => {
    const { entryPosted, entryReversed } = ledgerLog();
    const lines = [debit('1200', '500', 'JPY'), credit('4200', '500', 'JPY')];
    given(journalEntriesProjection, [
      entryPosted('JE1', '2026-03-15', lines, 'Cash sale'),
      entryReversed('JE1', '2026-04-02', 'Wrong customer', mirrored(lines)),
    ]).thenDocuments({
      JE1: {
        id: 'JE1',
        // The entry keeps its own date and lines; the reversal's are in `reversal`.
        date: '2026-03-15',
        description: 'Cash sale',
        status: 'reversed',
        lines: [
          { account: '1200', debit: '500', currency: 'JPY' },
          { account: '4200', credit: '500', currency: 'JPY' },
        ],
        reversal: { date: '2026-04-02', reason: 'Wrong customer' },
        revision: 1,
      },
    });
  });

  it('keeps entries apart: reversing one leaves the others posted', () => {
    const { entryPosted, entryReversed } = ledgerLog();
    const lines = [debit('1000', '1.00'), credit('4000', '1.00')];
    const { documents } = given(journalEntriesProjection, [
      entryPosted('JE1', '2026-03-15', lines),
      entryPosted('JE2', '2026-03-16', lines),
      entryReversed('JE1', '2026-03-17', 'Duplicate', mirrored(lines)),
    ]);
    expect(documents.get('JE1')).toMatchObject({ status: 'reversed', revision: 1 });
    expect(documents.get('JE2')).toMatchObject({ status: 'posted', reversal: null, revision: 0 });
  });

  it('throws on a reversal of an entry that was never posted', () => {
    const { entryPosted, entryReversed } = ledgerLog();
    const lines = [debit('1000', '1.00'), credit('4000', '1.00')];
    given(journalEntriesProjection, [
      entryPosted('JE1', '2026-03-15', lines),
      entryReversed('JE2', '2026-03-16', 'Never there', mirrored(lines)),
    ]).thenThrows('JournalEntryReversed for a journal entry that was never posted');
  });
});

// --- ledger_lines ----------------------------------------------------------------------------

describe('ledger_lines', () => {
  it('JournalEntryPosted books one document per line', () => {
    const { accountOpened, entryPosted } = ledgerLog();
    const opened = accountOpened('1000', 'EUR'); // position 1: lines ignore it
    const posted = entryPosted(
      'JE1',
      '2026-03-15',
      [debit('1000', '100.50'), credit('4000', '100.50')],
      'Invoice 42',
    );
    expect(posted.position).toBe(2n);

    expect(ledgerLinesProjection.documentIds(posted)).toEqual(['1000|JE1|p|0', '4000|JE1|p|1']);
    given(ledgerLinesProjection, [opened, posted]).thenDocuments({
      '1000|JE1|p|0': {
        account: '1000',
        entryId: 'JE1',
        kind: 'posting',
        date: '2026-03-15',
        description: 'Invoice 42',
        side: 'debit',
        amountMinor: '10050',
        currency: 'EUR',
        seq: '00000000000000000002.0000',
      },
      '4000|JE1|p|1': {
        account: '4000',
        entryId: 'JE1',
        kind: 'posting',
        date: '2026-03-15',
        description: 'Invoice 42',
        side: 'credit',
        amountMinor: '10050',
        currency: 'EUR',
        seq: '00000000000000000002.0001',
      },
    });
  });

  it('books two lines on the same account as two documents', () => {
    const { entryPosted } = ledgerLog();
    const posted = entryPosted('JE1', '2026-03-15', [
      debit('1000', '10.00'),
      debit('1000', '5.25'),
      credit('4000', '15.25'),
    ]);
    given(ledgerLinesProjection, [posted]).thenIds([
      '1000|JE1|p|0',
      '1000|JE1|p|1',
      '4000|JE1|p|2',
    ]);
    const { documents } = given(ledgerLinesProjection, [posted]);
    expect(documents.get('1000|JE1|p|0')).toMatchObject({
      amountMinor: '1000',
      seq: lineSeq(1n, 0),
    });
    expect(documents.get('1000|JE1|p|1')).toMatchObject({
      amountMinor: '525',
      seq: lineSeq(1n, 1),
    });
    expect(documents.get('4000|JE1|p|2')).toMatchObject({
      amountMinor: '1525',
      seq: lineSeq(1n, 2),
    });
  });

  it('JournalEntryReversed books the mirrored lines on its own date, next to the posting', () => {
    const { entryPosted, entryReversed } = ledgerLog();
    const lines = [debit('1300', '1.250', 'KWD'), credit('4300', '1.250', 'KWD')];
    const posted = entryPosted('JE1', '2026-03-15', lines, 'Consulting');
    const reversed = entryReversed('JE1', '2026-04-02', 'Wrong customer', mirrored(lines));

    expect(ledgerLinesProjection.documentIds(reversed)).toEqual(['1300|JE1|r|0', '4300|JE1|r|1']);
    const line = (
      kind: 'posting' | 'reversal',
      accountCode: string,
      side: 'debit' | 'credit',
      index: number,
    ): JsonObject => {
      const document: LedgerLineDocument = {
        account: accountCode,
        entryId: 'JE1',
        kind,
        date: kind === 'posting' ? '2026-03-15' : '2026-04-02',
        description: kind === 'posting' ? 'Consulting' : 'Reversal: Wrong customer',
        side,
        amountMinor: '1250',
        currency: 'KWD',
        seq: lineSeq(kind === 'posting' ? posted.position : reversed.position, index),
      };
      return { ...document };
    };
    given(ledgerLinesProjection, [posted, reversed]).thenDocuments({
      '1300|JE1|p|0': line('posting', '1300', 'debit', 0),
      '4300|JE1|p|1': line('posting', '4300', 'credit', 1),
      '1300|JE1|r|0': line('reversal', '1300', 'credit', 0),
      '4300|JE1|r|1': line('reversal', '4300', 'debit', 1),
    });
  });

  it.each([
    ['EUR', '100.50', '10050'],
    ['JPY', '500', '500'],
    ['KWD', '1.250', '1250'],
  ])('keeps a %s %s line as %s minor units', (currency, amount, minor) => {
    const { entryPosted } = ledgerLog();
    given(ledgerLinesProjection, [
      entryPosted('JE1', '2026-03-15', [
        debit('1', amount, currency),
        credit('2', amount, currency),
      ]),
    ])
      .then('1|JE1|p|0', expect.objectContaining({ amountMinor: minor, currency, side: 'debit' }))
      .and('2|JE1|p|1', expect.objectContaining({ amountMinor: minor, currency, side: 'credit' }));
  });

  it('seq is the log position then the line number', () => {
    expect(lineSeq(0n, 0)).toBe('00000000000000000000.0000');
    expect(lineSeq(42n, 7)).toBe('00000000000000000042.0007');
    expect(lineSeq(18446744073709551615n, 9999)).toBe('18446744073709551615.9999');
  });

  it('seq strings sort like (position, line number)', () => {
    const positions = [
      0n,
      1n,
      2n,
      9n,
      10n,
      11n,
      99n,
      100n,
      1000n,
      2n ** 53n,
      2n ** 53n + 1n,
      2n ** 64n - 1n,
    ];
    const indexes = [0, 1, 2, 9, 10, 11, 99, 100, 999, 1000, 9999];
    const pairs = positions.flatMap((position) => indexes.map((index) => ({ position, index })));
    const byPair = [...pairs].sort((a, b) =>
      a.position === b.position ? a.index - b.index : a.position < b.position ? -1 : 1,
    );
    const bySeq = [...pairs].sort((a, b) => {
      const left = lineSeq(a.position, a.index);
      const right = lineSeq(b.position, b.index);
      return left < right ? -1 : left > right ? 1 : 0;
    });
    expect(bySeq).toEqual(byPair);
  });

  it('orders the lines of a log by seq as they were booked', () => {
    const { entryPosted, entryReversed } = ledgerLog();
    const events: RecordedEvent[] = [];
    // Twelve entries of twelve lines: positions and line numbers both cross 9 -> 10.
    for (let entry = 1; entry <= 12; entry += 1) {
      const lines = Array.from({ length: 12 }, (_, index) =>
        index % 2 === 0 ? debit(`A${index}`, `${entry}.00`) : credit(`A${index}`, `${entry}.00`),
      );
      events.push(entryPosted(`JE${entry}`, '2026-03-15', lines));
      if (entry % 4 === 0) {
        events.push(entryReversed(`JE${entry}`, '2026-03-15', 'Redo', mirrored(lines)));
      }
    }
    const booked = events.flatMap((event) =>
      (event.data.lines as PostedLine[]).map((_line, index) => ({
        id: ledgerLinesProjection.documentIds(event)[index]!,
        position: event.position,
        index,
      })),
    );
    const documents = givenEvents(ledgerLinesProjection, events);
    expect(documents.size).toBe(booked.length);
    const bySeq = [...documents]
      .sort(([, a], [, b]) => (String(a.seq) < String(b.seq) ? -1 : 1))
      .map(([id]) => id);
    expect(bySeq).toEqual(booked.map(({ id }) => id));
  });
});

// --- ledger_balances -------------------------------------------------------------------------

describe('ledger_balances', () => {
  it('a posting adds to the year, month and day of every account on its lines', () => {
    const { entryPosted } = ledgerLog();
    const posted = entryPosted('JE1', '2026-03-15', [
      debit('1000', '100.50'),
      credit('4000', '80.00'),
      credit('4100', '20.50'),
    ]);

    expect(balancesProjection.documentIds(posted)).toEqual([
      '1000|2026',
      '1000|2026-03',
      '1000|2026-03-15',
      '4000|2026',
      '4000|2026-03',
      '4000|2026-03-15',
      '4100|2026',
      '4100|2026-03',
      '4100|2026-03-15',
    ]);
    given(balancesProjection, [posted]).thenDocuments({
      '1000|2026': {
        account: '1000',
        currency: 'EUR',
        granularity: 'year',
        period: '2026',
        parent: '-',
        debitsMinor: '10050',
        creditsMinor: '0',
      },
      '1000|2026-03': {
        account: '1000',
        currency: 'EUR',
        granularity: 'month',
        period: '2026-03',
        parent: '2026',
        debitsMinor: '10050',
        creditsMinor: '0',
      },
      '1000|2026-03-15': {
        account: '1000',
        currency: 'EUR',
        granularity: 'day',
        period: '2026-03-15',
        parent: '2026-03',
        debitsMinor: '10050',
        creditsMinor: '0',
      },
      '4000|2026': balance('4000', '2026', '0', '8000'),
      '4000|2026-03': balance('4000', '2026-03', '0', '8000'),
      '4000|2026-03-15': balance('4000', '2026-03-15', '0', '8000'),
      '4100|2026': balance('4100', '2026', '0', '2050'),
      '4100|2026-03': balance('4100', '2026-03', '0', '2050'),
      '4100|2026-03-15': balance('4100', '2026-03-15', '0', '2050'),
    });
  });

  it('sums every line of an entry on the same account into one set of buckets', () => {
    const { entryPosted } = ledgerLog();
    const posted = entryPosted('JE1', '2026-03-15', [
      debit('1000', '10.00'),
      debit('1000', '5.25'),
      credit('1000', '0.25'),
      credit('4000', '15.00'),
    ]);
    expect(balancesProjection.documentIds(posted)).toHaveLength(6);
    given(balancesProjection, [posted])
      .then('1000|2026', balance('1000', '2026', '1525', '25'))
      .and('1000|2026-03', balance('1000', '2026-03', '1525', '25'))
      .and('1000|2026-03-15', balance('1000', '2026-03-15', '1525', '25'))
      .and('4000|2026-03-15', balance('4000', '2026-03-15', '0', '1500'));
  });

  it('sums two postings of the same month, each day on its own', () => {
    const { entryPosted } = ledgerLog();
    given(balancesProjection, [
      entryPosted('JE1', '2026-03-15', [debit('1000', '100.00'), credit('4000', '100.00')]),
      entryPosted('JE2', '2026-03-20', [debit('6000', '30.00'), credit('1000', '30.00')]),
      entryPosted('JE3', '2026-03-20', [debit('1000', '1.00'), credit('4000', '1.00')]),
    ]).thenDocuments({
      '1000|2026': balance('1000', '2026', '10100', '3000'),
      '1000|2026-03': balance('1000', '2026-03', '10100', '3000'),
      '1000|2026-03-15': balance('1000', '2026-03-15', '10000', '0'),
      '1000|2026-03-20': balance('1000', '2026-03-20', '100', '3000'),
      '4000|2026': balance('4000', '2026', '0', '10100'),
      '4000|2026-03': balance('4000', '2026-03', '0', '10100'),
      '4000|2026-03-15': balance('4000', '2026-03-15', '0', '10000'),
      '4000|2026-03-20': balance('4000', '2026-03-20', '0', '100'),
      '6000|2026': balance('6000', '2026', '3000', '0'),
      '6000|2026-03': balance('6000', '2026-03', '3000', '0'),
      '6000|2026-03-20': balance('6000', '2026-03-20', '3000', '0'),
    });
  });

  it("a reversal on another date lands in that date's buckets", () => {
    const { entryPosted, entryReversed } = ledgerLog();
    const lines = [debit('1000', '100.50'), credit('4000', '100.50')];
    const reversed = entryReversed('JE1', '2026-04-02', 'Wrong customer', mirrored(lines));

    expect(balancesProjection.documentIds(reversed)).toEqual([
      '1000|2026',
      '1000|2026-04',
      '1000|2026-04-02',
      '4000|2026',
      '4000|2026-04',
      '4000|2026-04-02',
    ]);
    given(balancesProjection, [entryPosted('JE1', '2026-03-15', lines), reversed]).thenDocuments({
      '1000|2026': balance('1000', '2026', '10050', '10050'),
      '1000|2026-03': balance('1000', '2026-03', '10050', '0'),
      '1000|2026-03-15': balance('1000', '2026-03-15', '10050', '0'),
      '1000|2026-04': balance('1000', '2026-04', '0', '10050'),
      '1000|2026-04-02': balance('1000', '2026-04-02', '0', '10050'),
      '4000|2026': balance('4000', '2026', '10050', '10050'),
      '4000|2026-03': balance('4000', '2026-03', '0', '10050'),
      '4000|2026-03-15': balance('4000', '2026-03-15', '0', '10050'),
      '4000|2026-04': balance('4000', '2026-04', '10050', '0'),
      '4000|2026-04-02': balance('4000', '2026-04-02', '10050', '0'),
    });
  });

  it('a reversal in the next year lands in that year', () => {
    const { entryPosted, entryReversed } = ledgerLog();
    const lines = [debit('1200', '500', 'JPY'), credit('4200', '500', 'JPY')];
    given(balancesProjection, [
      entryPosted('JE1', '2026-12-31', lines),
      entryReversed('JE1', '2027-01-04', 'Wrong year', mirrored(lines)),
    ])
      .then('1200|2026', balance('1200', '2026', '500', '0', 'JPY'))
      .and('1200|2026-12', balance('1200', '2026-12', '500', '0', 'JPY'))
      .and('1200|2026-12-31', balance('1200', '2026-12-31', '500', '0', 'JPY'))
      .and('1200|2027', balance('1200', '2027', '0', '500', 'JPY'))
      .and('1200|2027-01', balance('1200', '2027-01', '0', '500', 'JPY'))
      .and('1200|2027-01-04', balance('1200', '2027-01-04', '0', '500', 'JPY'))
      .and('4200|2027-01-04', balance('4200', '2027-01-04', '500', '0', 'JPY'));
  });

  it('balancePeriods names the year, month and day of a date with their parents', () => {
    expect(balancePeriods('2026-03-15')).toEqual([
      { granularity: 'year', period: '2026', parent: '-' },
      { granularity: 'month', period: '2026-03', parent: '2026' },
      { granularity: 'day', period: '2026-03-15', parent: '2026-03' },
    ]);
  });
});

// --- all four, over a longer history ---------------------------------------------------------

/** mulberry32: a small seeded generator, so the history is the same on every run. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sum = (values: readonly string[]) =>
  values.reduce((total, value) => total + BigInt(value), 0n);

describe('over a seeded history of postings and reversals', () => {
  const random = seeded(20260315);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const codes = ['1000', '1100', '2000', '4000', '6000'];
  const dates = [
    '2025-12-30',
    '2025-12-31',
    '2026-01-01',
    '2026-01-15',
    '2026-01-31',
    '2026-02-01',
    '2026-02-28',
    '2026-03-01',
    '2026-03-15',
  ];
  const { accountOpened, entryPosted, entryReversed } = ledgerLog();
  const events: RecordedEvent[] = codes.map((code) => accountOpened(code, 'EUR'));
  /** What each account and (account, day) should total, computed without parsing amounts. */
  const expected = new Map<string, { debits: bigint; credits: bigint }>();
  const book = (key: string, side: 'debit' | 'credit', minor: bigint) => {
    const totals = expected.get(key) ?? { debits: 0n, credits: 0n };
    if (side === 'debit') totals.debits += minor;
    else totals.credits += minor;
    expected.set(key, totals);
  };
  const open: { entryId: string; date: string; lines: PostedLine[]; minors: bigint[] }[] = [];
  let postings = 0;
  let reversals = 0;
  let lineCount = 0;
  for (let i = 0; i < 50; i += 1) {
    if (open.length > 0 && random() < 0.3) {
      const entry = open.splice(Math.floor(random() * open.length), 1)[0]!;
      const date = pick(dates.filter((candidate) => candidate >= entry.date));
      const lines = mirrored(entry.lines);
      events.push(entryReversed(entry.entryId, date, `Undo ${entry.entryId}`, lines));
      lines.forEach((line, index) => {
        book(line.account, line.side, entry.minors[index]!);
        book(`${line.account}|${date}`, line.side, entry.minors[index]!);
      });
      reversals += 1;
      lineCount += lines.length;
    } else {
      const entryId = `JE${i}`;
      const date = pick(dates);
      const lines: PostedLine[] = [];
      const minors: bigint[] = [];
      for (let pair = 0; pair < 1 + Math.floor(random() * 2); pair += 1) {
        const cents = 1 + Math.floor(random() * 5_000_000);
        const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
        // The same account may well be on both sides, or twice on one.
        lines.push(debit(pick(codes), amount), credit(pick(codes), amount));
        minors.push(BigInt(cents), BigInt(cents));
      }
      events.push(entryPosted(entryId, date, lines));
      lines.forEach((line, index) => {
        book(line.account, line.side, minors[index]!);
        book(`${line.account}|${date}`, line.side, minors[index]!);
      });
      open.push({ entryId, date, lines, minors });
      postings += 1;
      lineCount += lines.length;
    }
  }

  const accounts = givenEvents(accountsProjection, events);
  const balances = [...givenEvents(balancesProjection, events).values()].map((document) =>
    balancesProjection.document(document),
  );
  const bucketsOf = (code: string, granularity: string) =>
    balances.filter(
      (document) => document.account === code && document.granularity === granularity,
    );

  it('is a history with both kinds of event', () => {
    expect(postings).toBeGreaterThan(25);
    expect(reversals).toBeGreaterThan(5);
    expect(postings + reversals).toBe(50);
  });

  it.each(codes)('account %s totals what was booked to it', (code) => {
    const totals = expected.get(code) ?? { debits: 0n, credits: 0n };
    expect(accounts.get(code)).toMatchObject({
      debitsMinor: totals.debits.toString(),
      creditsMinor: totals.credits.toString(),
    });
  });

  it.each(codes)("the day buckets of %s sum to the account's totals", (code) => {
    const account = accountsProjection.document(accounts.get(code)!);
    const days = bucketsOf(code, 'day');
    expect(days.length).toBeGreaterThan(0);
    expect(sum(days.map((day) => day.debitsMinor)).toString()).toBe(account.debitsMinor);
    expect(sum(days.map((day) => day.creditsMinor)).toString()).toBe(account.creditsMinor);
    for (const day of days) {
      const totals = expected.get(`${code}|${day.period}`);
      expect({ day: day.period, debits: day.debitsMinor, credits: day.creditsMinor }).toEqual({
        day: day.period,
        debits: totals?.debits.toString(),
        credits: totals?.credits.toString(),
      });
    }
  });

  it.each(codes)(
    'each month bucket of %s is the sum of its days, each year of its months',
    (code) => {
      const days = bucketsOf(code, 'day');
      const months = bucketsOf(code, 'month');
      const years = bucketsOf(code, 'year');
      expect(new Set(months.map((month) => month.period))).toEqual(
        new Set(days.map((day) => day.parent)),
      );
      for (const month of months) {
        const inMonth = days.filter((day) => day.parent === month.period);
        expect(month.parent).toBe(month.period.slice(0, 4));
        expect(month.debitsMinor).toBe(sum(inMonth.map((day) => day.debitsMinor)).toString());
        expect(month.creditsMinor).toBe(sum(inMonth.map((day) => day.creditsMinor)).toString());
      }
      expect(new Set(years.map((year) => year.period))).toEqual(
        new Set(months.map((month) => month.parent)),
      );
      for (const year of years) {
        const inYear = months.filter((month) => month.parent === year.period);
        expect(year.parent).toBe('-');
        expect(year.debitsMinor).toBe(sum(inYear.map((month) => month.debitsMinor)).toString());
        expect(year.creditsMinor).toBe(sum(inYear.map((month) => month.creditsMinor)).toString());
      }
    },
  );

  it('books one line document per line, summing to the account totals', () => {
    const lines = [...givenEvents(ledgerLinesProjection, events).values()].map((document) =>
      ledgerLinesProjection.document(document),
    );
    expect(lines).toHaveLength(lineCount);
    for (const code of codes) {
      const account = accountsProjection.document(accounts.get(code)!);
      const own = lines.filter((line) => line.account === code);
      const bySide = (side: string) =>
        sum(own.filter((line) => line.side === side).map((line) => line.amountMinor)).toString();
      expect({ code, debits: bySide('debit'), credits: bySide('credit') }).toEqual({
        code,
        debits: account.debitsMinor,
        credits: account.creditsMinor,
      });
    }
  });

  it('has one journal entry per posting, reversed exactly when a reversal was recorded', () => {
    const entries = givenEvents(journalEntriesProjection, events);
    expect(entries.size).toBe(postings);
    const reversed = [...entries.values()].filter((entry) => entry.status === 'reversed');
    expect(reversed).toHaveLength(reversals);
    expect(new Set(reversed.map((entry) => entry.id))).toEqual(
      new Set(
        events
          .filter((event) => event.type === 'JournalEntryReversed')
          .map((event) => event.data.entryId),
      ),
    );
  });
});

// --- annulments ------------------------------------------------------------------------------

describe('an annulment (a write stored after its period closed)', () => {
  const sale = [debit('1000', '10.00'), credit('4000', '10.00')];
  const other = [debit('1000', '2.50'), credit('4000', '2.50')];

  it('leaves every ledger read model as if the late posting had never been stored', () => {
    const log = ledgerLog();
    const before = [
      log.accountOpened('1000', 'EUR'),
      log.accountOpened('4000', 'EUR', { type: 'revenue' }),
      log.entryPosted('E1', '2026-03-10', other),
    ];
    const closed = log.periodClosed('2026-03');
    const late = log.entryPosted('E2', '2026-03-31', sale);
    const annulled = log.entryAnnulled('E2', closed, [
      { kind: 'posting', date: '2026-03-31', lines: sale },
    ]);
    for (const projection of ledgerProjections) {
      expect(givenEvents(projection, [...before, closed, late, annulled]), projection.name).toEqual(
        givenEvents(projection, [...before, closed]),
      );
    }
  });

  it('takes a late posting’s reversal back with it', () => {
    const log = ledgerLog();
    const opened = [log.accountOpened('1000', 'EUR'), log.accountOpened('4000', 'EUR')];
    const closed = log.periodClosed('2026-03');
    const late = log.entryPosted('E2', '2026-03-31', sale);
    const reversed = log.entryReversed('E2', '2026-04-02', 'dup', mirrored(sale));
    const annulled = log.entryAnnulled('E2', closed, [
      { kind: 'posting', date: '2026-03-31', lines: sale },
      { kind: 'reversal', date: '2026-04-02', lines: mirrored(sale) },
    ]);
    for (const projection of ledgerProjections) {
      expect(
        givenEvents(projection, [...opened, closed, late, reversed, annulled]),
        projection.name,
      ).toEqual(givenEvents(projection, [...opened, closed]));
    }
  });

  it('takes back a late reversal alone: the entry is posted again, its reversal gone', () => {
    const log = ledgerLog();
    const opened = [log.accountOpened('1000', 'EUR'), log.accountOpened('4000', 'EUR')];
    const posted = log.entryPosted('E1', '2026-03-10', sale);
    const closed = log.periodClosed('2026-04');
    const reversed = log.entryReversed('E1', '2026-04-02', 'dup', mirrored(sale));
    const annulled = log.entryAnnulled('E1', closed, [
      { kind: 'reversal', date: '2026-04-02', lines: mirrored(sale) },
    ]);
    const withAnnulment = [...opened, posted, closed, reversed, annulled];
    const withoutReversal = [...opened, posted, closed];
    for (const projection of [accountsProjection, ledgerLinesProjection, balancesProjection]) {
      expect(givenEvents(projection, withAnnulment), projection.name).toEqual(
        givenEvents(projection, withoutReversal),
      );
    }
    // The entry reads as posted, with the revision of its last event as ETag.
    given(journalEntriesProjection, withAnnulment).then('E1', {
      ...givenEvents(journalEntriesProjection, withoutReversal).get('E1')!,
      revision: 2,
    });
  });
});
