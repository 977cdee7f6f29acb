import { ApiProcess, runCli } from './support/processes';
import { e2e, TEST_SECRET_KEY } from './support/e2e-env';
import { freePort, PrivateRedis, waitFor } from './support/services';

/**
 * libs/observability: structured JSON logs, request ids, redaction; boot lines naming the masked DSN and server
 * version, and the masked Redis URL on the first successful PING.
 */
describe('logging (built API, strict mode)', () => {
  const PG_PASSWORD = 'Log:Pg@ss/1';
  const REDIS_PASSWORD = 'Log#Redis!2';
  let redis: PrivateRedis;
  let api: ApiProcess;

  beforeAll(async () => {
    redis = await PrivateRedis.start(REDIS_PASSWORD);
    const raw = {
      CI_STRICT: '1',
      DATABASE_URL: e2e.databaseUrl.replace('postgresql://postgres@', `postgresql://postgres:${encodeURIComponent(PG_PASSWORD)}@`),
      REDIS_URL: redis.url,
      SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_MS: '0',
    };
    expect((await runCli(['migrate', 'up'], raw)).code).toBe(0);
    api = ApiProcess.spawn(raw, await freePort());
    await api.waitListening();
    await waitFor(() => /database connected/.test(api.stdout) && /redis connected/.test(api.stdout), 15_000, 'boot log lines');
  });

  afterAll(async () => {
    await api?.stop();
    await redis?.stop();
  });

  const logLines = () =>
    api.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('writes one JSON object per line', () => {
    const lines = logLines();
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l).toMatchObject({ level: expect.any(Number), time: expect.any(Number), service: 'signalgate' });
  });

  it('names the masked DSN and server version on database connect', () => {
    const line = logLines().find((l) => String(l.msg).startsWith('database connected'));
    expect(String(line?.msg)).toMatch(/^database connected dsn=postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/sg_e2e_\w+ server_version=\d+/);
  });

  it('names the masked Redis URL on the first successful PING', () => {
    const line = logLines().find((l) => String(l.msg).startsWith('redis connected'));
    expect(line?.msg).toBe(`redis connected url=redis://:***@127.0.0.1:${redis.port}/0 ping=PONG`);
  });

  it('echoes a sane X-Request-Id, generates one otherwise, and logs it', async () => {
    const given = await fetch(`${api.baseUrl}/api/no-such-route`, { headers: { 'X-Request-Id': 'req-abc-123' } });
    expect(given.status).toBe(404);
    expect(given.headers.get('x-request-id')).toBe('req-abc-123');

    const generated = await fetch(`${api.baseUrl}/api/no-such-route`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const hostile = await fetch(`${api.baseUrl}/api/no-such-route`, { headers: { 'X-Request-Id': 'x'.repeat(500) } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    await waitFor(() => api.stdout.includes('req-abc-123'), 5000, 'request log line');
    const line = logLines().find((l) => l.reqId === 'req-abc-123');
    expect(line).toBeDefined();
  });

  it('redacts Authorization and Cookie headers in request logs', async () => {
    await fetch(`${api.baseUrl}/api/no-such-route`, {
      headers: { Authorization: 'Bearer tok-SECRET-value-999', Cookie: 'session=cookie-SECRET-777', 'X-Request-Id': 'req-redact-1' },
    });
    await waitFor(() => api.stdout.includes('req-redact-1'), 5000, 'request log line');
    const line = logLines().find((l) => l.reqId === 'req-redact-1');
    expect(line).toMatchObject({ msg: 'request completed', method: 'GET', url: '/api/no-such-route', statusCode: 404, responseTime: expect.any(Number) });
    // The line is written by allow-list: method, path, status, timing and the id; no header at all.
    expect(line?.req).toBeUndefined();
    expect(Object.keys(line ?? {}).sort()).toEqual([
      'context',
      'env',
      'level',
      'method',
      'msg',
      'reqId',
      'responseTime',
      'service',
      'statusCode',
      'time',
      'url',
    ]);
    expect(api.output).not.toContain('tok-SECRET-value-999');
    expect(api.output).not.toContain('cookie-SECRET-777');
  });

  it('never prints either password, raw or percent-encoded', () => {
    for (const secret of [PG_PASSWORD, encodeURIComponent(PG_PASSWORD), REDIS_PASSWORD, encodeURIComponent(REDIS_PASSWORD), TEST_SECRET_KEY]) {
      expect(api.output).not.toContain(secret);
    }
  });
});
