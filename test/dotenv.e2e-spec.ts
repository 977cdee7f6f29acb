import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2e, strictRawEnv, TEST_SECRET_KEY } from './support/e2e-env';
import { Fleet, runCli } from './support/processes';
import { freePort } from './support/services';

/**
 * `cp .env.example .env` works: both built targets read `.env` from their working directory, under the real
 * environment (which wins), validate it like the environment (fail fast, masked), and the API says where it listens.
 */
describe('.env in the working directory (built targets)', () => {
  const fleet = new Fleet();
  const dir = mkdtempSync(join(tmpdir(), 'sg-dotenv-'));
  const dotenv = (text: string) => writeFileSync(join(dir, '.env'), text);

  beforeAll(async () => {
    expect((await runCli(['migrate', 'up'], strictRawEnv())).code).toBe(0);
  });
  afterAll(async () => {
    await fleet.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the API boots from .env alone, the real environment overriding one value, and logs where it listens once', async () => {
    const envFilePort = await freePort();
    dotenv(
      [
        '# cp .env.example .env, then:',
        'ENV=test',
        'CI_STRICT=1',
        `DATABASE_URL=${e2e.databaseUrl}`,
        `REDIS_URL="${e2e.redisUrl}"`,
        `SECRET_KEY=${TEST_SECRET_KEY}`,
        `PORT=${envFilePort}`,
        'SHUTDOWN_DELAY_MS=0',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    // Only PORT (and HOST) in the real environment: everything strict mode requires comes from .env, whose PORT
    // (one of its 7 variables) is overridden.
    const api = await fleet.api({ LOG_LEVEL: 'warn' }, port, { cwd: dir });
    expect(api.stderr).toContain(`signalgate api: read 6 variables from ${join(dir, '.env')} (the environment overrides it)`);
    const listening = api.stderr.match(/signalgate api: listening on .*/g) ?? [];
    expect(listening).toEqual([`signalgate api: listening on http://127.0.0.1:${port}`]);
    expect((await fetch(`http://127.0.0.1:${envFilePort}/api/health/live`).catch(() => undefined))?.status).toBeUndefined();
    expect(api.output).not.toContain(TEST_SECRET_KEY);
    expect((await api.stop()).code).toBe(0);
  });

  it('the CLI reads the same .env; a malformed one fails fast, masked, naming the line', async () => {
    const ok = await runCli(['config', 'check'], {}, 30_000, { cwd: dir });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain(`read 7 variables from ${join(dir, '.env')}`);

    dotenv('ENV=staging\nDATABASE_URL postgresql://u:hunter2-secret@db/x\nREDIS_URL=redis://:hunter3-secret@127.0.0.1:1/0\n');
    const bad = await runCli(['config', 'check'], {}, 30_000, { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`.env line 2: expected NAME=value (a comment starts with #) in ${join(dir, '.env')}`);
    expect(bad.stderr).toContain('DATABASE_URL: required (strict mode: ENV=staging)');
    expect(`${bad.stdout}${bad.stderr}`).not.toMatch(/hunter[23]-secret/);
    expect(bad.ms).toBeLessThan(5_000);
  });
});
