import type { LookupAddress } from 'node:dns';
import { createSocket, type Socket } from 'node:dgram';
import { DnsBusyError } from './dns-lookup-slots';
import { FakeBackend, v4 } from './dns-fake-backend.testing';
import { DnsResolver, type DnsSettings } from './dns-resolver';

const settings: DnsSettings = { servers: [], timeoutMs: 100, tries: 1, maxConcurrent: 4, queueWaitMs: 50, cacheSize: 100, negativeTtlMs: 2000 };

function setup(zone: FakeBackend['zone'], hostsMap: Record<string, LookupAddress[]> = {}, over: Partial<DnsSettings> = {}) {
  const clock = { now: 0 };
  const backend = new FakeBackend(zone);
  const hosts = { lookup: (name: string) => hostsMap[name] };
  const noSearch = { current: { search: [], ndots: 1 } };
  const resolver = new DnsResolver({ ...settings, ...over }, backend, hosts, noSearch, () => clock.now);
  return { clock, backend, resolver };
}

describe('DnsResolver', () => {
  it('returns IPv4 then IPv6 answers, and serves them from the cache until the shortest TTL runs out', async () => {
    const { clock, backend, resolver } = setup({
      'hooks.example.com': { a: [v4('93.184.216.34', 30), v4('93.184.216.35', 60)], aaaa: [v4('2606:2800::1', 45)] },
    });
    const expected = [
      { address: '93.184.216.34', family: 4 },
      { address: '93.184.216.35', family: 4 },
      { address: '2606:2800::1', family: 6 },
    ];
    expect(await resolver.resolve('Hooks.Example.com.')).toEqual(expected);
    clock.now = 29_999;
    expect(await resolver.resolve('hooks.example.com')).toEqual(expected);
    expect(backend.queries).toEqual(['a hooks.example.com', 'aaaa hooks.example.com']);
    clock.now = 30_000;
    await resolver.resolve('hooks.example.com');
    expect(backend.queries).toHaveLength(4);
  });

  it('keeps an answer at least 1 s (TTL 0) and at most 1 h', async () => {
    const { clock, backend, resolver } = setup({ zero: { a: [v4('1.1.1.1', 0)] }, long: { a: [v4('8.8.8.8', 86_400)] } });
    await resolver.resolve('zero');
    clock.now = 999;
    await resolver.resolve('zero');
    expect(backend.queries.filter((q) => q === 'a zero')).toHaveLength(1);
    clock.now = 1000;
    await resolver.resolve('zero');
    expect(backend.queries.filter((q) => q === 'a zero')).toHaveLength(2);

    await resolver.resolve('long');
    clock.now = 1000 + 3_600_000;
    await resolver.resolve('long');
    expect(backend.queries.filter((q) => q === 'a long')).toHaveLength(2);
  });

  it('caches a missing name (ENOTFOUND) and a failure (the server code) for the negative TTL', async () => {
    const { clock, backend, resolver } = setup({ broken: { a: { code: 'ESERVFAIL' }, aaaa: { code: 'ENODATA' } } });
    await expect(resolver.resolve('h1.example.invalid')).rejects.toMatchObject({ code: 'ENOTFOUND', message: 'no address for h1.example.invalid (ENOTFOUND)' });
    await expect(resolver.resolve('broken')).rejects.toMatchObject({ code: 'ESERVFAIL', message: 'DNS lookup of broken failed (ESERVFAIL)' });
    clock.now = 1999;
    await expect(resolver.resolve('h1.example.invalid')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.resolve('broken')).rejects.toMatchObject({ code: 'ESERVFAIL' });
    expect(backend.queries).toHaveLength(4);
    clock.now = 2000;
    backend.zone['h1.example.invalid'] = { a: [v4('203.0.113.9')] };
    expect(await resolver.resolve('h1.example.invalid')).toEqual([{ address: '203.0.113.9', family: 4 }]);
  });

  it('keeps an answer with one family failing transiently no longer than the negative TTL', async () => {
    const { clock, backend, resolver } = setup({ half: { a: [v4('198.51.100.1', 600)], aaaa: { code: 'ETIMEOUT' } } });
    expect(await resolver.resolve('half')).toEqual([{ address: '198.51.100.1', family: 4 }]);
    clock.now = 2000;
    await resolver.resolve('half');
    expect(backend.queries).toHaveLength(4);
  });

  it('answers from the hosts file and literal addresses without asking DNS', async () => {
    const { backend, resolver } = setup(
      {},
      {
        localhost: [
          { address: '127.0.0.1', family: 4 },
          { address: '::1', family: 6 },
        ],
      },
    );
    expect(await resolver.resolve('LOCALHOST')).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    expect(await resolver.resolve('[::1]')).toEqual([{ address: '::1', family: 6 }]);
    expect(await resolver.resolve('10.0.0.1')).toEqual([{ address: '10.0.0.1', family: 4 }]);
    expect(backend.queries).toEqual([]);
  });

  it('coalesces identical lookups in flight into one query', async () => {
    const { backend, resolver } = setup({ 'same.example.com': { a: [v4('192.0.2.1')] } });
    backend.hold = true;
    const all = Promise.all(Array.from({ length: 50 }, () => resolver.resolve('same.example.com')));
    await Promise.resolve();
    expect(resolver.lookupsInFlight).toBe(1);
    backend.release();
    const answers = await all;
    expect(new Set(answers.map((a) => a[0].address))).toEqual(new Set(['192.0.2.1']));
    expect(backend.queries).toEqual(['a same.example.com', 'aaaa same.example.com']);
    expect(resolver.lookupsInFlight).toBe(0);
  });

  it('bounds lookups in flight: past the slots and the wait queue a lookup fails fast with EDNSBUSY, uncached', async () => {
    // 1 slot, 4 may wait, 50 ms at most.
    const { backend, resolver } = setup({}, {}, { maxConcurrent: 1, queueWaitMs: 50 });
    backend.hold = true;
    const first = resolver.resolve('n0.example.invalid').catch((e: unknown) => e);
    let waitersSettled = 0;
    const waiting = [1, 2, 3, 4].map((i) =>
      resolver.resolve(`n${i}.example.invalid`).catch((e: unknown) => {
        waitersSettled += 1;
        return e;
      }),
    );
    // The queue is full: refused at once, before any waiter's 50 ms are up.
    await expect(resolver.resolve('n5.example.invalid')).rejects.toBeInstanceOf(DnsBusyError);
    expect(waitersSettled).toBe(0);
    for (const w of await Promise.all(waiting))
      expect(w).toMatchObject({ code: 'EDNSBUSY', message: expect.stringMatching(/no DNS lookup slot within 50 ms/) });
    expect(backend.queries).toEqual(['a n0.example.invalid', 'aaaa n0.example.invalid']);
    backend.release();
    expect(await first).toMatchObject({ code: 'ENOTFOUND' });
    // Busy is not an answer: the name is asked as soon as a slot is free.
    backend.hold = false;
    await expect(resolver.resolve('n1.example.invalid')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(backend.queries).toContain('a n1.example.invalid');
  });

  it('close() cancels the backend', () => {
    const { backend, resolver } = setup({});
    resolver.close();
    expect(backend.cancelled).toBe(true);
  });

  describe('with the real c-ares against a DNS server that never answers', () => {
    let blackHole: Socket;
    const asked = new Set<string>();
    beforeAll(async () => {
      // A large receive buffer: the burst of queries must not be dropped before it is counted.
      blackHole = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
      // The question's first label (after the 12-byte header): `h<N>`.
      blackHole.on('message', (msg: Buffer) => asked.add(msg.subarray(13, 13 + msg[12]).toString('latin1')));
      await new Promise<void>((ok) => blackHole.bind(0, '127.0.0.1', ok));
    });
    afterAll(() => blackHole.close());

    it('fails each lookup with ETIMEOUT within its timeout and tries, all in parallel, while the hosts file still answers', async () => {
      const servers = [`127.0.0.1:${blackHole.address().port}`];
      const resolver = DnsResolver.system({ ...settings, servers, timeoutMs: 200, tries: 2, maxConcurrent: 300 });
      const started = performance.now();
      let deadSettled = 0;
      const dead = Array.from({ length: 300 }, (_, i) =>
        resolver.resolve(`h${i}.example.invalid`).catch((e: { code: string }) => {
          deadSettled += 1;
          return e.code;
        }),
      );
      // The hosts file answers while all 300 are still hanging.
      expect(await resolver.resolve('localhost')).toContainEqual({ address: '127.0.0.1', family: 4 });
      expect(deadSettled).toBe(0);
      expect(new Set(await Promise.all(dead))).toEqual(new Set(['ETIMEOUT']));
      // 200 ms then about 400 ms: 300 lookups take about one lookup's time (not 300 of them; bound loose for load).
      expect(performance.now() - started).toBeLessThan(5000);
      expect(asked.size).toBe(300);
      resolver.close();
    });
  });
});
