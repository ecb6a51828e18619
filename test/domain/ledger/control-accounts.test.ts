import { describe, expect, it } from 'vitest';
import type { AccountState } from '../../../src/domain/ledger/account.js';
import type {
  PostJournalEntry,
  RequestedLine,
  ReverseJournalEntry,
} from '../../../src/domain/ledger/commands.js';
import {
  controlAccountsOf,
  type ControlAccounts,
  type ControlAccountOwner,
} from '../../../src/domain/ledger/control-accounts.js';
import type { JournalEntryPosted } from '../../../src/domain/ledger/events.js';
import { journalEntryDecider } from '../../../src/domain/ledger/journal-entry.js';
import { givenWhenThen } from './given-when-then.js';

/** The declarations of the default modules: receivables, payroll and inventory. */
const controlAccounts: ControlAccounts = controlAccountsOf([
  {
    module: 'receivables',
    accounts: [{ code: '12000', inEveryCurrency: true, correction: 'record a payment' }],
  },
  {
    module: 'people',
    accounts: [{ code: '21000', inEveryCurrency: true, correction: 'pay the run' }],
  },
  {
    module: 'logistics',
    accounts: [{ code: '13000', inEveryCurrency: false, correction: 'adjust the stock' }],
  },
]);

describe('which accounts are control accounts', () => {
  it('names the owner of each declared code', () => {
    expect(controlAccounts('12000')).toEqual({
      module: 'receivables',
      correction: 'record a payment',
    });
    expect(controlAccounts('21000')?.module).toBe('people');
    expect(controlAccounts('13000')?.module).toBe('logistics');
  });

  it('owns the currency-suffixed codes of a module that posts in every currency', () => {
    expect(controlAccounts('12000-USD')?.module).toBe('receivables');
    expect(controlAccounts('12000-EUR')?.module).toBe('receivables');
    expect(controlAccounts('21000-JPY')?.module).toBe('people');
    // Stock is valued in the base currency only.
    expect(controlAccounts('13000-USD')).toBeUndefined();
  });

  it('leaves cash, revenue, look-alike codes and non-currency suffixes alone', () => {
    for (const code of ['10000', '40000', '20500', '120000', '12000-', '12000-XYZ', '12000-usd']) {
      expect(controlAccounts(code), code).toBeUndefined();
    }
  });

  it('refuses one account claimed by two modules', () => {
    expect(() =>
      controlAccountsOf([
        {
          module: 'receivables',
          accounts: [{ code: '12000', inEveryCurrency: true, correction: '' }],
        },
        {
          module: 'people',
          accounts: [{ code: '12000-USD', inEveryCurrency: false, correction: '' }],
        },
      ]),
    ).toThrow('Account 12000-USD is declared a control account by both receivables and people');
  });
});

function open(code: string, currency: string): AccountState {
  return { status: 'open', code, name: `Account ${code}`, type: 'asset', currency };
}

const chart = new Map<string, AccountState>(
  [
    ['10000', 'EUR'],
    ['12000', 'EUR'],
    ['12000-USD', 'USD'],
    ['10000-USD', 'USD'],
    ['13000', 'EUR'],
    ['21000', 'EUR'],
    ['40000', 'EUR'],
    ['60000', 'EUR'],
  ].map(([code, currency]) => [code!, open(code!, currency!)]),
);

/** The facts the command handler reads: every account named, and which are control accounts. */
const given = givenWhenThen(journalEntryDecider, {
  accounts: chart,
  closedPeriods: new Set<string>(),
  controlAccounts: new Map(
    [...chart.keys()].flatMap((code): [string, ControlAccountOwner][] => {
      const owner = controlAccounts(code);
      return owner ? [[code, owner]] : [];
    }),
  ),
});

function post(lines: RequestedLine[], subledger?: string): PostJournalEntry {
  return {
    type: 'PostJournalEntry',
    entryId: 'JE-1',
    date: '2026-03-15',
    description: 'Invoice INV-1 issued to ACME',
    lines,
    ...(subledger === undefined ? {} : { subledger }),
  };
}

function reverse(subledger?: string): ReverseJournalEntry {
  return {
    type: 'ReverseJournalEntry',
    entryId: 'JE-1',
    date: '2026-03-20',
    reason: 'Booked twice',
    ...(subledger === undefined ? {} : { subledger }),
  };
}

const invoicePosted: JournalEntryPosted = {
  type: 'JournalEntryPosted',
  data: {
    entryId: 'JE-1',
    date: '2026-03-15',
    description: 'Invoice INV-1 issued to ACME',
    lines: [
      { account: '12000', side: 'debit', amount: '100.00', currency: 'EUR' },
      { account: '40000', side: 'credit', amount: '100.00', currency: 'EUR' },
    ],
  },
};

describe('a manual journal entry', () => {
  it('is refused on a receivable account, naming it, its module and the way to correct it', () => {
    given([])
      .when(
        post([
          { account: '12000', debit: '100.00' },
          { account: '40000', credit: '100.00' },
        ]),
      )
      .thenRefuses({
        kind: 'conflict',
        code: 'ControlAccount',
        message:
          'Account 12000 is a control account of receivables: a journal entry booking to it cannot be made by hand, so that receivables and the account always agree. Correct it through receivables: record a payment',
      });
  });

  it('is refused on the receivable account of another currency', () => {
    given([])
      .when(
        post([
          { account: '10000-USD', debit: '5.00' },
          { account: '12000-USD', credit: '5.00' },
        ]),
      )
      .thenRefuses({ kind: 'conflict', code: 'ControlAccount', message: 'Account 12000-USD' });
  });

  it('is refused on inventory and on payroll liabilities', () => {
    given([])
      .when(
        post([
          { account: '13000', debit: '1.00' },
          { account: '10000', credit: '1.00' },
        ]),
      )
      .thenRefuses({ kind: 'conflict', code: 'ControlAccount', message: 'of logistics' });
    given([])
      .when(
        post([
          { account: '60000', debit: '1.00' },
          { account: '21000', credit: '1.00' },
        ]),
      )
      .thenRefuses({ kind: 'conflict', code: 'ControlAccount', message: 'of people' });
  });

  it('posts to cash and revenue', () => {
    given([])
      .when(
        post([
          { account: '10000', debit: '100.00' },
          { account: '40000', credit: '100.00' },
        ]),
      )
      .then([
        {
          type: 'JournalEntryPosted',
          data: {
            entryId: 'JE-1',
            date: '2026-03-15',
            description: 'Invoice INV-1 issued to ACME',
            lines: [
              { account: '10000', side: 'debit', amount: '100.00', currency: 'EUR' },
              { account: '40000', side: 'credit', amount: '100.00', currency: 'EUR' },
            ],
          },
        },
      ]);
  });

  it('is still told first what is wrong with its lines', () => {
    given([])
      .when(
        post([
          { account: '12000', debit: '100.00' },
          { account: '40000', credit: '99.00' },
        ]),
      )
      .thenRefuses({ kind: 'invalid', code: 'InvalidJournalEntry', issues: ['lines'] });
  });
});

describe('a subledger’s postings', () => {
  it('book its own control accounts', () => {
    given([])
      .when(
        post(
          [
            { account: '12000', debit: '100.00' },
            { account: '40000', credit: '100.00' },
          ],
          'receivables',
        ),
      )
      .then([invoicePosted]);
  });

  it('book no other module’s', () => {
    given([])
      .when(
        post(
          [
            { account: '13000', debit: '1.00' },
            { account: '12000', credit: '1.00' },
          ],
          'receivables',
        ),
      )
      .thenRefuses({
        kind: 'conflict',
        code: 'ControlAccount',
        message:
          'Account 13000 is a control account of logistics: a journal entry booking to it cannot be made by receivables',
      });
  });
});

describe('reversing an entry on a control account', () => {
  it('is refused by hand: the subledger posted it and takes it back', () => {
    given([invoicePosted]).when(reverse()).thenRefuses({
      kind: 'conflict',
      code: 'ControlAccount',
      message: 'the reversal of an entry booking to it cannot be made by hand',
    });
  });

  it('is the subledger’s own to make (a void)', () => {
    given([invoicePosted])
      .when(reverse('receivables'))
      .then([
        {
          type: 'JournalEntryReversed',
          data: {
            entryId: 'JE-1',
            date: '2026-03-20',
            reason: 'Booked twice',
            lines: [
              { account: '12000', side: 'credit', amount: '100.00', currency: 'EUR' },
              { account: '40000', side: 'debit', amount: '100.00', currency: 'EUR' },
            ],
          },
        },
      ]);
  });

  it('is refused to another subledger', () => {
    given([invoicePosted])
      .when(reverse('people'))
      .thenRefuses({ kind: 'conflict', code: 'ControlAccount', message: 'by people' });
  });
});
