import { z } from 'zod';

/**
 * Payment reminder events. A reminder is a record that an invoice, overdue as of a date, is due
 * a reminder of some level; the service sends nothing itself. The calling service lists the
 * reminders issued, sends them by its own means and tells the service when it did
 * (`PaymentReminderSent`). Amounts are decimal strings in the invoice's currency.
 */
export const reminderChannels = ['email', 'letter', 'phone', 'other'] as const;
export type ReminderChannel = (typeof reminderChannels)[number];

export const remindersEventSchemas = {
  PaymentReminderIssued: z
    .strictObject({
      reminderId: z
        .string()
        .describe('`<invoiceId>.R<level>`: one id per invoice and level, so none is issued twice.'),
      invoiceId: z.string().describe('The invoice overdue.'),
      customerId: z.string().describe("The invoice's customer."),
      level: z
        .number()
        .int()
        .describe('1 for the first level of REMINDER_LEVELS, 2 for the second, and so on.'),
      levelDays: z
        .number()
        .int()
        .describe('Days overdue the level is reached at, as configured when it was issued.'),
      asOf: z.string().describe('`YYYY-MM-DD`: the date of the run the reminder is judged on.'),
      dueDate: z.string().describe("The invoice's due date."),
      daysOverdue: z.number().int().describe('Days from the due date to `asOf`.'),
      amountOutstanding: z
        .string()
        .describe('What was left to pay on the invoice as of `asOf`: positive.'),
      currency: z.string().describe("The invoice's currency."),
    })
    .describe(
      "A reminder run found the invoice overdue as of `asOf` at a level it had no reminder of yet. It is appended to the stream of the invoice's reminders, decided against every reminder before it, so a level is issued once however runs race.",
    ),
  PaymentReminderSent: z
    .strictObject({
      reminderId: z.string().describe('The reminder sent.'),
      invoiceId: z.string().describe('Its invoice.'),
      level: z.number().int().describe("The reminder's level."),
      sentOn: z
        .string()
        .describe("`YYYY-MM-DD`: not before the reminder's `asOf`, not after the day recorded."),
      channel: z.enum(reminderChannels).describe('How the calling service sent it.'),
      reference: z
        .string()
        .describe("The sender's reference (a message id, a tracking number); empty when none."),
    })
    .describe(
      'The calling service reports that it sent the reminder; recorded once per reminder. The service itself sends no mail.',
    ),
} as const;

type Schemas = typeof remindersEventSchemas;
export type RemindersEventType = keyof Schemas;
export type RemindersEvent = {
  [K in RemindersEventType]: { readonly type: K; readonly data: z.infer<Schemas[K]> };
}[RemindersEventType];

export type PaymentReminderIssued = Extract<RemindersEvent, { type: 'PaymentReminderIssued' }>;
export type PaymentReminderSent = Extract<RemindersEvent, { type: 'PaymentReminderSent' }>;
