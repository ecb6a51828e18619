/**
 * The year-end close, given/when/then: closing a fiscal year needs its twelve months closed and
 * books one closing entry per currency into retained earnings; reopening it reverses them; while
 * a year is closed none of its months (nor an earlier one) can be reopened.
 */
import { describe, expect, it } from 'vitest';
import type { AccountState } from '../../../src/domain/ledger/account.js';
import type {
  CloseFiscalYear,
  ReopenFiscalYear,
  ReopenPeriod,
} from '../../../src/domain/ledger/commands.js';
import type {
  ClosingEntry,
  FiscalYearClosed,
  FiscalYearReopened,
  LedgerEvent,
} from '../../../src/domain/ledger/events.js';
import { closingEntryId, isClosingEntryId } from '../../../src/domain/ledger/fiscal-year.js';
import { decideJournalEntry } from '../../../src/domain/ledger/journal-entry.js';
import { periodDecider } from '../../../src/domain/ledger/period.js';
import {
  fiscalYearDecider,
  type AccountMovement,
  type FiscalYearFacts,
} from '../../../src/domain/ledger/year-end-close.js';
import type { PeriodId } from '../../../src/domain/shared/dates.js';
import { DomainError } from '../../../src/domain/shared/errors.js';
import { givenWhenThen } from './given-when-then.js';

const equity = (code: string, currency: string): AccountState => ({
  status: 'open',
  code,
  name: 'Retained earnings',
  type: 'equity',
  currency,
});

const retainedEarnings = (currency: string) => {
  const code = currency === 'EUR' ? '30000' : `30000-${currency}`;
  return { code, state: equity(code, currency) };
};

const moved = (
  account: string,
  currency: string,
  debits: bigint,
  credits: bigint,
): AccountMovement => ({ account, currency, debits, credits });

/** Revenue 40000 earned 1000.00 and expense 60000 cost 400.00 in EUR in the year. */
const EUR_YEAR = [moved('40000', 'EUR', 5000n, 105000n), moved('60000', 'EUR', 40000n, 0n)];

const facts = (
  movement: readonly AccountMovement[] = EUR_YEAR,
  more: Partial<FiscalYearFacts> = {},
): FiscalYearFacts => ({ movement, retainedEarnings, ...more });

const given = (events: readonly LedgerEvent[], withFacts: FiscalYearFacts = facts()) =>
  givenWhenThen(fiscalYearDecider, withFacts)(events);

const closeYear = (year: string): CloseFiscalYear => ({ type: 'CloseFiscalYear', year });
const reopenYear = (year: string, reason = 'audit adjustment'): ReopenFiscalYear => ({
  type: 'ReopenFiscalYear',
  year,
  reason,
});
const monthClosed = (period: string): LedgerEvent => ({ type: 'PeriodClosed', data: { period } });
const monthReopened = (period: string): LedgerEvent => ({
  type: 'PeriodReopened',
  data: { period, reason: 'late invoice' },
});

const eurClosing = (year: string, close = 1): ClosingEntry => ({
  entryId: `closing:${year}:EUR:${close}`,
  currency: 'EUR',
  date: `${year}-12-31`,
  description: `Year-end close ${year}: revenue and expenses of EUR to retained earnings`,
  netIncome: '600.00',
  lines: [
    { account: '40000', side: 'debit', amount: '1000.00', currency: 'EUR' },
    { account: '60000', side: 'credit', amount: '400.00', currency: 'EUR' },
    { account: '30000', side: 'credit', amount: '600.00', currency: 'EUR' },
  ],
});

const yearClosed = (year: string, entries = [eurClosing(year)], close = 1): FiscalYearClosed => ({
  type: 'FiscalYearClosed',
  data: { year, close, entries },
});

const yearReopened = (year: string, entries = [eurClosing(year)]): FiscalYearReopened => ({
  type: 'FiscalYearReopened',
  data: {
    year,
    reason: 'audit adjustment',
    entries: entries.map((entry) => ({
      entryId: entry.entryId,
      date: entry.date,
      lines: entry.lines.map((line) => ({
        ...line,
        side: line.side === 'debit' ? ('credit' as const) : ('debit' as const),
      })),
    })),
  },
});

describe('closing a fiscal year', () => {
  it('moves each revenue and expense account of the year to retained earnings, dated December 31', () => {
    given([monthClosed('2025-12')])
      .when(closeYear('2025'))
      .then([yearClosed('2025')]);
  });

  it('needs all twelve months closed: the lock date on or after December 31', () => {
    given([monthClosed('2025-11')])
      .when(closeYear('2025'))
      .thenRefuses({ kind: 'conflict', code: 'FiscalYearMonthsOpen', message: '2025-11-30' });
    given([])
      .when(closeYear('2025'))
      .thenRefuses({ kind: 'conflict', code: 'FiscalYearMonthsOpen', message: 'no month' });
    given([monthClosed('2026-02'), monthReopened('2025-12')])
      .when(closeYear('2025'))
      .thenRefuses({ kind: 'conflict', code: 'FiscalYearMonthsOpen' });
  });

  it('counts the months closed before the lock stream (the legacy lock)', () => {
    given([], facts(EUR_YEAR, { legacyLockedThrough: '2026-01' as PeriodId }))
      .when(closeYear('2025'))
      .then([yearClosed('2025')]);
  });

  it('refuses a year already closed, and one that is not YYYY of 1900 on', () => {
    given([monthClosed('2025-12'), yearClosed('2025')])
      .when(closeYear('2025'))
      .thenRefuses({ kind: 'conflict', code: 'FiscalYearAlreadyClosed' });
    for (const year of ['1899', '25', '2025-12', 'abcd', '20255']) {
      given([monthClosed('2025-12')])
        .when(closeYear(year))
        .thenRefuses({ kind: 'invalid', code: 'InvalidFiscalYear', issues: ['year'] });
    }
  });

  it('books one entry per currency, a loss as a debit of retained earnings, nothing for a currency that did not move', () => {
    const movement = [
      ...EUR_YEAR,
      moved('40000-JPY', 'JPY', 0n, 1000n),
      moved('60000-JPY', 'JPY', 2500n, 0n),
      // Posted and reversed within the year: nothing to move.
      moved('41000-USD', 'USD', 700n, 700n),
    ];
    const [event] = fiscalYearDecider.decide(
      closeYear('2025'),
      [monthClosed('2025-12')].reduce(fiscalYearDecider.evolve, fiscalYearDecider.initialState),
      facts(movement),
    );
    expect(event).toEqual(
      yearClosed('2025', [
        eurClosing('2025'),
        {
          entryId: 'closing:2025:JPY:1',
          currency: 'JPY',
          date: '2025-12-31',
          description: 'Year-end close 2025: revenue and expenses of JPY to retained earnings',
          netIncome: '-1500',
          lines: [
            { account: '40000-JPY', side: 'debit', amount: '1000', currency: 'JPY' },
            { account: '60000-JPY', side: 'credit', amount: '2500', currency: 'JPY' },
            { account: '30000-JPY', side: 'debit', amount: '1500', currency: 'JPY' },
          ],
        },
      ]),
    );
  });

  it('needs no retained earnings line when revenue equals expenses, and no entry when nothing moved', () => {
    const even = [moved('40000', 'EUR', 0n, 500n), moved('60000', 'EUR', 500n, 0n)];
    const [event] = fiscalYearDecider.decide(
      closeYear('2025'),
      fiscalYearDecider.evolve(fiscalYearDecider.initialState, monthClosed('2025-12')),
      facts(even, {
        retainedEarnings: () => {
          throw new Error('no retained earnings account is needed');
        },
      }),
    );
    expect(event?.type === 'FiscalYearClosed' && event.data.entries[0]?.lines).toEqual([
      { account: '40000', side: 'debit', amount: '5.00', currency: 'EUR' },
      { account: '60000', side: 'credit', amount: '5.00', currency: 'EUR' },
    ]);
    given([monthClosed('2025-12')], facts([]))
      .when(closeYear('2025'))
      .then([yearClosed('2025', [])]);
  });

  it('refuses when a currency has no open equity account to take its net income', () => {
    const none = (currency: string) => ({
      code: `30000-${currency}`,
      state: { status: 'none' } as const,
    });
    given([monthClosed('2025-12')], facts(EUR_YEAR, { retainedEarnings: none }))
      .when(closeYear('2025'))
      .thenRefuses({ kind: 'conflict', code: 'PostingAccountMissing', message: '30000-EUR' });
    const asset = (currency: string) => ({
      code: '30000',
      state: { ...equity('30000', currency), type: 'asset' } as const,
    });
    given([monthClosed('2025-12')], facts(EUR_YEAR, { retainedEarnings: asset }))
      .when(closeYear('2025'))
      .thenRefuses({ kind: 'conflict', code: 'PostingAccountMissing', message: 'equity' });
  });

  it('closes a reopened year again under new entry ids', () => {
    given([monthClosed('2025-12'), yearClosed('2025'), yearReopened('2025')])
      .when(closeYear('2025'))
      .then([yearClosed('2025', [eurClosing('2025', 2)], 2)]);
    expect(closingEntryId('2025', 'EUR', 2)).toBe('closing:2025:EUR:2');
  });
});

describe('reopening a fiscal year', () => {
  it('reverses its closing entries on their own date, with the reason', () => {
    given([monthClosed('2025-12'), yearClosed('2025')])
      .when(reopenYear('2025'))
      .then([yearReopened('2025')]);
  });

  it('refuses a year not closed, or closed and reopened since', () => {
    given([monthClosed('2025-12')])
      .when(reopenYear('2025'))
      .thenRefuses({ kind: 'conflict', code: 'FiscalYearNotClosed' });
    given([monthClosed('2025-12'), yearClosed('2025'), yearReopened('2025')])
      .when(reopenYear('2025'))
      .thenRefuses({ kind: 'conflict', code: 'FiscalYearNotClosed' });
    given([])
      .when(reopenYear('1899'))
      .thenRefuses({ kind: 'invalid', code: 'InvalidFiscalYear', issues: ['year'] });
  });

  it('refuses while a later year is closed: the latest is reopened first', () => {
    const both = [monthClosed('2026-12'), yearClosed('2025'), yearClosed('2026')];
    given(both)
      .when(reopenYear('2025'))
      .thenRefuses({ kind: 'conflict', code: 'FiscalYearClosed', message: '2026' });
    given(both)
      .when(reopenYear('2026'))
      .then([yearReopened('2026')]);
  });
});

describe('reopening a month of a closed year', () => {
  const givenPeriod = givenWhenThen(periodDecider, { today: '2026-11-15' });
  const reopenMonth = (period: string): ReopenPeriod => ({
    type: 'ReopenPeriod',
    period,
    reason: 'late invoice',
  });

  it('is refused while the year is closed, and allowed once it is reopened', () => {
    givenPeriod([monthClosed('2026-03'), yearClosed('2025')])
      .when(reopenMonth('2025-07'))
      .thenRefuses({ kind: 'conflict', code: 'FiscalYearClosed', message: 'reopen the year' });
    givenPeriod([monthClosed('2026-03'), yearClosed('2025'), yearReopened('2025')])
      .when(reopenMonth('2025-07'))
      .then([{ type: 'PeriodReopened', data: { period: '2025-07', reason: 'late invoice' } }]);
  });

  it('is refused for an earlier month too (it reopens the closed year with it), not for a later one', () => {
    givenPeriod([monthClosed('2026-03'), yearClosed('2025')])
      .when(reopenMonth('2024-11'))
      .thenRefuses({ kind: 'conflict', code: 'FiscalYearClosed', message: '2025' });
    givenPeriod([monthClosed('2026-03'), yearClosed('2025')])
      .when(reopenMonth('2026-01'))
      .then([{ type: 'PeriodReopened', data: { period: '2026-01', reason: 'late invoice' } }]);
  });

  it('leaves the lock date where it was: closing and reopening a year moves no month', () => {
    const state = [monthClosed('2025-12'), yearClosed('2025'), yearReopened('2025')].reduce(
      periodDecider.evolve,
      periodDecider.initialState,
    );
    expect(state.lockedThrough).toBe('2025-12');
    expect(state.fiscalYears.get('2025')).toMatchObject({ status: 'reopened', closes: 1 });
  });
});

describe('closing entry ids', () => {
  const postingFacts = {
    accounts: new Map(),
    closedPeriods: new Set<string>(),
    controlAccounts: new Map(),
  };

  it('cannot be taken by a posting, nor reversed by hand', () => {
    expect(isClosingEntryId('closing:2025:EUR:1')).toBe(true);
    const post = () =>
      decideJournalEntry(
        {
          type: 'PostJournalEntry',
          entryId: 'closing:2025:EUR:1',
          date: '2026-01-05',
          description: 'x',
          lines: [],
        },
        { status: 'none' },
        postingFacts,
      );
    expect(post).toThrow(DomainError);
    expect(() => post()).toThrow(/kept for year-end closing entries/);
    const reverse = () =>
      decideJournalEntry(
        {
          type: 'ReverseJournalEntry',
          entryId: 'closing:2025:EUR:1',
          date: '2026-01-05',
          reason: 'x',
        },
        { status: 'none' },
        postingFacts,
      );
    try {
      reverse();
      expect.unreachable('a closing entry was reversed by hand');
    } catch (error) {
      expect((error as DomainError).refusal).toMatchObject({
        kind: 'conflict',
        code: 'ClosingEntry',
      });
    }
  });
});
