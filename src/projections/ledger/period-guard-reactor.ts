/**
 * The period guard: inside one process a posting and its period's close exclude each other by
 * lock, but on two instances a posting can reach the log after a close that another instance
 * stored first. The log's order then decides that it never counted, and this reactor makes that
 * explicit: for every posting or reversal stored after the close of the period it is dated in,
 * it runs AnnulLateWrites, whose event takes out of every read model what the write had booked.
 * The instance that stored the late write has already answered its caller 409 PeriodClosed.
 */
import type { LedgerCommands } from '../../commands/ledger/ledger-commands.js';
import type { PostingRules } from '../../commands/ledger/posting-rules.js';
import { ledgerEventSchemas } from '../../domain/ledger/events.js';
import { decodeEventOf } from '../../domain/shared/event-schemas.js';
import { reactionContext } from '../reaction-context.js';
import type { Reactor } from '../reactor.js';

export const PERIOD_GUARD_ACTOR = 'system:ledger-period-guard';

export function createPeriodGuardReactor(deps: {
  readonly ledger: LedgerCommands;
  readonly postingRules: PostingRules;
}): Reactor {
  return {
    name: 'ledger_period_guard',
    eventTypes: ['JournalEntryPosted', 'JournalEntryReversed'],
    emits: ['JournalEntryAnnulled'],
    async react(recorded) {
      const event = decodeEventOf(ledgerEventSchemas, recorded);
      if (event.type !== 'JournalEntryPosted' && event.type !== 'JournalEntryReversed') return;
      const close = await deps.postingRules.closedBefore(event.data.date, recorded.position);
      if (!close) return;
      await deps.ledger.annulLateWrites(
        reactionContext(PERIOD_GUARD_ACTOR, 'period-guard', recorded),
        { type: 'AnnulLateWrites', entryId: event.data.entryId },
      );
    },
  };
}
