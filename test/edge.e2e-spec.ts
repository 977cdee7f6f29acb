import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { apiClient, bootApi, migrateTestDatabase, token } from './support/domain';
import { strictRawEnv } from './support/e2e-env';
import { API_MAIN, Fleet, runNode } from './support/processes';
import { freePort, PrivateRedis } from './support/services';
import { waitFor } from './support/wait-for';

/**
 * The edge of CONTRACT §5 (issue 8) against the real app, PostgreSQL and Redis: rate-limit headers and 429s, per
 * subject and per IP, intake apart from reads, probes never limited, the seed services' probe paths, CORS and
 * security headers; then a Redis outage mid-run, two API processes sharing one limit, and strict mode refusing
 * `CORS_ORIGINS=*` at boot.
 */
const LIMIT = 5;
const INTAKE_LIMIT = 3;
const limits = { RATE_LIMIT_LIMIT: String(LIMIT), RATE_LIMIT_INTAKE_LIMIT: String(INTAKE_LIMIT), RATE_LIMIT_WINDOW_SECONDS: '60' };
const subject = () => `edge-${randomUUID()}`;
const alert = () => ({ title: 'disk full', severity: 'critical', source: 'edge-e2e', labels: { host: randomUUID() } });

beforeAll(() => migrateTestDatabase(), 60_000);

describe('rate limits, probes, CORS and security headers (in-process app)', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await bootApi({ ...limits, TRUST_PROXY: '127.0.0.1', CORS_ORIGINS: 'https://oncall.example.com' }));
  }, 60_000);
  afterAll(() => app?.close());

  it('every /api/v1 response carries X-RateLimit-*; over the limit: 429, Retry-After, the JSON error body', async () => {
    const call = apiClient(url, token(['admin'], subject()));
    const before = Math.floor(Date.now() / 1000);
    // The window opens during the first request: it ends at most 60 s after that request's answer (in whole seconds,
    // rounded up), which may be a second later than `before` on a loaded machine.
    let windowOpenedBy = Infinity;
    for (let i = 1; i <= LIMIT; i++) {
      const r = await call('GET', '/api/v1/webhooks');
      windowOpenedBy = Math.min(windowOpenedBy, Math.ceil(Date.now() / 1000));
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
      expect(r.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - i));
      const reset = Number(r.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThan(before);
      expect(reset).toBeLessThanOrEqual(windowOpenedBy + 60);
    }
    // Any route counts against the same budget of the subject.
    const refused = await call('GET', '/api/v1/deliveries');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/rate limit exceeded: 5 requests per 60 s/),
    });
    expect(refused.body.request_id).toEqual(expect.any(String));
  });

  it('limits are per subject: another token still gets through', async () => {
    const a = apiClient(url, token(['admin'], subject()));
    for (let i = 0; i < LIMIT; i++) expect((await a('GET', '/api/v1/alerts')).status).toBe(200);
    expect((await a('GET', '/api/v1/alerts')).status).toBe(429);
    const b = apiClient(url, token(['admin'], subject()));
    expect((await b('GET', '/api/v1/alerts')).status).toBe(200);
  });

  it('intake (POST /alerts, /alerts/alertmanager) has its own limit, apart from reads', async () => {
    const call = apiClient(url, token(['admin'], subject()));
    for (let i = 0; i < LIMIT; i++) expect((await call('GET', '/api/v1/webhooks')).status).toBe(200);
    expect((await call('GET', '/api/v1/webhooks')).status).toBe(429);
    const first = await call('POST', '/api/v1/alerts', alert());
    expect(first.status).toBe(201);
    expect(first.headers.get('x-ratelimit-limit')).toBe(String(INTAKE_LIMIT));
    expect((await call('POST', '/api/v1/alerts/alertmanager', { version: '4', status: 'firing', alerts: [] })).status).toBeLessThan(300);
    expect((await call('POST', '/api/v1/alerts', alert())).status).toBe(201);
    const refused = await call('POST', '/api/v1/alerts', alert());
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toEqual(expect.stringMatching(/^\d+$/));
  });

  it('without a valid token: 401 with the headers, limited per client IP (X-Forwarded-For counts with TRUST_PROXY)', async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
    const anon = apiClient(url, null);
    const forged = apiClient(url, 'not.a.token');
    for (let i = 1; i <= LIMIT; i++) {
      const r = await (i % 2 ? anon : forged)('GET', '/api/v1/webhooks', undefined, { 'x-forwarded-for': ip });
      expect(r.status).toBe(401);
      expect(r.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - i));
    }
    const refused = await anon('GET', '/api/v1/webhooks', undefined, { 'x-forwarded-for': ip });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    // Another client address has its own budget.
    expect((await anon('GET', '/api/v1/webhooks', undefined, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(401);
  });

  it('probes, their seed aliases, /api/version and /metrics are never limited', async () => {
    const paths = [
      '/api/health/live',
      '/api/ready',
      '/api/health',
      '/api/version',
      '/metrics',
      '/health/live',
      '/health/ready',
      '/health',
      '/metrics/prometheus',
    ];
    for (const path of paths) {
      for (let i = 0; i < LIMIT * 3; i++) {
        const r = await fetch(`${url}${path}`);
        await r.text();
        expect([path, r.status]).toEqual([path, 200]);
        expect(r.headers.get('x-ratelimit-limit')).toBeNull();
      }
    }
  });

  it('the seed services’ paths answer with the /api probes’ handlers and bodies (not redirects)', async () => {
    const get = async (path: string) => {
      const r = await fetch(`${url}${path}`, { redirect: 'manual' });
      return { status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('cache-control'), body: await r.text() };
    };
    for (const [alias, target] of [
      ['/health/live', '/api/health/live'],
      ['/health/ready', '/api/health/ready'],
      ['/health/startup', '/api/health/startup'],
      ['/health/deep', '/api/health/deep'],
      ['/health/detailed', '/api/health/deep'],
      ['/health', '/api/health'],
    ]) {
      const [a, t] = [await get(alias), await get(target)];
      expect([alias, a.status, a.type, a.cache]).toEqual([alias, t.status, t.type, 'no-store']);
      const keys = (text: string) => Object.keys(JSON.parse(text) as object).sort();
      expect(keys(a.body)).toEqual(keys(t.body));
      expect(JSON.parse(a.body).status).toBe(JSON.parse(t.body).status);
    }
    const m = await get('/metrics/prometheus');
    expect(m.status).toBe(200);
    expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(m.body).toMatch(/^# HELP /m);
  });

  it('CORS: a listed origin gets the preflight and credentials; another origin gets no CORS headers', async () => {
    const preflight = (origin: string) =>
      fetch(`${url}/api/v1/alerts`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    const ok = await preflight('https://oncall.example.com');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://oncall.example.com');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/authorization/);

    const refused = await preflight('https://evil.example.net');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('access-control-allow-credentials')).toBeNull();

    const call = apiClient(url, token(['admin'], subject()));
    const get = await call('GET', '/api/v1/webhooks', undefined, { origin: 'https://oncall.example.com' });
    expect(get.headers.get('access-control-allow-origin')).toBe('https://oncall.example.com');
    expect(get.headers.get('access-control-expose-headers')).toMatch(/X-RateLimit-Remaining/);
    const other = await call('GET', '/api/v1/webhooks', undefined, { origin: 'https://evil.example.net' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('security headers on JSON and on the docs page', async () => {
    for (const path of ['/api/health/live', '/api/docs']) {
      const r = await fetch(`${url}${path}`);
      await r.text();
      expect(r.status).toBe(200);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('permissions-policy')).toMatch(/(^|, )camera=\(\)(,|$)/);
      expect(r.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(r.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(r.headers.get('content-security-policy')).not.toMatch(/script-src[^;]*unsafe-inline/);
    }
  });
});

describe('Redis outage: fail open to per-process limits, never a 5xx, shared again when Redis returns', () => {
  let redis: PrivateRedis;
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    ({ app, url } = await bootApi({ REDIS_URL: redis.url, RATE_LIMIT_LIMIT: '1000', RATE_LIMIT_INTAKE_LIMIT: '1000' }));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('requests keep being served (0 × 5xx) while Redis is killed mid-run and restarted', async () => {
    const sub = subject();
    const call = apiClient(url, token(['admin'], sub));
    const statuses: number[] = [];
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await call(i % 3 === 0 ? 'POST' : 'GET', i % 3 === 0 ? '/api/v1/alerts' : '/api/v1/webhooks', i % 3 === 0 ? alert() : undefined);
        statuses.push(r.status);
        expect(r.headers.get('x-ratelimit-limit')).toBe('1000');
      }
    };
    await run(20);
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await probe.connect();
    expect(Number(await probe.get(`signalgate:rl:default:sub:${sub}`))).toBeGreaterThan(0);
    probe.disconnect();

    await redis.kill();
    await run(30);
    await redis.start();
    // Back to shared counting once the client has reconnected: the key reappears in the fresh Redis.
    const again = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await again.connect();
    try {
      const shared = await waitFor(
        async () => {
          const r = await call('GET', '/api/v1/webhooks');
          statuses.push(r.status);
          return Number(await again.get(`signalgate:rl:default:sub:${sub}`));
        },
        { timeoutMs: 15_000, intervalMs: 200, what: 'the shared rate-limit key in the restarted Redis' },
      );
      expect(shared).toBeGreaterThan(0);
    } finally {
      again.disconnect();
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set([200, 201]));
  }, 60_000);

  it('while Redis is down the in-process limiter still refuses over the limit', async () => {
    await redis.kill();
    try {
      const low = await bootApi({ REDIS_URL: redis.url, RATE_LIMIT_LIMIT: '3' });
      try {
        const call = apiClient(low.url, token(['admin'], subject()));
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) statuses.push((await call('GET', '/api/v1/webhooks')).status);
        expect(statuses).toEqual([200, 200, 200, 429, 429]);
      } finally {
        await low.app.close();
      }
    } finally {
      await redis.start();
    }
  }, 60_000);
});

describe('two API processes on one Redis (built: npm run build)', () => {
  const fleet = new Fleet();
  afterAll(() => fleet.stopAll());

  it('a client spreading requests over both is held to one limit', async () => {
    const raw = strictRawEnv({ ...limits, RATE_LIMIT_LIMIT: '10', DELIVERY_CONCURRENCY: '0' });
    const [a, b] = await Promise.all([fleet.api(raw, await freePort()), fleet.api(raw, await freePort())]);
    const tok = token(['admin'], subject());
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) {
      const base = i % 2 ? b.baseUrl : a.baseUrl;
      const r = await fetch(`${base}/api/v1/webhooks`, { headers: { authorization: `Bearer ${tok}` } });
      await r.text();
      statuses.push(r.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429, 429, 429, 429, 429]);
    // Unauthenticated clients are held per IP across both as well; X-Forwarded-For is ignored without TRUST_PROXY.
    const anon: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await fetch(`${i % 2 ? b.baseUrl : a.baseUrl}/api/v1/webhooks`, { headers: { 'x-forwarded-for': `198.51.100.${i}` } });
      await r.text();
      anon.push(r.status);
    }
    expect(anon.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(anon.every((s) => s === 401 || s === 429)).toBe(true);
  }, 90_000);

  it('strict mode with CORS_ORIGINS=* exits non-zero at boot, naming the variable', async () => {
    const r = await runNode(API_MAIN, [], { ...strictRawEnv({ CORS_ORIGINS: '*' }), PORT: String(await freePort()), HOST: '127.0.0.1' }, 10_000);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stderr).toMatch(/CORS_ORIGINS: must not contain \* in strict mode/);
    expect(r.ms).toBeLessThan(2000);
  });
});
