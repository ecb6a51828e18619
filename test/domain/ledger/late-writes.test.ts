/**
 * A posting, or a reversal, that reached the log after its period's close (a close and a
 * posting racing on two instances) never counts: AnnulLateWrites takes back what it booked.
 */
import { describe, expect, it } from 'vitest';
import type { AnnulLateWrites } from '../../../src/domain/ledger/commands.js';
import type {
  LedgerEvent,
  JournalEntryAnnulled,
  JournalEntryReversed,
} from '../../../src/domain/ledger/events.js';
import {
  evolveJournalEntry,
  initialJournalEntryState,
  journalEntryDecider,
  lateWritesDecider,
  type JournalEntryFacts,
} from '../../../src/domain/ledger/journal-entry.js';
import type { LateWrites } from '../../../src/domain/ledger/posting-rules.js';
import { givenWhenThen } from './given-when-then.js';
import { salePosted, saleReversed } from './ledger-fixtures.js';

const posted = salePosted;
// Reversed in April: a period of its own, closed or not.
const reversed: JournalEntryReversed = {
  ...saleReversed,
  data: { ...saleReversed.data, date: '2026-04-02' },
};

const march = { period: '2026-03', closedAt: 40n };
const april = { period: '2026-04', closedAt: 90n };
const storedReversal = { date: reversed.data.date, lines: reversed.data.lines };
const annul: AnnulLateWrites = { type: 'AnnulLateWrites', entryId: 'JE-1' };

const given = (late: LateWrites, events: readonly LedgerEvent[] = []) =>
  givenWhenThen(lateWritesDecider, late)(events);

function annulled(
  cause: { period: string; closedAt: bigint },
  removed: JournalEntryAnnulled['data']['removed'],
): JournalEntryAnnulled {
  return {
    type: 'JournalEntryAnnulled',
    data: {
      entryId: 'JE-1',
      period: cause.period,
      closedAt: cause.closedAt.toString(),
      reason: `Stored after period ${cause.period} was closed, by a request on another instance`,
      removed,
    },
  };
}

const postingRemoved = {
  kind: 'posting' as const,
  date: posted.data.date,
  lines: posted.data.lines,
};
const reversalRemoved = {
  kind: 'reversal' as const,
  date: reversed.data.date,
  lines: reversed.data.lines,
};

describe('annulling late writes', () => {
  it('takes back a posting stored after its period closed', () => {
    given({ postingLate: march }, [posted])
      .when(annul)
      .then([annulled(march, [postingRemoved])]);
  });

  it('takes back a late posting’s reversal with it, even one stored in time', () => {
    given({ postingLate: march, reversal: storedReversal }, [posted, reversed])
      .when(annul)
      .then([annulled(march, [postingRemoved, reversalRemoved])]);
  });

  it('takes back only the reversal when the reversal alone came late', () => {
    given({ reversal: { ...storedReversal, late: april } }, [posted, reversed])
      .when(annul)
      .then([annulled(april, [reversalRemoved])]);
  });

  it('does nothing when nothing came late, or when it was taken back already', () => {
    givenWhenThen(lateWritesDecider, {})([posted, reversed]).when(annul).then([]);
    givenWhenThen(lateWritesDecider, { postingLate: march })([
      posted,
      annulled(march, [postingRemoved]),
    ])
      .when(annul)
      .then([]);
    givenWhenThen(lateWritesDecider, { reversal: { ...storedReversal, late: april } })([
      posted,
      reversed,
      annulled(april, [reversalRemoved]),
    ])
      .when(annul)
      .then([]);
  });

  it('has nothing to take back from an entry that was never posted', () => {
    given({ postingLate: march }).when(annul).then([]);
  });
});

describe('an annulled entry', () => {
  const facts: JournalEntryFacts = {
    controlAccounts: new Map(),
    accounts: new Map([
      ['1000', { status: 'open', code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' }],
      ['4000', { status: 'open', code: '4000', name: 'Sales', type: 'revenue', currency: 'EUR' }],
    ]),
    closedPeriods: new Set(),
  };
  const entry = givenWhenThen(journalEntryDecider, facts);

  it('cannot be reversed: it never counted', () => {
    entry([posted, annulled(march, [postingRemoved])])
      .when({ type: 'ReverseJournalEntry', entryId: 'JE-1', date: '2026-04-02', reason: 'x' })
      .thenRefuses({ kind: 'conflict', code: 'JournalEntryAnnulled' });
  });

  it('is posted again once a late reversal alone is taken back, and can then be reversed', () => {
    const state = [posted, reversed, annulled(april, [reversalRemoved])].reduce(
      evolveJournalEntry,
      initialJournalEntryState,
    );
    expect(state).toMatchObject({ status: 'posted' });
    entry([posted, reversed, annulled(april, [reversalRemoved])])
      .when({ type: 'ReverseJournalEntry', entryId: 'JE-1', date: '2026-05-02', reason: 'again' })
      .then([{ ...reversed, data: { ...reversed.data, date: '2026-05-02', reason: 'again' } }]);
  });

  it('may be posted again under its id, once its period is open: the posting never counted', () => {
    entry([posted, annulled(march, [postingRemoved])])
      .when({
        type: 'PostJournalEntry',
        entryId: 'JE-1',
        date: '2026-05-02',
        description: 'again',
        lines: [
          { account: '1000', debit: '100.00' },
          { account: '4000', credit: '100.00' },
        ],
      })
      .then([{ ...posted, data: { ...posted.data, date: '2026-05-02', description: 'again' } }]);
  });

  it('is refused as a duplicate while its posting still counts', () => {
    entry([posted, reversed, annulled(april, [reversalRemoved])])
      .when({
        type: 'PostJournalEntry',
        entryId: 'JE-1',
        date: '2026-05-02',
        description: 'again',
        lines: [
          { account: '1000', debit: '1' },
          { account: '4000', credit: '1' },
        ],
      })
      .thenRefuses({ kind: 'conflict', code: 'JournalEntryAlreadyExists' });
  });
});
