import { cacheScope, cacheScopeOfUrl } from './cache.module';
import { TwoTierCache, type CacheSettings } from './two-tier-cache';

const settings = (over: Partial<CacheSettings> = {}): CacheSettings => ({
  enabled: true,
  l1MaxItems: 100,
  l1TtlMs: 60000,
  l2TtlMs: 60000,
  graceMs: 0,
  scope: 'test',
  ...over,
});

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('TwoTierCache (L1 only: no Redis)', () => {
  it('serves the second read from L1 and counts hits and misses', async () => {
    const cache = new TwoTierCache(settings(), null);
    const load = jest.fn(async () => ({ n: 1 }));
    expect(await cache.getOrLoad('webhook', 'a', load)).toEqual({ n: 1 });
    expect(await cache.getOrLoad('webhook', 'a', load)).toEqual({ n: 1 });
    expect(load).toHaveBeenCalledTimes(1);
    expect(cache.counts).toMatchObject({ l1Hits: 1, l1Misses: 1, loads: 1, l2Hits: 0, l2Misses: 0 });
    expect(cache.l1Items).toBe(1);
    expect(cache.l1Bytes).toBeGreaterThan(0);
    expect(cache.l2Status).toBe('disabled');
  });

  it('loads once for concurrent readers of one key (single-flight)', async () => {
    const cache = new TwoTierCache(settings(), null);
    const gate = deferred<string>();
    const load = jest.fn(() => gate.promise);
    const readers = Promise.all([1, 2, 3].map(() => cache.getOrLoad('alert', 'x', load)));
    gate.resolve('v');
    expect(await readers).toEqual(['v', 'v', 'v']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('drops a key, a namespace or everything', async () => {
    const cache = new TwoTierCache(settings(), null);
    await cache.getOrLoad('alert', '1', async () => 1);
    await cache.getOrLoad('alert', '2', async () => 2);
    await cache.getOrLoad('webhook', '1', async () => 3);
    expect(await cache.invalidate('alert', '1')).toEqual({ l1: 1, l2: 0 });
    expect(await cache.invalidate('alert')).toEqual({ l1: 1, l2: 0 });
    expect(await cache.invalidate()).toEqual({ l1: 1, l2: 0 });
    const load = jest.fn(async () => 9);
    expect(await cache.getOrLoad('webhook', '1', load)).toBe(9);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['the key', ['alert', 'k']],
    ['the namespace', ['alert']],
    ['everything', []],
  ])('does not store a load that an invalidation of %s overtook (it read the old row)', async (_what, args) => {
    const cache = new TwoTierCache(settings(), null);
    const gate = deferred<string>();
    const reading = cache.getOrLoad('alert', 'k', () => gate.promise);
    await cache.invalidate(...(args as [string?, string?]));
    gate.resolve('old');
    expect(await reading).toBe('old');
    expect(await cache.getOrLoad('alert', 'k', async () => 'new')).toBe('new');
  });

  it('does not cache a failed load', async () => {
    const cache = new TwoTierCache(settings(), null);
    await expect(cache.getOrLoad('webhook', 'gone', () => Promise.reject(new Error('not found')))).rejects.toThrow('not found');
    expect(await cache.getOrLoad('webhook', 'gone', async () => 'created since')).toBe('created since');
  });

  it('expires entries after their TTL (the per-call TTL when shorter)', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const cache = new TwoTierCache(settings({ l1TtlMs: 1000 }), null);
      let n = 0;
      const load = async () => ++n;
      await cache.getOrLoad('health', 'all', load, 200);
      jest.setSystemTime(1_000_100);
      expect(await cache.getOrLoad('health', 'all', load, 200)).toBe(1);
      jest.setSystemTime(1_000_300);
      expect(await cache.getOrLoad('health', 'all', load, 200)).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('serves a stale entry inside the grace period when reloading fails, and only then', async () => {
    jest.useFakeTimers({ now: 2_000_000 });
    try {
      const cache = new TwoTierCache(settings({ l1TtlMs: 1000, graceMs: 5000 }), null);
      await cache.getOrLoad('webhook', 'w', async () => 'cached');
      jest.setSystemTime(2_002_000);
      expect(await cache.getOrLoad('webhook', 'w', () => Promise.reject(new Error('db down')))).toBe('cached');
      expect(await cache.getOrLoad('webhook', 'w', async () => 'fresh')).toBe('fresh');
      jest.setSystemTime(2_100_000);
      await expect(cache.getOrLoad('webhook', 'w', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps at most l1MaxItems entries', async () => {
    const cache = new TwoTierCache(settings({ l1MaxItems: 3 }), null);
    for (let i = 0; i < 10; i += 1) await cache.getOrLoad('alert', String(i), async () => i);
    expect(cache.l1Items).toBe(3);
  });

  it('disabled: every read goes to the loader', async () => {
    const cache = new TwoTierCache(settings({ enabled: false }), null);
    const load = jest.fn(async () => 1);
    await cache.getOrLoad('alert', 'a', load);
    await cache.getOrLoad('alert', 'a', load);
    expect(load).toHaveBeenCalledTimes(2);
    expect(cache.l1Items).toBe(0);
  });
});

/** Just enough of ioredis for the scope: what L2 and the bus send, and to which keys and channels. */
function fakeRedis() {
  const sent: string[] = [];
  const subscriber = { on: () => subscriber, subscribe: async () => 1, ping: async () => 'PONG', disconnect: () => undefined, status: 'connecting' };
  const redis = {
    status: 'ready',
    sent,
    on: () => redis,
    duplicate: () => subscriber,
    get: async (key: string) => (sent.push(`get ${key}`), null),
    del: async (key: string) => (sent.push(`del ${key}`), 1),
    publish: async (channel: string) => (sent.push(`publish ${channel}`), 1),
    multi: () => {
      const chain = { set: (key: string) => (sent.push(`set ${key}`), chain), sadd: () => chain, pexpire: () => chain, exec: async () => [] };
      return chain;
    },
  };
  return redis;
}

describe('TwoTierCache scope (given once the database has said what it is)', () => {
  it('reads through, caching nothing, until it has a scope; then L2 keys carry the scope', async () => {
    const redis = fakeRedis();
    const cache = new TwoTierCache(settings({ scope: undefined }), redis as never);
    cache.startBus();
    const load = jest.fn(async () => 'row');
    await cache.getOrLoad('webhook', 'w', load);
    await cache.getOrLoad('webhook', 'w', load);
    expect(load).toHaveBeenCalledTimes(2);
    expect(cache.l1Items).toBe(0);
    expect(cache.l2Status).toBe('unavailable');
    expect(redis.sent).toEqual([]);

    cache.scopeTo('db1');
    await cache.getOrLoad('webhook', 'w', load);
    await cache.getOrLoad('webhook', 'w', load);
    expect(load).toHaveBeenCalledTimes(3);
    expect(redis.sent).toEqual(['get sg:cache:db1:webhook:w', 'set sg:cache:db1:webhook:w']);
    cache.scopeTo('db2'); // once only
    await cache.invalidate('webhook', 'w');
    expect(redis.sent.slice(2)).toEqual(['del sg:cache:db1:webhook:w', 'publish signalgate:cache:invalidate:db1']);
    cache.stop();
  });

  it('a write before the scope waits for it, so the other processes hear of it before it answers', async () => {
    const redis = fakeRedis();
    const cache = new TwoTierCache(settings({ scope: undefined }), redis as never);
    const invalidating = cache.invalidate('alert', 'a');
    await Promise.resolve();
    expect(redis.sent).toEqual([]);
    cache.scopeTo('db1');
    await invalidating;
    expect(redis.sent).toEqual(['del sg:cache:db1:alert:a', 'publish signalgate:cache:invalidate:db1']);
  });

  it('a write whose scope does not come within the wait leaves L2 marked for a full drop once it does', async () => {
    jest.useFakeTimers();
    try {
      const redis = fakeRedis();
      const cache = new TwoTierCache(settings({ scope: undefined }), redis as never);
      const invalidating = cache.invalidate('alert', 'a');
      await jest.advanceTimersByTimeAsync(1000);
      expect(await invalidating).toEqual({ l1: 0, l2: 0 });
      cache.scopeTo('db1');
      expect((cache as unknown as { l2: { dirty: boolean } }).l2.dirty).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('without Redis it is scoped from the start', () => {
    expect(new TwoTierCache(settings({ scope: undefined }), null).isScoped).toBe(true);
  });
});

describe('cacheScope', () => {
  it('is the database identity, whatever the URL; the URL fallback keeps the old spelling-bound digest', () => {
    const id = { systemIdentifier: '7716696646554523799', databaseOid: '16384' };
    expect(cacheScope(id)).toBe(cacheScope({ ...id }));
    expect(cacheScope(id)).not.toBe(cacheScope({ ...id, databaseOid: '16385' }));
    expect(cacheScope(id)).not.toBe(cacheScope({ ...id, systemIdentifier: '7716696646554523798' }));
    expect(cacheScope(id)).toMatch(/^[0-9a-f]{12}$/);
    expect(cacheScopeOfUrl('postgresql://u:p@127.0.0.1:5432/db')).toBe(cacheScopeOfUrl('postgresql://x:y@127.0.0.1:5432/db'));
  });
});
