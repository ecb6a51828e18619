import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';

describe('?consistentWith= (read your writes)', () => {
  let t: TestService;

  beforeEach(() => {
    t = startTestService({ CONSISTENCY_WAIT_MS: '200' });
  });
  afterEach(() => t.close());

  it('answers at once for a position the write returned', async () => {
    const write = await t.request
      .post('/v1/ledger/accounts')
      .set(t.auth())
      .send({ code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' });
    expect(write.status).toBe(201);

    const read = await t.request
      .get(`/v1/ledger/accounts/1000?consistentWith=${write.body.position as string}`)
      .set(t.auth());
    expect(read.status).toBe(200);
    expect(read.body.code).toBe('1000');
  });

  it('is 503 with Retry-After for a position the log has not reached within the bound', async () => {
    const read = await t.request
      .get('/v1/ledger/accounts/1000?consistentWith=999999')
      .set(t.auth());
    expect(read.status).toBe(503);
    expect(read.headers['retry-after']).toBe('1');
    expect(read.headers['content-type']).toContain('application/problem+json');
    expect(read.body.type).toBe('urn:backoffice:problem:not-yet-consistent');
  });

  it('is 400 for a value that is not a position', async () => {
    const read = await t.request.get('/v1/ledger/accounts/1000?consistentWith=-1').set(t.auth());
    expect(read.status).toBe(400);
    expect(read.body.errors[0].path).toBe('query.consistentWith');
  });
});
