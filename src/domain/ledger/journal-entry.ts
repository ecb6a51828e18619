import { isCurrencyCode } from '../shared/currency.js';
import { isAccountingDate } from '../shared/dates.js';
import type { Decider } from '../shared/decider.js';
import { refuse, refuseInvalid, refuseUnlessDateFrom } from '../shared/errors.js';
import { formatAmount, parseAmount } from '../shared/money.js';
import type { AnnulLateWrites, PostJournalEntry, ReverseJournalEntry } from './commands.js';
import { refuseIfControlAccount, type ControlAccountOwner } from './control-accounts.js';
import type { LedgerEvent, PostedLine } from './events.js';
import { refuseClosingEntryIdForPosting, refuseReversalOfClosingEntry } from './fiscal-year.js';
import {
  refuseIfAccountsNotOpen,
  refuseIfPeriodClosed,
  type LateWrites,
  type PostingFacts,
} from './posting-rules.js';

/** `annulled`: its posting reached the log after its period's close and never counted. */
export type JournalEntryState =
  | { readonly status: 'none' }
  | {
      readonly status: 'posted' | 'reversed' | 'annulled';
      readonly entryId: string;
      readonly date: string;
      readonly description: string;
      readonly lines: readonly PostedLine[];
      /**
       * The entry's last reversal as booked, kept when an annulment takes it out again (`status`
       * says whether it counts): what a write's answer shows, as the entry's view does.
       */
      readonly reversal: { readonly date: string; readonly reason: string } | null;
    };

export const initialJournalEntryState: JournalEntryState = { status: 'none' };

export type JournalEntryCommand = PostJournalEntry | ReverseJournalEntry;

type Issue = { path: string; message: string };

/** What an entry is decided against besides its own stream. */
export interface JournalEntryFacts extends PostingFacts {
  /** The owners of the control accounts among those the entry books (absent: not one). */
  readonly controlAccounts: ReadonlyMap<string, ControlAccountOwner>;
}

/**
 * The accounts an entry's lines name, which of them are control accounts and whether its date's
 * period is closed come from other streams and the modules' declarations (`JournalEntryFacts`);
 * the command handler reads them, the decider stays pure.
 */
export function decideJournalEntry(
  command: JournalEntryCommand,
  entry: JournalEntryState,
  facts: JournalEntryFacts,
): LedgerEvent[] {
  switch (command.type) {
    case 'PostJournalEntry':
      return post(command, entry, facts);
    case 'ReverseJournalEntry':
      return reverse(command, entry, facts);
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
        description: event.data.description,
        lines: event.data.lines,
        reversal: null,
      };
    case 'JournalEntryReversed':
      return state.status === 'none'
        ? state
        : {
            ...state,
            status: 'reversed',
            reversal: { date: event.data.date, reason: event.data.reason },
          };
    case 'JournalEntryAnnulled': {
      if (state.status === 'none') return state;
      const postingRemoved = event.data.removed.some((item) => item.kind === 'posting');
      return { ...state, status: postingRemoved ? 'annulled' : 'posted' };
    }
    default:
      return state;
  }
}

function post(
  command: PostJournalEntry,
  entry: JournalEntryState,
  facts: JournalEntryFacts,
): LedgerEvent[] {
  // An annulled entry never counted: it may be posted again, once its period is open. That is
  // how a subledger's reactor, whose posting lost the race with a close on another instance,
  // books it after the reopen under the id derived from its source event.
  if (entry.status !== 'none' && entry.status !== 'annulled') {
    refuse({
      kind: 'conflict',
      code: 'JournalEntryAlreadyExists',
      message: `Journal entry ${command.entryId} already exists`,
    });
  }
  refuseClosingEntryIdForPosting(command.entryId);

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

  refuseIfControlAccount(
    lines.map((line) => line.account),
    facts.controlAccounts,
    command.subledger,
    'posted',
  );
  refuseIfAccountsNotOpen(
    lines.map((line) => line.account),
    facts,
  );
  refuseIfPeriodClosed(command.date, facts, 'posted');

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
  entry: JournalEntryState,
  facts: JournalEntryFacts,
): LedgerEvent[] {
  refuseReversalOfClosingEntry(command.entryId);
  if (entry.status === 'none') {
    refuse({
      kind: 'not_found',
      code: 'JournalEntryNotFound',
      message: `Journal entry ${command.entryId} does not exist`,
    });
  }
  refuseUnlessDateFrom(
    'InvalidReversal',
    'date',
    command.date,
    entry.date,
    `the entry's own date ${entry.date}`,
  );
  if (entry.status === 'annulled') {
    refuse({
      kind: 'conflict',
      code: 'JournalEntryAnnulled',
      message: `Journal entry ${command.entryId} was annulled: it reached the log after its period closed, and never counted`,
    });
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
  // An entry a subledger posted is the subledger's to take back (a void, a payroll reversal).
  refuseIfControlAccount(
    lines.map((line) => line.account),
    facts.controlAccounts,
    command.subledger,
    'reversed',
  );
  refuseIfAccountsNotOpen(
    lines.map((line) => line.account),
    facts,
  );
  refuseIfPeriodClosed(command.date, facts, 'posted');
  return [
    {
      type: 'JournalEntryReversed',
      data: { entryId: command.entryId, date: command.date, reason: command.reason, lines },
    },
  ];
}

/**
 * Takes back what reached the log after its period's close: a late posting (with its reversal,
 * which cannot count without it), or a late reversal alone. Nothing when nothing was late, or
 * when it was taken back already, so it can be asked again and again.
 */
export function decideLateWrites(
  command: AnnulLateWrites,
  entry: JournalEntryState,
  late: LateWrites,
): LedgerEvent[] {
  if (entry.status === 'none' || entry.status === 'annulled') return [];
  const reversal =
    entry.status === 'reversed' && late.reversal
      ? { kind: 'reversal' as const, date: late.reversal.date, lines: [...late.reversal.lines] }
      : undefined;
  const cause = late.postingLate ?? (reversal ? late.reversal?.late : undefined);
  if (!cause) return [];
  const removed = late.postingLate
    ? [
        { kind: 'posting' as const, date: entry.date, lines: [...entry.lines] },
        ...(reversal ? [reversal] : []),
      ]
    : [reversal!];
  return [
    {
      type: 'JournalEntryAnnulled',
      data: {
        entryId: command.entryId,
        period: cause.period,
        closedAt: cause.closedAt.toString(),
        reason: `Stored after period ${cause.period} was closed, by a request on another instance`,
        removed,
      },
    },
  ];
}

export const lateWritesDecider: Decider<
  JournalEntryState,
  AnnulLateWrites,
  LedgerEvent,
  LateWrites
> = {
  initialState: initialJournalEntryState,
  evolve: evolveJournalEntry,
  decide: decideLateWrites,
};

export const journalEntryDecider: Decider<
  JournalEntryState,
  JournalEntryCommand,
  LedgerEvent,
  JournalEntryFacts
> = {
  initialState: initialJournalEntryState,
  evolve: evolveJournalEntry,
  decide: decideJournalEntry,
};
