import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedPostgresPreflight, type EmbeddedPostgresDeps } from './embedded-postgres';
import type { OsUser } from './os-user-access';

const postgres: OsUser = { name: 'postgres', uid: 70, gid: 70, groups: [70] };
const WHAT_TO_DO = 'run it as a regular user, set DATABASE_URL to a PostgreSQL server, or use a clone the postgres user can enter (not under /root)';

describe('embeddedPostgresPreflight (npm start runs it before building)', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'sg-preflight-spec-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const deps = (over: Partial<EmbeddedPostgresDeps>): Partial<EmbeddedPostgresDeps> => ({
    isRoot: () => true,
    lookupUser: () => postgres,
    binaries: () => ({ initdb: '/pg/bin/initdb', postgres: '/pg/bin/postgres' }),
    loadServer: () => {
      throw new Error('the preflight never loads the server');
    },
    spawn: () => {
      throw new Error('the preflight never spawns');
    },
    relocationBase: join(root, 'var-tmp'),
    firstUnreachable: () => undefined,
    ...over,
  });

  it('as another user than root: checks nothing', () => {
    const binaries = jest.fn();
    expect(() => embeddedPostgresPreflight(join(root, 'pg'), deps({ isRoot: () => false, binaries }))).not.toThrow();
    expect(binaries).not.toHaveBeenCalled();
  });

  it('as root with binaries the postgres user cannot reach (a clone under a 0700 home): the start-up error, nothing created', () => {
    const dataDir = join(root, '.data', 'postgres');
    expect(() => embeddedPostgresPreflight(dataDir, deps({ firstUnreachable: (p) => (p.startsWith('/pg/') ? '/pg' : undefined) }))).toThrow(
      `embedded PostgreSQL: as root it runs as the postgres user, which cannot reach /pg (on the way to its binaries): ${WHAT_TO_DO}`,
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it('as root with neither the data directory nor its relocation reachable: one clear line', () => {
    const dataDir = join(root, 'closed', 'postgres');
    expect(() => embeddedPostgresPreflight(dataDir, deps({ firstUnreachable: (p) => (p.startsWith(root) ? root : undefined) }))).toThrow(
      `embedded PostgreSQL: the postgres user cannot reach ${dataDir} nor ${root}: ${WHAT_TO_DO}`,
    );
    expect(readdirSync(root)).toEqual([]);
  });

  it('as root with a data directory that will be moved (reachable relocation): passes, moves nothing yet', () => {
    const dataDir = join(root, 'closed', 'postgres');
    expect(() =>
      embeddedPostgresPreflight(dataDir, deps({ firstUnreachable: (p) => (p.startsWith(join(root, 'closed')) ? join(root, 'closed') : undefined) })),
    ).not.toThrow();
    expect(existsSync(join(root, 'var-tmp'))).toBe(false);
  });

  it('as root without a postgres account: one clear line', () => {
    expect(() => embeddedPostgresPreflight(join(root, 'pg'), deps({ lookupUser: () => undefined }))).toThrow(
      /^embedded PostgreSQL: it cannot run as root and there is no postgres user to run it as/,
    );
  });
});

describe('embeddedPostgresPreflight on the real file system', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'sg-preflight-fs-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('a fresh clone (no .data yet) passes and creates nothing', () => {
    const self: OsUser = { name: 'postgres', uid: process.getuid!(), gid: process.getgid!(), groups: [process.getgid!()] };
    const dataDir = join(root, 'clone', '.data', 'postgres');
    expect(() =>
      embeddedPostgresPreflight(dataDir, {
        isRoot: () => true,
        lookupUser: () => self,
        binaries: () => ({ initdb: process.execPath, postgres: process.execPath }),
        relocationBase: join(root, 'var-tmp'),
      }),
    ).not.toThrow();
    expect(readdirSync(root)).toEqual([]);
  });
});
