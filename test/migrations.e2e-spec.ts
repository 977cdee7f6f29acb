import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import { createScratchDatabase, TEST_SECRET_KEY, e2e } from './support/e2e-env';
import { childEnv, ROOT, runCli } from './support/processes';
import { MIGRATIONS } from '@app/migrations';

/** CONTRACT §4: migrations from the separate CLI target, safe when several replicas start at once. */
describe('cli migrate / db verify (built CLI, real PostgreSQL)', () => {
  const PASSWORD = 'Mig#Pa55/w:rd';
  let scratch: { url: string; drop: () => Promise<void> };
  let raw: Record<string, string>;
  const shipped = MIGRATIONS.map((M) => new M().name);

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    // Trust auth ignores the password, which lets us check that it never reaches any output.
    const withPassword = scratch.url.replace('postgresql://postgres@', `postgresql://postgres:${encodeURIComponent(PASSWORD)}@`);
    raw = { CI_STRICT: '1', DATABASE_URL: withPassword, REDIS_URL: e2e.redisUrl, SECRET_KEY: TEST_SECRET_KEY };
  });
  afterAll(async () => scratch.drop());

  const appliedRows = async () => {
    const c = new Client({ connectionString: scratch.url });
    await c.connect();
    try {
      const r = await c.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
      return r.rows.map((row) => row.name);
    } finally {
      await c.end();
    }
  };

  const expectMasked = (out: string) => {
    expect(out).not.toContain(PASSWORD);
    expect(out).not.toContain(encodeURIComponent(PASSWORD));
  };

  it('status on a fresh database: every migration pending, exit non-zero', async () => {
    const r = await runCli(['migrate', 'status'], raw);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('current: (none)');
    expect(r.stdout).toContain(`head: ${shipped[shipped.length - 1]}`);
    expect(r.stdout).toContain(`pending: ${shipped.length} (${shipped.join(', ')})`);
    expect(r.stdout).toContain('status: pending');
    expectMasked(r.stdout + r.stderr);
  });

  it('two `migrate up` started at once: both exit 0, each migration applied exactly once', async () => {
    const [a, b] = await Promise.all([runCli(['migrate', 'up'], raw), runCli(['migrate', 'up'], raw)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const appliedLines = [a, b].flatMap((r) => r.stdout.split('\n').filter((l) => l.startsWith('applied: ')));
    expect(appliedLines.sort()).toEqual(shipped.map((n) => `applied: ${n}`).sort());
    expect(await appliedRows()).toEqual(shipped);
    expectMasked(a.stdout + a.stderr + b.stdout + b.stderr);
  });

  it('status at head: exit 0', async () => {
    const r = await runCli(['migrate', 'status'], raw);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`current: ${shipped[shipped.length - 1]}`);
    expect(r.stdout).toContain('pending: 0');
    expect(r.stdout).toContain('status: head');
  });

  it('db verify: server version, table count, current migration, masked DSN', async () => {
    const r = await runCli(['db', 'verify'], raw);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dsn: postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/sg_scratch_/m);
    expect(r.stdout).toMatch(/^server_version: \d+/m);
    expect(r.stdout).toMatch(/^tables: [1-9]\d*$/m);
    expect(r.stdout).toContain(`current_migration: ${shipped[shipped.length - 1]}`);
    expectMasked(r.stdout + r.stderr);
  });

  it('migrate down reverts the last one; status is then non-zero; up brings it back', async () => {
    const down = await runCli(['migrate', 'down'], raw);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain(`reverted: ${shipped[shipped.length - 1]}`);
    expect(await appliedRows()).toEqual(shipped.slice(0, -1));
    expect((await runCli(['migrate', 'status'], raw)).code).not.toBe(0);
    const up = await runCli(['migrate', 'up'], raw);
    expect(up.code).toBe(0);
    expect(await appliedRows()).toEqual(shipped);
  });

  it('db verify against an unreachable server: non-zero, masked error, bounded', async () => {
    const r = await runCli(
      ['db', 'verify'],
      { ...raw, DATABASE_URL: `postgresql://postgres:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/nope`, DB_CONNECT_TIMEOUT_MS: '1000' },
      15_000,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ECONNREFUSED|connect/i);
    expectMasked(r.stdout + r.stderr);
  });

  it('the typeorm CLI works in development through libs/database/src/data-source.ts (npm run typeorm)', () => {
    const r = spawnSync('npm', ['run', '-s', 'typeorm', '--', 'migration:show'], { cwd: ROOT, env: childEnv(raw), encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    // Every shipped migration is listed as applied: "[X] <n> <name>".
    for (const name of shipped) expect(r.stdout).toMatch(new RegExp(`\\[X\\] \\d+ ${name}`));
    expectMasked(r.stdout + r.stderr);
  });

  it('an unknown command exits 64 with usage', async () => {
    const r = await runCli(['migrate', 'sideways'], raw);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('usage:');
  });
});
