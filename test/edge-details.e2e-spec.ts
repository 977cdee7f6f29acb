import { createHmac, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { apiClient, bootApi, migrateTestDatabase, token } from './support/domain';
import { TEST_SECRET_KEY } from './support/e2e-env';

/**
 * Issue 22, small items, against the real app: a token claiming `exp: 1e309` (Infinity once parsed) is refused, the
 * labels bound is named as configured, a 404 does not echo the query, and every response carries
 * X-Frame-Options DENY (as CSP frame-ancestors 'none' says) and a Permissions-Policy denying powerful features.
 */
const MAX_LABELS = 64;

/** An HS256 token signed with the app's key over raw JSON (JSON.stringify cannot write `1e309`). */
function rawToken(payloadJson: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  const head = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(payloadJson)}`;
  return `${head}.${createHmac('sha256', TEST_SECRET_KEY).update(head).digest('base64url')}`;
}

/** A client address of its own, so the per-IP budget of one test is not spent by another. */
const fromIp = () => ({ 'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 250) + 1}` });
const manyLabels = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

beforeAll(() => migrateTestDatabase(), 60_000);

describe('edge details (issue 22)', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await bootApi({
      DELIVERY_CONCURRENCY: '0',
      ALERT_MAX_LABELS: String(MAX_LABELS),
      RATE_LIMIT_LIMIT: '3',
      RATE_LIMIT_WINDOW_SECONDS: '60',
      TRUST_PROXY: '127.0.0.1',
    }));
  }, 60_000);
  afterAll(() => app?.close());

  it('a token whose exp is 1e309 (or beyond ten years) is a 401, like an expired one; the same claims with a sane exp pass', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sub = `exp-${randomUUID()}`;
    const claims = (exp: string) => `{"sub":"${sub}","scope":"admin","exp":${exp}}`;
    expect((await apiClient(url, rawToken(claims(String(now + 600))))('GET', '/api/v1/event-types')).status).toBe(200);
    for (const exp of ['1e309', String(now + 11 * 366 * 86_400)]) {
      const r = await apiClient(url, rawToken(claims(exp)))('GET', '/api/v1/event-types', undefined, fromIp());
      expect([exp, r.status]).toEqual([exp, 401]);
    }
  });

  it('too many labels: the message names the configured limit, for 65 and for 10,000 labels, on both intake routes', async () => {
    const call = apiClient(url, token(['admin'], `labels-${randomUUID()}`));
    for (const n of [MAX_LABELS + 1, 10_000]) {
      const r = await call('POST', '/api/v1/alerts', { title: 'many labels', severity: 'info', labels: manyLabels(n) });
      expect([n, r.status, r.body.errors]).toEqual([n, 400, { labels: [`at most ${MAX_LABELS} entries`] }]);
      const a = await call('POST', '/api/v1/alerts', { title: 'many annotations', severity: 'info', annotations: manyLabels(n) });
      expect([n, a.status, a.body.errors]).toEqual([n, 400, { annotations: [`at most ${MAX_LABELS} entries`] }]);
      const am = await call('POST', '/api/v1/alerts/alertmanager', { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: manyLabels(n) }] });
      expect([n, am.status, am.body.errors]).toEqual([n, 400, { 'alerts.0.labels': [`at most ${MAX_LABELS} entries`] }]);
    }
    expect((await call('POST', '/api/v1/alerts', { title: 'just enough', severity: 'info', labels: manyLabels(MAX_LABELS) })).status).toBe(201);
  });

  it('a 404 names the path without its query: no signature or bare key in the message', async () => {
    const r = await apiClient(url, null)('GET', '/api/v1/n%6Fpe?sig=s3cr3tsig&bareKeyT0ken&limit=5');
    expect(r.status).toBe(404);
    expect(r.body.message).toBe('Cannot GET /api/v1/nope');
    expect(r.text).not.toMatch(/s3cr3tsig|bareKeyT0ken|\?/);
  });

  it('X-Frame-Options DENY and Permissions-Policy on every response: 200, 401, 404, 429, the docs page, /metrics', async () => {
    const call = apiClient(url, token(['admin'], `headers-${randomUUID()}`));
    const responses: Array<[string, number, Headers]> = [];
    for (let i = 0; i < 4; i++) {
      const r = await call('GET', '/api/v1/event-types');
      responses.push([`event-types #${i}`, r.status, r.headers]);
    }
    for (const path of ['/api/health/live', '/api/docs', '/metrics', '/nope']) {
      const r = await fetch(`${url}${path}`);
      await r.text();
      responses.push([path, r.status, r.headers]);
    }
    const anon = await apiClient(url, null)('GET', '/api/v1/webhooks', undefined, fromIp());
    responses.push(['anonymous', anon.status, anon.headers]);
    expect(responses.map(([what, status]) => [what, status])).toEqual([
      ['event-types #0', 200],
      ['event-types #1', 200],
      ['event-types #2', 200],
      ['event-types #3', 429],
      ['/api/health/live', 200],
      ['/api/docs', 200],
      ['/metrics', 200],
      ['/nope', 404],
      ['anonymous', 401],
    ]);
    for (const [what, , headers] of responses) {
      expect([what, headers.get('x-frame-options')]).toEqual([what, 'DENY']);
      expect([what, headers.get('content-security-policy')]).toEqual([what, expect.stringMatching(/frame-ancestors 'none'/)]);
      const policy = headers.get('permissions-policy') ?? '';
      for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb'])
        expect([what, policy]).toEqual([what, expect.stringContaining(`${feature}=()`)]);
    }
  });
});
