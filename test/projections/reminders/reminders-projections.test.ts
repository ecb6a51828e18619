import { describe, expect, it } from 'vitest';
import { foldRecorded } from '../../../src/commands/read-state.js';
import {
  remindersEventSchemas,
  type RemindersEvent,
} from '../../../src/domain/reminders/events.js';
import { paymentRemindersDecider } from '../../../src/domain/reminders/payment-reminders.js';
import { remindersStreams } from '../../../src/domain/reminders/streams.js';
import {
  reminderDocumentOf,
  remindersProjection,
} from '../../../src/projections/reminders/reminders-projections.js';
import type { JsonObject, RecordedEvent } from '../../../src/stores/event-store.js';
import { given, givenEvents } from '../given-events.js';

/** A fresh log: each event gets the next position and the next revision of its stream. */
function remindersLog() {
  let position = 0n;
  const revisions = new Map<string, bigint>();
  const record = (event: RemindersEvent): RecordedEvent => {
    const streamId = remindersStreams.ofInvoice(event.data.invoiceId);
    position += 1n;
    const revision = (revisions.get(streamId) ?? -1n) + 1n;
    revisions.set(streamId, revision);
    return {
      id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
      type: event.type,
      streamId,
      revision,
      position,
      data: { ...event.data },
      metadata: {},
      recordedAt: '2026-12-31T10:00:00.000Z',
    };
  };
  return {
    issued: (invoiceId: string, level: number, asOf: string) =>
      record({
        type: 'PaymentReminderIssued',
        data: {
          reminderId: `${invoiceId}.R${level}`,
          invoiceId,
          customerId: 'ACME',
          level,
          levelDays: [7, 21, 45][level - 1]!,
          asOf,
          dueDate: '2026-10-31',
          daysOverdue: 30,
          amountOutstanding: '12.50',
          currency: 'EUR',
        },
      }),
    sent: (invoiceId: string, level: number, sentOn: string) =>
      record({
        type: 'PaymentReminderSent',
        data: {
          reminderId: `${invoiceId}.R${level}`,
          invoiceId,
          level,
          sentOn,
          channel: 'letter',
          reference: 'DHL 1',
        },
      }),
  };
}

const issuedDocument = {
  reminderId: 'INV-1.R1',
  invoiceId: 'INV-1',
  customerId: 'ACME',
  level: 1,
  levelDays: 7,
  asOf: '2026-11-07',
  dueDate: '2026-10-31',
  daysOverdue: 30,
  amountOutstanding: '12.50',
  currency: 'EUR',
  status: 'issued',
  sent: null,
  revision: 0,
};

describe('reminders_payment_reminders', () => {
  it('holds a reminder issued, with its status issued', () => {
    const log = remindersLog();
    given(remindersProjection, [log.issued('INV-1', 1, '2026-11-07')]).thenDocuments({
      'INV-1.R1': issuedDocument,
    });
  });

  it('marks it sent, leaving the reminders of other levels as they were', () => {
    const log = remindersLog();
    given(remindersProjection, [
      log.issued('INV-1', 1, '2026-11-07'),
      log.issued('INV-1', 2, '2026-11-21'),
      log.sent('INV-1', 1, '2026-11-22'),
    ])
      .then('INV-1.R1', {
        ...issuedDocument,
        status: 'sent',
        sent: { sentOn: '2026-11-22', channel: 'letter', reference: 'DHL 1' },
        revision: 2,
      })
      .and('INV-1.R2', {
        ...issuedDocument,
        reminderId: 'INV-1.R2',
        level: 2,
        levelDays: 21,
        asOf: '2026-11-21',
        revision: 1,
      });
  });

  it('refuses a sending of a reminder never issued: the log is broken', () => {
    given(remindersProjection, [remindersLog().sent('INV-1', 1, '2026-11-22')]).thenThrows(
      'never issued',
    );
  });

  it("equals, after every event, the document a write answers from the stream's state", () => {
    const log = remindersLog();
    const stream = [
      log.issued('INV-1', 1, '2026-11-07'),
      log.issued('INV-1', 2, '2026-11-21'),
      log.sent('INV-1', 2, '2026-11-22'),
      log.sent('INV-1', 1, '2026-11-23'),
    ];
    for (let end = 1; end <= stream.length; end += 1) {
      const prefix = stream.slice(0, end);
      const state = foldRecorded(paymentRemindersDecider, remindersEventSchemas, prefix);
      const documents = givenEvents(remindersProjection, prefix);
      expect(state.reminders.length).toBe(documents.size);
      for (const record of state.reminders) {
        const fromState = reminderDocumentOf(record) as unknown as JsonObject;
        expect(fromState).toEqual(documents.get(record.reminderId));
        expect(JSON.stringify(fromState)).toBe(JSON.stringify(documents.get(record.reminderId)));
      }
    }
  });
});
