/**
 * The reminders of one invoice: which levels it had, when, for how much, and which were sent.
 * One decider for the stream `paymentReminders-<invoiceId>`, so each level is decided against
 * every reminder the invoice already has.
 */
import type { InvoiceState } from '../receivables/invoice.js';
import type { CurrencyCode } from '../shared/currency.js';
import { daysBetween, isAccountingDate, type AccountingDate } from '../shared/dates.js';
import type { Decider } from '../shared/decider.js';
import { refuse, refuseInvalid } from '../shared/errors.js';
import { formatAmount } from '../shared/money.js';
import type {
  IssuePaymentReminder,
  MarkPaymentReminderSent,
  PaymentRemindersCommand,
} from './commands.js';
import type { ReminderChannel, RemindersEvent } from './events.js';
import { outstandingForReminder } from './outstanding.js';
import { reminderIdOf } from './streams.js';

export interface ReminderRecord {
  readonly reminderId: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly level: number;
  readonly levelDays: number;
  readonly asOf: string;
  readonly dueDate: string;
  readonly daysOverdue: number;
  readonly amountOutstanding: string;
  readonly currency: string;
  readonly sent: {
    readonly sentOn: string;
    readonly channel: ReminderChannel;
    readonly reference: string;
  } | null;
  /**
   * Revision of the stream at the reminder's last change: its ETag. Another level issued later
   * moves the stream on but leaves this reminder as it was, so If-Match is judged on this.
   */
  readonly revision: number;
}

export interface PaymentRemindersState {
  /** Revision of the stream's last event; -1 before the first. */
  readonly revision: number;
  /** In the order issued, which is the order of their levels. */
  readonly reminders: readonly ReminderRecord[];
}

export const initialPaymentRemindersState: PaymentRemindersState = { revision: -1, reminders: [] };

/** What an issue is decided against: the invoice as its own stream holds it now. */
export interface PaymentReminderFacts {
  readonly invoice: InvoiceState;
}

/** The reminder an invoice is due as of a date, before it is recorded. */
export interface DueReminder {
  readonly level: number;
  readonly levelDays: number;
  readonly daysOverdue: number;
  readonly outstandingMinor: bigint;
}

/** The highest level issued so far; 0 for none. */
export function highestLevelIssued(state: PaymentRemindersState): number {
  return state.reminders.reduce((highest, reminder) => Math.max(highest, reminder.level), 0);
}

/**
 * The reminder the invoice is due as of `asOf`, or undefined. It is the highest level reached
 * (days overdue at least that level's days), and only when that is above every level the
 * invoice already had: a first run 50 days after the due date issues level 3 alone, not 1, 2
 * and 3 at once, and a later run of an earlier date issues nothing below what was issued.
 */
export function dueReminder(
  state: PaymentRemindersState,
  invoice: InvoiceState,
  asOf: string,
  levels: readonly number[],
): DueReminder | undefined {
  if (invoice.status === 'none') return undefined;
  const outstandingMinor = outstandingForReminder(invoice, asOf);
  if (outstandingMinor <= 0n) return undefined;
  const daysOverdue = daysBetween(invoice.dueDate as AccountingDate, asOf as AccountingDate);
  let level = 0;
  levels.forEach((days, index) => {
    if (daysOverdue >= days) level = index + 1;
  });
  if (level === 0 || level <= highestLevelIssued(state)) return undefined;
  return { level, levelDays: levels[level - 1]!, daysOverdue, outstandingMinor };
}

/** A run's date: a calendar date, not after today (a run dated later would remind early). */
export function refuseUnlessRunDate(asOf: string, today: string): void {
  if (!isAccountingDate(asOf)) {
    refuseInvalid('InvalidReminderRun', [
      { path: 'asOf', message: 'must be a calendar date, YYYY-MM-DD' },
    ]);
  }
  if (asOf > today) {
    refuseInvalid('InvalidReminderRun', [
      {
        path: 'asOf',
        message: `must not be after today (${today}): a run of a later date would remind before the invoice is that far overdue`,
      },
    ]);
  }
}

export function decidePaymentReminders(
  command: PaymentRemindersCommand,
  state: PaymentRemindersState,
  facts: PaymentReminderFacts,
): RemindersEvent[] {
  switch (command.type) {
    case 'IssuePaymentReminder':
      return issue(command, state, facts);
    case 'MarkPaymentReminderSent':
      return markSent(command, state);
  }
}

export function evolvePaymentReminders(
  state: PaymentRemindersState,
  event: RemindersEvent,
): PaymentRemindersState {
  const revision = state.revision + 1;
  switch (event.type) {
    case 'PaymentReminderIssued': {
      const { data } = event;
      // An invoice has at most one reminder per configured level: copying is bounded.
      return {
        revision,
        reminders: [...state.reminders, { ...data, sent: null, revision }],
      };
    }
    case 'PaymentReminderSent': {
      const { reminderId, sentOn, channel, reference } = event.data;
      return {
        revision,
        reminders: state.reminders.map((reminder) =>
          reminder.reminderId === reminderId
            ? { ...reminder, sent: { sentOn, channel, reference }, revision }
            : reminder,
        ),
      };
    }
  }
}

function issue(
  command: IssuePaymentReminder,
  state: PaymentRemindersState,
  facts: PaymentReminderFacts,
): RemindersEvent[] {
  refuseUnlessRunDate(command.asOf, command.today);
  const { invoice } = facts;
  const due = dueReminder(state, invoice, command.asOf, command.levels);
  if (!due || invoice.status === 'none') return [];
  return [
    {
      type: 'PaymentReminderIssued',
      data: {
        reminderId: reminderIdOf(invoice.invoiceId, due.level),
        invoiceId: invoice.invoiceId,
        customerId: invoice.customerId,
        level: due.level,
        levelDays: due.levelDays,
        asOf: command.asOf,
        dueDate: invoice.dueDate,
        daysOverdue: due.daysOverdue,
        amountOutstanding: formatAmount(due.outstandingMinor, invoice.currency as CurrencyCode),
        currency: invoice.currency,
      },
    },
  ];
}

function markSent(
  command: MarkPaymentReminderSent,
  state: PaymentRemindersState,
): RemindersEvent[] {
  const reminder = state.reminders.find((each) => each.reminderId === command.reminderId);
  if (!reminder) {
    refuse({
      kind: 'not_found',
      code: 'ReminderNotFound',
      message: `Reminder ${command.reminderId} does not exist`,
    });
  }
  if (!isAccountingDate(command.sentOn)) {
    refuseInvalid('InvalidReminderSent', [
      { path: 'sentOn', message: 'must be a calendar date, YYYY-MM-DD' },
    ]);
  }
  if (command.sentOn < reminder.asOf) {
    refuseInvalid('InvalidReminderSent', [
      {
        path: 'sentOn',
        message: `must not be before the reminder's asOf ${reminder.asOf}`,
      },
    ]);
  }
  if (command.sentOn > command.today) {
    refuseInvalid('InvalidReminderSent', [
      { path: 'sentOn', message: `must not be after today (${command.today})` },
    ]);
  }
  if (reminder.sent) {
    refuse({
      kind: 'conflict',
      code: 'ReminderAlreadySent',
      message: `Reminder ${reminder.reminderId} was already marked sent on ${reminder.sent.sentOn} by ${reminder.sent.channel}`,
    });
  }
  return [
    {
      type: 'PaymentReminderSent',
      data: {
        reminderId: reminder.reminderId,
        invoiceId: reminder.invoiceId,
        level: reminder.level,
        sentOn: command.sentOn,
        channel: command.channel,
        reference: command.reference,
      },
    },
  ];
}

export const paymentRemindersDecider: Decider<
  PaymentRemindersState,
  PaymentRemindersCommand,
  RemindersEvent,
  PaymentReminderFacts
> = {
  initialState: initialPaymentRemindersState,
  evolve: evolvePaymentReminders,
  decide: decidePaymentReminders,
};
