import { isCurrencyCode } from '../shared/currency.js';
import { isAccountingDate, periodOf } from '../shared/dates.js';
import { refuse, type DomainRefusal } from '../shared/errors.js';
import { formatAmount, parseAmount } from '../shared/money.js';
import type { PostJournalEntry, ReverseJournalEntry } from './commands.js';
import type { AccountState } from './account.js';
import type { LedgerEvent, PostedLine } from './events.js';

export type JournalEntryState =
  | { readonly status: 'none' }
  | {
      readonly status: 'posted' | 'reversed';
      readonly entryId: string;
      readonly date: string;
      readonly lines: readonly PostedLine[];
    };

export const initialJournalEntryState: JournalEntryState = { status: 'none' };

/**
 * What a posting needs to know from outside its own stream: the accounts its lines name and
 * whether the periods it books into are closed. The command handler reads them from their own
 * streams; the decider stays a pure function of what it is given.
 */
export interface LedgerFacts {
  readonly accounts: ReadonlyMap<string, AccountState>;
  readonly closedPeriods: ReadonlySet<string>;
}

export interface JournalEntryDecisionState {
  readonly entry: JournalEntryState;
  readonly facts: LedgerFacts;
}

type Issue = { path: string; message: string };

export function decideJournalEntry(
  command: PostJournalEntry | ReverseJournalEntry,
  state: JournalEntryDecisionState,
): LedgerEvent[] {
  switch (command.type) {
    case 'PostJournalEntry':
      return post(command, state);
    case 'ReverseJournalEntry':
      return reverse(command, state);
  }
}

export function evolveJournalEntry(
  state: JournalEntryState,
  event: LedgerEvent,
): JournalEntryState {
  switch (event.type) {
    case 'JournalEntryPosted':
      return {
        status: 'posted',
        entryId: event.data.entryId,
        date: event.data.date,
        lines: event.data.lines,
      };
    case 'JournalEntryReversed':
      return state.status === 'none' ? state : { ...state, status: 'reversed' };
    default:
      return state;
  }
}

function post(
  command: PostJournalEntry,
  { entry, facts }: JournalEntryDecisionState,
): LedgerEvent[] {
  if (entry.status !== 'none') {
    refuse({
      kind: 'conflict',
      code: 'JournalEntryAlreadyExists',
      message: `Journal entry ${command.entryId} already exists`,
    });
  }

  const issues: Issue[] = [];
  if (!isAccountingDate(command.date)) {
    issues.push({ path: 'date', message: 'must be a calendar date, YYYY-MM-DD' });
  }
  if (command.lines.length < 2) {
    issues.push({ path: 'lines', message: 'a journal entry needs at least two lines' });
  }

  const lines: PostedLine[] = [];
  const totals = new Map<string, { debit: bigint; credit: bigint }>();
  command.lines.forEach((line, index) => {
    const at = `lines[${index}]`;
    const sides = (line.debit === undefined ? 0 : 1) + (line.credit === undefined ? 0 : 1);
    if (sides !== 1) {
      issues.push({ path: at, message: 'give exactly one of debit or credit' });
      return;
    }
    const account = facts.accounts.get(line.account);
    if (account === undefined || account.status === 'none') {
      issues.push({ path: `${at}.account`, message: `account ${line.account} does not exist` });
      return;
    }
    const side = line.debit === undefined ? 'credit' : 'debit';
    const text = (line.debit ?? line.credit) as string;
    const currency = account.currency;
    if (!isCurrencyCode(currency)) {
      issues.push({ path: `${at}.account`, message: `account has unknown currency ${currency}` });
      return;
    }
    const parsed = parseAmount(text, currency);
    if (!parsed.ok) {
      issues.push({ path: `${at}.${side}`, message: parsed.message });
      return;
    }
    if (parsed.minor <= 0n) {
      issues.push({ path: `${at}.${side}`, message: 'must be a positive amount' });
      return;
    }
    const total = totals.get(currency) ?? { debit: 0n, credit: 0n };
    total[side] += parsed.minor;
    totals.set(currency, total);
    lines.push({
      account: line.account,
      side,
      amount: formatAmount(parsed.minor, currency),
      currency,
    });
  });

  if (issues.length === 0) {
    for (const [currency, total] of totals) {
      if (total.debit !== total.credit && isCurrencyCode(currency)) {
        issues.push({
          path: 'lines',
          message: `${currency} does not balance: debits ${formatAmount(total.debit, currency)}, credits ${formatAmount(total.credit, currency)}`,
        });
      }
    }
  }
  if (issues.length > 0) refuseInvalid('InvalidJournalEntry', issues);

  refuseIfAccountsNotOpen(lines, facts);
  refuseIfPeriodClosed(command.date, facts);

  return [
    {
      type: 'JournalEntryPosted',
      data: {
        entryId: command.entryId,
        date: command.date,
        description: command.description,
        lines,
      },
    },
  ];
}

function reverse(
  command: ReverseJournalEntry,
  { entry, facts }: JournalEntryDecisionState,
): LedgerEvent[] {
  if (entry.status === 'none') {
    refuse({
      kind: 'not_found',
      code: 'JournalEntryNotFound',
      message: `Journal entry ${command.entryId} does not exist`,
    });
  }
  if (!isAccountingDate(command.date)) {
    refuseInvalid('InvalidReversal', [
      { path: 'date', message: 'must be a calendar date, YYYY-MM-DD' },
    ]);
  }
  if (command.date < entry.date) {
    refuseInvalid('InvalidReversal', [
      { path: 'date', message: `must not be before the entry's own date ${entry.date}` },
    ]);
  }
  if (entry.status === 'reversed') {
    refuse({
      kind: 'conflict',
      code: 'JournalEntryAlreadyReversed',
      message: `Journal entry ${command.entryId} has already been reversed`,
    });
  }
  const lines = entry.lines.map((line): PostedLine => ({
    ...line,
    side: line.side === 'debit' ? 'credit' : 'debit',
  }));
  refuseIfAccountsNotOpen(lines, facts);
  refuseIfPeriodClosed(command.date, facts);
  return [
    {
      type: 'JournalEntryReversed',
      data: { entryId: command.entryId, date: command.date, reason: command.reason, lines },
    },
  ];
}

function refuseIfAccountsNotOpen(lines: readonly PostedLine[], facts: LedgerFacts): void {
  for (const line of lines) {
    if (facts.accounts.get(line.account)?.status !== 'open') {
      refuse({
        kind: 'conflict',
        code: 'AccountNotOpen',
        message: `Account ${line.account} is not open for posting`,
      });
    }
  }
}

function refuseIfPeriodClosed(date: string, facts: LedgerFacts): void {
  if (!isAccountingDate(date)) return;
  const period = periodOf(date);
  if (facts.closedPeriods.has(period)) {
    refuse({
      kind: 'conflict',
      code: 'PeriodClosed',
      message: `Period ${period} is closed; nothing dated ${date} can be posted`,
    });
  }
}

function refuseInvalid(code: string, issues: DomainRefusal['issues'] & object): never {
  refuse({
    kind: 'invalid',
    code,
    message: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
    issues,
  });
}
