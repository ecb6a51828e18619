/**
 * The ledger projections of a fiscal year's close and reopen: the closing entries are booked like
 * postings (accounts, journal entries, general ledger lines, balances), reversed by the reopen,
 * and kept apart in `ledger_balances` as `closing` documents that the statements leave out.
 */
import { describe, expect, it } from 'vitest';
import type { ClosingEntry, LedgerEvent } from '../../../src/domain/ledger/events.js';
import { ledgerStreams } from '../../../src/domain/ledger/streams.js';
import {
  balancesProjection,
  journalEntriesProjection,
  ledgerLinesProjection,
} from '../../../src/projections/ledger/ledger-projections.js';
import type { RecordedEvent } from '../../../src/stores/event-store.js';
import { given } from '../given-events.js';

const entry: ClosingEntry = {
  entryId: 'closing:2025:EUR:1',
  currency: 'EUR',
  date: '2025-12-31',
  description: 'Year-end close 2025: revenue and expenses of EUR to retained earnings',
  netIncome: '60.00',
  lines: [
    { account: '4000', side: 'debit', amount: '100.00', currency: 'EUR' },
    { account: '6000', side: 'credit', amount: '40.00', currency: 'EUR' },
    { account: '30000', side: 'credit', amount: '60.00', currency: 'EUR' },
  ],
};

let position = 0n;
function onLock(event: LedgerEvent): RecordedEvent {
  position += 1n;
  return {
    id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
    type: event.type,
    streamId: ledgerStreams.periodLock,
    revision: position - 1n,
    position,
    data: { ...event.data },
    metadata: {},
    recordedAt: '2026-01-05T00:00:00.000Z',
  };
}

const closed = () =>
  onLock({ type: 'FiscalYearClosed', data: { year: '2025', close: 1, entries: [entry] } });
const reopened = () =>
  onLock({
    type: 'FiscalYearReopened',
    data: {
      year: '2025',
      reason: 'audit',
      entries: [
        {
          entryId: entry.entryId,
          date: entry.date,
          lines: entry.lines.map((line) => ({
            ...line,
            side: line.side === 'debit' ? ('credit' as const) : ('debit' as const),
          })),
        },
      ],
    },
  });

describe('a fiscal year close in the ledger projections', () => {
  it('shows each closing entry as a journal entry, reversed by the reopen', () => {
    position = 0n;
    const close = closed();
    given(journalEntriesProjection, [close]).thenDocuments({
      'closing:2025:EUR:1': {
        id: 'closing:2025:EUR:1',
        date: '2025-12-31',
        description: entry.description,
        status: 'posted',
        lines: [
          { account: '4000', debit: '100.00', currency: 'EUR' },
          { account: '6000', credit: '40.00', currency: 'EUR' },
          { account: '30000', credit: '60.00', currency: 'EUR' },
        ],
        reversal: null,
        revision: 0,
      },
    });
    given(journalEntriesProjection, [close, reopened()]).then('closing:2025:EUR:1', {
      id: 'closing:2025:EUR:1',
      date: '2025-12-31',
      description: entry.description,
      status: 'reversed',
      lines: [
        { account: '4000', debit: '100.00', currency: 'EUR' },
        { account: '6000', credit: '40.00', currency: 'EUR' },
        { account: '30000', credit: '60.00', currency: 'EUR' },
      ],
      reversal: { date: '2025-12-31', reason: 'audit' },
      revision: 1,
    });
  });

  it('books general ledger lines for the close and for the reopen', () => {
    position = 0n;
    const events = [closed(), reopened()];
    expect(ledgerLinesProjection.documentIds(events[1]!)).toContain('30000|closing:2025:EUR:1|r|2');
    given(ledgerLinesProjection, events)
      .then('30000|closing:2025:EUR:1|p|2', {
        account: '30000',
        entryId: 'closing:2025:EUR:1',
        kind: 'posting',
        date: '2025-12-31',
        description: entry.description,
        side: 'credit',
        amountMinor: '6000',
        currency: 'EUR',
        seq: expect.any(String),
      })
      .and('30000|closing:2025:EUR:1|r|2', {
        account: '30000',
        entryId: 'closing:2025:EUR:1',
        kind: 'reversal',
        date: '2025-12-31',
        description: 'Reversal: audit',
        side: 'debit',
        amountMinor: '6000',
        currency: 'EUR',
        seq: expect.any(String),
      });
  });

  it('adds to the year, month and day balances, and apart to the closing of the year', () => {
    position = 0n;
    const close = closed();
    expect(balancesProjection.documentIds(close)).toEqual(
      expect.arrayContaining(['4000|2025', '4000|2025-12', '4000|2025-12-31', '4000|closing:2025']),
    );
    given(balancesProjection, [close, reopened()])
      .then('4000|closing:2025', {
        account: '4000',
        currency: 'EUR',
        granularity: 'closing',
        period: '2025',
        parent: '-',
        debitsMinor: '10000',
        creditsMinor: '10000',
      })
      .and('30000|2025-12-31', {
        account: '30000',
        currency: 'EUR',
        granularity: 'day',
        period: '2025-12-31',
        parent: '2025-12',
        debitsMinor: '6000',
        creditsMinor: '6000',
      });
  });
});
