import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RawEnv } from '@app/config';
import { GiveUp, waitFor } from './wait-for';

/** One built process of the e2e suites (the API, `cli worker`, ...): output captured, stopped, measured. */
export const ROOT = resolve(__dirname, '../..');
export const API_MAIN = resolve(ROOT, 'dist/apps/api/main.js');
export const CLI_MAIN = resolve(ROOT, 'dist/apps/cli/main.js');

/** The environment a child gets: PATH and HOME only, plus what the test gives. Nothing leaks in from the runner. */
export function childEnv(raw: RawEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) env[k] = v;
  return env;
}

/** What a live process holds, from /proc (Linux): resident memory and open file descriptors. */
export interface ProcessResources {
  rssKb: number;
  fds: number;
}

export function resourcesOf(pid: number): ProcessResources {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!rss) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return { rssKb: Number(rss[1]), fds: readdirSync(`/proc/${pid}/fd`).length };
}

export interface SpawnOptions {
  /** Working directory (default: the repository root). */
  cwd?: string;
}

/** A long-running built target (the API, `cli worker`, ...) with its output captured. */
export class NodeProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  protected constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((ok) => child.once('exit', (code, signal) => setImmediate(() => ok({ code, signal }))));
  }

  static start(main: string, args: string[], raw: RawEnv, options: SpawnOptions = {}): NodeProcess {
    return new NodeProcess(spawnNode(main, args, raw, options));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the process did not start');
    return this.child.pid;
  }

  /** Resident memory and open file descriptors, now (the process must be running). */
  resources(): ProcessResources {
    return resourcesOf(this.pid);
  }

  get output(): string {
    return `${this.stdout}\n${this.stderr}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the output matches `pattern`; fails early if the process exits first. */
  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      () => {
        if (pattern.test(this.output)) return true;
        if (!this.running) throw new ProcessExited(`exited before printing ${pattern}:\n${this.output}`);
        return false;
      },
      { timeoutMs, what: () => `${pattern} in the output of ${this.describe()}:\n${this.output}` },
    );
  }

  /** Signals the process and waits for it to exit; SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const r = await this.exited;
    clearTimeout(timer);
    return r;
  }

  protected describe(): string {
    return `pid ${this.child.pid}`;
  }
}

/** The built API on `port` (HOST 127.0.0.1 unless the test says otherwise). */
export class ApiProcess extends NodeProcess {
  private constructor(
    child: ChildProcess,
    readonly port: number,
    /** What it was started with, so that a fleet can start it again on the same port. */
    readonly raw: RawEnv,
    readonly options: SpawnOptions,
  ) {
    super(child);
  }

  static spawn(raw: RawEnv, port: number, options: SpawnOptions = {}): ApiProcess {
    return new ApiProcess(spawnNode(API_MAIN, [], { HOST: '127.0.0.1', ...raw, PORT: String(port) }, options), port, raw, options);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves once the port answers HTTP (liveness); fails early if the process exits. */
  async waitListening(timeoutMs = 30_000): Promise<void> {
    await this.until('/api/health/live', () => true, 'to listen', timeoutMs);
  }

  /**
   * Resolves once readiness answers 200: the database is connected (domain routes answer 503 until then), Redis
   * answers and migrations are at head. Use before any request that needs the database.
   */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    await this.until('/api/ready', (status) => status === 200, 'to be ready', timeoutMs);
  }

  protected override describe(): string {
    return `the API on ${this.port}`;
  }

  private async until(path: string, accept: (status: number) => boolean, what: string, timeoutMs: number): Promise<void> {
    let last = '';
    await waitFor(
      async () => {
        if (!this.running) throw new ProcessExited(`API exited before ${what.replace(/^to /, 'it could ')}:\n${this.output}`);
        try {
          const r = await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(1000) });
          last = `${r.status} ${await r.text()}`;
          return accept(r.status);
        } catch (e) {
          last = String(e);
          return false;
        }
      },
      { timeoutMs, what: () => `the API ${what} (last: ${last || 'no answer'}):\n${this.output}` },
    );
  }
}

/**
 * The V8 flags the long-running targets ship with (scripts/start-prod.sh for the API, the worker Deployment in
 * deploy/kubernetes): the suites run them as they run in production. test/kubernetes and test/deploy-kit check both.
 */
export const SHIPPED_NODE_FLAGS = ['--max-semi-space-size=2'];

export function spawnNode(main: string, args: string[], raw: RawEnv, options: SpawnOptions): ChildProcess {
  const longRunning = main === API_MAIN || (main === CLI_MAIN && args[0] === 'worker');
  const argv = [...(longRunning ? SHIPPED_NODE_FLAGS : []), main, ...args];
  return spawn(process.execPath, argv, { env: childEnv(raw), cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The process died while being waited on: say so instead of waiting out the timeout. */
export class ProcessExited extends GiveUp {}
