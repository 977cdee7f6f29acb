import { createServer } from 'node:net';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_MAIN, ApiProcess, Fleet, runCli, runNode } from './support/processes';
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

describe('embedded PostgreSQL failures and unreachable data directories (built API)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-embedded-'));
  chmodSync(dir, 0o755);
  const fleet = new Fleet();
  const leftovers = () => readdirSync(tmpdir()).filter((f) => /^pg-password-|^signalgate-initdb-/.test(f));
  const before = leftovers();

  afterAll(async () => {
    await fleet.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a start that fails (its port taken) exits 1 with one line and leaves no password file and no data directory', async () => {
    const taken = createServer();
    // No host: every address (IPv6 dual-stack where there is one), so PostgreSQL cannot fall back to ::1.
    const port = await new Promise<number>((ok) => taken.listen(0, () => ok((taken.address() as { port: number }).port)));
    try {
      const data = join(dir, 'failing', 'postgres');
      const r = await runNode(
        API_MAIN,
        [],
        { ENV: 'development', EMBEDDED_PG_DIR: data, EMBEDDED_PG_PORT: String(port), PORT: String(await freePort()) },
        60_000,
      );
      expect(r.code).toBe(1);
      const failure = r.stderr.split('\n').filter((l) => l.includes('failed to start'));
      expect(failure).toHaveLength(1);
      expect(failure[0]).toMatch(new RegExp(`^signalgate api: failed to start: embedded PostgreSQL did not start on port ${port} `));
      expect(r.stderr).not.toMatch(/^\s+at /m); // no stack
      expect(existsSync(join(dir, 'failing'))).toBe(false);
      expect(leftovers()).toEqual(before);
    } finally {
      taken.close();
    }
  });

  it('as root, a data directory the postgres user cannot enter is moved under /var/tmp, and the log says where', async () => {
    const closed = join(dir, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    chmodSync(closed, 0o700);
    const api = await fleet.api({ ENV: 'development', EMBEDDED_PG_DIR: join(closed, 'postgres') }, await freePort(), { wait: 'listening', timeoutMs: 90_000 });
    const moved = /its data lives in (\S+) instead/.exec(api.stderr)?.[1];
    try {
      if (process.getuid?.() === 0) {
        expect(moved).toMatch(/^\/var\/tmp\/signalgate-postgres-[0-9a-f]{12}$/);
        expect(api.stderr).toContain(`the postgres user cannot reach ${join(closed, 'postgres')}`);
        expect(api.stderr).toMatch(new RegExp(`embedded PostgreSQL started on 127\\.0\\.0\\.1:\\d+ \\(${moved}\\)`));
      } else {
        // Not root: PostgreSQL runs as this user, who can enter its own directory; nothing is moved.
        expect(moved).toBeUndefined();
        expect(api.stderr).toContain(`embedded PostgreSQL started on 127.0.0.1`);
      }
      expect((await api.stop('SIGTERM', 30_000)).code).toBe(0);
      expect(leftovers()).toEqual(before);
    } finally {
      if (moved) rmSync(moved, { recursive: true, force: true });
    }
  });
});
