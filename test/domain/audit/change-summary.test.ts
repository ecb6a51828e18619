import { describe, expect, it } from 'vitest';
import {
  createHistoryFolder,
  humaniseEventType,
} from '../../../src/domain/audit/change-summary.js';

/** Given earlier events of a record, when the next one is described, then… */
function describeAfter(
  earlier: { type: string; data: unknown }[],
  next: { type: string; data: unknown },
) {
  const folder = createHistoryFolder();
  for (const event of earlier) folder.next(event);
  return folder.next(next);
}

describe('change summaries', () => {
  it('given no earlier event, every field of the first is set', () => {
    const described = describeAfter([], {
      type: 'CustomerRegistered',
      data: { customerId: 'ACME', name: 'Acme', address: { city: 'Berlin' } },
    });
    expect(described.changes).toEqual([
      { field: 'address.city', to: 'Berlin' },
      { field: 'customerId', to: 'ACME' },
      { field: 'name', to: 'Acme' },
    ]);
    expect(described.summary).toBe(
      'Customer registered: address.city "Berlin", customerId "ACME", name "Acme"',
    );
  });

  it('given a field set before, a new value is shown with the old one and a repeated value is left out', () => {
    const described = describeAfter(
      [{ type: 'CustomerRegistered', data: { customerId: 'ACME', email: 'a@x.example' } }],
      { type: 'CustomerEmailChanged', data: { customerId: 'ACME', email: 'b@x.example' } },
    );
    expect(described.changes).toEqual([{ field: 'email', from: 'a@x.example', to: 'b@x.example' }]);
    expect(described.summary).toBe('Customer email changed: email "a@x.example" → "b@x.example"');
  });

  it('reads the members of a `changes` object as the record fields they change', () => {
    const described = describeAfter(
      [{ type: 'CustomerRegistered', data: { customerId: 'ACME', name: 'Acme', terms: 30 } }],
      {
        type: 'CustomerDetailsChanged',
        data: { customerId: 'ACME', changes: { name: 'Acme AG', terms: 30 } },
      },
    );
    expect(described.changes).toEqual([{ field: 'name', from: 'Acme', to: 'Acme AG' }]);
  });

  it('given nothing new, names only what happened', () => {
    const same = { type: 'Noted', data: { id: 'n-1' } };
    expect(describeAfter([same], same)).toEqual({ summary: 'Noted', changes: [] });
  });

  it('keeps arrays whole, shortens long values in the line but never in the changes', () => {
    const long = 'x'.repeat(200);
    const described = describeAfter([], {
      type: 'JournalEntryPosted',
      data: { lines: [{ a: 1 }, { a: 2 }], memo: long, empty: {} },
    });
    expect(described.changes).toEqual([
      { field: 'empty', to: {} },
      { field: 'lines', to: [{ a: 1 }, { a: 2 }] },
      { field: 'memo', to: long },
    ]);
    expect(described.summary).toContain('lines [2 items]');
    expect(described.summary).toContain(`memo "${'x'.repeat(58)}…`);
  });

  it('lists at most eight fields in the line and counts the rest', () => {
    const data = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i + 10}`, i]));
    const described = describeAfter([], { type: 'Many', data });
    expect(described.changes).toHaveLength(11);
    expect(described.summary).toMatch(/, and 3 more$/);
  });

  it('turns event types into words', () => {
    expect(humaniseEventType('PaymentReceived')).toBe('Payment received');
    expect(humaniseEventType('AuditTrailAccessed')).toBe('Audit trail accessed');
    expect(humaniseEventType('VATReturnFiled')).toBe('Vat return filed');
  });
});
