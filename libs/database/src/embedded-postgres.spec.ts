import { EventEmitter } from 'node:events';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresDeps } from './embedded-postgres';
import type { OsUser } from './os-user-access';

/** A child process that never ran: what `spawn` hands back, driven by the test. */
function fakeChild(): ChildProcess & { stderr: EventEmitter } {
  const child = new EventEmitter() as ChildProcess & { stderr: EventEmitter };
  (child as { stderr: EventEmitter }).stderr = new EventEmitter();
  return child;
}

/** What Node emits when the program cannot be executed (a directory on its path closed to the user). */
function spawnFailure(code: string) {
  return jest.fn((): ChildProcess => {
    const child = fakeChild();
    setImmediate(() => {
      child.emit('error', Object.assign(new Error(`spawn initdb ${code}`), { code, errno: -13, syscall: 'spawn initdb' }));
      child.emit('close', -13, null);
    });
    return child;
  });
}

/** initdb that writes PG_VERSION (as the real one does) and exits with `code`. */
function initdbExiting(code: number, stderr = '', check?: (args: string[]) => void) {
  return jest.fn((_cmd: string, args: string[], _options?: SpawnOptions): ChildProcess => {
    check?.(args);
    const child = fakeChild();
    const dir = args.find((a) => a.startsWith('--pgdata='))!.slice('--pgdata='.length);
    writeFileSync(join(dir, 'PG_VERSION'), '18\n');
    setImmediate(() => {
      if (stderr) child.stderr.emit('data', Buffer.from(stderr));
      child.emit('close', code, null);
    });
    return child;
  });
}

function fakeServer(opts: { start?: (log: (m: string) => void) => Promise<void> } = {}) {
  const calls = { started: 0, stopped: 0, created: [] as string[] };
  class Server {
    constructor(private readonly options: Record<string, unknown>) {}
    async start() {
      calls.started++;
      if (opts.start) await opts.start(this.options.onLog as (m: string) => void);
    }
    async stop() {
      calls.stopped++;
    }
    async createDatabase(name: string) {
      calls.created.push(name);
    }
  }
  return { Server, calls };
}

const me = (): OsUser => ({ name: 'postgres', uid: process.getuid!(), gid: process.getgid!(), groups: [process.getgid!()] });

describe('startEmbeddedPostgres', () => {
  let root: string;
  let secrets: string;
  let logs: string[];
  const log = (m: string) => logs.push(m);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sg-embedded-spec-'));
    secrets = join(root, 'tmp');
    mkdirSync(secrets);
    logs = [];
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const deps = (over: Partial<EmbeddedPostgresDeps>): Partial<EmbeddedPostgresDeps> => ({
    isRoot: () => false,
    binaries: () => ({ initdb: '/pg/bin/initdb', postgres: '/pg/bin/postgres' }),
    loadServer: () => fakeServer().Server,
    tmpDir: () => secrets,
    relocationBase: join(root, 'var-tmp'),
    ...over,
  });

  it('initdb that cannot be spawned (EACCES) fails with one line and leaves no password file nor data directory', async () => {
    const dataDir = join(root, '.data', 'postgres');
    const p = startEmbeddedPostgres(dataDir, 5999, log, deps({ spawn: spawnFailure('EACCES') }));
    await expect(p).rejects.toThrow(/^embedded PostgreSQL: initdb could not be started \(EACCES\): run it as a regular user, set DATABASE_URL/);
    const message = await p.catch((e: Error) => e.message);
    expect(message).not.toContain('\n');
    expect(readdirSync(secrets)).toEqual([]);
    expect(existsSync(join(root, '.data'))).toBe(false);
  });

  it('hands initdb its password in a file only its user can read, then removes it', async () => {
    const seen: Array<{ file: number; dir: number; content: string }> = [];
    const spawn = initdbExiting(0, '', (args) => {
      const pwFile = args.find((a) => a.startsWith('--pwfile='))!.slice('--pwfile='.length);
      seen.push({ file: statSync(pwFile).mode & 0o777, dir: statSync(join(pwFile, '..')).mode & 0o777, content: readFileSync(pwFile, 'utf8') });
    });
    const dataDir = join(root, '.data', 'postgres');
    const h = await startEmbeddedPostgres(dataDir, 5999, log, deps({ spawn }));
    expect(seen).toHaveLength(1);
    expect(seen[0].file).toBe(0o600);
    expect(seen[0].dir).toBe(0o700);
    expect(seen[0].content.trim()).toBe(readFileSync(`${dataDir}.password`, 'utf8').trim());
    expect(readdirSync(secrets)).toEqual([]);
    expect(statSync(`${dataDir}.password`).mode & 0o077).toBe(0);
    expect(h.owned).toBe(true);
    expect(h.url).toMatch(/^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:5999\/signalgate$/);
  });

  it('initdb exiting non-zero fails with its last error line and cleans up', async () => {
    const spawn = initdbExiting(1, 'fixing permissions ... ok\ninitdb: error: could not create directory "x": Permission denied\n');
    const dataDir = join(root, '.data', 'postgres');
    await expect(startEmbeddedPostgres(dataDir, 5999, log, deps({ spawn }))).rejects.toThrow(
      'embedded PostgreSQL: initdb failed (1): initdb: error: could not create directory "x": Permission denied',
    );
    expect(readdirSync(secrets)).toEqual([]);
    expect(existsSync(join(root, '.data'))).toBe(false);
  });

  it('a server that exits during start-up fails with its FATAL line and removes the fresh cluster', async () => {
    const { Server } = fakeServer({
      start: async (onLog) => {
        onLog('LOG:  starting PostgreSQL 18\nFATAL:  could not create lock file "/run/x": Permission denied\n');
        // The package rejects with no reason at all.
        return Promise.reject(undefined as unknown as Error);
      },
    });
    const dataDir = join(root, '.data', 'postgres');
    await expect(startEmbeddedPostgres(dataDir, 5999, log, deps({ spawn: initdbExiting(0), loadServer: () => Server }))).rejects.toThrow(
      /did not start on port 5999 .*FATAL: {2}could not create lock file/,
    );
    expect(existsSync(join(root, '.data'))).toBe(false);
  });

  it('never clears a directory it did not create empty, nor an existing cluster', async () => {
    const dataDir = join(root, 'keep', 'postgres');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'PG_VERSION'), '18\n');
    writeFileSync(`${dataDir}.password`, 'old-password\n', { mode: 0o600 });
    const { Server } = fakeServer({ start: () => Promise.reject(new Error('port in use')) });
    await expect(startEmbeddedPostgres(dataDir, 5999, log, deps({ loadServer: () => Server }))).rejects.toThrow('port in use');
    expect(readdirSync(dataDir)).toEqual(['PG_VERSION']);
    expect(readFileSync(`${dataDir}.password`, 'utf8')).toBe('old-password\n');
  });

  describe('as root (PostgreSQL runs as the postgres user)', () => {
    it('binaries the postgres user cannot reach: one clear line, nothing spawned, nothing left', async () => {
      const spawn = jest.fn();
      const dataDir = join(root, '.data', 'postgres');
      const p = startEmbeddedPostgres(
        dataDir,
        5999,
        log,
        deps({
          isRoot: () => true,
          lookupUser: () => me(),
          // Neither the binaries nor the data directory: the binaries are what it says (nothing to move).
          firstUnreachable: (path) => (path.startsWith('/pg/') ? '/pg' : path.startsWith(root) ? root : undefined),
          spawn,
        }),
      );
      await expect(p).rejects.toThrow(
        'embedded PostgreSQL: as root it runs as the postgres user, which cannot reach /pg (on the way to its binaries): run it as a regular user, set DATABASE_URL to a PostgreSQL server, or use a clone the postgres user can enter (not under /root)',
      );
      expect(spawn).not.toHaveBeenCalled();
      expect(existsSync(join(root, '.data'))).toBe(false);
      expect(logs).toEqual([]);
    });

    it('a data directory the postgres user cannot reach is moved to one it can, and the log says where', async () => {
      const spawn = initdbExiting(0);
      const dataDir = join(root, 'closed', 'postgres');
      const h = await startEmbeddedPostgres(
        dataDir,
        5999,
        log,
        deps({
          isRoot: () => true,
          lookupUser: () => me(),
          firstUnreachable: (path) => (path.startsWith(join(root, 'closed')) ? join(root, 'closed') : undefined),
          spawn,
        }),
      );
      expect(h.dataDir.startsWith(join(root, 'var-tmp', 'signalgate-postgres-'))).toBe(true);
      expect(spawn.mock.calls[0][1]).toContain(`--pgdata=${h.dataDir}`);
      expect(existsSync(join(h.dataDir, 'PG_VERSION'))).toBe(true);
      expect(logs).toContainEqual(
        `embedded PostgreSQL: the postgres user cannot reach ${dataDir}; its data lives in ${h.dataDir} instead (set EMBEDDED_PG_DIR to choose)`,
      );
      // initdb ran as that user.
      expect(spawn.mock.calls[0][2]).toMatchObject({ uid: me().uid, gid: me().gid });
    });

    it('no postgres user: one clear line', async () => {
      await expect(
        startEmbeddedPostgres(join(root, '.data', 'postgres'), 5999, log, deps({ isRoot: () => true, lookupUser: () => undefined })),
      ).rejects.toThrow(/^embedded PostgreSQL: it cannot run as root and there is no postgres user to run it as: run it as a regular user/);
      expect(existsSync(join(root, '.data'))).toBe(false);
    });
  });
});
