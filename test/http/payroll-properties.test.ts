/**
 * Payroll against an oracle written here, over HTTP: an employee with a random effective-dated
 * history, changes recorded between the monthly runs (some dated back into months already
 * approved), every month of the year run and approved, some paid. Once December is run after
 * the last change, the employee's payslips add up to what the final history says each month
 * should pay, and the ledger agrees: salaries expense is the sum of the approved gross, payroll
 * liabilities the nets approved and not paid, cash the nets paid.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startTestService } from '../support/test-service.js';

const YEAR = 2025;
const MONTHS = Array.from(
  { length: 12 },
  (_, index) => `${YEAR}-${String(index + 1).padStart(2, '0')}`,
);
const FTES = ['1', '0.8', '0.5', '0.6'] as const;

const daysIn = (period: string) =>
  new Date(Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)), 0)).getUTCDate();
const dateIn = (monthIndex: number, day: number) =>
  `${MONTHS[monthIndex]}-${String(Math.min(day, daysIn(MONTHS[monthIndex]!))).padStart(2, '0')}`;

interface Change {
  readonly effectiveDate: string;
  readonly annualSalary?: string;
  readonly fte?: string;
}

const salary = fc
  .integer({ min: 1_200_00, max: 250_000_00 })
  .map((cents) => (cents / 100).toFixed(2));

/** Minor units of a decimal string with two decimals. */
const cents = (amount: string) => {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
  return negative ? -value : value;
};

/**
 * A change recorded before month `i` is run is either a raise, effective on any day of the year
 * (so possibly back in months already approved), above every salary so far; or any change of
 * salary or FTE effective from month `i` on. So a correction never takes back more than a month
 * pays, which the service would refuse as a negative net (a rule tested on its own).
 */
const scenario = fc
  .record({
    startMonth: fc.integer({ min: 0, max: 5 }),
    startDay: fc.integer({ min: 1, max: 28 }),
    annualSalary: salary,
    fte: fc.constantFrom(...FTES),
    changesBefore: fc.array(
      fc.array(
        fc.oneof(
          fc.record({
            kind: fc.constant('raise' as const),
            month: fc.integer({ min: 0, max: 11 }),
            day: fc.integer({ min: 1, max: 31 }),
            raiseCents: fc.integer({ min: 1, max: 2_000_000 }),
          }),
          fc.record({
            kind: fc.constant('ahead' as const),
            monthsAhead: fc.integer({ min: 0, max: 11 }),
            day: fc.integer({ min: 1, max: 31 }),
            annualSalary: fc.option(salary, { nil: undefined }),
            fte: fc.constantFrom(...FTES),
          }),
        ),
        { maxLength: 2 },
      ),
      { minLength: 12, maxLength: 12 },
    ),
    paid: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  })
  .map((input) => {
    const startDate = dateIn(input.startMonth, input.startDay);
    let highest = cents(input.annualSalary);
    const changesBefore = input.changesBefore.map((changes, index) =>
      changes
        .map((change): Change => {
          if (change.kind === 'raise') {
            highest += BigInt(change.raiseCents);
            return {
              effectiveDate: dateIn(change.month, change.day),
              annualSalary: (Number(highest) / 100).toFixed(2),
            };
          }
          const month = Math.min(11, index + change.monthsAhead);
          if (change.annualSalary && cents(change.annualSalary) > highest) {
            highest = cents(change.annualSalary);
          }
          return {
            effectiveDate: dateIn(month, change.day),
            fte: change.fte,
            ...(change.annualSalary ? { annualSalary: change.annualSalary } : {}),
          };
        })
        // None takes effect before the start.
        .filter((change) => change.effectiveDate >= startDate),
    );
    return { ...input, startDate, changesBefore };
  });

/**
 * What the history pays in a month: Σ annual × fte × days / (12 × days in month) over its
 * segments, as one exact fraction, rounded half up once. FTE has at most 4 decimals.
 */
function shouldPay(
  history: readonly { from: string; to: string | null; annualSalary: string; fte: string }[],
  period: string,
): bigint {
  const first = `${period}-01`;
  const last = `${period}-${String(daysIn(period)).padStart(2, '0')}`;
  const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
  // Over a common denominator 12 × daysInMonth × 10 000.
  let numerator = 0n;
  for (const segment of history) {
    const from = segment.from > first ? segment.from : first;
    const to = segment.to === null || segment.to > last ? last : segment.to;
    if (from > to) continue;
    const days = BigInt(dayNumber(to) - dayNumber(from) + 1);
    const fteTenThousandths = BigInt(Math.round(Number(segment.fte) * 10_000));
    numerator += cents(segment.annualSalary) * fteTenThousandths * days;
  }
  const denominator = 12n * BigInt(daysIn(period)) * 10_000n;
  return (2n * numerator + denominator) / (2n * denominator);
}

async function play(input: Scenario): Promise<void> {
  const t = startTestService({ CHART_OF_ACCOUNTS: '' });
  try {
    await t.service.started;
    const post = (path: string, body: object, key: 'people' | 'payrollApprover' = 'people') =>
      t.request.post(path).set(t.auth(key)).send(body);
    const hired = await post('/v1/employees', {
      employeeId: 'E1',
      name: 'Pat Example',
      email: 'pat@example.com',
      department: 'Operations',
      title: 'Planner',
      startDate: input.startDate,
      annualSalary: input.annualSalary,
      fte: input.fte,
      currency: 'EUR',
    });
    expect(hired.status, hired.text).toBe(201);

    let approvedGross = 0n;
    let unpaidNet = 0n;
    let paidNet = 0n;
    let payslipTotal = 0n;
    let position = hired.body.position as string;
    for (const [index, period] of MONTHS.entries()) {
      for (const change of input.changesBefore[index]!) {
        const res = await post('/v1/employees/E1/changes', change);
        expect(res.status, res.text).toBe(200);
      }
      const drafted = await post('/v1/payroll-runs', { runId: `R-${period}`, period });
      if (drafted.status === 409) {
        // Only before the start month, and only because no one is employed or owed anything.
        expect(drafted.body.type).toContain('no-employees-to-pay');
        expect(period < input.startDate.slice(0, 7)).toBe(true);
        continue;
      }
      expect(drafted.status, drafted.text).toBe(201);
      const approved = await post(`/v1/payroll-runs/R-${period}/approval`, {}, 'payrollApprover');
      expect(approved.status, approved.text).toBe(200);
      position = approved.body.position as string;
      const gross = cents(approved.body.totalGross as string);
      const net = cents(approved.body.totalNet as string);
      approvedGross += gross;
      payslipTotal += cents(approved.body.payslips[0].gross as string);
      if (input.paid[index]) {
        const paid = await post(`/v1/payroll-runs/R-${period}/payment`, {
          paidOn: `${period}-${String(daysIn(period)).padStart(2, '0')}`,
        });
        expect(paid.status, paid.text).toBe(200);
        position = paid.body.position as string;
        paidNet += net;
      } else {
        unpaidNet += net;
      }
    }

    const employee = await t.request
      .get(`/v1/employees/E1?consistentWith=${position}`)
      .set(t.auth('people'));
    expect(employee.status, employee.text).toBe(200);
    const history = employee.body.history as Parameters<typeof shouldPay>[0];
    const owed = MONTHS.reduce((sum, period) => sum + shouldPay(history, period), 0n);
    expect(payslipTotal).toBe(owed);

    const trial = await t.request
      .get(`/v1/reports/trial-balance?consistentWith=${position}`)
      .set(t.auth('reports'));
    expect(trial.status, trial.text).toBe(200);
    const balance = (code: string) =>
      cents(
        (trial.body.accounts as { code: string; balance: string }[]).find(
          (row) => row.code === code,
        )?.balance ?? '0.00',
      );
    expect(balance('60000')).toBe(approvedGross);
    expect(balance('21000')).toBe(-unpaidNet);
    expect(balance('10000')).toBe(-paidNet);
  } finally {
    await t.close();
  }
}

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

describe('payroll over a year of random effective-dated changes', () => {
  it('pays in sum what the final history says, and the ledger agrees', async () => {
    await fc.assert(fc.asyncProperty(scenario, play), { numRuns: 12 });
  }, 240_000);
});
