/**
 * Reminder runs and the marking of reminders sent. A run decides every candidate invoice on the
 * stream of that invoice's reminders, one command each, through the one command handler: the
 * expected revision of that append is what keeps a level from being issued twice when runs race
 * in this process or on another instance. The run itself is no record: only its reminders are.
 */
import type { MarkPaymentReminderSent } from '../../domain/reminders/commands.js';
import { remindersEventSchemas } from '../../domain/reminders/events.js';
import { outstandingForReminder } from '../../domain/reminders/outstanding.js';
import {
  highestLevelIssued,
  paymentRemindersDecider,
  refuseUnlessRunDate,
  type PaymentRemindersState,
  type ReminderRecord,
} from '../../domain/reminders/payment-reminders.js';
import { parseReminderId, remindersStreams } from '../../domain/reminders/streams.js';
import { receivablesEventSchemas } from '../../domain/receivables/events.js';
import {
  initialInvoiceState,
  invoiceDecider,
  type InvoiceState,
} from '../../domain/receivables/invoice.js';
import { receivablesStreams } from '../../domain/receivables/streams.js';
import { addDays, type AccountingDate } from '../../domain/shared/dates.js';
import { refuse } from '../../domain/shared/errors.js';
import type { CommandContext } from '../command-context.js';
import {
  PreconditionFailedError,
  type CommandHandler,
  type CommandResult,
} from '../command-handler.js';
import type { StateReader } from '../read-state.js';
import type { ReminderCandidates } from './reminder-candidates.js';

/** A run answers with at most this many of its reminders; the count covers them all. */
export const RUN_LISTS_AT_MOST = 500;

/** Past any date a payment or credit can carry: what is outstanding once all of them count. */
const END_OF_TIME = '9999-12-31';

export interface ReminderRun {
  readonly asOf: string;
  /** Invoices past due by at least the first level whose reminders were decided. */
  readonly examined: number;
  /** How many reminders the run issued. */
  readonly issued: number;
  /** The first `RUN_LISTS_AT_MOST` of them, in the order issued. */
  readonly reminders: readonly ReminderRecord[];
  /** The position of the last reminder event the run wrote or found; 0 when it saw none. */
  readonly position: bigint;
}

export interface ReminderCommands {
  /** Issues every reminder due as of `asOf`; `today` bounds it. */
  run(context: CommandContext, request: { asOf: string; today: string }): Promise<ReminderRun>;
  markSent(
    context: CommandContext,
    command: MarkPaymentReminderSent,
  ): Promise<CommandResult<PaymentRemindersState>>;
}

export function createReminderCommands(deps: {
  readonly handle: CommandHandler;
  /** How each candidate invoice is read: its own stream, through the commands' state cache. */
  readonly readState: StateReader;
  readonly candidates: ReminderCandidates;
  /** REMINDER_LEVELS: days overdue of each level, ascending. */
  readonly levels: readonly number[];
}): ReminderCommands {
  const { handle, readState, candidates, levels } = deps;

  const readInvoice = (invoiceId: string) =>
    readState(receivablesStreams.invoice(invoiceId), invoiceDecider, receivablesEventSchemas);

  return {
    async run(context, { asOf, today }) {
      refuseUnlessRunDate(asOf, today);
      // If-Match names one record's revision; a run writes to many, so it has no meaning here.
      const perInvoice: CommandContext = { ...context, expectedRevision: undefined };
      const firstLevelDays = levels[0]!;
      const invoiceIds = await candidates.dueBy(addDays(asOf as AccountingDate, -firstLevelDays));
      const reminders: ReminderRecord[] = [];
      let issued = 0;
      let position = 0n;
      for (const invoiceId of invoiceIds) {
        // Unread when the command replays what an earlier attempt with the same key stored.
        let invoice: InvoiceState | undefined;
        const result = await handle(perInvoice, {
          streamId: remindersStreams.ofInvoice(invoiceId),
          decider: paymentRemindersDecider,
          schemas: remindersEventSchemas,
          command: { type: 'IssuePaymentReminder', invoiceId, asOf, levels, today },
          // Read under the stream's lock, and again on every retry after a lost race.
          facts: async () => {
            invoice = await readInvoice(invoiceId);
            return { invoice };
          },
        });
        if (result.position > position) position = result.position;
        for (const event of result.events) {
          if (event.type !== 'PaymentReminderIssued') continue;
          issued += 1;
          const reminder = result.state.reminders.find(
            (each) => each.reminderId === event.data.reminderId,
          );
          if (reminder && reminders.length < RUN_LISTS_AT_MOST) reminders.push(reminder);
        }
        if (
          (invoice !== undefined && outstandingForReminder(invoice, END_OF_TIME) === 0n) ||
          highestLevelIssued(result.state) >= levels.length
        ) {
          candidates.retire(invoiceId);
        }
      }
      return { asOf, examined: invoiceIds.length, issued, reminders, position };
    },

    markSent(context, command) {
      const parsed = parseReminderId(command.reminderId);
      if (!parsed) {
        refuse({
          kind: 'not_found',
          code: 'ReminderNotFound',
          message: `Reminder ${command.reminderId} does not exist`,
        });
      }
      const streamId = remindersStreams.ofInvoice(parsed.invoiceId);
      const ifMatch = context.expectedRevision;
      return handle(
        // The stream holds every level of the invoice; If-Match is judged on this reminder alone.
        { ...context, expectedRevision: undefined },
        {
          streamId,
          decider: paymentRemindersDecider,
          schemas: remindersEventSchemas,
          command,
          facts: async (state) => {
            const reminder = state.reminders.find((each) => each.reminderId === command.reminderId);
            if (ifMatch !== undefined && reminder && BigInt(reminder.revision) !== ifMatch) {
              throw new PreconditionFailedError(streamId, ifMatch, BigInt(reminder.revision));
            }
            return { invoice: initialInvoiceState };
          },
        },
      );
    },
  };
}
