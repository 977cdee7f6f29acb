import { createServer, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { buildRedisOptions, pingRedis } from '@app/redis';
import { envFrom, strictRawEnv } from './support/e2e-env';
import { PrivateRedis } from './support/services';
import { waitFor } from './support/wait-for';

/** libs/redis: a Redis outage is a fast, bounded failure on request paths, never a 10-second hang. */
describe('redis client bounds (real redis-server and a hung TCP peer)', () => {
  const env = envFrom(strictRawEnv({ REDIS_COMMAND_TIMEOUT_MS: '300', REDIS_CONNECT_TIMEOUT_MS: '500' }));
  const clients: Redis[] = [];
  const client = (url: string) => {
    const c = new Redis(url, buildRedisOptions(env));
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  afterAll(() => clients.forEach((c) => c.disconnect()));

  it('answers PONG from a live server', async () => {
    const redis = await PrivateRedis.start('bounds-pw');
    try {
      const c = client(redis.url);
      await new Promise((r) => c.once('ready', r));
      expect(await pingRedis(c, 500)).toMatchObject({ ok: true });
    } finally {
      await redis.stop();
    }
  });

  it('fails at once when nothing listens (no offline queue)', async () => {
    const c = client('redis://127.0.0.1:1/0');
    const started = performance.now();
    const r = await pingRedis(c, 1000);
    expect(r.ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(250);
    expect(r.error).toMatch(/not connected/);
  });

  it('fails within the deadline when the server accepts and never answers', async () => {
    const sockets: Socket[] = [];
    const hung: Server = createServer((s) => sockets.push(s));
    const port = await new Promise<number>((ok) => hung.listen(0, '127.0.0.1', () => ok((hung.address() as { port: number }).port)));
    try {
      const c = client(`redis://127.0.0.1:${port}/0`);
      const started = performance.now();
      const r = await pingRedis(c, 400);
      const took = performance.now() - started;
      expect(r.ok).toBe(false);
      expect(took).toBeLessThan(400 + 250);
    } finally {
      sockets.forEach((s) => s.destroy());
      hung.close();
    }
  });

  it('fails within the deadline when a connected server stops answering (SIGSTOP)', async () => {
    const redis = await PrivateRedis.start();
    try {
      const c = client(redis.url);
      await new Promise((r) => c.once('ready', r));
      redis.pause();
      const started = performance.now();
      const r = await pingRedis(c, 1000);
      const took = performance.now() - started;
      expect(r.ok).toBe(false);
      // REDIS_COMMAND_TIMEOUT_MS=300 fires before the 1000 ms probe deadline.
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(1000);
      expect(r.error).toMatch(/timed? ?out/i);
    } finally {
      await redis.stop();
    }
  });

  it('recovers by itself when a killed server comes back on the same port', async () => {
    const redis = await PrivateRedis.start();
    try {
      const c = client(redis.url);
      await new Promise((r) => c.once('ready', r));
      await redis.kill();
      expect((await pingRedis(c, 500)).ok).toBe(false);
      await redis.start();
      const ok = await waitFor(async () => (await pingRedis(c, 500)).ok, { timeoutMs: 5000, intervalMs: 100 }).catch(() => false);
      expect(ok).toBe(true);
    } finally {
      await redis.stop();
    }
  });
});
