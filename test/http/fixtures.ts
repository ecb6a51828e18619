import { expect } from 'vitest';
import type { Response } from 'supertest';
import type { TestService } from '../support/test-service.js';

/** Helpers shared by the HTTP contract tests: request builders and problem+json assertions. */

export const ACCOUNTS = '/v1/ledger/accounts';
export const ENTRIES = '/v1/ledger/journal-entries';

export type KeyName = Parameters<TestService['auth']>[0];

export interface AccountInput {
  code: string;
  name: string;
  type: string;
  currency: string;
}

export interface LineInput {
  account: string;
  debit?: string;
  credit?: string;
}

export interface EntryInput {
  entryId?: string;
  date: string;
  description: string;
  lines: LineInput[];
}

export function openAccount(
  t: TestService,
  account: AccountInput,
  key: KeyName = 'finance',
  headers: Record<string, string> = {},
) {
  return t.request.post(ACCOUNTS).set(t.auth(key)).set(headers).send(account);
}

export function postEntry(
  t: TestService,
  entry: EntryInput,
  key: KeyName = 'finance',
  headers: Record<string, string> = {},
) {
  return t.request.post(ENTRIES).set(t.auth(key)).set(headers).send(entry);
}

export function reverseEntry(
  t: TestService,
  id: string,
  body: { date: string; reason: string },
  headers: Record<string, string> = {},
) {
  return t.request
    .post(`${ENTRIES}/${encodeURIComponent(id)}/reversal`)
    .set(t.auth())
    .set(headers)
    .send(body);
}

export function closePeriod(t: TestService, period: string, headers: Record<string, string> = {}) {
  return t.request.post(`/v1/ledger/periods/${period}/close`).set(t.auth()).set(headers);
}

export function getAccount(t: TestService, code: string, key: KeyName = 'finance') {
  return t.request.get(`${ACCOUNTS}/${encodeURIComponent(code)}`).set(t.auth(key));
}

export function getEntry(t: TestService, id: string, key: KeyName = 'finance') {
  return t.request.get(`${ENTRIES}/${encodeURIComponent(id)}`).set(t.auth(key));
}

/** A chart of accounts most tests start from. */
export const cash: AccountInput = { code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' };
export const revenue: AccountInput = {
  code: '4000',
  name: 'Sales',
  type: 'revenue',
  currency: 'EUR',
};
export const yenCash: AccountInput = {
  code: '1100',
  name: 'Cash JPY',
  type: 'asset',
  currency: 'JPY',
};
export const yenRevenue: AccountInput = {
  code: '4100',
  name: 'Sales JPY',
  type: 'revenue',
  currency: 'JPY',
};

export async function openStandardAccounts(t: TestService): Promise<void> {
  for (const account of [cash, revenue, yenCash, yenRevenue]) {
    const res = await openAccount(t, account);
    expect(res.status, res.text).toBe(201);
  }
}

/** A balanced EUR sale: debit cash, credit revenue. */
export function sale(amount: string, date = '2026-11-02', entryId?: string): EntryInput {
  return {
    ...(entryId === undefined ? {} : { entryId }),
    date,
    description: `Sale of ${amount}`,
    lines: [
      { account: cash.code, debit: amount },
      { account: revenue.code, credit: amount },
    ],
  };
}

/** Asserts an RFC 9457 problem response with the given status (and type slug, if given). */
export function expectProblem(res: Response, status: number, slug?: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.text) as Record<string, unknown>;
  expect(body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  expect(body.title).not.toBe('');
  if (slug !== undefined) expect(body.type).toBe(`urn:backoffice:problem:${slug}`);
}

/** Asserts a 400 whose `errors[].path` includes `path`. */
export function expectValidationError(res: Response, path: string): void {
  expectProblem(res, 400);
  const errors = (res.body as { errors?: { path: string; message: string }[] }).errors;
  expect(Array.isArray(errors), `errors[] missing in ${res.text}`).toBe(true);
  for (const error of errors ?? []) {
    expect(error).toEqual({ path: expect.any(String), message: expect.any(String) });
  }
  expect(errors?.map((error) => error.path)).toContain(path);
}

/** Every event in the global log, for "nothing was written" assertions. */
export async function allEvents(t: TestService) {
  return t.service.eventStore.readAll({ maxCount: 100_000 });
}

/**
 * The trial balance's balance per account code once the read models hold `position`; it must
 * balance. For checking what a module posted.
 */
export async function balancesAt(
  t: TestService,
  position: string,
): Promise<Record<string, string>> {
  const res = await t.request
    .get(`/v1/reports/trial-balance?consistentWith=${position}`)
    .set(t.auth('reports'));
  expect(res.status, res.text).toBe(200);
  expect(res.body.balanced).toBe(true);
  return Object.fromEntries(
    (res.body.accounts as { code: string; balance: string }[]).map((row) => [
      row.code,
      row.balance,
    ]),
  );
}
