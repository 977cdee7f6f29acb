import { HelpRequested } from './cli-args';
import { builtTargets, dependencyState, maskHost, parseProofPackArgs } from './proof-pack';

describe('proof-pack options', () => {
  it('has safe defaults and reads every option, with or without =', () => {
    expect(parseProofPackArgs([])).toEqual({ skipFailfast: false, waitMs: 30_000 });
    expect(parseProofPackArgs(['--out', 'ev', '--base-url=https://staging.example.com/', '--skip-failfast', '--wait-ms', '5000'])).toEqual({
      out: 'ev',
      baseUrl: 'https://staging.example.com',
      skipFailfast: true,
      waitMs: 5000,
    });
  });

  it('rejects unknown options, missing values and bad values with a message', () => {
    expect(parseProofPackArgs(['--nope'])).toBe('unknown option --nope');
    expect(parseProofPackArgs(['--out'])).toBe('--out needs a value');
    expect(parseProofPackArgs(['--wait-ms', '10'])).toMatch(/--wait-ms must be an integer/);
    expect(parseProofPackArgs(['--base-url', 'ftp://x'])).toMatch(/--base-url must be an http\(s\) URL/);
  });

  it('rejects a value on the flag, stray arguments and empty values; leaves --help to the CLI', () => {
    expect(parseProofPackArgs(['--skip-failfast=yes'])).toBe('--skip-failfast takes no value');
    expect(parseProofPackArgs(['evidence'])).toBe('unexpected argument "evidence"');
    expect(parseProofPackArgs(['--out='])).toBe('--out needs a value');
    expect(parseProofPackArgs(['--out', '--skip-failfast'])).toMatch(/^--out needs a value/);
    expect(() => parseProofPackArgs(['--help'])).toThrow(HelpRequested);
  });

  it('never echoes credentials of a bad --base-url', () => {
    expect(parseProofPackArgs(['--base-url', 'ftp://u:hunter2-secret@x'])).not.toContain('hunter2-secret');
  });
});

describe('readiness body reading', () => {
  it('reads the standardized checks and falls back to the flat dependencies map', () => {
    const standardized = { checks: { db: { detail: 'connected' }, redis: { detail: 'unreachable' } }, dependencies: { database: 'x', redis: 'x' } };
    expect(dependencyState(standardized, 'db')).toBe('connected');
    expect(dependencyState(standardized, 'redis')).toBe('unreachable');
    const flat = { dependencies: { database: 'connected', redis: 'connected', migrations: 'head' } };
    expect(dependencyState(flat, 'db')).toBe('connected');
    expect(dependencyState(flat, 'migrations')).toBe('head');
    expect(dependencyState(undefined, 'redis')).toBeUndefined();
    expect(dependencyState({ message: 'Cannot GET /api/ready' }, 'redis')).toBeUndefined();
  });
});

describe('helpers', () => {
  it('masks host names, keeping only enough to tell runners apart', () => {
    expect(maskHost('build-7f3a9c.internal')).toBe('bu***al');
    expect(maskHost('runner')).toBe('***');
  });

  it('finds the API bundle beside the CLI bundle', () => {
    expect(builtTargets('/app/dist/apps/cli')).toEqual({
      cliMain: '/app/dist/apps/cli/main.js',
      apiMain: '/app/dist/apps/api/main.js',
      buildInfo: '/app/dist/build-info.json',
    });
  });
});
