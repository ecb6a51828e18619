import type { ReminderChannel } from './events.js';

/**
 * Issue the reminder the invoice is due as of `asOf`, if any: one command per invoice of a
 * run, decided on the stream of the invoice's reminders.
 */
export interface IssuePaymentReminder {
  readonly type: 'IssuePaymentReminder';
  readonly invoiceId: string;
  /** The run's date: what "overdue" and the outstanding amount are judged on. */
  readonly asOf: string;
  /** REMINDER_LEVELS: the days overdue each level is reached at, ascending; level 1 first. */
  readonly levels: readonly number[];
  /** Today (UTC), by the service's clock: `asOf` may not be later. */
  readonly today: string;
}

/** Record that the calling service sent a reminder. */
export interface MarkPaymentReminderSent {
  readonly type: 'MarkPaymentReminderSent';
  readonly reminderId: string;
  readonly sentOn: string;
  readonly channel: ReminderChannel;
  readonly reference: string;
  /** Today (UTC): a reminder cannot have been sent later. */
  readonly today: string;
}

export type PaymentRemindersCommand = IssuePaymentReminder | MarkPaymentReminderSent;
