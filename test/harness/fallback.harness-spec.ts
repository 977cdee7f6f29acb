import { Client } from 'pg';
import Redis from 'ioredis';
import { e2e } from '../support/e2e-env';

/**
 * Run by test/harness-fallback.e2e-spec.ts inside a network namespace where nothing listens on 5432 or 6379:
 * the harness must have provided the embedded PostgreSQL and a private redis-server instead.
 */
describe('harness fallback (no local services)', () => {
  it('uses the embedded PostgreSQL, not the one on 5432', async () => {
    const url = new URL(e2e.databaseUrl);
    expect(url.port).not.toBe('5432');
    const c = new Client({ connectionString: e2e.databaseUrl, connectionTimeoutMillis: 2000 });
    await c.connect();
    const r = await c.query<{ v: string }>('SELECT current_setting($$server_version$$) AS v');
    await c.end();
    expect(r.rows[0].v).toMatch(/^\d+/);
  });

  it('uses a private redis-server, not the one on 6379', async () => {
    expect(new URL(e2e.redisUrl).port).not.toBe('6379');
    const r = new Redis(e2e.redisUrl, { maxRetriesPerRequest: 0, connectTimeout: 2000 });
    expect(await r.ping()).toBe('PONG');
    r.disconnect();
  });
});
