import { accountDecider, type AccountState } from '../../domain/ledger/account.js';
import type {
  ClosePeriod,
  OpenAccount,
  PostJournalEntry,
  ReverseJournalEntry,
} from '../../domain/ledger/commands.js';
import { ledgerEventSchemas } from '../../domain/ledger/events.js';
import { journalEntryDecider, type JournalEntryState } from '../../domain/ledger/journal-entry.js';
import { periodDecider, type PeriodState } from '../../domain/ledger/period.js';
import { ledgerStreams } from '../../domain/ledger/streams.js';
import type { CommandContext } from '../command-context.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { PostingRules } from './posting-rules.js';

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
  readonly postingRules: PostingRules;
}): LedgerCommands {
  const { handle, postingRules } = deps;

  /** Both entry commands: the entry's stream, its period's lock, the accounts it books to. */
  const onEntry = (
    context: CommandContext,
    command: PostJournalEntry | ReverseJournalEntry,
    accountsBooked: (entry: JournalEntryState) => readonly string[],
  ) =>
    handle(context, {
      streamId: ledgerStreams.journalEntry(command.entryId),
      decider: journalEntryDecider,
      schemas: ledgerEventSchemas,
      command,
      locks: postingRules.locks(command.date),
      facts: (entry) => postingRules.facts(accountsBooked(entry), [command.date]),
    });

  return {
    openAccount: (context, command) =>
      handle(context, {
        streamId: ledgerStreams.account(command.code),
        decider: accountDecider,
        schemas: ledgerEventSchemas,
        command,
      }),

    postJournalEntry: (context, command) =>
      onEntry(context, command, () => command.lines.map((line) => line.account)),

    reverseJournalEntry: (context, command) =>
      onEntry(context, command, (entry) =>
        entry.status === 'none' ? [] : entry.lines.map((line) => line.account),
      ),

    // The period stream's own exclusive lock is what shared posting locks wait for.
    closePeriod: (context, command) =>
      handle(context, {
        streamId: ledgerStreams.period(command.period),
        decider: periodDecider,
        schemas: ledgerEventSchemas,
        command,
      }),
  };
}
