/** The journal entry the ledger's decider specs share: a cash sale, and its reversal. */
import type {
  JournalEntryPosted,
  JournalEntryReversed,
} from '../../../src/domain/ledger/events.js';

export const salePosted: JournalEntryPosted = {
  type: 'JournalEntryPosted',
  data: {
    entryId: 'JE-1',
    date: '2026-03-15',
    description: 'Cash sale',
    lines: [
      { account: '1000', side: 'debit', amount: '100.00', currency: 'EUR' },
      { account: '4000', side: 'credit', amount: '100.00', currency: 'EUR' },
    ],
  },
};

export const saleReversed: JournalEntryReversed = {
  type: 'JournalEntryReversed',
  data: {
    entryId: 'JE-1',
    date: '2026-03-20',
    reason: 'Booked twice',
    lines: [
      { account: '1000', side: 'credit', amount: '100.00', currency: 'EUR' },
      { account: '4000', side: 'debit', amount: '100.00', currency: 'EUR' },
    ],
  },
};
