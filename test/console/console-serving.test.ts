import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/test-service.js';

let t: TestService;
beforeAll(async () => {
  t = startTestService();
  await t.service.started;
});
afterAll(async () => {
  await t.close();
});

describe('GET /v1/me', () => {
  it("answers the caller's key id and scopes, whatever scope the key has", async () => {
    const reports = await t.request.get('/v1/me').set(t.auth('reports'));
    expect(reports.status, reports.text).toBe(200);
    expect(reports.body).toEqual({ keyId: 'reporting', scopes: ['reports:read'] });
    const importer = await t.request.get('/v1/me').set(t.auth('importer'));
    expect(importer.body).toEqual({ keyId: 'importer', scopes: ['finance:write', 'import'] });
    const admin = await t.request.get('/v1/me').set(t.auth('admin'));
    expect(admin.body).toEqual({ keyId: 'admin-key', scopes: ['admin'] });
  });

  it('refuses a missing or unknown key with 401', async () => {
    expect((await t.request.get('/v1/me')).status).toBe(401);
    expect(
      (await t.request.get('/v1/me').set({ Authorization: 'Bearer nope-nope-nope' })).status,
    ).toBe(401);
  });
});

describe('/console', () => {
  it('serves the page and its modules without a key, same-origin only', async () => {
    const page = await t.request.get('/console/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<script type="module" src="app.js">');
    const policy = page.headers['content-security-policy'];
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    const script = await t.request.get('/console/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
  });

  it('redirects /console to /console/ so relative module paths resolve', async () => {
    const res = await t.request.get('/console');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/console/');
  });

  it('answers a missing file as the API answers an unknown path', async () => {
    const res = await t.request.get('/console/nothing-here.js');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('loads nothing from another origin', async () => {
    for (const file of ['index.html', 'app.js', 'api.js', 'dom.js', 'charts.js', 'console.css']) {
      const res = await t.request.get(`/console/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.text, file).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
  });
});
