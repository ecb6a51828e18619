/**
 * The invoices a reminder run looks at, found in the log, not in the read models, which may lag
 * behind an invoice just issued. Each `InvoiceIssued` is read once, through the log's type
 * index, from the last position this instance saw; what is kept is each invoice's id and due
 * date, until the invoice can never be reminded again (void, settled in full, or at the last
 * level), when the run retires it. A run then reads the streams only of invoices past due by
 * the first level, and never holds more than their ids.
 */
import type { EventStore } from '../../stores/event-store.js';

export interface ReminderCandidates {
  /** The ids of the invoices not retired whose due date is on or before `date`, in log order. */
  dueBy(date: string): Promise<string[]>;
  /** The invoice will never be reminded again: leave it out of every later run. */
  retire(invoiceId: string): void;
}

const PAGE = 1000;

export function createReminderCandidates(
  eventStore: Pick<EventStore, 'readAll'>,
): ReminderCandidates {
  const dueDates = new Map<string, string>();
  let after = 0n;
  let reading: Promise<void> | undefined;

  async function readOn(): Promise<void> {
    for (;;) {
      const events = await eventStore.readAll({
        after,
        maxCount: PAGE,
        filter: { eventTypes: ['InvoiceIssued'] },
      });
      for (const event of events) {
        const { invoiceId, dueDate } = event.data;
        if (typeof invoiceId === 'string' && typeof dueDate === 'string') {
          dueDates.set(invoiceId, dueDate);
        }
        after = event.position;
      }
      if (events.length < PAGE) return;
    }
  }

  return {
    async dueBy(date) {
      // Always read on after the caller asked, so an invoice issued before the run is in it.
      while (reading) await reading;
      reading = readOn().finally(() => {
        reading = undefined;
      });
      await reading;
      const due: string[] = [];
      for (const [invoiceId, dueDate] of dueDates) if (dueDate <= date) due.push(invoiceId);
      return due;
    },
    retire(invoiceId) {
      dueDates.delete(invoiceId);
    },
  };
}
