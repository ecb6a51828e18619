import type { InvoiceState } from '../receivables/invoice.js';
import { storedMinor } from '../shared/money.js';

/**
 * What a reminder as of `asOf` would ask for, in the invoice's minor units: its total less the
 * payments received on or before `asOf`. Zero, so no reminder, for an invoice not issued, void
 * (whenever it was voided: a void invoice is owed by nobody), or settled in full by now, even by
 * payments dated after `asOf`: a reminder issued today for an invoice paid since would be sent
 * for nothing.
 *
 * The one place that says what an invoice still owes for reminding. Credit notes, once
 * invoices have them, reduce it the same way (those dated on or before `asOf`), and one that
 * credits the invoice in full makes it zero.
 */
export function outstandingForReminder(invoice: InvoiceState, asOf: string): bigint {
  if (invoice.status !== 'issued') return 0n;
  if (invoice.paidMinor >= invoice.totalMinor) return 0n;
  let paidByThen = 0n;
  for (const payment of invoice.payments) {
    if (payment.receivedOn <= asOf) paidByThen += storedMinor(payment.amount, invoice.currency);
  }
  const outstanding = invoice.totalMinor - paidByThen;
  return outstanding > 0n ? outstanding : 0n;
}
