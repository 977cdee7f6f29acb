import type { LookupAddress } from 'node:dns';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeBackend, v4 } from './dns-fake-backend.testing';
import { DnsResolver, type DnsSettings } from './dns-resolver';
import { ResolvConf } from './resolv-conf';

const settings: DnsSettings = { servers: [], timeoutMs: 100, tries: 1, maxConcurrent: 4, queueWaitMs: 50, cacheSize: 100, negativeTtlMs: 2000 };
const K8S = 'nameserver 10.96.0.10\nsearch ns.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n';

/** The resolver with a fake c-ares, a fake hosts file and a real ResolvConf on a temp file, all on one fake clock. */
describe('DnsResolver with the resolv.conf search list', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'resolv-'));
    path = join(dir, 'resolv.conf');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function setup(resolvConf: string, zone: FakeBackend['zone'], hostsMap: Record<string, LookupAddress[]> = {}, over: Partial<DnsSettings> = {}) {
    writeFileSync(path, resolvConf);
    const clock = { now: 0 };
    const backend = new FakeBackend(zone);
    const hosts = { lookup: (name: string) => hostsMap[name] };
    const resolver = new DnsResolver({ ...settings, ...over }, backend, hosts, new ResolvConf(path, () => clock.now), () => clock.now);
    /** The names asked of DNS, in order (A and AAAA go together). */
    const asked = () => backend.queries.filter((q) => q.startsWith('a ')).map((q) => q.slice(2));
    return { clock, backend, resolver, asked };
  }

  it('answers a short name from the first search domain that has it, and caches it by both names', async () => {
    const { backend, resolver, asked } = setup(K8S, { 'receiver.monitoring.svc.cluster.local': { a: [v4('10.0.3.7')] } });
    expect(await resolver.resolve('receiver.monitoring')).toEqual([{ address: '10.0.3.7', family: 4 }]);
    // Fewer dots than ndots: the search domains first, in order, stopping at the first answer.
    expect(asked()).toEqual(['receiver.monitoring.ns.svc.cluster.local', 'receiver.monitoring.svc.cluster.local']);
    expect(await resolver.resolve('Receiver.Monitoring')).toEqual([{ address: '10.0.3.7', family: 4 }]);
    expect(await resolver.resolve('receiver.monitoring.svc.cluster.local.')).toEqual([{ address: '10.0.3.7', family: 4 }]);
    expect(backend.queries).toHaveLength(4);
  });

  it('tries the search domains first below ndots dots and the name first from ndots dots on', async () => {
    const both = (name: string, suffixed: string, suffixedAddress: string, asIsAddress: string) => ({
      [suffixed]: { a: [v4(suffixedAddress)] },
      [name]: { a: [v4(asIsAddress)] },
    });
    const zone = {
      ...both('a.b', 'a.b.corp.example', '10.0.0.1', '192.0.2.1'),
      ...both('a.b.c', 'a.b.c.corp.example', '10.0.0.2', '192.0.2.2'),
      'p.q.r.corp.example': { a: [v4('10.0.0.3')] },
    };
    const { resolver, asked } = setup('search corp.example\noptions ndots:2\n', zone);
    // One dot, ndots 2: the search domain answers first.
    expect(await resolver.resolve('a.b')).toEqual([{ address: '10.0.0.1', family: 4 }]);
    // Two dots: the name as is answers first.
    expect(await resolver.resolve('a.b.c')).toEqual([{ address: '192.0.2.2', family: 4 }]);
    // Not there as is: then the search domain.
    expect(await resolver.resolve('p.q.r')).toEqual([{ address: '10.0.0.3', family: 4 }]);
    expect(asked()).toEqual(['a.b.corp.example', 'a.b.c', 'p.q.r', 'p.q.r.corp.example']);
  });

  it('asks an absolute name (trailing dot) only as is', async () => {
    const { resolver, asked } = setup(K8S, { 'receiver.ns.svc.cluster.local': { a: [v4('10.0.3.8')] } });
    await expect(resolver.resolve('receiver.')).rejects.toMatchObject({ code: 'ENOTFOUND', message: 'no address for receiver. (ENOTFOUND)' });
    expect(asked()).toEqual(['receiver']);
  });

  it('fails with one error naming the name asked when no candidate answers, and caches it', async () => {
    const { clock, backend, resolver, asked } = setup(K8S, {});
    const error = { code: 'ENOTFOUND', message: 'no address for receiver (ENOTFOUND; all 4 names of the search list tried)' };
    await expect(resolver.resolve('receiver')).rejects.toMatchObject(error);
    expect(asked()).toEqual(['receiver.ns.svc.cluster.local', 'receiver.svc.cluster.local', 'receiver.cluster.local', 'receiver']);
    clock.now = 1999;
    await expect(resolver.resolve('receiver')).rejects.toMatchObject(error);
    expect(backend.queries).toHaveLength(8);
  });

  it('moves on past a timeout or server failure; the answer is then kept only the negative TTL', async () => {
    const zone = {
      'hook.ns.svc.cluster.local': { a: { code: 'ETIMEOUT' }, aaaa: { code: 'ETIMEOUT' } },
      'hook.svc.cluster.local': { a: { code: 'ESERVFAIL' }, aaaa: { code: 'ENODATA' } },
      'hook.cluster.local': { a: [v4('10.0.9.9', 600)] },
    };
    const { clock, resolver, asked } = setup(K8S, zone);
    expect(await resolver.resolve('hook')).toEqual([{ address: '10.0.9.9', family: 4 }]);
    expect(asked()).toHaveLength(3);
    // The failed names are asked again after 2 s; the one that answered is still cached under its own name.
    clock.now = 2000;
    expect(await resolver.resolve('hook')).toEqual([{ address: '10.0.9.9', family: 4 }]);
    expect(asked()).toHaveLength(5);

    // With no answer at all, the first transient code is the lookup's: not "no such name".
    delete (zone as Record<string, unknown>)['hook.cluster.local'];
    clock.now = 700_000;
    await expect(resolver.resolve('hook')).rejects.toMatchObject({
      code: 'ETIMEOUT',
      message: 'DNS lookup of hook failed (ETIMEOUT; all 4 names of the search list tried)',
    });
  });

  it('shares one time budget among the candidates: a server that never answers ends the lookup, not each name', async () => {
    // Budget: 10 ms x 2^2 + 1000 ms.
    const { backend, resolver, asked } = setup(K8S, {}, {}, { timeoutMs: 10, tries: 1 });
    backend.hold = true;
    const started = performance.now();
    await expect(resolver.resolve('receiver')).rejects.toMatchObject({
      code: 'ETIMEOUT',
      message: 'DNS lookup of receiver failed (ETIMEOUT; 1 of 4 names of the search list tried)',
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(asked()).toEqual(['receiver.ns.svc.cluster.local']);
    backend.release();
  });

  it('asks at most 6 names however long the search list', async () => {
    const domains = Array.from({ length: 10 }, (_, i) => `d${i}.example`);
    const { resolver, asked } = setup(`search ${domains.join(' ')}\n`, {});
    await expect(resolver.resolve('x')).rejects.toMatchObject({ message: 'no address for x (ENOTFOUND; all 6 names of the search list tried)' });
    expect(asked()).toEqual(['x.d0.example', 'x.d1.example', 'x.d2.example', 'x.d3.example', 'x.d4.example', 'x']);
  });

  it('picks up a changed resolv.conf within a second, forgetting answers made with the old search list', async () => {
    const zone = { 'hook.a.example': { a: [v4('10.1.1.1', 600)] }, 'hook.b.example': { a: [v4('10.2.2.2', 600)] } };
    const { clock, resolver } = setup('search a.example\n', zone);
    expect(await resolver.resolve('hook')).toEqual([{ address: '10.1.1.1', family: 4 }]);
    writeFileSync(path, 'search b.example\n');
    utimesSync(path, new Date(), new Date(Date.now() + 10_000));
    clock.now = 999;
    expect(await resolver.resolve('hook')).toEqual([{ address: '10.1.1.1', family: 4 }]);
    clock.now = 1000;
    expect(await resolver.resolve('hook')).toEqual([{ address: '10.2.2.2', family: 4 }]);
  });

  it('answers from the hosts file for the name or any candidate before asking DNS', async () => {
    const hosts = { 'receiver.svc.cluster.local': [{ address: '10.0.0.50', family: 4 }] };
    const { backend, resolver } = setup(K8S, { 'receiver.ns.svc.cluster.local': { a: [v4('10.0.0.60')] } }, hosts);
    expect(await resolver.resolve('receiver')).toEqual([{ address: '10.0.0.50', family: 4 }]);
    expect(backend.queries).toEqual([]);
  });
});

/**
 * A tiny authoritative server on 127.0.0.1: A records from `zone`, NODATA for other types of a known name,
 * SERVFAIL for names in `failing`, NXDOMAIN for the rest. Proves the real c-ares's codes move the search on.
 */
function startDnsServer(zone: Record<string, string>, failing: Set<string>): Promise<{ socket: Socket; asked: string[] }> {
  const socket = createSocket('udp4');
  const asked: string[] = [];
  socket.on('message', (msg, peer) => {
    let at = 12;
    const labels: string[] = [];
    while (msg[at] !== 0) {
      labels.push(msg.subarray(at + 1, at + 1 + msg[at]).toString('latin1'));
      at += msg[at] + 1;
    }
    const question = msg.subarray(12, at + 5);
    const name = labels.join('.').toLowerCase();
    const type = msg.readUInt16BE(at + 1);
    if (type === 1) asked.push(name);
    const address = type === 1 ? zone[name] : undefined;
    const rcode = failing.has(name) ? 2 : name in zone ? 0 : 3;
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180 | (msg[2] & 0x01 ? 0x0100 : 0) | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(address ? 1 : 0, 6);
    const answer = address
      ? Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]), Buffer.from(address.split('.').map(Number))])
      : Buffer.alloc(0);
    socket.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
  });
  return new Promise((ok) => socket.bind(0, '127.0.0.1', () => ok({ socket, asked })));
}

describe('DnsResolver search list with the real c-ares', () => {
  it('moves on past NXDOMAIN, SERVFAIL and NODATA answers of a real server to the search domain that answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'resolv-'));
    const zone = { 'receiver.monitoring.svc.cluster.local': '10.0.3.7', 'empty.ns.svc.cluster.local': '' };
    const { socket, asked } = await startDnsServer(zone, new Set(['receiver.monitoring.ns.svc.cluster.local']));
    try {
      writeFileSync(join(dir, 'resolv.conf'), K8S);
      const servers = [`127.0.0.1:${socket.address().port}`];
      const resolver = DnsResolver.system({ ...settings, servers, timeoutMs: 500, tries: 1 }, join(dir, 'hosts'), join(dir, 'resolv.conf'));
      expect(await resolver.resolve('receiver.monitoring')).toEqual([{ address: '10.0.3.7', family: 4 }]);
      expect(asked).toEqual(['receiver.monitoring.ns.svc.cluster.local', 'receiver.monitoring.svc.cluster.local']);
      // A name with no record of either type (NODATA), then NXDOMAIN for the rest: "no such name".
      await expect(resolver.resolve('empty')).rejects.toMatchObject({
        code: 'ENOTFOUND',
        message: 'no address for empty (ENOTFOUND; all 4 names of the search list tried)',
      });
      expect(asked.slice(2)).toEqual(['empty.ns.svc.cluster.local', 'empty.svc.cluster.local', 'empty.cluster.local', 'empty']);
      resolver.close();
    } finally {
      socket.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
