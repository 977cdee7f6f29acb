import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiProcess, runCli } from './support/processes';
import { freePort, tcpOpen, waitFor } from './support/services';

/**
 * CONTRACT §2: outside strict mode with no DATABASE_URL, `npm start` runs an embedded PostgreSQL under .data/ (here a
 * temporary directory), migrates on boot, and stops it on shutdown. The CLI reuses the running server.
 */
describe('embedded PostgreSQL default (built API, not strict)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-embedded-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data directory.
  chmodSync(dir, 0o755);
  let api: ApiProcess;

  afterAll(async () => {
    await api?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('boots with nothing configured, connects, migrates, and listens', async () => {
    const port = await freePort();
    api = ApiProcess.spawn({ ENV: 'development', EMBEDDED_PG_DIR: join(dir, 'postgres'), LOG_LEVEL: 'info' }, port);
    await api.waitListening(90_000);
    await waitFor(() => /migrated on boot|migrations at head/.test(api.stdout), 60_000, 'migrations on boot');
    expect(api.stdout).toMatch(/database connected dsn=postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/signalgate server_version=\d+/);
    expect(api.stderr).toMatch(/embedded PostgreSQL started on 127\.0\.0\.1:\d+/);
    expect(api.stderr).toMatch(/SECRET_KEY: not set; using a random per-process key/);
  });

  it('the CLI reuses the running embedded server', async () => {
    const r = await runCli(['migrate', 'status'], { ENV: 'development', EMBEDDED_PG_DIR: join(dir, 'postgres') });
    expect(r.stderr).toMatch(/embedded PostgreSQL already running on port \d+/);
    expect(r.stdout).toContain('status: head');
    expect(r.code).toBe(0);
  });

  it('stops the embedded server on SIGTERM and exits 0', async () => {
    const pgPort = Number(/started on 127\.0\.0\.1:(\d+)/.exec(api.stderr)?.[1]);
    expect(await tcpOpen('127.0.0.1', pgPort)).toBe(true);
    const exit = await api.stop('SIGTERM', 30_000);
    expect(exit.code).toBe(0);
    expect(await tcpOpen('127.0.0.1', pgPort)).toBe(false);
  });
});
