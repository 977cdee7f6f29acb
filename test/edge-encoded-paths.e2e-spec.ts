import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { apiClient, bootApi, migrateTestDatabase, token } from './support/domain';

/**
 * Issue 22: Fastify decodes `%XX` before routing, so `/api/v%31/alerts` and `/%61pi/v1/alerts` are the routes
 * `/api/v1/alerts`. They must be counted and refused exactly like the plain paths (the limiter once matched the raw
 * URL: with the budget spent the encoded paths still answered 200, without X-RateLimit-* headers), and the probes and
 * their seed aliases answer on their encoded paths as on the plain ones, still never limited.
 */
const LIMIT = 4;
const INTAKE_LIMIT = 3;
const subject = () => `encoded-${randomUUID()}`;
const alert = () => ({ title: 'disk full', severity: 'critical', source: 'edge-e2e', labels: { host: randomUUID() } });
const READS = ['/api/v1/alerts', '/api/v%31/alerts', '/%61pi/v1/alerts', '/%61%70%69/v1/alerts', '/api/v1/%61lerts', '/a%70i/%76%31/al%65rts'];
const INTAKE = ['/api/v1/alerts', '/%61pi/v1/alerts', '/api/v%31/alerts', '/api/v1/alerts/%61lertmanager'];

beforeAll(() => migrateTestDatabase(), 60_000);

describe('percent-encoded paths are limited and answered like the plain ones', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await bootApi({
      RATE_LIMIT_LIMIT: String(LIMIT),
      RATE_LIMIT_INTAKE_LIMIT: String(INTAKE_LIMIT),
      RATE_LIMIT_WINDOW_SECONDS: '60',
      TRUST_PROXY: '127.0.0.1',
    }));
  }, 60_000);
  afterAll(() => app?.close());

  it('encoded reads count against the budget; once it is spent, plain and encoded paths all get 429', async () => {
    const call = apiClient(url, token(['admin'], subject()));
    for (let i = 1; i <= LIMIT; i++) {
      const r = await call('GET', READS[i]);
      expect([READS[i], r.status, r.headers.get('x-ratelimit-limit'), r.headers.get('x-ratelimit-remaining')]).toEqual([
        READS[i],
        200,
        String(LIMIT),
        String(LIMIT - i),
      ]);
    }
    for (const path of [...READS, '/api/v1/w%65bhooks', '/api/v%31/deliveries']) {
      const r = await call('GET', path);
      expect([path, r.status, r.headers.get('x-ratelimit-remaining')]).toEqual([path, 429, '0']);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });

  it('intake limit spent on the plain path: encoded POSTs are 429 too (and encoded POSTs spend it as well)', async () => {
    const call = apiClient(url, token(['admin'], subject()));
    for (let i = 0; i < INTAKE_LIMIT; i++) {
      const r = await call('POST', '/api/v1/alerts', alert());
      expect(r.status).toBe(201);
    }
    for (const path of INTAKE) {
      const body = path.endsWith('lertmanager') ? { version: '4', status: 'firing', alerts: [] } : alert();
      const r = await call('POST', path, body);
      expect([path, r.status, r.headers.get('x-ratelimit-limit')]).toEqual([path, 429, String(INTAKE_LIMIT)]);
    }

    const other = apiClient(url, token(['admin'], subject()));
    const statuses: number[] = [];
    for (let i = 0; i <= INTAKE_LIMIT; i++) statuses.push((await other('POST', '/%61pi/v%31/alerts', alert())).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect((await other('POST', '/api/v1/alerts', alert())).status).toBe(429);
  });

  it('without a token the per-IP limit applies to encoded paths: 401 with the headers, then 429', async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
    const anon = apiClient(url, null);
    for (let i = 1; i <= LIMIT; i++) {
      const path = READS[i];
      const r = await anon('GET', path, undefined, { 'x-forwarded-for': ip });
      expect([path, r.status, r.headers.get('x-ratelimit-remaining')]).toEqual([path, 401, String(LIMIT - i)]);
    }
    for (const path of ['/api/v%31/alerts', '/%61pi/v1/alerts', '/api/v1/alerts']) {
      expect([path, (await anon('GET', path, undefined, { 'x-forwarded-for': ip })).status]).toEqual([path, 429]);
    }
    expect((await anon('POST', '/%61pi/v1/alerts', alert(), { 'x-forwarded-for': ip })).status).toBe(401);
  });

  it('encoded probes and seed aliases answer 200 like the plain ones, never limited', async () => {
    const paths = [
      '/api/h%65alth/live',
      '/%61pi/ready',
      '/api/v%65rsion',
      '/m%65trics',
      '/h%65alth/live',
      '/health/r%65ady',
      '/metrics/pr%6Fmetheus',
      '/h%65alth/',
    ];
    for (const path of paths) {
      for (let i = 0; i < LIMIT * 2; i++) {
        const r = await fetch(`${url}${path}`);
        await r.text();
        expect([path, r.status, r.headers.get('x-ratelimit-limit')]).toEqual([path, 200, null]);
      }
    }
  });
});
