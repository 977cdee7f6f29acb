import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { type Env, validateEnv, type RawEnv } from '@app/config';

/** URLs provided by global-setup.ts. */
export const e2e = {
  get adminUrl(): string {
    return required('E2E_ADMIN_DATABASE_URL');
  },
  get databaseUrl(): string {
    return required('E2E_DATABASE_URL');
  },
  get redisUrl(): string {
    return required('E2E_REDIS_URL');
  },
};

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run e2e tests through test/jest-e2e.json (global-setup.ts)`);
  return v;
}

export const TEST_SECRET_KEY = 'e2e-secret-key-0123456789-abcdefghijklmnop';

/** A strict, valid raw environment against the run's database and Redis, with overrides (undefined removes). */
export function strictRawEnv(overrides: RawEnv = {}): RawEnv {
  const raw: RawEnv = {
    ENV: 'test',
    CI_STRICT: '1',
    DATABASE_URL: e2e.databaseUrl,
    REDIS_URL: e2e.redisUrl,
    SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: 'warn',
    SHUTDOWN_DELAY_MS: '0',
    // Suites send far more than 100 requests a minute with one token; the limiter still runs (test/edge.e2e-spec.ts
    // sets small limits to prove it refuses).
    RATE_LIMIT_LIMIT: '1000000',
    RATE_LIMIT_INTAKE_LIMIT: '1000000',
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete raw[k];
    else raw[k] = v;
  }
  return raw;
}

export function envFrom(raw: RawEnv): Env {
  const r = validateEnv(raw);
  if (!r.env) throw new Error(`test environment invalid: ${r.errors.join('; ')}`);
  return r.env;
}

/** A fresh, empty database of its own (for migration tests); dropped by the returned function. */
export async function createScratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sg_scratch_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: e2e.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(e2e.adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new Client({ connectionString: e2e.adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
