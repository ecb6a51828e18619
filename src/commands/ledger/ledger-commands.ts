import {
  decideAccount,
  evolveAccount,
  initialAccountState,
  type AccountState,
} from '../../domain/ledger/account.js';
import type {
  ClosePeriod,
  OpenAccount,
  PostJournalEntry,
  ReverseJournalEntry,
} from '../../domain/ledger/commands.js';
import { ledgerEventSchemas, type LedgerEvent } from '../../domain/ledger/events.js';
import {
  decideJournalEntry,
  evolveJournalEntry,
  initialJournalEntryState,
  type JournalEntryState,
  type LedgerFacts,
} from '../../domain/ledger/journal-entry.js';
import {
  decidePeriod,
  evolvePeriod,
  initialPeriodState,
  type PeriodState,
} from '../../domain/ledger/period.js';
import { ledgerStreams } from '../../domain/ledger/streams.js';
import { isAccountingDate, periodOf } from '../../domain/shared/dates.js';
import type { EventStore } from '../../stores/event-store.js';
import {
  streamLock,
  toDomainEvent,
  type CommandContext,
  type CommandHandler,
  type CommandResult,
  type CommandSpec,
} from '../pipeline.js';

export interface LedgerCommands {
  openAccount(context: CommandContext, command: OpenAccount): Promise<CommandResult<AccountState>>;
  postJournalEntry(
    context: CommandContext,
    command: PostJournalEntry,
  ): Promise<CommandResult<JournalEntryState>>;
  reverseJournalEntry(
    context: CommandContext,
    command: ReverseJournalEntry,
  ): Promise<CommandResult<JournalEntryState>>;
  closePeriod(context: CommandContext, command: ClosePeriod): Promise<CommandResult<PeriodState>>;
}

export function createLedgerCommands(deps: {
  readonly handle: CommandHandler;
  readonly eventStore: EventStore;
}): LedgerCommands {
  const { handle, eventStore } = deps;

  async function foldStream<S>(
    streamId: string,
    initial: S,
    evolve: (state: S, event: LedgerEvent) => S,
  ): Promise<S> {
    const events = await eventStore.readStream(streamId);
    return events.reduce(
      (state, event) => evolve(state, toDomainEvent<LedgerEvent>(ledgerEventSchemas, event)),
      initial,
    );
  }

  async function loadFacts(
    accountCodes: readonly string[],
    dates: readonly string[],
  ): Promise<LedgerFacts> {
    const accounts = new Map<string, AccountState>();
    for (const code of new Set(accountCodes)) {
      accounts.set(
        code,
        await foldStream(ledgerStreams.account(code), initialAccountState, evolveAccount),
      );
    }
    const closedPeriods = new Set<string>();
    for (const period of new Set(dates.filter(isAccountingDate).map(periodOf))) {
      const state = await foldStream(
        ledgerStreams.period(period),
        initialPeriodState,
        evolvePeriod,
      );
      if (state.closed) closedPeriods.add(period);
    }
    return { accounts, closedPeriods };
  }

  /** Postings share their period's lock, so a close waits for them and they wait for it. */
  function periodLocks(date: string) {
    return isAccountingDate(date)
      ? [streamLock(ledgerStreams.period(periodOf(date)), 'shared')]
      : [];
  }

  /** Both entry commands: the entry's stream, its period's lock, the accounts it books to. */
  function journalEntrySpec(
    command: PostJournalEntry | ReverseJournalEntry,
    accountsBooked: (entry: JournalEntryState) => readonly string[],
  ): CommandSpec<JournalEntryState, LedgerEvent, LedgerFacts> {
    return {
      streamId: ledgerStreams.journalEntry(command.entryId),
      schemas: ledgerEventSchemas,
      initialState: initialJournalEntryState,
      evolve: evolveJournalEntry,
      locks: periodLocks(command.date),
      loadFacts: (entry) => loadFacts(accountsBooked(entry), [command.date]),
      decide: (entry, facts) => decideJournalEntry(command, { entry, facts }),
    };
  }

  return {
    openAccount: (context, command) =>
      handle(context, {
        streamId: ledgerStreams.account(command.code),
        schemas: ledgerEventSchemas,
        initialState: initialAccountState,
        evolve: evolveAccount,
        decide: (state) => decideAccount(command, state),
      }),

    postJournalEntry: (context, command) =>
      handle(
        context,
        journalEntrySpec(command, () => command.lines.map((line) => line.account)),
      ),

    reverseJournalEntry: (context, command) =>
      handle(
        context,
        journalEntrySpec(command, (entry) =>
          entry.status === 'none' ? [] : entry.lines.map((line) => line.account),
        ),
      ),

    closePeriod: (context, command) =>
      handle(context, {
        streamId: ledgerStreams.period(command.period),
        schemas: ledgerEventSchemas,
        initialState: initialPeriodState,
        evolve: evolvePeriod,
        decide: (state) => decidePeriod(command, state),
      }),
  };
}
