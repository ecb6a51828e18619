import { accountDecider, type AccountState } from '../../domain/ledger/account.js';
import type {
  AnnulLateWrites,
  ClosePeriod,
  OpenAccount,
  ReopenPeriod,
  PostJournalEntry,
  ReverseJournalEntry,
} from '../../domain/ledger/commands.js';
import type { ControlAccountOwner, ControlAccounts } from '../../domain/ledger/control-accounts.js';
import { ledgerEventSchemas } from '../../domain/ledger/events.js';
import {
  journalEntryDecider,
  lateWritesDecider,
  type JournalEntryState,
} from '../../domain/ledger/journal-entry.js';
import { periodDecider, type PeriodLockState } from '../../domain/ledger/period.js';
import { refuseLateWrite } from '../../domain/ledger/posting-rules.js';
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
  closePeriod(
    context: CommandContext,
    command: ClosePeriod,
  ): Promise<CommandResult<PeriodLockState>>;
  reopenPeriod(
    context: CommandContext,
    command: ReopenPeriod,
  ): Promise<CommandResult<PeriodLockState>>;
  /** Run by the period guard for every entry written into a period that was already closed. */
  annulLateWrites(
    context: CommandContext,
    command: AnnulLateWrites,
  ): Promise<CommandResult<JournalEntryState>>;
  /**
   * The same commands posting for `module`'s subledger: every entry they post or reverse is
   * `subledger: module`, so it may book that module's control accounts. Handed to the module's
   * postings reactors; the journal-entry routes use the plain (manual) commands.
   */
  forSubledger(module: string): LedgerCommands;
}

export function createLedgerCommands(deps: {
  readonly handle: CommandHandler;
  readonly postingRules: PostingRules;
  /** Today by the service's clock, `YYYY-MM-DD`: no later month can be closed. */
  readonly today: () => string;
  /** Which accounts the modules' subledgers own (`controlAccounts` in their definitions). */
  readonly controlAccounts: ControlAccounts;
}): LedgerCommands {
  const { handle, postingRules, today, controlAccounts } = deps;

  const controlAccountsAmong = (codes: readonly string[]) => {
    const owners = new Map<string, ControlAccountOwner>();
    for (const code of codes) {
      const owner = controlAccounts(code);
      if (owner) owners.set(code, owner);
    }
    return owners;
  };

  // The lock stream's own exclusive lock is what shared posting locks wait for.
  const onLock = (context: CommandContext, command: ClosePeriod | ReopenPeriod) =>
    handle(context, {
      streamId: ledgerStreams.periodLock,
      decider: periodDecider,
      schemas: ledgerEventSchemas,
      command,
      facts: async () => ({
        today: today(),
        legacyLockedThrough: (await postingRules.periodLock()).legacyLockedThrough,
      }),
    });

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
      facts: async (entry) => {
        const codes = accountsBooked(entry);
        return {
          ...(await postingRules.facts(codes, [command.date])),
          controlAccounts: controlAccountsAmong(codes),
        };
      },
      // The period lock excludes a close in this process only: one on another instance may
      // have reached the log first, and then this write does not count (the period guard
      // annuls it).
      verify: async (result) => {
        const close = await postingRules.closedBefore(command.date, result.position);
        if (close) refuseLateWrite(command.date, close);
      },
    });

  const commands: LedgerCommands = {
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

    annulLateWrites: (context, command) =>
      handle(context, {
        streamId: ledgerStreams.journalEntry(command.entryId),
        decider: lateWritesDecider,
        schemas: ledgerEventSchemas,
        command,
        facts: () => postingRules.lateWrites(command.entryId),
      }),

    closePeriod: onLock,
    reopenPeriod: onLock,

    forSubledger: (module) => ({
      ...commands,
      postJournalEntry: (context, command) =>
        commands.postJournalEntry(context, { ...command, subledger: module }),
      reverseJournalEntry: (context, command) =>
        commands.reverseJournalEntry(context, { ...command, subledger: module }),
    }),
  };
  return commands;
}
