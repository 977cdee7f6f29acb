import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentWithDotenv, malformedLines } from './dotenv';
import { loadEnvOrExit } from './load-env';

describe('.env in the working directory', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sg-dotenv-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (text: string) => writeFileSync(join(dir, '.env'), text);

  it('no .env: the real environment as it is, no error', () => {
    const real = { PORT: '9000' };
    expect(environmentWithDotenv(real, dir)).toEqual({ raw: real, used: 0, errors: [] });
  });

  it('reads .env under the real environment: a variable set in both keeps its real value', () => {
    write('# copied from .env.example\nPORT=9100\nexport LOG_LEVEL=debug\nHOST = 127.0.0.1 # local only\n\nCORS_ORIGINS="http://a,\nhttp://b"\n');
    const r = environmentWithDotenv({ PORT: '9000', ENV: 'test' }, dir);
    expect(r.errors).toEqual([]);
    expect(r.file).toBe(join(dir, '.env'));
    expect(r.raw).toMatchObject({ PORT: '9000', ENV: 'test', LOG_LEVEL: 'debug', HOST: '127.0.0.1', CORS_ORIGINS: 'http://a,\nhttp://b' });
    expect(r.used).toBe(3);
  });

  it('a malformed line is an error naming the line, never its content; the good lines still count', () => {
    write('PORT=9100\nDATABASE_URL postgresql://u:hunter2@db/x\nLOG_LEVEL=debug\n');
    const r = environmentWithDotenv({}, dir);
    expect(r.errors).toEqual([`.env line 2: expected NAME=value (a comment starts with #) in ${join(dir, '.env')}`]);
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(r.raw).toEqual({ PORT: '9100', LOG_LEVEL: 'debug' });
  });

  it('malformedLines: blank lines, comments, assignments and multi-line quoted values pass', () => {
    expect(malformedLines('A=1\n\n  # c\nexport B=2\nC="x\ny\nz"\nD=\nnot valid\n-X=1\n')).toEqual([9, 10]);
  });

  describe('loadEnvOrExit', () => {
    let stderr: string;
    let exit: jest.SpyInstance;
    beforeEach(() => {
      stderr = '';
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stderr += String(chunk);
        return true;
      });
      exit = jest.spyOn(process, 'exit').mockImplementation((code?: string | number | null) => {
        throw new Error(`exit ${code}`);
      });
    });
    afterEach(() => jest.restoreAllMocks());

    it('validates the merged environment and says which file it read', () => {
      write('PORT=9100\nREADINESS_TIMEOUT_MS=2500\n');
      const env = loadEnvOrExit('api', { PORT: '9000' }, dir);
      expect(env.PORT).toBe(9000);
      expect(env.READINESS_TIMEOUT_MS).toBe(2500);
      expect(stderr).toContain(`signalgate api: read 1 variable from ${join(dir, '.env')} (the environment overrides it)`);
    });

    it('a bad value in .env fails fast like any other, masked, together with a malformed line', () => {
      write('ENV=staging\nDATABASE_URL=mysql://u:hunter2@db/x\nSECRET_KEY=short\nbroken\n');
      expect(() => loadEnvOrExit('cli', {}, dir)).toThrow('exit 2');
      expect(exit).toHaveBeenCalledWith(2);
      expect(stderr).toMatch(/^signalgate cli: invalid configuration, refusing to start \(4 problems\):\n/);
      expect(stderr).toContain('  - .env line 4: expected NAME=value');
      expect(stderr).toContain('  - DATABASE_URL: scheme must be postgres:// or postgresql://');
      expect(stderr).toContain('  - SECRET_KEY: must be at least 32 characters (got 5) (strict mode: ENV=staging)');
      expect(stderr).toContain('  - REDIS_URL: required (strict mode: ENV=staging)');
      expect(stderr).not.toContain('hunter2');
      expect(stderr).not.toContain('short');
    });
  });
});
