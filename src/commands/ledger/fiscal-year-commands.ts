/**
 * The year-end close and its reopen: commands on the lock stream (see
 * `src/domain/ledger/year-end-close.ts`), and the history of both, read from that stream.
 */
import type { CloseFiscalYear, ReopenFiscalYear } from '../../domain/ledger/commands.js';
import { ledgerEventSchemas, type LedgerEvent } from '../../domain/ledger/events.js';
import type { PeriodLockState } from '../../domain/ledger/period.js';
import type { PostingAccount } from '../../domain/ledger/posting-rules.js';
import { ledgerStreams } from '../../domain/ledger/streams.js';
import {
  fiscalYearDecider,
  yearMayClose,
  type FiscalYearFacts,
} from '../../domain/ledger/year-end-close.js';
import { decodeEvent } from '../../domain/shared/event-schemas.js';
import type { EventStore } from '../../stores/event-store.js';
import type { CommandContext } from '../command-context.js';
import type { CommandHandler, CommandResult } from '../command-handler.js';
import type { PostingRules } from './posting-rules.js';
import { readYearMovement } from './year-movement.js';

/** A close or reopen of a fiscal year, as the lock stream holds it. */
export interface FiscalYearChange {
  readonly action: 'close' | 'reopen';
  readonly year: string;
  /** The entries the close booked, or the reopen reversed. */
  readonly entries: readonly {
    readonly entryId: string;
    readonly currency: string;
    /** What the close moved to retained earnings (a reopen moves it back). */
    readonly netIncome: string;
  }[];
  readonly reason: string | null;
  readonly actor: string | null;
  readonly onBehalfOf: string | null;
  readonly recordedAt: string;
  readonly position: bigint;
}

export interface FiscalYearCommands {
  closeFiscalYear(
    context: CommandContext,
    command: CloseFiscalYear,
  ): Promise<CommandResult<PeriodLockState>>;
  reopenFiscalYear(
    context: CommandContext,
    command: ReopenFiscalYear,
  ): Promise<CommandResult<PeriodLockState>>;
  /** Every close and reopen of a fiscal year, oldest first. */
  history(): Promise<FiscalYearChange[]>;
}

export function createFiscalYearCommands(deps: {
  readonly handle: CommandHandler;
  readonly eventStore: EventStore;
  readonly postingRules: PostingRules;
  /** The retained earnings account of a currency: `<code>` in the base currency, else `<code>-XXX`. */
  readonly retainedEarningsAccount: (currency: string) => string;
}): FiscalYearCommands {
  const { handle, eventStore, postingRules, retainedEarningsAccount } = deps;

  const onLock = (context: CommandContext, command: CloseFiscalYear | ReopenFiscalYear) =>
    handle(context, {
      streamId: ledgerStreams.periodLock,
      decider: fiscalYearDecider,
      schemas: ledgerEventSchemas,
      command,
      facts: async (state): Promise<FiscalYearFacts> => {
        const { legacyLockedThrough } = await postingRules.periodLock();
        const facts = { legacyLockedThrough };
        // Only a close the lock allows reads the log; the decider refuses the others unread.
        if (command.type !== 'CloseFiscalYear') return facts;
        if (!yearMayClose(command.year, state, legacyLockedThrough)) return facts;
        const movement = await readYearMovement({ eventStore, postingRules }, command.year);
        const targets = new Map<string, PostingAccount>();
        for (const currency of new Set(movement.map((moved) => moved.currency))) {
          const code = retainedEarningsAccount(currency);
          targets.set(currency, { code, state: await postingRules.account(code) });
        }
        return {
          ...facts,
          movement,
          retainedEarnings: (currency) => {
            const target = targets.get(currency);
            if (!target) throw new Error(`No retained earnings account read for ${currency}`);
            return target;
          },
        };
      },
    });

  return {
    closeFiscalYear: onLock,
    reopenFiscalYear: onLock,
    async history() {
      // The lock stream is small: a handful of events a month.
      const stream = await eventStore.readStream(ledgerStreams.periodLock);
      const changes: FiscalYearChange[] = [];
      const closedEntries = new Map<string, FiscalYearChange['entries'][number]>();
      for (const recorded of stream) {
        if (recorded.type !== 'FiscalYearClosed' && recorded.type !== 'FiscalYearReopened')
          continue;
        const event = decodeEvent<LedgerEvent>(ledgerEventSchemas, recorded);
        const meta = (key: string) => {
          const value = recorded.metadata[key];
          return typeof value === 'string' ? value : null;
        };
        const who = {
          actor: meta('actor'),
          onBehalfOf: meta('onBehalfOf'),
          recordedAt: recorded.recordedAt,
          position: recorded.position,
        };
        if (event.type === 'FiscalYearClosed') {
          const entries = event.data.entries.map((entry) => ({
            entryId: entry.entryId,
            currency: entry.currency,
            netIncome: entry.netIncome,
          }));
          for (const entry of entries) closedEntries.set(entry.entryId, entry);
          changes.push({ action: 'close', year: event.data.year, entries, reason: null, ...who });
        } else if (event.type === 'FiscalYearReopened') {
          const entries = event.data.entries.map((entry) => {
            const closed = closedEntries.get(entry.entryId);
            if (!closed) throw new Error(`Reopen of ${entry.entryId}, which was never booked`);
            return closed;
          });
          changes.push({
            action: 'reopen',
            year: event.data.year,
            entries,
            reason: event.data.reason,
            ...who,
          });
        }
      }
      return changes;
    },
  };
}
