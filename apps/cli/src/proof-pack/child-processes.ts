import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { childProcessEnv, type RawEnv } from '@app/config';
import { tcpOpen } from '@app/database/net';

/**
 * The processes and HTTP calls of the proof pack. Every child is tracked from spawn to exit so that no path
 * (a failed step, an exception, SIGINT) leaves one running; every wait and every request has a deadline.
 */

/** Bound on what is kept of one child's output; the evidence shows first/last lines anyway. */
const MAX_OUTPUT_CHARS = 2 * 1024 * 1024;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ManagedChild {
  /** stdout and stderr interleaved in arrival order, as a terminal would show them. */
  output = '';
  exitStatus: ExitStatus | undefined;
  readonly exited: Promise<ExitStatus>;
  readonly startedAt = Date.now();
  exitedAt: number | undefined;

  constructor(
    readonly proc: ChildProcess,
    readonly label: string,
  ) {
    const append = (d: Buffer) => {
      if (this.output.length < MAX_OUTPUT_CHARS) this.output += d.toString('utf8');
    };
    proc.stdout?.on('data', append);
    proc.stderr?.on('data', append);
    this.exited = new Promise((ok) => {
      const done = (status: ExitStatus) => {
        if (this.exitStatus) return;
        this.exitStatus = status;
        this.exitedAt = Date.now();
        // Let the pipes drain before anyone reads `output`.
        setImmediate(() => ok(status));
      };
      proc.once('exit', (code, signal) => done({ code, signal }));
      proc.once('error', (e) => {
        this.output += `\n[${label}: failed to start: ${e.message}]\n`;
        done({ code: null, signal: null });
      });
    });
  }

  get running(): boolean {
    return this.exitStatus === undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<ExitStatus> {
    if (!this.running) return this.exited;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }
}

export class ChildRegistry {
  private readonly children = new Set<ManagedChild>();
  private closed = false;

  spawnNode(script: string, args: string[], label: string, overrides: RawEnv): ManagedChild {
    // After an interrupt, a step resuming in the window before exit must not start anything new.
    if (this.closed) throw new Error(`not starting ${label}: the proof pack is stopping`);
    const proc = spawn(process.execPath, [script, ...args], {
      env: childProcessEnv(overrides),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = new ManagedChild(proc, label);
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }

  get live(): ManagedChild[] {
    return [...this.children].filter((c) => c.running);
  }

  /** Refuses new children from now on. */
  close(): void {
    this.closed = true;
  }

  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all(this.live.map((c) => c.stop(graceMs)));
  }

  /** Synchronous last resort (process `exit` handler): no waiting possible there. */
  killAllNow(): void {
    for (const c of this.live) c.proc.kill('SIGKILL');
  }
}

/** Runs a child to completion, bounded by `timeoutMs` (then SIGKILL, reported as a timeout). */
export async function runToCompletion(child: ManagedChild, timeoutMs: number): Promise<ExitStatus & { timedOut: boolean }> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.proc.kill('SIGKILL');
  }, timeoutMs);
  const status = await child.exited;
  clearTimeout(timer);
  return { ...status, timedOut };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves true once the port accepts connections, false when the child exits first or the deadline passes. */
export async function waitListening(child: ManagedChild, host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.running) return false;
    if (await tcpOpen(host, port, 300)) return true;
    await sleep(100);
  }
  return false;
}

export interface HttpExchange {
  url: string;
  /** `HTTP/1.1 200 OK`, or undefined when no response came. */
  statusLine?: string;
  status?: number;
  headers: Array<[string, string]>;
  body: string;
  /** Parsed JSON body, when it is JSON. */
  json?: unknown;
  error?: string;
  ms: number;
}

/** One GET, like `curl -sS -i`: status line, raw headers in order, body. Never throws; bounded by `timeoutMs`. */
export function httpGet(url: string, timeoutMs: number): Promise<HttpExchange> {
  const started = performance.now();
  return new Promise((ok) => {
    let settled = false;
    const finish = (x: Omit<HttpExchange, 'url' | 'ms'>) => {
      if (settled) return;
      settled = true;
      ok({ url, ms: Math.round(performance.now() - started), ...x });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      finish({ headers: [], body: '', error: 'invalid URL' });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'GET', headers: { accept: 'application/json' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 256 * 1024) body += d;
      });
      res.on('end', () => {
        const headers: Array<[string, string]> = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        finish({ statusLine: `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd(), status: res.statusCode, headers, body, json });
      });
      res.on('error', (e) => finish({ headers: [], body, error: e.message }));
    });
    // A hard deadline on the whole exchange, not only on socket inactivity.
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (e) => finish({ headers: [], body: '', error: e.message }));
    req.end();
  });
}

/** The exchange as `curl -i` prints it. */
export function formatExchange(x: HttpExchange): string {
  if (!x.statusLine) return `(no response: ${x.error ?? 'unknown error'})`;
  const head = [x.statusLine, ...x.headers.map(([k, v]) => `${k}: ${v}`)].join('\n');
  return `${head}\n\n${x.body}`;
}
