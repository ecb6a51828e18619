import { describe, expect, it } from 'vitest';
import {
  plaintextPersonalFields,
  schemaVersionOf,
  upcastReceivablesEvent,
} from '../../../src/domain/receivables/upcast.js';
import type { SealedValue } from '../../../src/domain/shared/sealed-value.js';

const sealed = (field: string): SealedValue => ({
  $personal: 1,
  subject: 'customer-C-1',
  event: 'e1',
  field,
  iv: 'aXY',
  data: 'ZGF0YQ',
});

const plain = {
  customerId: 'C-1',
  name: 'Acme SARL',
  email: 'billing@acme.example',
  billingAddress: { line1: '12 Rue de la Paix', city: 'Lyon', postalCode: '69001', country: 'FR' },
  currency: 'EUR',
  paymentTermsDays: 30,
};
const stored = {
  ...plain,
  name: sealed('name'),
  email: sealed('email'),
  billingAddress: sealed('billingAddress'),
};
const v = (schemaVersion: number) => ({ schemaVersion });

describe('the receivables upcaster', () => {
  it('reads a version 1 customer event as written: its personal fields in plain text', () => {
    const event = { type: 'CustomerRegistered', data: plain, metadata: v(1) };
    expect(upcastReceivablesEvent(event)).toEqual({ type: 'CustomerRegistered', data: plain });
    expect(plaintextPersonalFields(event)).toEqual(['name', 'email', 'billingAddress']);
  });

  it('takes an event without a schemaVersion for version 1', () => {
    expect(schemaVersionOf({})).toBe(1);
    expect(upcastReceivablesEvent({ type: 'CustomerRegistered', data: plain }).data).toEqual(plain);
  });

  it('reads a version 2 customer event with its personal fields sealed, and finds no plain text', () => {
    const event = { type: 'CustomerRegistered', data: stored, metadata: v(2) };
    expect(upcastReceivablesEvent(event).data).toEqual(stored);
    expect(plaintextPersonalFields(event)).toEqual([]);
    const changed = {
      type: 'CustomerDetailsChanged',
      data: {
        customerId: 'C-1',
        changes: { email: sealed('changes.email'), paymentTermsDays: 14 },
      },
      metadata: v(2),
    };
    expect(upcastReceivablesEvent(changed).data).toEqual(changed.data);
    expect(plaintextPersonalFields(changed)).toEqual([]);
  });

  it('refuses plain text in a version 2 event: a broken log, not an old one', () => {
    expect(() =>
      upcastReceivablesEvent({ type: 'CustomerRegistered', data: plain, metadata: v(2) }),
    ).toThrow();
    expect(() =>
      upcastReceivablesEvent({
        type: 'CustomerDetailsChanged',
        data: { customerId: 'C-1', changes: { name: 'Acme SAS' } },
        metadata: v(2),
      }),
    ).toThrow();
  });

  it('finds plain text in a change of version 1 by its changes.* path', () => {
    const changed = {
      type: 'CustomerDetailsChanged',
      data: { customerId: 'C-1', changes: { name: 'Acme SAS', paymentTermsDays: 14 } },
      metadata: v(1),
    };
    expect(upcastReceivablesEvent(changed).data).toEqual(changed.data);
    expect(plaintextPersonalFields(changed)).toEqual(['changes.name']);
  });

  it('refuses a version it does not know rather than guess', () => {
    expect(() =>
      upcastReceivablesEvent({ type: 'CustomerRegistered', data: stored, metadata: v(3) }),
    ).toThrow(/schema version 3/);
    expect(() =>
      upcastReceivablesEvent({
        type: 'CustomerPersonalDataErased',
        data: { customerId: 'C-1', reason: 'r', legalBasis: 'b', erasedAt: '2026-01-01T00:00:00Z' },
        metadata: v(2),
      }),
    ).toThrow(/schema version 2/);
  });

  it('passes the other events through at version 1, with no personal data', () => {
    const voided = {
      type: 'InvoiceVoided',
      data: {
        invoiceId: 'I-1',
        customerId: 'C-1',
        voidedOn: '2026-03-01',
        reason: 'x',
        total: '1.00',
      },
      metadata: v(1),
    };
    expect(upcastReceivablesEvent(voided)).toEqual({ type: 'InvoiceVoided', data: voided.data });
    expect(plaintextPersonalFields(voided)).toEqual([]);
  });
});
