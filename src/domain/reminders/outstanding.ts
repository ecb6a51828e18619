import { outstandingMinor, settledAsOf, type InvoiceState } from '../receivables/invoice.js';

/**
 * What a reminder as of `asOf` would ask for, in the invoice's minor units: its total less the
 * payments received and the credit notes dated on or before `asOf`. Zero, so no reminder, for an
 * invoice not issued, void (whenever it was voided: a void invoice is owed by nobody), or settled
 * in full by now, by payments or credit notes, even dated after `asOf`: a reminder issued today
 * for an invoice paid or credited since would be sent for nothing.
 *
 * The one place that says what an invoice still owes for reminding.
 */
export function outstandingForReminder(invoice: InvoiceState, asOf: string): bigint {
  if (invoice.status !== 'issued') return 0n;
  if (outstandingMinor(invoice) === 0n) return 0n;
  const outstanding = invoice.totalMinor - settledAsOf(invoice, asOf);
  return outstanding > 0n ? outstanding : 0n;
}
