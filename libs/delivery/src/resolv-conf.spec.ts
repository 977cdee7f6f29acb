import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DNS_MAX_CANDIDATES, parseResolvConf, ResolvConf, searchCandidates } from './resolv-conf';

const k8s = 'nameserver 10.96.0.10\nsearch monitoring.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n';

describe('parseResolvConf', () => {
  it('reads search, domain and options ndots; comments and other lines are ignored', () => {
    expect(parseResolvConf(k8s)).toEqual({ search: ['monitoring.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 });
    expect(parseResolvConf('# search nope.example\nnameserver 1.1.1.1\ndomain Corp.Example. ; comment\noptions rotate ndots:2 timeout:1\n')).toEqual({
      search: ['corp.example'],
      ndots: 2,
    });
    // The last of search and domain wins; ndots defaults to 1 and is capped at 15.
    expect(parseResolvConf('search a.example b.example\ndomain c.example\n')).toEqual({ search: ['c.example'], ndots: 1 });
    expect(parseResolvConf('domain c.example\nsearch a.example\toptions\noptions ndots:99')).toEqual({ search: ['a.example', 'options'], ndots: 15 });
    expect(parseResolvConf('')).toEqual({ search: [], ndots: 1 });
  });

  it(`keeps the first ${DNS_MAX_CANDIDATES - 1} search domains: with the name itself, at most ${DNS_MAX_CANDIDATES} names per lookup`, () => {
    const domains = Array.from({ length: 10 }, (_, i) => `d${i}.example`);
    const config = parseResolvConf(`search ${domains.join(' ')}\n`);
    expect(config.search).toEqual(domains.slice(0, DNS_MAX_CANDIDATES - 1));
    expect(searchCandidates('x', config)).toHaveLength(DNS_MAX_CANDIDATES);
  });
});

describe('searchCandidates', () => {
  const config = { search: ['ns.svc.cluster.local', 'svc.cluster.local'], ndots: 2 };

  it('tries the search domains first below ndots dots, the name first from ndots dots on', () => {
    expect(searchCandidates('receiver', config)).toEqual(['receiver.ns.svc.cluster.local', 'receiver.svc.cluster.local', 'receiver']);
    expect(searchCandidates('receiver.monitoring', config)).toEqual([
      'receiver.monitoring.ns.svc.cluster.local',
      'receiver.monitoring.svc.cluster.local',
      'receiver.monitoring',
    ]);
    expect(searchCandidates('hooks.example.com', config)).toEqual([
      'hooks.example.com',
      'hooks.example.com.ns.svc.cluster.local',
      'hooks.example.com.svc.cluster.local',
    ]);
  });

  it('takes a name ending with a dot as absolute', () => {
    expect(searchCandidates('receiver.', config)).toEqual(['receiver']);
    expect(searchCandidates('hooks.example.com.', config)).toEqual(['hooks.example.com']);
  });

  it('with no search list asks only the name', () => {
    expect(searchCandidates('receiver', { search: [], ndots: 1 })).toEqual(['receiver']);
  });
});

describe('ResolvConf', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'resolv-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('re-reads the file when it changes, looking at most once a second; a missing file means no search list', () => {
    const path = join(dir, 'resolv.conf');
    const clock = { now: 0 };
    writeFileSync(path, k8s);
    const conf = new ResolvConf(path, () => clock.now);
    const first = conf.current;
    expect(first.ndots).toBe(5);
    clock.now = 500;
    expect(conf.current).toBe(first);

    writeFileSync(path, 'search other.example\n');
    utimesSync(path, new Date(), new Date(Date.now() + 10_000));
    clock.now = 999;
    expect(conf.current).toBe(first);
    clock.now = 1000;
    const second = conf.current;
    expect(second).toEqual({ search: ['other.example'], ndots: 1 });
    // Looked at again but unchanged: the same object (the resolver keeps its cache).
    clock.now = 2000;
    expect(conf.current).toBe(second);

    rmSync(path);
    clock.now = 4000;
    expect(conf.current).toEqual({ search: [], ndots: 1 });
  });
});
