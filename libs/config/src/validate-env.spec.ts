import { ENV_KEYS } from './env';
import { envSchema } from './env.schema';
import { validateEnv } from './validate-env';
import { clearRegisteredSecrets, maskText } from './mask';

const GOOD = {
  DATABASE_URL: 'postgresql://app:pg-pass-123@db:5432/app',
  REDIS_URL: 'redis://:redis-pass-456@cache:6379/0',
  SECRET_KEY: 'k'.repeat(32),
};

const problemsFor = (raw: Record<string, string | undefined>) => validateEnv(raw).errors;

describe('validateEnv: strict mode (CONTRACT §2)', () => {
  afterEach(() => clearRegisteredSecrets());

  describe.each([
    ['ENV=staging', { ENV: 'staging' }],
    ['ENV=prod', { ENV: 'prod' }],
    ['ENV=production', { ENV: 'production' }],
    ['CI_STRICT=1', { CI_STRICT: '1' }],
    ['CI_STRICT=true', { CI_STRICT: 'true' }],
  ])('%s', (_label, mode) => {
    it('is strict', () => {
      expect(validateEnv({ ...mode, ...GOOD }).strict).toBe(true);
    });

    it('DATABASE_URL unset → fails, naming the variable and the rule', () => {
      const errors = problemsFor({ ...mode, ...GOOD, DATABASE_URL: undefined });
      expect(errors).toEqual([expect.stringMatching(/^DATABASE_URL: required \(strict mode: /)]);
    });

    it('DATABASE_URL sqlite → fails', () => {
      for (const url of ['sqlite:///app/var/staging.db', 'sqlite+aiosqlite:///x.db', 'sqlite://']) {
        const errors = problemsFor({ ...mode, ...GOOD, DATABASE_URL: url });
        expect(errors).toEqual([expect.stringMatching(/^DATABASE_URL: sqlite is not supported/)]);
      }
    });

    it('REDIS_URL unset (or empty) → fails', () => {
      expect(problemsFor({ ...mode, ...GOOD, REDIS_URL: undefined })).toEqual([expect.stringMatching(/^REDIS_URL: required/)]);
      expect(problemsFor({ ...mode, ...GOOD, REDIS_URL: '' })).toEqual([expect.stringMatching(/^REDIS_URL: required/)]);
    });

    it('SECRET_KEY unset or shorter than 32 characters → fails, without echoing it', () => {
      expect(problemsFor({ ...mode, ...GOOD, SECRET_KEY: undefined })).toEqual([expect.stringMatching(/^SECRET_KEY: required/)]);
      const errors = problemsFor({ ...mode, ...GOOD, SECRET_KEY: 'short-secret-value' });
      expect(errors).toEqual([expect.stringMatching(/^SECRET_KEY: must be at least 32 characters \(got 18\)/)]);
      expect(errors.join('\n')).not.toContain('short-secret-value');
    });

    it('all good → valid, never migrating on boot, draining 5 s by default', () => {
      const r = validateEnv({ ...mode, ...GOOD });
      expect(r.errors).toEqual([]);
      expect(r.env).toMatchObject({ STRICT: true, MIGRATE_ON_BOOT: false, SHUTDOWN_DELAY_MS: 5000, DATABASE_URL: GOOD.DATABASE_URL });
    });

    it('CORS_ORIGINS containing * → fails, naming the variable; listed origins are fine', () => {
      for (const value of ['*', 'https://a.example.com, *']) {
        expect(problemsFor({ ...mode, ...GOOD, CORS_ORIGINS: value })).toEqual([expect.stringMatching(/^CORS_ORIGINS: must not contain \* in strict mode/)]);
      }
      expect(problemsFor({ ...mode, ...GOOD, CORS_ORIGINS: 'https://a.example.com,http://localhost:3000' })).toEqual([]);
    });

    it('reports every problem at once', () => {
      const errors = problemsFor({ ...mode, DATABASE_URL: 'sqlite:///x.db', READINESS_TIMEOUT_MS: '50' });
      expect(errors.map((e) => e.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'READINESS_TIMEOUT_MS', 'REDIS_URL', 'SECRET_KEY'].sort());
    });

    it('refuses MIGRATE_ON_BOOT=1', () => {
      expect(problemsFor({ ...mode, ...GOOD, MIGRATE_ON_BOOT: '1' })).toEqual([expect.stringMatching(/^MIGRATE_ON_BOOT: must be false in strict mode/)]);
    });
  });

  it('accepts postgresql+asyncpg:// and normalises it, with a warning', () => {
    const r = validateEnv({ CI_STRICT: '1', ...GOOD, DATABASE_URL: 'postgresql+asyncpg://app:pw-1@db:5432/app' });
    expect(r.errors).toEqual([]);
    expect(r.env?.DATABASE_URL).toBe('postgresql://app:pw-1@db:5432/app');
    expect(r.warnings).toEqual([expect.stringContaining('postgresql+asyncpg:// accepted and normalised')]);
    expect(r.warnings.join()).not.toContain('pw-1');
  });

  it('rejects other schemes and unparseable URLs, masked', () => {
    expect(problemsFor({ CI_STRICT: '1', ...GOOD, DATABASE_URL: 'mysql://u:p@h/db' })).toEqual(['DATABASE_URL: scheme must be postgres:// or postgresql://']);
    expect(problemsFor({ CI_STRICT: '1', ...GOOD, REDIS_URL: 'memcached://h:1' })).toEqual(['REDIS_URL: scheme must be redis:// or rediss://']);
    const errors = problemsFor({ CI_STRICT: '1', ...GOOD, DATABASE_URL: 'postgresql://app:ab#cd@db:5432/app' });
    expect(errors).toEqual([expect.stringMatching(/^DATABASE_URL: is not a valid URL \(percent-encode/)]);
    expect(errors.join()).not.toContain('ab#cd');
  });

  it('never prints a secret value in any error', () => {
    const r = validateEnv({ ENV: 'bogus', CI_STRICT: '1', DATABASE_URL: 'sqlite://u:leak-me-1@x', REDIS_URL: 'ftp://:leak-me-2@h', SECRET_KEY: 'leak-me-3' });
    const all = r.errors.join('\n');
    expect(r.errors.length).toBeGreaterThanOrEqual(4);
    expect(all).not.toMatch(/leak-me/);
    expect(all).toContain('ENV: must be one of development, test, staging, prod, production');
  });
});

describe('validateEnv: not strict', () => {
  it('with nothing set → valid: embedded database, Redis disabled, random key with a warning, migrate on boot', () => {
    const r = validateEnv({});
    expect(r.strict).toBe(false);
    expect(r.errors).toEqual([]);
    expect(r.env).toMatchObject({
      ENV: 'development',
      STRICT: false,
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      SECRET_KEY_GENERATED: true,
      MIGRATE_ON_BOOT: true,
      PORT: 8001,
      HOST: '0.0.0.0',
      READINESS_TIMEOUT_MS: 1000,
      SHUTDOWN_DELAY_MS: 0,
    });
    expect(r.env?.SECRET_KEY).toHaveLength(43);
    expect(r.warnings).toEqual([expect.stringMatching(/^SECRET_KEY: not set; using a random per-process key/)]);
  });

  it('gives each process its own random key', () => {
    expect(validateEnv({}).env?.SECRET_KEY).not.toBe(validateEnv({}).env?.SECRET_KEY);
  });

  it('masks the random key (the schema computes it; validateEnv registers it), and only generates one when unset', () => {
    clearRegisteredSecrets();
    const key = validateEnv({ SECRET_KEY: '  ' }).env?.SECRET_KEY ?? '';
    expect(key).toHaveLength(43);
    expect(maskText(`token signed with ${key}`)).not.toContain(key);
    const set = validateEnv({ SECRET_KEY: 'my-own-key-of-some-length' }).env;
    expect(set).toMatchObject({ SECRET_KEY: 'my-own-key-of-some-length', SECRET_KEY_GENERATED: false });
  });

  it('still rejects sqlite', () => {
    expect(problemsFor({ DATABASE_URL: 'sqlite:///x.db' })).toEqual([expect.stringMatching(/^DATABASE_URL: sqlite is not supported/)]);
  });

  it('bounds READINESS_TIMEOUT_MS to 100–10000 and types numbers', () => {
    expect(problemsFor({ READINESS_TIMEOUT_MS: '99' })).toEqual(['READINESS_TIMEOUT_MS: must be at least 100 (got 99)']);
    expect(problemsFor({ READINESS_TIMEOUT_MS: '10001' })).toEqual(['READINESS_TIMEOUT_MS: must be at most 10000 (got 10001)']);
    expect(problemsFor({ PORT: 'eighty' })).toEqual(['PORT: must be a number (got "eighty")']);
    expect(validateEnv({ READINESS_TIMEOUT_MS: '100' }).env?.READINESS_TIMEOUT_MS).toBe(100);
  });

  it('refuses a shutdown delay that does not fit under the drain cap (the strict default included)', () => {
    expect(problemsFor({ SHUTDOWN_DELAY_MS: '30000' })).toEqual(['SHUTDOWN_DELAY_MS: must be less than SHUTDOWN_TIMEOUT_MS (got 30000 and 30000)']);
    expect(problemsFor({ CI_STRICT: '1', ...GOOD, SHUTDOWN_TIMEOUT_MS: '4000' })).toEqual([
      'SHUTDOWN_DELAY_MS: must be less than SHUTDOWN_TIMEOUT_MS (got 5000 and 4000)',
    ]);
    expect(validateEnv({ SHUTDOWN_DELAY_MS: '2000', SHUTDOWN_TIMEOUT_MS: '3000' }).errors).toEqual([]);
  });

  it('accepts CI_STRICT=0/false and rejects nonsense', () => {
    expect(validateEnv({ CI_STRICT: '0' }).strict).toBe(false);
    expect(validateEnv({ CI_STRICT: 'false' }).strict).toBe(false);
    expect(problemsFor({ CI_STRICT: 'maybe' })).toEqual(['CI_STRICT: must be one of 0, 1, true, false (got "maybe")']);
  });

  it('treats ENV=production as prod', () => {
    expect(validateEnv({ ENV: 'production', ...GOOD }).env?.ENV).toBe('prod');
  });

  it('keeps only the schema keys in Env', () => {
    const env = validateEnv({ PATH: '/usr/bin', HOME: '/root' }).env as unknown as Record<string, unknown>;
    expect(env.PATH).toBeUndefined();
    expect(env.HOME).toBeUndefined();
  });

  it('keeps every schema key in Env, read from the generated ENV_KEYS (no describe() at run time)', () => {
    const env = validateEnv({ ...GOOD }).env as unknown as Record<string, unknown>;
    const schemaKeys = Object.keys(envSchema.describe().keys ?? {});
    expect(schemaKeys.length).toBeGreaterThan(40);
    expect([...ENV_KEYS]).toEqual(schemaKeys);
    // Every key has a default or is optional; all but the optional ones without a value are present.
    for (const key of schemaKeys) if (!['CORS_ORIGINS'].includes(key)) expect(env).toHaveProperty(key);
    expect(Object.keys(env).sort()).toEqual([...schemaKeys.filter((k) => k !== 'CORS_ORIGINS'), 'STRICT', 'SECRET_KEY_GENERATED'].sort());
  });
});
