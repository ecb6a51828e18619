/**
 * `reminders_payment_reminders`: one document per payment reminder, as `GET /v1/reminders/{id}` shows it, with its
 * status (`issued` until the calling service marks it `sent`). Its `revision` is the revision of
 * the invoice's reminder stream at the reminder's last change: its ETag.
 */
import { remindersEventSchemas, type ReminderChannel } from '../../domain/reminders/events.js';
import type { ReminderRecord } from '../../domain/reminders/payment-reminders.js';
import { eventDecoder, type EventsOf } from '../../domain/shared/event-schemas.js';
import { defineProjection, type Projection } from '../projection.js';

export type ReminderStatus = 'issued' | 'sent';

export interface ReminderDocument {
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
  readonly status: ReminderStatus;
  readonly sent: {
    readonly sentOn: string;
    readonly channel: ReminderChannel;
    readonly reference: string;
  } | null;
  readonly revision: number;
}

type RemindersEvent = EventsOf<typeof remindersEventSchemas>;

const decode = eventDecoder(remindersEventSchemas);

export const remindersProjection = defineProjection<
  ReminderDocument,
  RemindersEvent,
  RemindersEvent['type']
>({
  name: 'reminders_payment_reminders',
  version: 1,
  eventTypes: ['PaymentReminderIssued', 'PaymentReminderSent'],
  indexes: [
    {
      name: 'by_as_of',
      fields: [
        { field: 'asOf', direction: 'asc' },
        { field: 'reminderId', direction: 'asc' },
      ],
    },
    {
      name: 'by_status',
      fields: [
        { field: 'status', direction: 'asc' },
        { field: 'asOf', direction: 'asc' },
      ],
    },
    {
      name: 'by_customer',
      fields: [
        { field: 'customerId', direction: 'asc' },
        { field: 'asOf', direction: 'asc' },
      ],
    },
  ],
  decode,
  documentIds: (event) => [event.data.reminderId],
  evolve(reminder: ReminderDocument | null, event, id) {
    const revision = Number(event.revision);
    if (event.type === 'PaymentReminderIssued') {
      const issued: ReminderDocument = { ...event.data, status: 'issued', sent: null, revision };
      return issued;
    }
    // Only an issued reminder can be marked sent: anything else is a broken log.
    if (!reminder) throw new Error(`${event.type} for reminder ${id}, never issued`);
    const { sentOn, channel, reference } = event.data;
    const sent: ReminderDocument = {
      ...reminder,
      status: 'sent',
      sent: { sentOn, channel, reference },
      revision,
    };
    return sent;
  },
});

/**
 * The document `reminders` holds for a reminder, from the stream's state: how a write answers
 * without waiting for the projection. It must equal what the projection builds from the same
 * events (a test holds the two together).
 */
export function reminderDocumentOf(record: ReminderRecord): ReminderDocument {
  return {
    reminderId: record.reminderId,
    invoiceId: record.invoiceId,
    customerId: record.customerId,
    level: record.level,
    levelDays: record.levelDays,
    asOf: record.asOf,
    dueDate: record.dueDate,
    daysOverdue: record.daysOverdue,
    amountOutstanding: record.amountOutstanding,
    currency: record.currency,
    status: record.sent ? 'sent' : 'issued',
    sent: record.sent,
    revision: record.revision,
  };
}

export const remindersProjections: readonly Projection[] = [remindersProjection];
