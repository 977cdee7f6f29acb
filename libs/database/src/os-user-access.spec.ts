import { firstUnreachable, type OsUser } from './os-user-access';

describe('firstUnreachable', () => {
  const postgres: OsUser = { name: 'postgres', uid: 101, gid: 104, groups: [104, 103] };
  const tree: Record<string, { uid: number; gid: number; mode: number }> = {
    '/': { uid: 0, gid: 0, mode: 0o755 },
    '/root': { uid: 0, gid: 0, mode: 0o700 },
    '/root/app': { uid: 0, gid: 0, mode: 0o755 },
    '/srv': { uid: 0, gid: 103, mode: 0o750 },
    '/srv/app': { uid: 101, gid: 0, mode: 0o700 },
    '/srv/app/initdb': { uid: 0, gid: 0, mode: 0o755 },
    '/srv/app/secret': { uid: 0, gid: 0, mode: 0o644 },
  };
  const stat = (p: string) => tree[p];

  it('names the first directory the user may not search (a clone under /root)', () => {
    expect(firstUnreachable('/root/app', postgres, stat)).toBe('/root');
  });

  it('passes through directories by owner, group (supplementary too) or other bits', () => {
    expect(firstUnreachable('/srv/app/initdb', postgres, stat)).toBeUndefined();
  });

  it('a program needs its execute bit', () => {
    expect(firstUnreachable('/srv/app/secret', postgres, stat)).toBe('/srv/app/secret');
  });
});
