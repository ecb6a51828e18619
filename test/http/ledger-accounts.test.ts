import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';
import {
  ACCOUNTS,
  allEvents,
  cash,
  expectProblem,
  expectValidationError,
  getAccount,
  openAccount,
} from './fixtures.js';

let t: TestService;
beforeEach(() => {
  t = startTestService();
});
afterEach(async () => {
  await t.close();
});

describe('POST /v1/ledger/accounts', () => {
  it('opens an account: 201 with Location, ETag "0", X-Position equal to body position', async () => {
    const res = await openAccount(t, cash);

    expect(res.status, res.text).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.location).toBe('/v1/ledger/accounts/1000');
    expect(res.headers.etag).toBe('"0"');
    expect(res.body).toEqual({
      code: '1000',
      name: 'Cash',
      type: 'asset',
      currency: 'EUR',
      status: 'open',
      debits: '0.00',
      credits: '0.00',
      balance: '0.00',
      controlledBy: null,
      position: expect.stringMatching(/^\d+$/),
    });
    expect(res.headers['x-position']).toBe(res.body.position);

    const events = await t.service.eventStore.readStream('account-1000');
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe('AccountOpened');
    expect(events[0]!.position.toString()).toBe(res.body.position);
  });

  it('gives each write a later position than the one before', async () => {
    const first = await openAccount(t, cash);
    const second = await openAccount(t, { ...cash, code: '1001' });
    expect(second.status).toBe(201);
    expect(BigInt(second.body.position)).toBeGreaterThan(BigInt(first.body.position));
    expect(second.headers['x-position']).toBe(second.body.position);
  });

  it('formats zero amounts with the currency exponent (JPY 0, KWD 3)', async () => {
    const jpy = await openAccount(t, { code: '1100', name: 'Yen', type: 'asset', currency: 'JPY' });
    expect(jpy.status).toBe(201);
    expect(jpy.body).toMatchObject({ debits: '0', credits: '0', balance: '0' });
    const kwd = await openAccount(t, {
      code: '1200',
      name: 'Dinar',
      type: 'asset',
      currency: 'KWD',
    });
    expect(kwd.status).toBe(201);
    expect(kwd.body).toMatchObject({ debits: '0.000', credits: '0.000', balance: '0.000' });
  });

  it('accepts every account type', async () => {
    const types = ['asset', 'liability', 'equity', 'revenue', 'expense'];
    for (const [index, type] of types.entries()) {
      const res = await openAccount(t, { code: `A${index}`, name: type, type, currency: 'EUR' });
      expect(res.status, res.text).toBe(201);
      expect(res.body.type).toBe(type);
    }
  });

  it('refuses a duplicate code with a 409 problem and writes nothing', async () => {
    expect((await openAccount(t, cash)).status).toBe(201);
    const before = await allEvents(t);

    const res = await openAccount(t, { ...cash, name: 'Other cash' });

    expectProblem(res, 409, 'account-already-exists');
    expect(res.body.detail).toContain('1000');
    expect(await allEvents(t)).toHaveLength(before.length);
    const get = await getAccount(t, '1000');
    expect(get.body.name).toBe('Cash');
  });

  it.each([
    ['an unknown currency', { ...cash, currency: 'XYZ' }, 'currency'],
    ['a lower-case currency', { ...cash, currency: 'eur' }, 'currency'],
    ['a currency without minor units (XAU)', { ...cash, currency: 'XAU' }, 'currency'],
    ['an unknown type', { ...cash, type: 'income' }, 'type'],
    ['an unknown field', { ...cash, colour: 'blue' }, 'colour'],
    ['a missing name', { code: '1000', type: 'asset', currency: 'EUR' }, 'name'],
    ['a missing code', { name: 'Cash', type: 'asset', currency: 'EUR' }, 'code'],
    ['a blank name', { ...cash, name: '   ' }, 'name'],
    ['a code with a slash', { ...cash, code: '10/00' }, 'code'],
    ['a code that is too long', { ...cash, code: 'C'.repeat(33) }, 'code'],
    ['a numeric code', { ...cash, code: 1000 }, 'code'],
  ])('refuses %s with a 400 naming the field', async (_label, body, path) => {
    const res = await t.request.post(ACCOUNTS).set(t.auth()).send(body);

    expectValidationError(res, path);
    expectProblem(res, 400, 'validation');
    expect(await allEvents(t)).toHaveLength(0);
  });
});

describe('GET /v1/ledger/accounts/{code}', () => {
  it('returns exactly the account shape with decimal strings and an ETag', async () => {
    await openAccount(t, cash);

    const res = await getAccount(t, '1000');

    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"0"');
    expect(res.body).toEqual({
      code: '1000',
      name: 'Cash',
      type: 'asset',
      currency: 'EUR',
      status: 'open',
      debits: '0.00',
      credits: '0.00',
      balance: '0.00',
      controlledBy: null,
    });
  });

  it('answers 404 problem for an unknown account', async () => {
    const res = await getAccount(t, '9999');
    expectProblem(res, 404, 'not-found');
    expect(res.body.detail).toContain('9999');
  });

  it('answers 400 for a code that cannot be an account code', async () => {
    const res = await t.request.get(`${ACCOUNTS}/${'x'.repeat(40)}`).set(t.auth());
    expectValidationError(res, 'path.code');
  });

  it('refuses unknown query parameters', async () => {
    await openAccount(t, cash);
    const res = await t.request.get(`${ACCOUNTS}/1000?colour=blue`).set(t.auth());
    expectValidationError(res, 'query.colour');
  });
});
