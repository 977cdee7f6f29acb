import { createServer } from 'node:net';
import { freePort, tcpOpen } from './support/services';
import { API_MAIN, CLI_MAIN, runNode } from './support/processes';
import { e2e, TEST_SECRET_KEY } from './support/e2e-env';

/**
 * CONTRACT §2 "Fail fast", as processes: the built targets in strict mode with a missing variable exit non-zero
 * within 2 s, name the variable on stderr, and never open their port.
 */
describe('fail fast (built processes)', () => {
  const strictWithoutRedis = () => ({
    CI_STRICT: '1',
    DATABASE_URL: e2e.databaseUrl.replace('postgresql://postgres@', 'postgresql://postgres:Pg-S3cret!pw@'),
    SECRET_KEY: TEST_SECRET_KEY,
  });

  it.each([
    ['api', API_MAIN, [] as string[]],
    ['cli', CLI_MAIN, ['migrate', 'status']],
  ])('%s: strict mode without REDIS_URL exits non-zero within 2 s, names REDIS_URL, never listens', async (_name, main, args) => {
    const port = await freePort();
    let sawListener = false;
    const poll = setInterval(() => {
      void tcpOpen('127.0.0.1', port, 50).then((open) => (sawListener ||= open));
    }, 10);
    const r = await runNode(main, args, { ...strictWithoutRedis(), PORT: String(port), HOST: '127.0.0.1' }, 10_000);
    clearInterval(poll);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.ms).toBeLessThan(2000);
    expect(r.stderr).toMatch(/REDIS_URL: required \(strict mode: CI_STRICT=1\)/);
    expect(sawListener).toBe(false);
    expect(await tcpOpen('127.0.0.1', port, 200)).toBe(false);
    expect(`${r.stdout}${r.stderr}`).not.toContain('Pg-S3cret!pw');
  });

  it('prints every problem at once, one line each, values masked', async () => {
    const r = await runNode(
      API_MAIN,
      [],
      {
        ENV: 'staging',
        DATABASE_URL: 'sqlite:///app/var/staging.db',
        SECRET_KEY: 'too-short-secret',
        READINESS_TIMEOUT_MS: '5',
      },
      10_000,
    );
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines.map((l) => l.slice(4).split(':')[0]).sort()).toEqual(['DATABASE_URL', 'READINESS_TIMEOUT_MS', 'REDIS_URL', 'SECRET_KEY']);
    expect(r.stderr).not.toContain('too-short-secret');
  });

  it('does not attempt a database connection before failing', async () => {
    // A listener standing in for PostgreSQL: any connection attempt would be seen.
    let connections = 0;
    const fakeDb = createServer((s) => {
      connections += 1;
      s.destroy();
    });
    const dbPort = await new Promise<number>((ok) => fakeDb.listen(0, '127.0.0.1', () => ok((fakeDb.address() as { port: number }).port)));
    try {
      const r = await runNode(API_MAIN, [], { CI_STRICT: '1', DATABASE_URL: `postgresql://u:pw@127.0.0.1:${dbPort}/db`, SECRET_KEY: TEST_SECRET_KEY }, 10_000);
      expect(r.code).toBe(2);
      expect(connections).toBe(0);
    } finally {
      fakeDb.close();
    }
  });

  it('cli config check prints the effective configuration masked and exits 0; exits non-zero when invalid', async () => {
    const ok = await runNode(CLI_MAIN, ['config', 'check'], {
      CI_STRICT: '1',
      DATABASE_URL: 'postgresql://app:Cfg-P%40ss@db:5432/app',
      REDIS_URL: 'redis://:Redis-P4ss@cache:6379/0',
      SECRET_KEY: TEST_SECRET_KEY,
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('strict mode: on');
    expect(ok.stdout).toMatch(/DATABASE_URL\s+postgresql:\/\/app:\*\*\*@db:5432\/app/);
    expect(ok.stdout).toMatch(/REDIS_URL\s+redis:\/\/:\*\*\*@cache:6379\/0/);
    expect(ok.stdout).toMatch(/SECRET_KEY\s+\*\*\* \(42 characters\)/);
    for (const secret of ['Cfg-P%40ss', 'Cfg-P@ss', 'Redis-P4ss', TEST_SECRET_KEY]) {
      expect(ok.stdout + ok.stderr).not.toContain(secret);
    }
    const bad = await runNode(CLI_MAIN, ['config', 'check'], { ENV: 'prod' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/DATABASE_URL: required/);
  });
});
