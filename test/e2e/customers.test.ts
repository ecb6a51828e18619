/**
 * End to end, as a finance user tries customers on the BUILT service at log level `debug`:
 * register (with a retried Idempotency-Key), change the address, a refused request, an invoice
 * paid, erasure, a restart. Then the service's whole log output, every file of its DATA_DIR
 * and every answer are searched for the customer's personal data, and the log must verify.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

const KEYS = { finance: 'e2e-finance-secret-0001', admin: 'e2e-admin-secret-0001' };
const API_KEYS = JSON.stringify([
  { id: 'ar', secret: KEYS.finance, scopes: ['finance:write'] },
  { id: 'ops', secret: KEYS.admin, scopes: ['admin'] },
]);

const customer = {
  customerId: 'C-77',
  name: 'Marrowby Provisions',
  email: 'ledger@marrowby.example',
  billingAddress: { line1: 'Thistlegate 9', city: 'Dundee', postalCode: 'DD1 4QB', country: 'GB' },
  currency: 'EUR',
  paymentTermsDays: 14,
};
const SECRETS = ['Marrowby', 'marrowby.example', 'Thistlegate', 'Wychelm'];

const ok = (reply: Reply, status = 200) => expectStatus(reply, status);

describe('customers on the built service', () => {
  it('never lets their personal data reach the logs or the files, and erases it for good', async () => {
    // The default chart opens receivable, cash and revenue in EUR.
    const env = { DATA_DIR: newDataDir(), API_KEYS, LOG_LEVEL: 'debug', INSTANCE_ID: 'e2e-ar' };
    /** Answers after the erasure, and refusals: none may show the personal data. */
    const answers: Reply[] = [];
    let logs = '';

    const first = await startService(env);
    const register = () =>
      call(first, 'POST', '/v1/customers', {
        secret: KEYS.finance,
        headers: { 'Idempotency-Key': 'register-c-77' },
        body: customer,
      });
    ok(await register(), 201);
    const replay = ok(await register(), 201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.name).toBe(customer.name);
    // A refusal that names a field: its detail must not echo the value.
    answers.push(
      await call(first, 'POST', '/v1/customers/C-77/changes', {
        secret: KEYS.finance,
        body: { email: 'Marrowby at marrowby.example' },
      }),
    );
    expect(answers.at(-1)!.status).toBe(400);
    ok(
      await call(first, 'POST', '/v1/customers/C-77/changes', {
        secret: KEYS.finance,
        body: { billingAddress: { ...customer.billingAddress, line1: 'Wychelm Row 3' } },
      }),
    );
    ok(
      await call(first, 'POST', '/v1/invoices', {
        secret: KEYS.finance,
        body: {
          invoiceId: 'INV-77',
          customerId: 'C-77',
          issueDate: '2026-03-02',
          lines: [
            { description: 'Oats', quantity: '4', unitPrice: '12.50', revenueAccount: '40000' },
          ],
        },
      }),
      201,
    );
    const erasure = () =>
      call(first, 'POST', '/v1/customers/C-77/erasure', {
        secret: KEYS.admin,
        body: { reason: 'contract ended, asked to be forgotten', legalBasis: 'GDPR Art. 17(1)(a)' },
      });
    answers.push(await erasure());
    expect(answers.at(-1)!.status).toBe(409);
    ok(
      await call(first, 'POST', '/v1/invoices/INV-77/payments', {
        secret: KEYS.finance,
        body: { amount: '50.00', receivedOn: '2026-03-10', method: 'bank_transfer' },
      }),
      201,
    );
    const erased = ok(await erasure());
    answers.push(erased);
    expect(erased.body).toMatchObject({ name: null, billingAddress: null, erased: true });
    answers.push(ok(await register(), 201));
    expect(answers.at(-1)!.body).toMatchObject({ erased: true });
    await kill(first, 'SIGTERM');
    logs += first.output();

    const second = await startService(env);
    const at = `consistentWith=${erased.body.position as string}`;
    for (const path of [
      `/v1/customers/C-77?${at}`,
      `/v1/customers?${at}`,
      `/v1/invoices/INV-77?${at}`,
      `/v1/reports/ar-aging?asOf=2026-03-05&${at}`,
      '/v1/audit/entities/customer/C-77/history',
      `/v1/audit/events?${at}`,
    ]) {
      answers.push(ok(await call(second, 'GET', path, { secret: KEYS.admin })));
    }
    expect(answers.at(-6)!.body).toMatchObject({ name: null, email: null, erased: true });
    expect(answers.at(-4)!.body).toMatchObject({ total: '50.00', status: 'paid' });
    const verify = ok(await call(second, 'GET', '/v1/audit/verify', { secret: KEYS.admin }));
    expect(verify.body.status).toBe('intact');
    await kill(second, 'SIGTERM');
    logs += second.output();

    // The log is there to search: debug lines of the requests that carried the data.
    expect(logs).toContain('/v1/customers/C-77/erasure');
    for (const secret of SECRETS) {
      expect(logs, `${secret} in the service's log`).not.toContain(secret);
      for (const answer of answers) expect(JSON.stringify(answer.body)).not.toContain(secret);
    }
    for (const file of readdirSync(env.DATA_DIR)) {
      const bytes = readFileSync(join(env.DATA_DIR, file));
      for (const secret of SECRETS) {
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
      }
    }
  });
});
