import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
// Relative, not @app/*: global-setup.ts loads this file, and Jest applies no moduleNameMapper there.
import { freePort, tcpOpen } from '../../libs/database/src/net';
import { tmpdir } from 'node:os';
import { waitFor } from './wait-for';
import { join } from 'node:path';

/** Real services for tests: a private redis-server or PostgreSQL on a free port, for tests that must kill one; a private Prometheus. */

export { freePort, tcpOpen };
// Re-exported where the suites have always found it; the one polling helper lives in wait-for.ts.
export { waitFor };

export function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export class PrivateRedis {
  private proc?: ChildProcess;
  constructor(
    readonly port: number,
    private readonly password?: string,
  ) {}

  static async start(password?: string): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort(), password);
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://${this.password ? `:${encodeURIComponent(this.password)}@` : ''}127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    const bin = which('redis-server');
    if (!bin) throw new Error('redis-server is not installed (apt-get install redis-server)');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    if (this.password) args.push('--requirepass', this.password);
    this.proc = spawn(bin, args, { stdio: 'ignore' });
    await waitFor(() => tcpOpen('127.0.0.1', this.port, 200), { timeoutMs: 10_000, what: `redis-server on ${this.port}` });
  }

  /** SIGKILL: the server vanishes as in a crash. */
  async kill(): Promise<void> {
    const p = this.proc;
    // Killed by a signal, a process has signalCode set and exitCode null: already gone either way.
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: the server keeps its socket open and never answers (a hung dependency). */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
  }
}

const PG_BIN_DIRS = () => {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(base, v, 'bin'));
};

function pgBin(name: string): string {
  for (const dir of PG_BIN_DIRS()) if (existsSync(join(dir, name))) return join(dir, name);
  const found = which(name);
  if (found) return found;
  throw new Error(`${name} is not installed (apt-get install postgresql)`);
}

/** Runs a PostgreSQL binary, as the `postgres` OS user when we are root (initdb refuses root). */
function pgSpawnArgs(bin: string, args: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return ['runuser', ['-u', 'postgres', '--', bin, ...args]];
  return [bin, args];
}

export class PrivatePostgres {
  private readonly dir: string;
  constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'sg-pg-'));
    chmodSync(this.dir, 0o777);
  }

  static async start(): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(await freePort());
    const [cmd, args] = pgSpawnArgs(pgBin('initdb'), ['-D', join(pg.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
    await pg.start();
    return pg;
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    const [cmd, args] = pgSpawnArgs(pgBin('pg_ctl'), [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.stderr}${r.stdout}`);
  }

  /** Immediate shutdown: connections drop as in a crash. */
  async stop(): Promise<void> {
    const [cmd, args] = pgSpawnArgs(pgBin('pg_ctl'), ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    spawnSync(cmd, args, { encoding: 'utf8' });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A private Prometheus or Alertmanager (Debian's `prometheus` and `prometheus-alertmanager` packages, installed by
 * .ci/run): free port on 127.0.0.1, its configuration and storage in a temp dir, removed by `stop()`. A missing
 * binary fails the test, never skips it.
 */
export class PrivatePrometheus {
  private proc?: ChildProcess;
  private output = '';
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Prometheus; `config` is the YAML text of prometheus.yml (scrape targets on 127.0.0.1). */
  static start(config: string): Promise<PrivatePrometheus> {
    return PrivatePrometheus.spawn('prometheus', 'prometheus', config, (dir, port) => [
      `--config.file=${join(dir, 'config.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
    ]);
  }

  /** Alertmanager, clustering off; `config` is the YAML text of alertmanager.yml. */
  static alertmanager(config: string): Promise<PrivatePrometheus> {
    return PrivatePrometheus.spawn('prometheus-alertmanager', 'prometheus-alertmanager', config, (dir, port) => [
      `--config.file=${join(dir, 'config.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ]);
  }

  private static async spawn(bin: string, pkg: string, config: string, args: (dir: string, port: number) => string[]): Promise<PrivatePrometheus> {
    const path = which(bin);
    if (!path) throw new Error(`${bin} is not installed (apt-get install ${pkg}; .ci/run does)`);
    const dir = mkdtempSync(join(tmpdir(), `signalgate-${bin}-`));
    writeFileSync(join(dir, 'config.yml'), config);
    const p = new PrivatePrometheus(await freePort(), dir);
    p.proc = spawn(path, args(dir, p.port), { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (p.output = (p.output + d.toString()).slice(-20_000));
    p.proc.stdout?.on('data', keep);
    p.proc.stderr?.on('data', keep);
    await waitFor(
      async () => {
        if (p.proc?.exitCode !== null) throw new Error(`${bin} exited:\n${p.output}`);
        const r = await fetch(`${p.url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        return r.ok;
      },
      { timeoutMs: 30_000, what: () => `${bin} on ${p.port} to be ready:\n${p.output}` },
    );
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.output;
  }

  /** GET on Prometheus's HTTP API (`/api/v1/...`); returns `data`, throws on an error status. */
  async api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const r = await fetch(`${this.url}${path}?${new URLSearchParams(params).toString()}`, { signal: AbortSignal.timeout(5000) });
    const body = (await r.json()) as { status: string; data: T; error?: string };
    if (!r.ok || body.status !== 'success') throw new Error(`prometheus ${path}: ${r.status} ${body.error ?? ''}`);
    return body.data;
  }

  /** An instant query's samples as { labels, value }. */
  async query(expr: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const data = await this.api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>('/api/v1/query', { query: expr });
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
