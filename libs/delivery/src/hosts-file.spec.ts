import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostsFile, parseHosts } from './hosts-file';

describe('HostsFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hosts-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses addresses, aliases and comments; IPv4 first; skips junk lines', () => {
    const hosts = parseHosts(
      [
        '# comment',
        '::1 localhost ip6-localhost',
        '127.0.0.1\tlocalhost  Receiver.Local. # trailing',
        'not-an-ip bogus',
        '10.0.0.5',
        '',
        '10.0.0.6 receiver.local',
      ].join('\n'),
    );
    expect(hosts.get('localhost')).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    expect(hosts.get('receiver.local')).toEqual([
      { address: '127.0.0.1', family: 4 },
      { address: '10.0.0.6', family: 4 },
    ]);
    expect(hosts.get('ip6-localhost')).toEqual([{ address: '::1', family: 6 }]);
    expect(hosts.has('bogus')).toBe(false);
    expect(hosts.has('#')).toBe(false);
  });

  it('re-reads the file when its mtime changes, looking at most once a second; a missing file answers nothing', () => {
    const path = join(dir, 'hosts');
    const clock = { now: 0 };
    writeFileSync(path, '192.0.2.1 hook.internal\n');
    const hosts = new HostsFile(path, () => clock.now);
    expect(hosts.lookup('hook.internal')).toEqual([{ address: '192.0.2.1', family: 4 }]);

    writeFileSync(path, '192.0.2.2 hook.internal\n');
    utimesSync(path, new Date(), new Date(Date.now() + 10_000));
    clock.now = 999;
    expect(hosts.lookup('hook.internal')).toEqual([{ address: '192.0.2.1', family: 4 }]);
    clock.now = 1000;
    expect(hosts.lookup('hook.internal')).toEqual([{ address: '192.0.2.2', family: 4 }]);

    rmSync(path);
    clock.now = 2000;
    expect(hosts.lookup('hook.internal')).toBeUndefined();
    expect(new HostsFile(join(dir, 'absent')).lookup('localhost')).toBeUndefined();
  });
});
