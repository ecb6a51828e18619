import type { RemindersEventType } from './events.js';

/**
 * One stream per invoice for all its reminders, `paymentReminders-<invoiceId>` (entity types
 * are camelCase: streams split at the first hyphen). Every level of an invoice is decided on
 * that one stream, against what it already holds, and appended with its expected revision: a
 * second reminder of a level cannot be appended, by this instance or another.
 */
export const remindersStreams = {
  ofInvoice: (invoiceId: string) => `paymentReminders-${invoiceId}`,
} as const;

/** The stream each event type is appended to, with placeholders for its ids. */
export const remindersEventStreams = {
  PaymentReminderIssued: remindersStreams.ofInvoice('<invoiceId>'),
  PaymentReminderSent: remindersStreams.ofInvoice('<invoiceId>'),
} as const satisfies Record<RemindersEventType, string>;

/** A reminder's id: its invoice and level, so the id itself says which stream holds it. */
export function reminderIdOf(invoiceId: string, level: number): string {
  return `${invoiceId}.R${level}`;
}

const REMINDER_ID = /^(.+)\.R([1-9]\d*)$/;

/**
 * The invoice and level a reminder id names, or undefined when it names none. The level is the
 * id's last `.R<digits>`, so an invoice id that itself ends in one still parses back.
 */
export function parseReminderId(
  reminderId: string,
): { readonly invoiceId: string; readonly level: number } | undefined {
  const match = REMINDER_ID.exec(reminderId);
  if (!match) return undefined;
  return { invoiceId: match[1]!, level: Number(match[2]) };
}
