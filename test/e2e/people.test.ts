/**
 * End to end, as a new user tries the people module on the BUILT service at log level `debug`:
 * hire (with a retried Idempotency-Key), change, a refused request, a payroll run approved by a
 * second key and paid (erasure is refused until then), erasure, a restart. Then the
 * service's whole log output, every file of its DATA_DIR and every answer are searched for the
 * personal data, and the log must still verify.
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

const KEYS = {
  hr: 'e2e-hr-secret-0001',
  approver: 'e2e-approver-secret-0001',
  admin: 'e2e-admin-secret-0001',
};
const API_KEYS = JSON.stringify([
  { id: 'hr', secret: KEYS.hr, scopes: ['people:write'] },
  { id: 'hr-approver', secret: KEYS.approver, scopes: ['people:write'] },
  { id: 'ops', secret: KEYS.admin, scopes: ['admin'] },
]);

const person = {
  employeeId: 'E-42',
  name: 'Zelda Thornquist',
  email: 'zelda.thornquist@example.org',
  dateOfBirth: '1988-02-29',
  bankAccount: 'GB82 WEST 1234 5698 7654 32',
  department: 'Finance',
  title: 'Controller',
  startDate: '2026-02-01',
  annualSalary: '72000.00',
  currency: 'EUR',
};
const SECRETS = ['Thornquist', 'zelda.thornquist', '1988-02-29', '98765432'];

const ok = (reply: Reply, status = 200) => expectStatus(reply, status);

describe('people on the built service', () => {
  it('never lets the personal data reach the logs or the files, and erases it for good', async () => {
    // The default chart opens the payroll accounts in EUR.
    const env = { DATA_DIR: newDataDir(), API_KEYS, LOG_LEVEL: 'debug', INSTANCE_ID: 'e2e-hr' };
    /** Answers after the erasure, and refusals: none may show the personal data. */
    const answers: Reply[] = [];
    let logs = '';

    const first = await startService(env);
    const hire = () =>
      call(first, 'POST', '/v1/employees', {
        secret: KEYS.hr,
        headers: { 'Idempotency-Key': 'hire-e-42' },
        body: person,
      });
    ok(await hire(), 201);
    const replay = ok(await hire(), 201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.name).toBe(person.name);
    // A refusal that names a field: its detail must not echo the value.
    answers.push(
      await call(first, 'POST', '/v1/employees', {
        secret: KEYS.hr,
        body: { ...person, employeeId: 'E-43', bankAccount: 'GB00 WEST 1234 5698 7654 32' },
      }),
    );
    expect(answers.at(-1)!.status).toBe(400);
    ok(
      await call(first, 'POST', '/v1/employees/E-42/changes', {
        secret: KEYS.hr,
        body: { effectiveDate: '2026-09-01', annualSalary: '75000.00' },
      }),
    );
    const erase = () =>
      call(first, 'POST', '/v1/employees/E-42/erasure', {
        secret: KEYS.admin,
        body: { reason: 'asked to be forgotten', legalBasis: 'GDPR Art. 17(1)(a)' },
      });
    // February's run: drafted by one key, approved by another, paid. Until it is paid the
    // employee is owed it, and erasure is refused.
    ok(
      await call(first, 'POST', '/v1/payroll-runs', {
        secret: KEYS.hr,
        body: { runId: 'PR-2026-02', period: '2026-02', payDate: '2026-02-27' },
      }),
      201,
    );
    const blocked = await erase();
    expect(blocked.status).toBe(409);
    expect(blocked.body.type).toBe('urn:backoffice:problem:erasure-blocked');
    answers.push(blocked);
    ok(
      await call(first, 'POST', '/v1/payroll-runs/PR-2026-02/approval', { secret: KEYS.approver }),
    );
    const paid = ok(
      await call(first, 'POST', '/v1/payroll-runs/PR-2026-02/payment', {
        secret: KEYS.hr,
        body: { paidOn: '2026-02-27' },
      }),
    );
    expect(paid.body).toMatchObject({ status: 'paid', totalNet: '6000.00' });
    const erased = ok(await erase());
    answers.push(erased);
    expect(erased.body).toMatchObject({ name: null, erased: true, annualSalary: '75000.00' });
    answers.push(ok(await hire(), 201));
    expect(answers.at(-1)!.body).toMatchObject({ erased: true });
    await kill(first, 'SIGTERM');
    logs += first.output();

    const second = await startService(env);
    const position = erased.body.position as string;
    answers.push(
      ok(
        await call(second, 'GET', `/v1/employees/E-42?consistentWith=${position}`, {
          secret: KEYS.hr,
        }),
      ),
      ok(
        await call(second, 'GET', '/v1/audit/entities/employee/E-42/history', {
          secret: KEYS.admin,
        }),
      ),
    );
    expect(answers.at(-2)!.body).toMatchObject({ name: null, bankAccount: null, erased: true });
    // The pay stays: the payslip, and its postings in the ledger.
    const payslips = ok(
      await call(second, 'GET', `/v1/employees/E-42/payslips?consistentWith=${position}`, {
        secret: KEYS.hr,
      }),
    );
    expect(payslips.body.items).toMatchObject([{ runId: 'PR-2026-02', gross: '6000.00' }]);
    const trial = ok(
      await call(second, 'GET', `/v1/reports/trial-balance?consistentWith=${position}`, {
        secret: KEYS.admin,
      }),
    );
    const balances = Object.fromEntries(
      (trial.body.accounts as { code: string; balance: string }[]).map((row) => [
        row.code,
        row.balance,
      ]),
    );
    expect(balances).toMatchObject({ '60000': '6000.00', '10000': '-6000.00' });
    const verify = ok(await call(second, 'GET', '/v1/audit/verify', { secret: KEYS.admin }));
    expect(verify.body.status).toBe('intact');
    await kill(second, 'SIGTERM');
    logs += second.output();

    // The log is there to search: debug lines of the requests that carried the data.
    expect(logs).toContain('/v1/employees/E-42/erasure');
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
