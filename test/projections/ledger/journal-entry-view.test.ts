import { describe, expect, it } from 'vitest';
import { foldRecorded } from '../../../src/commands/read-state.js';
import type { LedgerEvent, PostedLine } from '../../../src/domain/ledger/events.js';
import { ledgerEventSchemas } from '../../../src/domain/ledger/events.js';
import { journalEntryDecider } from '../../../src/domain/ledger/journal-entry.js';
import {
  journalEntryView,
  journalEntryViewOf,
} from '../../../src/projections/ledger/journal-entry-view.js';
import type { RecordedEvent } from '../../../src/stores/event-store.js';

const lines: PostedLine[] = [
  { account: '1000', side: 'debit', amount: '10.00', currency: 'EUR' },
  { account: '4000', side: 'credit', amount: '10.00', currency: 'EUR' },
];
const mirrored: PostedLine[] = lines.map((line) => ({
  ...line,
  side: line.side === 'debit' ? 'credit' : 'debit',
}));

function recorded(events: readonly LedgerEvent[]): RecordedEvent[] {
  return events.map((event, index) => ({
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    type: event.type,
    streamId: 'journalEntry-JE-1',
    revision: BigInt(index),
    position: BigInt(index + 1),
    data: { ...event.data },
    metadata: {},
    recordedAt: '2026-03-15T00:00:00.000Z',
  }));
}

const posted: LedgerEvent = {
  type: 'JournalEntryPosted',
  data: { entryId: 'JE-1', date: '2026-03-15', description: 'Sale', lines },
};
const reversed = (reason: string): LedgerEvent => ({
  type: 'JournalEntryReversed',
  data: { entryId: 'JE-1', date: '2026-04-02', reason, lines: mirrored },
});
const reversalAnnulled: LedgerEvent = {
  type: 'JournalEntryAnnulled',
  data: {
    entryId: 'JE-1',
    period: '2026-04',
    closedAt: '7',
    reason: 'late',
    removed: [{ kind: 'reversal', date: '2026-04-02', lines: mirrored }],
  },
};

describe('a journal entry view from the entry state', () => {
  it('is the view the entry’s events give, whatever its revision field', () => {
    const stream = recorded([posted, reversed('first'), reversalAnnulled, reversed('second')]);
    for (let end = 1; end <= stream.length; end += 1) {
      const prefix = stream.slice(0, end);
      const state = foldRecorded(journalEntryDecider, ledgerEventSchemas, prefix);
      if (state.status === 'none') throw new Error('no entry');
      const { revision: _fromState, ...fromState } = journalEntryViewOf(state, 0n);
      const { revision: _fromEvents, ...fromEvents } = journalEntryView(prefix)!;
      expect(JSON.stringify(fromState)).toBe(JSON.stringify(fromEvents));
    }
  });
});
