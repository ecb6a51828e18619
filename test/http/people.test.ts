import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';
import { openAccount } from './fixtures.js';

const EMPLOYEES = '/v1/employees';

const ada = {
  employeeId: 'E1',
  name: 'Ada Quillfeather',
  email: 'ada.quillfeather@example.com',
  dateOfBirth: '1990-04-12',
  bankAccount: 'DE89 3704 0044 0532 0130 00',
  department: 'Engineering',
  title: 'Engineer',
  startDate: '2026-01-15',
  annualSalary: '60000.00',
  currency: 'EUR',
};

/** A service with the payroll accounts open in EUR, which hiring in EUR needs. */
async function startPeopleService(): Promise<TestService> {
  const service = startTestService();
  await service.service.started;
  for (const account of [
    { code: '60000', name: 'Salaries and wages', type: 'expense', currency: 'EUR' },
    { code: '21000', name: 'Payroll liabilities', type: 'liability', currency: 'EUR' },
  ] as const) {
    expect((await openAccount(service, account)).status).toBe(201);
  }
  return service;
}

describe('people: employees over HTTP', () => {
  let t: TestService;

  beforeEach(async () => {
    t = await startPeopleService();
  });
  afterEach(() => t.close());

  const hire = (body: Record<string, unknown>, key: 'people' | 'finance' = 'people') =>
    t.request.post(EMPLOYEES).set(t.auth(key)).send(body);
  const get = (path: string, key: 'people' | 'reports' | 'admin' = 'people') =>
    t.request.get(path).set(t.auth(key));

  it('hires an employee: 201 with ETag, position and the terms in effect today', async () => {
    const res = await hire(ada);
    expect(res.status, res.text).toBe(201);
    expect(res.headers.etag).toBe('"0"');
    expect(res.headers.location).toBe('/v1/employees/E1');
    expect(res.body).toMatchObject({
      employeeId: 'E1',
      name: 'Ada Quillfeather',
      bankAccount: 'DE89370400440532013000',
      department: 'Engineering',
      annualSalary: '60000.00',
      fte: '1',
      managerId: null,
      erased: false,
      history: [{ from: '2026-01-15', to: null, department: 'Engineering' }],
    });
    expect(typeof res.body.position).toBe('string');
  });

  it('answers the employee as of a date, past and future changes included', async () => {
    expect((await hire(ada)).status).toBe(201);
    const raise = await t.request
      .post(`${EMPLOYEES}/E1/changes`)
      .set(t.auth('people'))
      .send({ effectiveDate: '2026-07-01', annualSalary: '66000.00', reason: 'review' });
    expect(raise.status, raise.text).toBe(200);
    const move = await t.request
      .post(`${EMPLOYEES}/E1/changes`)
      .set(t.auth('people'))
      .send({ effectiveDate: '2027-03-01', department: 'Research', fte: '0.5' });
    expect(move.status, move.text).toBe(200);
    const position = move.body.position as string;

    const asOf = async (date: string) =>
      (await get(`${EMPLOYEES}/E1?asOf=${date}&consistentWith=${position}`)).body;
    expect(await asOf('2026-01-01')).toMatchObject({ status: 'future', annualSalary: '60000.00' });
    expect(await asOf('2026-06-30')).toMatchObject({ status: 'active', annualSalary: '60000.00' });
    expect(await asOf('2026-07-01')).toMatchObject({ annualSalary: '66000.00', fte: '1' });
    expect(await asOf('2027-03-01')).toMatchObject({ department: 'Research', fte: '0.5' });
    const history = (await asOf('2026-02-01')).history as { from: string; to: string | null }[];
    expect(history.map(({ from, to }) => [from, to])).toEqual([
      ['2026-01-15', '2026-06-30'],
      ['2026-07-01', '2027-02-28'],
      ['2027-03-01', null],
    ]);

    // The same values again record nothing.
    const same = await t.request
      .post(`${EMPLOYEES}/E1/changes`)
      .set(t.auth('people'))
      .send({ effectiveDate: '2026-08-01', annualSalary: '66000.00' });
    expect(same.status).toBe(200);
    expect(same.headers.etag).toBe(move.headers.etag);
  });

  it('terminates once, and lists by status and department as of a date', async () => {
    expect((await hire(ada)).status).toBe(201);
    expect(
      (await hire({ ...ada, employeeId: 'E2', email: 'b@example.com', department: 'Sales' }))
        .status,
    ).toBe(201);
    const ended = await t.request
      .post(`${EMPLOYEES}/E1/termination`)
      .set(t.auth('people'))
      .send({ terminationDate: '2026-09-30', reason: 'resigned' });
    expect(ended.status, ended.text).toBe(200);
    const again = await t.request
      .post(`${EMPLOYEES}/E1/termination`)
      .set(t.auth('people'))
      .send({ terminationDate: '2026-10-31', reason: 'twice' });
    expect(again.status).toBe(409);
    const position = ended.body.position as string;

    const list = async (query: string) =>
      (await get(`${EMPLOYEES}?${query}&consistentWith=${position}`)).body.items.map(
        (item: { employeeId: string }) => item.employeeId,
      );
    expect(await list('asOf=2026-09-30&status=active')).toEqual(['E1', 'E2']);
    expect(await list('asOf=2026-10-01&status=active')).toEqual(['E2']);
    expect(await list('asOf=2026-10-01&status=terminated')).toEqual(['E1']);
    expect(await list('asOf=2026-05-01&department=Sales')).toEqual(['E2']);

    const page = await get(`${EMPLOYEES}?limit=1&consistentWith=${position}`);
    expect(page.body.items).toHaveLength(1);
    const next = await get(`${EMPLOYEES}?limit=1&cursor=${page.body.nextCursor as string}`);
    expect(next.body.items[0].employeeId).toBe('E2');
    expect(next.body.nextCursor).toBeNull();
  });

  it('refuses what the rules refuse, and writes nothing', async () => {
    expect((await hire({ ...ada, bankAccount: 'DE89 3704 0044 0532 0130 01' })).status).toBe(400);
    expect((await hire({ ...ada, fte: '1.5' })).status).toBe(400);
    expect((await hire({ ...ada, managerId: 'nobody' })).status).toBe(409);
    const usd = await hire({ ...ada, currency: 'USD' });
    expect(usd.status).toBe(409);
    expect(usd.body.type).toBe('urn:backoffice:problem:posting-account-missing');
    expect((await hire(ada)).status).toBe(201);
    expect((await hire(ada)).status).toBe(409);
    const early = await t.request
      .post(`${EMPLOYEES}/E1/changes`)
      .set(t.auth('people'))
      .send({ effectiveDate: '2025-12-31', title: 'Lead' });
    expect(early.status).toBe(409);
    expect((await get(`${EMPLOYEES}/nobody`)).status).toBe(404);
  });

  it('lets only people:write read employees; reports:read sees the headcount only', async () => {
    expect((await hire(ada, 'finance')).status).toBe(403);
    const hired = await hire(ada);
    expect((await get(`${EMPLOYEES}/E1`, 'reports')).status).toBe(403);
    expect((await get(EMPLOYEES, 'reports')).status).toBe(403);
    const report = await get(
      `/v1/reports/headcount?asOf=2026-02-01&consistentWith=${hired.body.position as string}`,
      'reports',
    );
    expect(report.status, report.text).toBe(200);
    expect(JSON.stringify(report.body)).not.toContain('Ada');
  });

  it('reports headcount, FTE, monthly cost, joiners and leavers per department', async () => {
    await hire(ada);
    await hire({ ...ada, employeeId: 'E2', email: 'b@example.com', fte: '0.5' });
    await hire({
      ...ada,
      employeeId: 'E3',
      email: 'c@example.com',
      department: 'Sales',
      annualSalary: '50000.00',
      startDate: '2026-03-01',
    });
    const ended = await t.request
      .post(`${EMPLOYEES}/E2/termination`)
      .set(t.auth('people'))
      .send({ terminationDate: '2026-02-28', reason: 'moved' });
    const report = await get(
      `/v1/reports/headcount?asOf=2026-02-15&from=2026-02-01&to=2026-03-31&consistentWith=${ended.body.position as string}`,
      'reports',
    );
    expect(report.status, report.text).toBe(200);
    expect(report.body.departments).toEqual([
      {
        department: 'Engineering',
        currency: 'EUR',
        headcount: 2,
        fte: '1.5',
        monthlySalaryCost: '7500.00',
        joiners: 0,
        leavers: 1,
      },
      {
        department: 'Sales',
        currency: 'EUR',
        headcount: 0,
        fte: '0',
        monthlySalaryCost: '0.00',
        joiners: 1,
        leavers: 0,
      },
    ]);
    expect(report.body.totals).toEqual([
      {
        currency: 'EUR',
        headcount: 2,
        fte: '1.5',
        monthlySalaryCost: '7500.00',
        joiners: 1,
        leavers: 1,
      },
    ]);
    const open = await get('/v1/reports/headcount?from=2026-02-01', 'reports');
    expect(open.body.departments.every((row: { joiners: number }) => row.joiners === 0)).toBe(true);
  });

  it('keeps the personal data out of the event store file, the read models and the idempotency records', async () => {
    const res = await t.request
      .post(EMPLOYEES)
      .set(t.auth('people'))
      .set('Idempotency-Key', 'hire-ada-1')
      .send(ada);
    expect(res.status, res.text).toBe(201);
    const replay = await t.request
      .post(EMPLOYEES)
      .set(t.auth('people'))
      .set('Idempotency-Key', 'hire-ada-1')
      .send(ada);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.name).toBe('Ada Quillfeather');
    const read = await get(`${EMPLOYEES}/E1?consistentWith=${res.body.position as string}`);
    expect(read.body.email).toBe('ada.quillfeather@example.com');
    await t.service.close();

    const files = readdirSync(t.dataDir).filter((file) => !file.endsWith('.lock'));
    expect(files).toContain('backoffice.db');
    expect(files).toContain('keys.db');
    for (const file of files) {
      const bytes = readFileSync(join(t.dataDir, file));
      for (const secret of ['Quillfeather', 'ada.quillfeather', '1990-04-12', '0532013000']) {
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
      }
    }
  });

  it('shows personal fields in the audit trail only to a key that may read them', async () => {
    const hired = await hire(ada);
    const position = hired.body.position as string;
    const history = (key: 'auditor' | 'admin' | 'people') =>
      t.request.get('/v1/audit/entities/employee/E1/history').set(t.auth(key));

    const auditor = await history('auditor');
    expect(auditor.status, auditor.text).toBe(200);
    const [entry] = auditor.body.items;
    expect(entry.data.name).toEqual({ redacted: true });
    expect(entry.data.department).toBe('Engineering');
    expect(entry.summary).toContain('bankAccount (personal data)');
    expect(JSON.stringify(auditor.body)).not.toContain('Quillfeather');

    const admin = await history('admin');
    expect(admin.body.items[0].data.name).toBe('Ada Quillfeather');
    // people:write alone may read them, but not the audit trail.
    expect((await history('people')).status).toBe(403);

    const events = await t.request
      .get(`/v1/audit/events?consistentWith=${position}`)
      .set(t.auth('auditor'));
    const hiredEvent = events.body.items.find(
      (event: { type: string }) => event.type === 'EmployeeHired',
    );
    expect(hiredEvent.data.email).toEqual({ redacted: true });
    const exported = await t.request
      .get(`/v1/audit/export?format=ndjson&consistentWith=${position}`)
      .set(t.auth('auditor'));
    expect(exported.status).toBe(200);
    expect(exported.text).toContain('"redacted":true');
    expect(exported.text).not.toContain('Quillfeather');
  });
});

describe('people: erasure of personal data', () => {
  let t: TestService;

  beforeEach(async () => {
    t = await startPeopleService();
  });
  afterEach(() => t.close());

  const secrets = ['Quillfeather', 'ada.quillfeather', '1990-04-12', '0532013000'];
  const erase = (key: 'admin' | 'people' = 'admin') =>
    t.request
      .post('/v1/employees/E1/erasure')
      .set(t.auth(key))
      .send({ reason: 'left and asked', legalBasis: 'GDPR Art. 17(1)(a)' });

  it('erases for good: every answer shows null with erased: true, and the log still verifies', async () => {
    const hired = await t.request
      .post(EMPLOYEES)
      .set(t.auth('people'))
      .set('Idempotency-Key', 'hire-ada')
      .send(ada);
    expect(hired.status).toBe(201);
    await t.request
      .post(`${EMPLOYEES}/E1/changes`)
      .set(t.auth('people'))
      .send({ effectiveDate: '2026-06-01', title: 'Senior engineer' });

    expect((await erase('people')).status).toBe(403);
    const erased = await erase();
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body).toMatchObject({
      name: null,
      email: null,
      dateOfBirth: null,
      bankAccount: null,
      erased: true,
      title: 'Senior engineer',
      annualSalary: '60000.00',
    });
    const again = await erase();
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('urn:backoffice:problem:personal-data-already-erased');
    const position = erased.body.position as string;

    const answers = [
      await t.request.get(`${EMPLOYEES}/E1?consistentWith=${position}`).set(t.auth('people')),
      await t.request.get(`${EMPLOYEES}?consistentWith=${position}`).set(t.auth('people')),
      await t.request.get('/v1/audit/entities/employee/E1/history').set(t.auth('admin')),
      await t.request.get(`/v1/audit/events?consistentWith=${position}`).set(t.auth('admin')),
      await t.request
        .get(`/v1/audit/export?format=ndjson&consistentWith=${position}`)
        .set(t.auth('admin')),
      await t.request
        .post(EMPLOYEES)
        .set(t.auth('people'))
        .set('Idempotency-Key', 'hire-ada')
        .send(ada),
    ];
    for (const answer of answers) {
      expect(answer.status, answer.text).toBeLessThan(300);
      for (const secret of secrets) expect(answer.text).not.toContain(secret);
    }
    expect(answers[0]!.body).toMatchObject({ name: null, erased: true });
    expect(answers[5]!.body).toMatchObject({ erased: true });
    const verify = await t.request.get('/v1/audit/verify').set(t.auth('admin'));
    expect(verify.status).toBe(200);
    expect(verify.body.status).toBe('intact');

    await t.service.close();
    for (const file of readdirSync(t.dataDir)) {
      const bytes = readFileSync(join(t.dataDir, file));
      for (const secret of secrets) {
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
      }
    }
  });

  it('refuses an erasure of someone never hired', async () => {
    expect((await erase()).status).toBe(404);
  });
});
