import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { RawEnv } from '@app/config';

export const ROOT = resolve(__dirname, '../..');
export const API_MAIN = resolve(ROOT, 'dist/apps/api/main.js');
export const CLI_MAIN = resolve(ROOT, 'dist/apps/cli/main.js');

/** The environment a child gets: PATH and HOME only, plus what the test gives. Nothing leaks in from the runner. */
export function childEnv(raw: RawEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) env[k] = v;
  return env;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a built target to completion (bounded). */
export function runNode(main: string, args: string[], raw: RawEnv, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [main, ...args], { env: childEnv(raw), cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${main} ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setImmediate(() => ok({ code, signal, stdout, stderr, ms: performance.now() - started }));
    });
  });
}

export const runCli = (args: string[], raw: RawEnv, timeoutMs?: number) => runNode(CLI_MAIN, args, raw, timeoutMs);

/** A long-running built API process with its output captured. */
export class ApiProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  }

  static spawn(raw: RawEnv, port: number): ApiProcess {
    const child = spawn(process.execPath, [API_MAIN], {
      env: childEnv({ HOST: '127.0.0.1', ...raw, PORT: String(port) }),
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ApiProcess(child, port);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get output(): string {
    return `${this.stdout}\n${this.stderr}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the port answers HTTP; fails early if the process exits. */
  async waitListening(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`API exited before listening:\n${this.output}`);
      try {
        await fetch(`${this.baseUrl}/api/health/live`, { signal: AbortSignal.timeout(500) });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`API did not listen within ${timeoutMs} ms:\n${this.output}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const r = await this.exited;
    clearTimeout(timer);
    return r;
  }
}
