import { describe, expect, it } from 'vitest';
import type {
  IssuePaymentReminder,
  MarkPaymentReminderSent,
} from '../../../src/domain/reminders/commands.js';
import type {
  PaymentReminderIssued,
  PaymentReminderSent,
  RemindersEvent,
} from '../../../src/domain/reminders/events.js';
import { outstandingForReminder } from '../../../src/domain/reminders/outstanding.js';
import {
  paymentRemindersDecider,
  type PaymentReminderFacts,
} from '../../../src/domain/reminders/payment-reminders.js';
import { parseReminderId, reminderIdOf } from '../../../src/domain/reminders/streams.js';
import type { ReceivablesEvent } from '../../../src/domain/receivables/events.js';
import {
  evolveInvoice,
  initialInvoiceState,
  type InvoiceState,
} from '../../../src/domain/receivables/invoice.js';
import { givenWhenThen } from '../ledger/given-when-then.js';

const LEVELS = [7, 21, 45];

/** INV-1 for 100.00 EUR, issued 2026-10-01, due 2026-10-31, then whatever follows. */
function invoiceAfter(...later: ReceivablesEvent[]): InvoiceState {
  const issued: ReceivablesEvent = {
    type: 'InvoiceIssued',
    data: {
      invoiceId: 'INV-1',
      customerId: 'ACME',
      issueDate: '2026-10-01',
      dueDate: '2026-10-31',
      currency: 'EUR',
      lines: [
        {
          description: 'Work',
          quantity: '1',
          unitPrice: '100.00',
          amount: '100.00',
          revenueAccount: '40000',
        },
      ],
      total: '100.00',
    },
  };
  return [issued, ...later].reduce(evolveInvoice, initialInvoiceState);
}

function payment(paymentId: string, amount: string, receivedOn: string): ReceivablesEvent {
  return {
    type: 'PaymentReceived',
    data: {
      invoiceId: 'INV-1',
      customerId: 'ACME',
      paymentId,
      amount,
      currency: 'EUR',
      receivedOn,
      method: 'bank_transfer',
      reference: '',
    },
  };
}

const voided: ReceivablesEvent = {
  type: 'InvoiceVoided',
  data: {
    invoiceId: 'INV-1',
    customerId: 'ACME',
    voidedOn: '2026-12-01',
    reason: 'Wrong customer',
    total: '100.00',
  },
};

const reminders = (invoice: InvoiceState = invoiceAfter()) =>
  givenWhenThen(paymentRemindersDecider, { invoice } satisfies PaymentReminderFacts);

function issue(asOf: string, overrides: Partial<IssuePaymentReminder> = {}): IssuePaymentReminder {
  return {
    type: 'IssuePaymentReminder',
    invoiceId: 'INV-1',
    asOf,
    levels: LEVELS,
    today: '2026-12-31',
    ...overrides,
  };
}

function issued(
  level: number,
  asOf: string,
  daysOverdue: number,
  amountOutstanding = '100.00',
): PaymentReminderIssued {
  return {
    type: 'PaymentReminderIssued',
    data: {
      reminderId: `INV-1.R${level}`,
      invoiceId: 'INV-1',
      customerId: 'ACME',
      level,
      levelDays: LEVELS[level - 1]!,
      asOf,
      dueDate: '2026-10-31',
      daysOverdue,
      amountOutstanding,
      currency: 'EUR',
    },
  };
}

function markSent(overrides: Partial<MarkPaymentReminderSent> = {}): MarkPaymentReminderSent {
  return {
    type: 'MarkPaymentReminderSent',
    reminderId: 'INV-1.R1',
    sentOn: '2026-11-08',
    channel: 'email',
    reference: 'msg-1',
    today: '2026-12-31',
    ...overrides,
  };
}

const sent = (reminderId: string, level: number, sentOn: string): PaymentReminderSent => ({
  type: 'PaymentReminderSent',
  data: { reminderId, invoiceId: 'INV-1', level, sentOn, channel: 'email', reference: 'msg-1' },
});

describe('issuing a payment reminder', () => {
  it('issues level 1 once the invoice is that many days overdue, not a day before', () => {
    reminders()().when(issue('2026-11-06')).then([]);
    reminders()()
      .when(issue('2026-11-07'))
      .then([issued(1, '2026-11-07', 7)]);
  });

  it('issues the next level when it is reached, and nothing twice', () => {
    const given = reminders();
    given([issued(1, '2026-11-07', 7)])
      .when(issue('2026-11-07'))
      .then([]);
    given([issued(1, '2026-11-07', 7)])
      .when(issue('2026-11-20'))
      .then([]);
    given([issued(1, '2026-11-07', 7)])
      .when(issue('2026-11-21'))
      .then([issued(2, '2026-11-21', 21)]);
    given([issued(1, '2026-11-07', 7), issued(2, '2026-11-21', 21)])
      .when(issue('2026-12-15'))
      .then([issued(3, '2026-12-15', 45)]);
    given([issued(1, '2026-11-07', 7), issued(2, '2026-11-21', 21), issued(3, '2026-12-15', 45)])
      .when(issue('2026-12-31'))
      .then([]);
  });

  it('issues only the highest level reached, and never a lower one after it', () => {
    reminders()()
      .when(issue('2026-12-20'))
      .then([issued(3, '2026-12-20', 50)]);
    reminders()([issued(3, '2026-12-20', 50)])
      .when(issue('2026-11-25'))
      .then([]);
    // A sent reminder still counts as had.
    reminders()([issued(1, '2026-11-07', 7), sent('INV-1.R1', 1, '2026-11-08')])
      .when(issue('2026-11-10'))
      .then([]);
  });

  it('asks for what is outstanding as of the run date', () => {
    const partly = invoiceAfter(
      payment('P1', '30.50', '2026-11-05'),
      payment('P2', '9.50', '2026-11-20'),
    );
    reminders(partly)()
      .when(issue('2026-11-10'))
      .then([issued(1, '2026-11-10', 10, '69.50')]);
    reminders(partly)()
      .when(issue('2026-11-21'))
      .then([issued(2, '2026-11-21', 21, '60.00')]);
  });

  it('issues none for an invoice void, paid in full (even after the run date), or not issued', () => {
    reminders(invoiceAfter(voided))().when(issue('2026-11-21')).then([]);
    reminders(invoiceAfter(payment('P1', '100.00', '2026-11-01')))()
      .when(issue('2026-11-21'))
      .then([]);
    reminders(
      invoiceAfter(payment('P1', '40.00', '2026-11-01'), payment('P2', '60.00', '2026-12-01')),
    )()
      .when(issue('2026-11-21'))
      .then([]);
    reminders(initialInvoiceState)().when(issue('2026-11-21')).then([]);
  });

  it('refuses a run date after today or that is no date', () => {
    reminders()()
      .when(issue('2027-01-01'))
      .thenRefuses({ kind: 'invalid', code: 'InvalidReminderRun', issues: ['asOf'] });
    reminders()()
      .when(issue('2026-02-29'))
      .thenRefuses({ kind: 'invalid', code: 'InvalidReminderRun', issues: ['asOf'] });
  });

  it('judges levels by the levels the command carries', () => {
    reminders()()
      .when(issue('2026-11-03', { levels: [3] }))
      .then([
        {
          ...issued(1, '2026-11-03', 3),
          data: { ...issued(1, '2026-11-03', 3).data, levelDays: 3 },
        },
      ]);
  });
});

describe('marking a reminder sent', () => {
  const given = reminders(initialInvoiceState);
  const history: RemindersEvent[] = [issued(1, '2026-11-07', 7)];

  it('records it once, with the channel and reference', () => {
    given(history)
      .when(markSent())
      .then([sent('INV-1.R1', 1, '2026-11-08')]);
    given([...history, sent('INV-1.R1', 1, '2026-11-08')])
      .when(markSent({ sentOn: '2026-11-09' }))
      .thenRefuses({ kind: 'conflict', code: 'ReminderAlreadySent', message: '2026-11-08' });
  });

  it('refuses a reminder that was not issued', () => {
    given(history)
      .when(markSent({ reminderId: 'INV-1.R2' }))
      .thenRefuses({ kind: 'not_found', code: 'ReminderNotFound' });
    given().when(markSent()).thenRefuses({ kind: 'not_found', code: 'ReminderNotFound' });
  });

  it('refuses a sending before the reminder was issued, or after today', () => {
    given(history)
      .when(markSent({ sentOn: '2026-11-07' }))
      .then([sent('INV-1.R1', 1, '2026-11-07')]);
    given(history)
      .when(markSent({ sentOn: '2026-11-06' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidReminderSent', issues: ['sentOn'] });
    given(history)
      .when(markSent({ sentOn: '2027-01-01' }))
      .thenRefuses({ kind: 'invalid', code: 'InvalidReminderSent', issues: ['sentOn'] });
  });

  it("keeps each reminder's own revision for If-Match", () => {
    const state = [
      issued(1, '2026-11-07', 7),
      issued(2, '2026-11-21', 21),
      sent('INV-1.R2', 2, '2026-11-22'),
    ].reduce(paymentRemindersDecider.evolve, paymentRemindersDecider.initialState);
    expect(state.revision).toBe(2);
    expect(state.reminders.map((reminder) => [reminder.reminderId, reminder.revision])).toEqual([
      ['INV-1.R1', 0],
      ['INV-1.R2', 2],
    ]);
  });
});

describe('what an invoice owes for reminding', () => {
  it('counts the payments received on or before the date, none of a void or settled invoice', () => {
    const partly = invoiceAfter(payment('P1', '25.00', '2026-11-05'));
    expect(outstandingForReminder(partly, '2026-11-04')).toBe(10000n);
    expect(outstandingForReminder(partly, '2026-11-05')).toBe(7500n);
    expect(outstandingForReminder(invoiceAfter(voided), '2026-11-30')).toBe(0n);
    expect(
      outstandingForReminder(invoiceAfter(payment('P1', '100.00', '2026-12-05')), '2026-11-30'),
    ).toBe(0n);
    expect(outstandingForReminder(initialInvoiceState, '2026-11-30')).toBe(0n);
  });

  it('counts the credit notes dated on or before the date, and none of an invoice credited in full', () => {
    const partly = invoiceAfter(creditNote('CN-1', '30.00', '2026-11-10'));
    expect(outstandingForReminder(partly, '2026-11-09')).toBe(10000n);
    expect(outstandingForReminder(partly, '2026-11-10')).toBe(7000n);
    const settled = invoiceAfter(
      payment('P1', '40.00', '2026-11-05'),
      creditNote('CN-1', '60.00', '2026-12-10'),
    );
    // Credited in full since: no reminder, also as of a day before the credit note.
    expect(outstandingForReminder(settled, '2026-11-30')).toBe(0n);
  });
});

function creditNote(creditNoteId: string, amount: string, date: string): ReceivablesEvent {
  return {
    type: 'CreditNoteIssued',
    data: {
      invoiceId: 'INV-1',
      customerId: 'ACME',
      creditNoteId,
      date,
      reason: 'Returned',
      currency: 'EUR',
      lines: [{ description: 'Back', amount, revenueAccount: '40000' }],
      net: amount,
      taxes: [],
      total: amount,
      toCustomerCredit: '0.00',
    },
  };
}

describe('reminder ids', () => {
  it('name the invoice and level, and parse back even when the invoice id looks like one', () => {
    expect(reminderIdOf('INV-1', 2)).toBe('INV-1.R2');
    expect(parseReminderId('INV-1.R2')).toEqual({ invoiceId: 'INV-1', level: 2 });
    expect(parseReminderId(reminderIdOf('X.R3', 1))).toEqual({ invoiceId: 'X.R3', level: 1 });
    expect(parseReminderId('INV-1')).toBeUndefined();
    expect(parseReminderId('INV-1.R0')).toBeUndefined();
    expect(parseReminderId('.R1')).toBeUndefined();
  });
});
