import { describe, expect, it } from 'vitest';
import type { AccountState } from '../../../src/domain/ledger/account.js';
import type {
  PostJournalEntry,
  RequestedLine,
  ReverseJournalEntry,
} from '../../../src/domain/ledger/commands.js';
import { ledgerEventSchemas, type JournalEntryPosted } from '../../../src/domain/ledger/events.js';
import {
  decideJournalEntry,
  evolveJournalEntry,
  initialJournalEntryState,
  journalEntryDecider,
  type JournalEntryFacts,
} from '../../../src/domain/ledger/journal-entry.js';
import { givenWhenThen } from './given-when-then.js';
import { salePosted, saleReversed } from './ledger-fixtures.js';

function open(code: string, currency: string): AccountState {
  return { status: 'open', code, name: `Account ${code}`, type: 'asset', currency };
}

const chart = new Map<string, AccountState>([
  ['1000', open('1000', 'EUR')],
  ['4000', open('4000', 'EUR')],
  ['6000', open('6000', 'EUR')],
  ['1100', open('1100', 'USD')],
  ['4100', open('4100', 'USD')],
  ['1200', open('1200', 'JPY')],
  ['4200', open('4200', 'JPY')],
  ['1300', open('1300', 'KWD')],
  ['4300', open('4300', 'KWD')],
]);

function facts(
  options: { closedPeriods?: string[]; accounts?: ReadonlyMap<string, AccountState> } = {},
): JournalEntryFacts {
  // No control accounts here: test/domain/ledger/control-accounts.test.ts has those rules.
  return {
    accounts: options.accounts ?? chart,
    closedPeriods: new Set(options.closedPeriods ?? []),
    controlAccounts: new Map(),
  };
}

/** given/when/then for one journal entry stream, deciding against the given outside facts. */
function journal(ledgerFacts: JournalEntryFacts = facts()) {
  return givenWhenThen(journalEntryDecider, ledgerFacts);
}
const given = journal();

function post(lines: RequestedLine[], overrides: Partial<PostJournalEntry> = {}): PostJournalEntry {
  return {
    type: 'PostJournalEntry',
    entryId: 'JE-1',
    date: '2026-03-15',
    description: 'Cash sale',
    lines,
    ...overrides,
  };
}

function reverse(overrides: Partial<ReverseJournalEntry> = {}): ReverseJournalEntry {
  return {
    type: 'ReverseJournalEntry',
    entryId: 'JE-1',
    date: '2026-03-20',
    reason: 'Booked twice',
    ...overrides,
  };
}

const saleLines: RequestedLine[] = [
  { account: '1000', debit: '100' },
  { account: '4000', credit: '100.0' },
];

describe('posting a journal entry', () => {
  it('posts a balanced entry with normalised amounts and the currency of each line', () => {
    given([]).when(post(saleLines)).then([salePosted]);
  });

  it('posts amounts in the format of each account’s currency', () => {
    given([])
      .when(
        post([
          { account: '1300', debit: '1.5' },
          { account: '4300', credit: '1.500' },
          { account: '1200', debit: '500' },
          { account: '4200', credit: '500' },
        ]),
      )
      .then([
        {
          type: 'JournalEntryPosted',
          data: {
            ...salePosted.data,
            lines: [
              { account: '1300', side: 'debit', amount: '1.500', currency: 'KWD' },
              { account: '4300', side: 'credit', amount: '1.500', currency: 'KWD' },
              { account: '1200', side: 'debit', amount: '500', currency: 'JPY' },
              { account: '4200', side: 'credit', amount: '500', currency: 'JPY' },
            ],
          },
        },
      ]);
  });

  it('posts an entry of many lines that balances exactly', () => {
    given([])
      .when(
        post([
          { account: '1000', debit: '33.33' },
          { account: '1000', debit: '33.33' },
          { account: '6000', debit: '33.34' },
          { account: '4000', credit: '99.99' },
          { account: '4000', credit: '0.01' },
        ]),
      )
      .then([
        {
          type: 'JournalEntryPosted',
          data: {
            ...salePosted.data,
            lines: [
              { account: '1000', side: 'debit', amount: '33.33', currency: 'EUR' },
              { account: '1000', side: 'debit', amount: '33.33', currency: 'EUR' },
              { account: '6000', side: 'debit', amount: '33.34', currency: 'EUR' },
              { account: '4000', side: 'credit', amount: '99.99', currency: 'EUR' },
              { account: '4000', side: 'credit', amount: '0.01', currency: 'EUR' },
            ],
          },
        },
      ]);
  });

  it('posts amounts beyond float precision exactly', () => {
    given([])
      .when(
        post([
          { account: '1000', debit: '123456789012345678.91' },
          { account: '4000', credit: '123456789012345678.90' },
          { account: '4000', credit: '0.01' },
        ]),
      )
      .then([
        {
          type: 'JournalEntryPosted',
          data: {
            ...salePosted.data,
            lines: [
              { account: '1000', side: 'debit', amount: '123456789012345678.91', currency: 'EUR' },
              { account: '4000', side: 'credit', amount: '123456789012345678.90', currency: 'EUR' },
              { account: '4000', side: 'credit', amount: '0.01', currency: 'EUR' },
            ],
          },
        },
      ]);
  });

  it('emits events that match the stored event schema', () => {
    const events = decideJournalEntry(post(saleLines), initialJournalEntryState, facts());
    for (const event of events) {
      expect(() => ledgerEventSchemas[event.type].parse(event.data)).not.toThrow();
    }
  });

  it.each([
    ['no lines', []],
    ['one line', [{ account: '1000', debit: '100' }]],
  ])('refuses an entry with %s', (_name, lines: RequestedLine[]) => {
    given([])
      .when(post(lines))
      .thenRefuses({ kind: 'invalid', code: 'InvalidJournalEntry', issues: ['lines'] });
  });

  it('refuses a line with both debit and credit', () => {
    given([])
      .when(
        post([
          { account: '1000', debit: '100' },
          { account: '4000', debit: '100', credit: '100' },
        ]),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidJournalEntry',
        issues: ['lines[1]'],
        message: 'exactly one of debit or credit',
      });
  });

  it('refuses a line with neither debit nor credit', () => {
    given([])
      .when(post([{ account: '1000' }, { account: '4000', credit: '100' }]))
      .thenRefuses({ kind: 'invalid', code: 'InvalidJournalEntry', issues: ['lines[0]'] });
  });

  it('refuses a line on an unknown account', () => {
    given([])
      .when(
        post([
          { account: '1000', debit: '100' },
          { account: '9999', credit: '100' },
        ]),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidJournalEntry',
        issues: ['lines[1].account'],
        message: 'account 9999 does not exist',
      });
  });

  it('treats an account whose state is "none" as not existing', () => {
    const accounts = new Map(chart).set('4000', { status: 'none' });
    journal(facts({ accounts }))([])
      .when(post(saleLines))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidJournalEntry',
        issues: ['lines[1].account'],
        message: 'account 4000 does not exist',
      });
  });

  it('refuses a line on an account whose currency is not bookable', () => {
    const accounts = new Map(chart).set('4000', open('4000', 'XAU'));
    journal(facts({ accounts }))([])
      .when(post(saleLines))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidJournalEntry',
        issues: ['lines[1].account'],
        message: 'unknown currency XAU',
      });
  });

  it('refuses more decimals than the account’s currency has', () => {
    given([])
      .when(
        post([
          { account: '1000', debit: '100.001' },
          { account: '4000', credit: '100.001' },
        ]),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidJournalEntry',
        issues: ['lines[0].debit', 'lines[1].credit'],
        message: 'EUR amounts take at most 2 decimals',
      });
  });

  it('refuses decimals on a currency without minor units', () => {
    given([])
      .when(
        post([
          { account: '1200', debit: '1.5' },
          { account: '4200', credit: '1.5' },
        ]),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidJournalEntry',
        issues: ['lines[0].debit', 'lines[1].credit'],
        message: 'JPY amounts take no decimals',
      });
  });

  it('refuses an amount that is not a decimal', () => {
    given([])
      .when(
        post([
          { account: '1000', debit: '1e2' },
          { account: '4000', credit: '100' },
        ]),
      )
      .thenRefuses({ kind: 'invalid', code: 'InvalidJournalEntry', issues: ['lines[0].debit'] });
  });

  it.each(['0', '0.00', '-0', '-100'])('refuses the amount %j: not positive', (amount) => {
    given([])
      .when(
        post([
          { account: '1000', debit: amount },
          { account: '4000', credit: amount },
        ]),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidJournalEntry',
        issues: ['lines[0].debit', 'lines[1].credit'],
        message: 'must be a positive amount',
      });
  });

  it('refuses an entry that does not balance', () => {
    given([])
      .when(
        post([
          { account: '1000', debit: '100' },
          { account: '4000', credit: '99.99' },
        ]),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidJournalEntry',
        issues: ['lines'],
        message: 'EUR does not balance: debits 100.00, credits 99.99',
      });
  });

  it('refuses an entry off by one minor unit of a three-decimal currency', () => {
    given([])
      .when(
        post([
          { account: '1300', debit: '1' },
          { account: '4300', credit: '0.999' },
        ]),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidJournalEntry',
        issues: ['lines'],
        message: 'KWD does not balance: debits 1.000, credits 0.999',
      });
  });

  it('posts a multi-currency entry that balances in each currency', () => {
    given([])
      .when(
        post([
          { account: '1000', debit: '100' },
          { account: '1100', debit: '50.25' },
          { account: '4100', credit: '50.25' },
          { account: '4000', credit: '100' },
        ]),
      )
      .then([
        {
          type: 'JournalEntryPosted',
          data: {
            ...salePosted.data,
            lines: [
              { account: '1000', side: 'debit', amount: '100.00', currency: 'EUR' },
              { account: '1100', side: 'debit', amount: '50.25', currency: 'USD' },
              { account: '4100', side: 'credit', amount: '50.25', currency: 'USD' },
              { account: '4000', side: 'credit', amount: '100.00', currency: 'EUR' },
            ],
          },
        },
      ]);
  });

  it('refuses a multi-currency entry that balances only in total', () => {
    const refusal = given([])
      .when(
        post([
          { account: '1000', debit: '100' },
          { account: '4100', credit: '100' },
        ]),
      )
      .thenRefuses({ kind: 'invalid', code: 'InvalidJournalEntry', issues: ['lines', 'lines'] });
    expect(refusal.message).toContain('EUR does not balance: debits 100.00, credits 0.00');
    expect(refusal.message).toContain('USD does not balance: debits 0.00, credits 100.00');
  });

  it.each(['2026-02-29', '2026-13-01', '15.03.2026', '2026-03-15T00:00:00Z', ''])(
    'refuses the date %j',
    (date) => {
      given([])
        .when(post(saleLines, { date }))
        .thenRefuses({ kind: 'invalid', code: 'InvalidJournalEntry', issues: ['date'] });
    },
  );

  it('reports every invalid part at once', () => {
    given([])
      .when(
        post(
          [
            { account: '9999', debit: '100' },
            { account: '4000' },
            { account: '1000', credit: 'ten' },
          ],
          { date: '2026-04-31' },
        ),
      )
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidJournalEntry',
        issues: ['date', 'lines[0].account', 'lines[1]', 'lines[2].credit'],
      });
  });

  it('refuses to post into a closed period', () => {
    journal(facts({ closedPeriods: ['2026-03'] }))([])
      .when(post(saleLines, { date: '2026-03-31' }))
      .thenRefuses({ kind: 'conflict', code: 'PeriodClosed', message: '2026-03' });
  });

  it('posts into the open period next to a closed one', () => {
    journal(facts({ closedPeriods: ['2026-03', '2026-05'] }))([])
      .when(post(saleLines, { date: '2026-04-01' }))
      .then([{ ...salePosted, data: { ...salePosted.data, date: '2026-04-01' } }]);
  });

  it('refuses an entry id that is already posted', () => {
    given([salePosted])
      .when(post(saleLines))
      .thenRefuses({ kind: 'conflict', code: 'JournalEntryAlreadyExists', message: 'JE-1' });
  });

  it('refuses an entry id that was posted and reversed', () => {
    given([salePosted, saleReversed])
      .when(post(saleLines))
      .thenRefuses({ kind: 'conflict', code: 'JournalEntryAlreadyExists' });
  });
});

describe('reversing a journal entry', () => {
  it('books the mirrored lines, dated by the command', () => {
    given([salePosted]).when(reverse()).then([saleReversed]);
  });

  it('mirrors every line of a multi-currency entry, keeping amounts and currencies', () => {
    const posted: JournalEntryPosted = {
      type: 'JournalEntryPosted',
      data: {
        ...salePosted.data,
        lines: [
          { account: '1000', side: 'debit', amount: '100.00', currency: 'EUR' },
          { account: '1300', side: 'credit', amount: '1.250', currency: 'KWD' },
          { account: '4300', side: 'debit', amount: '1.250', currency: 'KWD' },
          { account: '4000', side: 'credit', amount: '100.00', currency: 'EUR' },
        ],
      },
    };
    given([posted])
      .when(reverse({ date: '2026-04-02', reason: 'Wrong customer' }))
      .then([
        {
          type: 'JournalEntryReversed',
          data: {
            entryId: 'JE-1',
            date: '2026-04-02',
            reason: 'Wrong customer',
            lines: [
              { account: '1000', side: 'credit', amount: '100.00', currency: 'EUR' },
              { account: '1300', side: 'debit', amount: '1.250', currency: 'KWD' },
              { account: '4300', side: 'credit', amount: '1.250', currency: 'KWD' },
              { account: '4000', side: 'debit', amount: '100.00', currency: 'EUR' },
            ],
          },
        },
      ]);
  });

  it('may be dated the same day as the entry', () => {
    given([salePosted])
      .when(reverse({ date: '2026-03-15' }))
      .then([{ ...saleReversed, data: { ...saleReversed.data, date: '2026-03-15' } }]);
  });

  it('emits an event that matches the stored event schema', () => {
    const [event] = decideJournalEntry(
      reverse(),
      evolveJournalEntry(initialJournalEntryState, salePosted),
      facts(),
    );
    expect(event?.type).toBe('JournalEntryReversed');
    expect(() => ledgerEventSchemas.JournalEntryReversed.parse(event?.data)).not.toThrow();
  });

  it('refuses to reverse an entry twice', () => {
    given([salePosted, saleReversed])
      .when(reverse({ date: '2026-03-25' }))
      .thenRefuses({ kind: 'conflict', code: 'JournalEntryAlreadyReversed', message: 'JE-1' });
  });

  it('refuses to reverse an entry that does not exist', () => {
    given([])
      .when(reverse())
      .thenRefuses({ kind: 'not_found', code: 'JournalEntryNotFound', message: 'JE-1' });
  });

  it('refuses a reversal dated before the entry', () => {
    given([salePosted])
      .when(reverse({ date: '2026-03-14' }))
      .thenRefuses({
        kind: 'invalid',
        code: 'InvalidReversal',
        issues: ['date'],
        message: '2026-03-15',
      });
  });

  it('refuses a reversal dated in an earlier year', () => {
    given([salePosted])
      .when(reverse({ date: '2025-12-31' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidReversal', issues: ['date'] });
  });

  it.each(['2026-02-30', '2026-3-20', '20260320', ''])('refuses the reversal date %j', (date) => {
    given([salePosted])
      .when(reverse({ date }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidReversal', issues: ['date'] });
  });

  it('refuses a reversal into a closed period', () => {
    journal(facts({ closedPeriods: ['2026-03'] }))([salePosted])
      .when(reverse({ date: '2026-03-20' }))
      .thenRefuses({ kind: 'conflict', code: 'PeriodClosed', message: '2026-03' });
  });

  it('reverses an entry of a closed period into the next open one', () => {
    journal(facts({ closedPeriods: ['2026-03'] }))([salePosted])
      .when(reverse({ date: '2026-04-01' }))
      .then([{ ...saleReversed, data: { ...saleReversed.data, date: '2026-04-01' } }]);
  });

  it('refuses a reversal onto an account that is no longer open', () => {
    const accounts = new Map(chart);
    accounts.delete('4000');
    journal(facts({ accounts }))([salePosted])
      .when(reverse())
      .thenRefuses({ kind: 'conflict', code: 'AccountNotOpen', message: '4000' });
  });
});

describe('journal entry state', () => {
  it('is posted, then reversed, keeping the entry’s date and lines', () => {
    const posted = evolveJournalEntry(initialJournalEntryState, salePosted);
    expect(posted).toEqual({
      status: 'posted',
      entryId: 'JE-1',
      date: '2026-03-15',
      description: salePosted.data.description,
      lines: salePosted.data.lines,
      reversal: null,
    });
    expect(evolveJournalEntry(posted, saleReversed)).toEqual({
      ...posted,
      status: 'reversed',
      reversal: { date: saleReversed.data.date, reason: saleReversed.data.reason },
    });
  });

  it('ignores a reversal with no posting before it', () => {
    expect(evolveJournalEntry(initialJournalEntryState, saleReversed)).toEqual({ status: 'none' });
  });
});
