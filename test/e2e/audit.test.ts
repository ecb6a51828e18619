/**
 * End to end, as a new user tries the audit trail: the BUILT service, activity by two API keys
 * for two users within one correlation id, then an auditor follows it across records, exports
 * it and verifies the log, before and after a SIGKILL and restart.
 */
import { describe, expect, it } from 'vitest';
import {
  call,
  kill,
  newDataDir,
  startService,
  useChildServices,
  expectStatus,
  type Reply,
} from '../support/child-service.js';

useChildServices();

const KEYS = {
  billing: 'e2e-billing-secret-0001',
  treasury: 'e2e-treasury-secret-0001',
  auditor: 'e2e-auditor-secret-0001',
};
const API_KEYS = JSON.stringify([
  { id: 'billing', secret: KEYS.billing, scopes: ['finance:write'] },
  { id: 'treasury', secret: KEYS.treasury, scopes: ['finance:write'] },
  { id: 'auditor', secret: KEYS.auditor, scopes: ['audit:read'] },
]);

const ok = (reply: Reply, status = 201) => expectStatus(reply, status);

describe('the audit trail on the built service', () => {
  it('follows one request across records, exports it and verifies the log across a restart', async () => {
    // A stable instance id: the restarted service takes its projection leases back at once.
    const env = { DATA_DIR: newDataDir(), API_KEYS, INSTANCE_ID: 'e2e-audit' };
    const first = await startService(env);
    const order = { 'X-Correlation-Id': 'order-77' };
    ok(
      await call(first, 'POST', '/v1/customers', {
        secret: KEYS.billing,
        headers: { ...order, 'X-On-Behalf-Of': 'alice' },
        body: {
          customerId: 'C-77',
          name: 'Müller, "Sohn" & Co',
          email: 'ap@mueller.example',
          billingAddress: { line1: 'Ring 1', city: 'Wien', postalCode: '1010', country: 'AT' },
          currency: 'EUR',
          paymentTermsDays: 14,
        },
      }),
    );
    ok(
      await call(first, 'POST', '/v1/invoices', {
        secret: KEYS.billing,
        headers: { ...order, 'X-On-Behalf-Of': 'alice' },
        body: {
          invoiceId: 'INV-77',
          customerId: 'C-77',
          issueDate: '2026-11-02',
          lines: [
            { description: 'Audit', quantity: '1', unitPrice: '700.00', revenueAccount: '40000' },
          ],
        },
      }),
    );
    const paid = ok(
      await call(first, 'POST', '/v1/invoices/INV-77/payments', {
        secret: KEYS.treasury,
        headers: { ...order, 'X-On-Behalf-Of': 'bob' },
        body: {
          amount: '700.00',
          receivedOn: '2026-11-20',
          method: 'bank_transfer',
          reference: 'R',
        },
      }),
    );
    // Other activity, outside the request followed.
    ok(
      await call(first, 'POST', '/v1/ledger/journal-entries', {
        secret: KEYS.treasury,
        body: {
          date: '2026-11-21',
          description: 'Bank fees',
          lines: [
            { account: '60000', debit: '5.00' },
            { account: '10000', credit: '5.00' },
          ],
        },
      }),
    );

    const followed = ok(
      await call(
        first,
        'GET',
        `/v1/audit/events?correlationId=order-77&consistentWith=${paid.body.position as string}`,
        { secret: KEYS.auditor, headers: { 'X-On-Behalf-Of': 'carol' } },
      ),
      200,
    );
    const items = followed.body.items as Record<string, unknown>[];
    expect(new Set(items.map((item) => item.stream))).toEqual(
      new Set([
        'customer-C-77',
        'invoice-INV-77',
        ...items.filter((i) => i.entityType === 'journalEntry').map((i) => i.stream),
      ]),
    );
    expect(items.filter((item) => item.entityType === 'journalEntry')).toHaveLength(2);
    expect(new Set(items.map((item) => item.actor))).toEqual(
      new Set(['billing', 'treasury', 'system:receivables-postings']),
    );
    expect(new Set(items.map((item) => item.onBehalfOf))).toEqual(new Set(['alice', 'bob']));

    const exported = await fetch(
      `http://127.0.0.1:${first.port}/v1/audit/export?format=csv&correlationId=order-77`,
      { headers: { Authorization: `Bearer ${KEYS.auditor}` } },
    );
    expect(exported.status).toBe(200);
    const csv = await exported.text();
    expect(csv.startsWith('position,recordedAt,')).toBe(true);
    // The data cell is JSON, quoted; the customer's name is personal data an auditor does not read.
    expect(csv).toContain('"{""customerId"":""C-77"",""name"":{""redacted"":true},');
    expect(csv).not.toContain('Müller');
    expect(csv.split('\r\n').filter((line) => /^\d+,/.test(line))).toHaveLength(items.length);

    const verified = ok(
      await call(first, 'GET', '/v1/audit/verify', { secret: KEYS.auditor }),
      200,
    );
    expect(verified.body).toMatchObject({ status: 'intact', brokenStreamCount: 0 });
    const firstDigest = verified.body.digest as { position: string; value: string };

    await kill(first);
    const second = await startService(env);
    const again = ok(await call(second, 'GET', '/v1/audit/verify', { secret: KEYS.auditor }), 200);
    expect(again.body).toMatchObject({
      status: 'intact',
      checkpoints: { mismatched: [] },
    });
    expect((again.body.checkpoints as { compared: number }).compared).toBeGreaterThanOrEqual(1);
    expect(BigInt((again.body.digest as { position: string }).position)).toBeGreaterThan(
      BigInt(firstDigest.position),
    );
    const incremental = ok(
      await call(second, 'GET', '/v1/audit/verify?mode=incremental', { secret: KEYS.auditor }),
      200,
    );
    expect(incremental.body).toMatchObject({
      mode: 'incremental',
      status: 'intact',
      fromPosition: (again.body.digest as { position: string }).position,
    });

    // Every audit read is on the record, by whom and for whom.
    const head = (incremental.body.digest as { position: string }).position;
    const access = ok(
      await call(second, 'GET', `/v1/audit/events?type=AuditTrailAccessed&consistentWith=${head}`, {
        secret: KEYS.auditor,
      }),
      200,
    );
    const operations = (access.body.items as { actor: string; data: { operation: string } }[]).map(
      (item) => `${item.actor}:${item.data.operation}`,
    );
    expect(operations.slice(0, 5)).toEqual([
      'auditor:events',
      'auditor:export',
      'auditor:verify',
      'auditor:verify',
      'auditor:verify',
    ]);
    expect((access.body.items as { onBehalfOf: string | null }[])[0]!.onBehalfOf).toBe('carol');
  }, 60_000);
});
