/**
 * Error answers stay small whatever the request: at most 50 entries in `errors` (the rest
 * counted in `errorsOmitted`), each part and `detail` cut, under 16 KB in all. A caller must not
 * be able to make the service write megabytes by sending many unknown fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedProblem, PROBLEM_BOUNDS } from '../../src/http/problem.js';
import { isWellFormed } from '../../src/http/schemas.js';
import { startTestService } from '../support/test-service.js';
import { ACCOUNTS, cash, expectProblem } from './fixtures.js';

const t = startTestService();
beforeAll(() => t.service.started);
afterAll(() => t.close());

function expectBounded(res: { text: string; body: unknown }) {
  expect(Buffer.byteLength(res.text)).toBeLessThan(16 * 1024);
  const body = res.body as { detail: string; errors?: unknown[] };
  expect([...body.detail].length).toBeLessThanOrEqual(PROBLEM_BOUNDS.detail);
  expect(body.errors?.length ?? 0).toBeLessThanOrEqual(50);
}

describe('a request with very many offending parts', () => {
  it('answers 50 000 unknown fields with 50 entries, the count of the rest, under 16 KB', async () => {
    const body: Record<string, unknown> = { ...cash };
    for (let i = 0; i < 50_000; i += 1) body[`unknown${i}`] = 1;
    const res = await t.request.post(ACCOUNTS).set(t.auth()).send(body);
    expectProblem(res, 400, 'validation');
    expectBounded(res);
    expect(res.body.errors).toHaveLength(50);
    expect(res.body.errors[0]).toEqual({ path: 'unknown0', message: 'unknown field' });
    expect(res.body.errorsOmitted).toBe(50_000 - 50);
    expect(res.body.detail).toMatch(/\(and 49995 more\)$/);
  });

  it('answers 1 000 unknown query parameters under 16 KB', async () => {
    const query = Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join('&');
    const res = await t.request.get(`${ACCOUNTS}?${query}`).set(t.auth());
    expectProblem(res, 400, 'validation');
    expectBounded(res);
    expect(res.body.errors).toHaveLength(50);
    expect(res.body.errorsOmitted).toBeGreaterThan(900);
  });

  it('cuts long field names, and keeps the answer small however they escape', async () => {
    const body: Record<string, unknown> = { ...cash };
    // Each control character takes six bytes in JSON, an astral one four in UTF-8.
    for (let i = 0; i < 60; i += 1) body[`${i}${'\u0001'.repeat(1000)}`] = 1;
    for (let i = 0; i < 60; i += 1) body[`${i}${'🧾'.repeat(1000)}`] = 1;
    const res = await t.request.post(ACCOUNTS).set(t.auth()).send(body);
    expectProblem(res, 400, 'validation');
    expectBounded(res);
    for (const error of res.body.errors as { path: string }[]) {
      expect([...error.path].length).toBeLessThanOrEqual(PROBLEM_BOUNDS.entry);
    }
    expect(res.body.errors.length + res.body.errorsOmitted).toBe(120);
  });
});

describe('boundedProblem', () => {
  const problem = (errors: number, text: string) => ({
    type: 'urn:backoffice:problem:validation',
    title: 'Invalid request',
    status: 400,
    detail: text.repeat(10),
    errors: Array.from({ length: errors }, () => ({ path: text, message: text })),
  });

  it('leaves a small answer as it is', () => {
    const small = problem(3, 'name');
    expect(boundedProblem(small)).toEqual(small);
  });

  it('cuts by code points, never inside a surrogate pair', () => {
    const bounded = boundedProblem(problem(1, '🧾'.repeat(1000)));
    const path = bounded.errors![0]!.path;
    expect([...path]).toHaveLength(PROBLEM_BOUNDS.entry);
    expect(path.endsWith('…')).toBe(true);
    expect(isWellFormed(path)).toBe(true);
  });

  it('drops entries, counting them, until the answer fits in 16 KB', () => {
    const bounded = boundedProblem(problem(50, '\u0001'.repeat(1000)));
    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThanOrEqual(PROBLEM_BOUNDS.body);
    expect(bounded.errors!.length + (bounded.errorsOmitted as number)).toBe(50);
    expect(bounded.errors!.length).toBeGreaterThan(0);
  });
});
