import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropStores, storeModes } from '../support/store-modes.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { balancesAt, closePeriod, expectProblem } from './fixtures.js';

const RUNS = '/v1/payroll-runs';

const stores = storeModes('payroll');

let t: TestService;
let env: Record<string, string>;

type Key = 'people' | 'payrollApprover' | 'admin' | 'reports' | 'finance';

const post = (path: string, body: object = {}, key: Key = 'people') =>
  t.request.post(path).set(t.auth(key)).send(body);
const get = (path: string, key: Key = 'people') => t.request.get(path).set(t.auth(key));

async function hire(employeeId: string, terms: Record<string, unknown>) {
  const res = await post('/v1/employees', {
    employeeId,
    name: `Person ${employeeId}`,
    email: `${employeeId.toLowerCase()}@example.com`,
    department: 'Engineering',
    title: 'Engineer',
    currency: 'EUR',
    ...terms,
  });
  expect(res.status, res.text).toBe(201);
}

async function change(employeeId: string, body: Record<string, unknown>) {
  const res = await post(`/v1/employees/${employeeId}/changes`, body);
  expect(res.status, res.text).toBe(200);
}

async function draft(body: Record<string, unknown>) {
  const res = await post(RUNS, body);
  expect(res.status, res.text).toBe(201);
  return res.body as Run;
}

async function approve(runId: string) {
  const res = await post(`${RUNS}/${runId}/approval`, {}, 'payrollApprover');
  expect(res.status, res.text).toBe(200);
  return res.body as Run;
}

interface Run {
  runId: string;
  status: string;
  totalGross: string;
  totalNet: string;
  position: string;
  payslips: {
    employeeId: string;
    gross: string;
    lines: { kind: string; amount: string; period?: string }[];
    segments: { from: string; to: string; days: number }[];
  }[];
}

const slipOf = (run: Run, employeeId: string) =>
  run.payslips.find((slip) => slip.employeeId === employeeId)!;

const balances = (position: string) => balancesAt(t, position);

describe.each(stores)('payroll runs over HTTP, $name', (store) => {
  beforeEach(async () => {
    env = store.env();
    // The default chart: salaries 60000, payroll liabilities 21000, cash 10000 in EUR.
    t = startTestService({ CHART_OF_ACCOUNTS: '', ...env });
    await t.service.started;
  });
  afterEach(async () => {
    await t.close();
    await dropStores(env);
  });

  it('drafts a month prorated by calendar days, approved by another key, then paid', async () => {
    // Joins on the 15th: 17 of January's 31 days, 5000.00 × 17 / 31 = 2741.935… → 2741.94.
    await hire('E1', { startDate: '2026-01-15', annualSalary: '60000.00' });
    // Four days a week all month: 48000 / 12 × 0.8 = 3200.00.
    await hire('E2', { startDate: '2025-06-01', annualSalary: '48000.00', fte: '0.8' });
    // Paid in another currency: not on a EUR run.
    const other = await post('/v1/employees', {
      employeeId: 'E3',
      name: 'Someone Else',
      email: 'e3@example.com',
      department: 'Sales',
      title: 'Rep',
      startDate: '2025-01-01',
      annualSalary: '1200000',
      currency: 'JPY',
    });
    expect(other.status).toBe(409); // the JPY payroll accounts are not open

    const run = await draft({
      runId: 'PR-2026-01',
      period: '2026-01',
      adjustments: [{ employeeId: 'E2', description: 'Signing bonus', amount: '100.00' }],
    });
    expect(run.status).toBe('draft');
    expect(run.payslips.map((slip) => slip.employeeId)).toEqual(['E1', 'E2']);
    expect(slipOf(run, 'E1')).toMatchObject({
      gross: '2741.94',
      segments: [{ from: '2026-01-15', to: '2026-01-31', days: 17 }],
    });
    expect(slipOf(run, 'E2').lines).toEqual([
      { kind: 'base', description: 'Salary for 2026-01', amount: '3200.00' },
      { kind: 'adjustment', description: 'Signing bonus', amount: '100.00' },
    ]);
    expect(run.totalGross).toBe('6041.94');

    // Nothing is booked for a draft.
    expect((await balances(run.position))['60000'] ?? '0.00').toMatch(/^0(\.00)?$/);

    // The drafting key cannot approve.
    const own = await post(`${RUNS}/PR-2026-01/approval`, {}, 'people');
    expectProblem(own, 403, 'segregation-of-duties');

    const approved = await approve('PR-2026-01');
    expect(approved).toMatchObject({ status: 'approved', approvedBy: 'payroll-approver' });
    let ledger = await balances(approved.position);
    expect(ledger['60000']).toBe('6041.94');
    expect(ledger['21000']).toBe('-6041.94');

    // Paying before approval is refused elsewhere; paying twice here.
    const paid = await post(`${RUNS}/PR-2026-01/payment`, { paidOn: '2026-02-01' });
    expect(paid.status, paid.text).toBe(200);
    ledger = await balances(paid.body.position as string);
    expect(ledger['21000'] ?? '0.00').toMatch(/^-?0\.00$/);
    expect(ledger['10000']).toBe('-6041.94');
    expectProblem(
      await post(`${RUNS}/PR-2026-01/payment`, { paidOn: '2026-02-02' }),
      409,
      'payroll-run-already-paid',
    );

    const listed = await get(`${RUNS}?period=2026-01&consistentWith=${paid.body.position}`);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ runId: 'PR-2026-01', status: 'paid' });
    const one = await get(`${RUNS}/PR-2026-01?consistentWith=${paid.body.position}`);
    expect(one.body).toMatchObject({ status: 'paid', paidOn: '2026-02-01', totalNet: '6041.94' });
    const payslips = await get(`/v1/employees/E1/payslips?consistentWith=${paid.body.position}`);
    expect(payslips.status, payslips.text).toBe(200);
    expect(payslips.body.items).toMatchObject([
      { runId: 'PR-2026-01', period: '2026-01', status: 'paid', gross: '2741.94' },
    ]);
    expectProblem(await get('/v1/employees/NOBODY/payslips'), 404);
    // Payroll is for people:write: a reporting key sees no payslip.
    expectProblem(await get(`${RUNS}/PR-2026-01`, 'reports'), 403);
  });

  it('gives one run per month and currency when drafts race', async () => {
    await hire('E1', { startDate: '2026-01-01', annualSalary: '36000.00' });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => post(RUNS, { period: '2026-02' })),
    );
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    for (const res of answers.filter((each) => each.status === 409)) {
      expectProblem(res, 409, 'payroll-run-exists');
    }
    const created = answers.find((res) => res.status === 201)!;
    const listed = await get(`${RUNS}?consistentWith=${created.body.position}`);
    expect(listed.body.items).toHaveLength(1);
  });

  it('refuses an approval once the data changed, until recalculated', async () => {
    await hire('E1', { startDate: '2026-01-01', annualSalary: '36000.00' });
    await draft({ runId: 'R1', period: '2026-03' });
    await change('E1', { effectiveDate: '2026-03-16', annualSalary: '48000.00' });
    expectProblem(
      await post(`${RUNS}/R1/approval`, {}, 'payrollApprover'),
      409,
      'payroll-run-stale',
    );
    const recalculated = await post(`${RUNS}/R1/recalculation`);
    expect(recalculated.status, recalculated.text).toBe(200);
    // 3000 × 15/31 + 4000 × 16/31 = 3516.129… → 3516.13, one rounding for the month.
    expect(recalculated.body.totalGross).toBe('3516.13');
    expect(recalculated.body.payslips[0].segments).toHaveLength(2);
    const approved = await approve('R1');
    expect(approved.status).toBe('approved');
    // A change that does not alter pay (a new title) does not make the run stale.
    await draft({ runId: 'R2', period: '2026-04' });
    await change('E1', { effectiveDate: '2026-04-10', title: 'Senior Engineer' });
    expect((await approve('R2')).totalGross).toBe('4000.00');
  });

  it('adds a retro line for a change dated back into a month already approved', async () => {
    await hire('E1', { startDate: '2026-01-01', annualSalary: '36000.00' });
    await draft({ runId: 'JAN', period: '2026-01' });
    await approve('JAN');
    // A raise from 16 January, recorded after January was approved.
    await change('E1', { effectiveDate: '2026-01-16', annualSalary: '48000.00' });
    const feb = await draft({ runId: 'FEB', period: '2026-02' });
    // January should have paid 3000 × 15/31 + 4000 × 16/31 = 3516.13; it paid 3000.00.
    expect(slipOf(feb, 'E1').lines).toEqual([
      { kind: 'base', description: 'Salary for 2026-02', amount: '4000.00' },
      { kind: 'retro', period: '2026-01', description: 'Retro for 2026-01', amount: '516.13' },
    ]);
    const approved = await approve('FEB');
    const ledger = await balances(approved.position);
    expect(ledger['60000']).toBe('7516.13');
    // Once approved, the correction counts: March carries no second retro line.
    const mar = await draft({ runId: 'MAR', period: '2026-03' });
    expect(slipOf(mar, 'E1').lines.map((line) => line.kind)).toEqual(['base']);
  });

  it('reverses an approved run and lets the month run again; cancels a draft', async () => {
    await hire('E1', { startDate: '2026-01-01', annualSalary: '36000.00' });
    await draft({ runId: 'A', period: '2026-05' });
    const approved = await approve('A');
    expect((await balances(approved.position))['60000']).toBe('3000.00');
    expectProblem(await post(`${RUNS}/A/cancel`, {}), 409, 'payroll-run-not-draft');
    expectProblem(await post(RUNS, { period: '2026-05' }), 409, 'payroll-run-exists');

    const reversed = await post(`${RUNS}/A/reversal`, {
      date: '2026-06-02',
      reason: 'wrong month',
    });
    expect(reversed.status, reversed.text).toBe(200);
    expect(reversed.body.status).toBe('reversed');
    expect((await balances(reversed.body.position as string))['60000']).toMatch(/^-?0\.00$/);
    expectProblem(
      await post(`${RUNS}/A/payment`, { paidOn: '2026-06-03' }),
      409,
      'payroll-run-not-approved',
    );

    const again = await draft({ runId: 'B', period: '2026-05' });
    const cancelled = await post(`${RUNS}/${again.runId}/cancel`, { reason: 'redo' });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancellationReason: 'redo' });
    const third = await draft({ runId: 'C', period: '2026-05' });
    const final = await approve(third.runId);
    expect((await balances(final.position))['60000']).toBe('3000.00');
  });

  it('refuses what the rules forbid, with the problem types documented', async () => {
    expectProblem(await post(RUNS, { period: '2026-07' }), 409, 'no-employees-to-pay');
    await hire('E1', { startDate: '2026-01-01', annualSalary: '12000.00' });
    expectProblem(await post(RUNS, { period: '2026-13' }), 400);
    expectProblem(await post(RUNS, { period: '2026-07', payDate: '2026-06-30' }), 400);
    expectProblem(
      await post(RUNS, {
        period: '2026-07',
        adjustments: [{ employeeId: 'NOBODY', description: 'Bonus', amount: '1.00' }],
      }),
      400,
      'invalid-payroll-run',
    );
    expectProblem(
      await post(RUNS, {
        period: '2026-07',
        adjustments: [{ employeeId: 'E1', description: 'Unpaid leave', amount: '-1500.00' }],
      }),
      409,
      'negative-net-pay',
    );
    expectProblem(await post(`${RUNS}/NOPE/approval`, {}, 'payrollApprover'), 404);
    // Nothing was written by any of these: the month is still free.
    const run = await draft({ runId: 'JUL', period: '2026-07' });
    expect(run.totalGross).toBe('1000.00');
    expectProblem(
      await post(`${RUNS}/JUL/payment`, { paidOn: '2026-07-31' }),
      409,
      'payroll-run-not-approved',
    );
    // A closed accrual period refuses the draft (closing August locks July too).
    const closed = await closePeriod(t, '2026-08', t.auth('finance'));
    expect(closed.status, closed.text).toBe(200);
    expectProblem(await post(RUNS, { period: '2026-08' }), 409, 'period-closed');
  });

  it('blocks the erasure of an employee on a run not yet paid', async () => {
    await hire('E1', { startDate: '2026-01-01', annualSalary: '12000.00' });
    await draft({ runId: 'R', period: '2026-01' });
    const erasure = { reason: 'left', legalBasis: 'GDPR Art. 17(1)(a)' };
    const blocked = await post('/v1/employees/E1/erasure', erasure, 'admin');
    expectProblem(blocked, 409, 'erasure-blocked');
    expect(blocked.body.detail).toContain('R');
    await approve('R');
    expectProblem(await post('/v1/employees/E1/erasure', erasure, 'admin'), 409, 'erasure-blocked');
    expect((await post(`${RUNS}/R/payment`, { paidOn: '2026-01-31' })).status).toBe(200);
    const erased = await post('/v1/employees/E1/erasure', erasure, 'admin');
    expect(erased.status, erased.text).toBe(200);
    // The payslip stays: amounts are not personal data.
    const payslips = await get(`/v1/employees/E1/payslips?consistentWith=${erased.body.position}`);
    expect(payslips.body.items).toMatchObject([{ runId: 'R', gross: '1000.00' }]);
  });
});
