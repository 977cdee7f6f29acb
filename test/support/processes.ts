import type { RawEnv } from '@app/config';
import { ApiProcess, CLI_MAIN, NodeProcess, type SpawnOptions } from './node-process';
import { freePort, PrivatePostgres, PrivateRedis } from './services';

/**
 * The process fleet of the e2e suites: built API and CLI processes started with an env of the test's choosing,
 * waited on until they can be used, stopped, killed or restarted, their output collected; and the private
 * PostgreSQL/Redis a suite kills and restarts. `npm run build` first.
 */
export {
  API_MAIN,
  ApiProcess,
  CLI_MAIN,
  childEnv,
  NodeProcess,
  type ProcessResources,
  resourcesOf,
  ROOT,
  SHIPPED_NODE_FLAGS,
  type SpawnOptions,
} from './node-process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

type ApiOptions = SpawnOptions & { wait?: 'ready' | 'listening' | 'none'; timeoutMs?: number };

/**
 * The processes and private services one suite started, stopped together at the end: `const fleet = new Fleet()`
 * and `afterAll(() => fleet.stopAll())`. `apis(n, raw)` starts replicas on one env; `next()` spreads requests over
 * the running ones round-robin; `restart(api)` stops (SIGTERM or SIGKILL) one and starts it again on its port.
 */
export class Fleet {
  private readonly members: NodeProcess[] = [];
  private readonly services: Array<{ stop: () => Promise<void> }> = [];
  private turn = 0;

  /** The built API, waited on until ready (`wait: 'listening'` for suites that expect it never to be ready). */
  async api(raw: RawEnv, port: number, options: ApiOptions = {}): Promise<ApiProcess> {
    const api = this.add(ApiProcess.spawn(raw, port, options));
    await Fleet.wait(api, options);
    return api;
  }

  /** `n` API replicas on one env, each on a free port, started together. */
  async apis(n: number, raw: RawEnv, options: ApiOptions = {}): Promise<ApiProcess[]> {
    const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
    return Promise.all(ports.map((port) => this.api(raw, port, options)));
  }

  /** A long-running CLI command (`worker`), waited on until its output matches `readyWhen`. */
  async cli(args: string[], raw: RawEnv, readyWhen: RegExp, options: SpawnOptions & { timeoutMs?: number } = {}): Promise<NodeProcess> {
    const p = this.add(NodeProcess.start(CLI_MAIN, args, raw, options));
    await p.waitForOutput(readyWhen, options.timeoutMs);
    return p;
  }

  /** A private redis-server (free port), stopped by `stopAll`. */
  async redis(password?: string): Promise<PrivateRedis> {
    const r = await PrivateRedis.start(password);
    this.services.push(r);
    return r;
  }

  /** A private PostgreSQL cluster (initdb, free port), destroyed by `stopAll`. */
  async postgres(): Promise<PrivatePostgres> {
    const pg = await PrivatePostgres.start();
    this.services.push({ stop: () => pg.destroy() });
    return pg;
  }

  add<P extends NodeProcess>(p: P): P {
    this.members.push(p);
    return p;
  }

  /** The API replicas still running, in start order. */
  get runningApis(): ApiProcess[] {
    return this.members.filter((p): p is ApiProcess => p instanceof ApiProcess && p.running);
  }

  /** The next running API replica, round-robin (`except`: one the caller has just seen fail). */
  next(except?: ApiProcess): ApiProcess {
    const live = this.runningApis.filter((a) => a !== except);
    if (live.length === 0) throw new Error('no API replica is running');
    this.turn = (this.turn + 1) % live.length;
    return live[this.turn];
  }

  /**
   * Stops one API (SIGTERM: a graceful drain; SIGKILL: a crash) and starts it again on the same port with the same
   * env; returns the new process, which replaces the old one in the fleet.
   */
  async restart(api: ApiProcess, signal: NodeJS.Signals = 'SIGTERM', options: ApiOptions = {}): Promise<ApiProcess> {
    await api.stop(signal);
    const i = this.members.indexOf(api);
    const again = ApiProcess.spawn(api.raw, api.port, { ...api.options, ...options });
    if (i >= 0) this.members[i] = again;
    else this.members.push(again);
    await Fleet.wait(again, options);
    return again;
  }

  /** Kills whatever is still running (SIGKILL: a suite's end needs no graceful shutdown), then the private services. */
  async stopAll(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await Promise.all(this.members.splice(0).map((p) => p.stop(signal)));
    for (const s of this.services.splice(0).reverse()) await s.stop().catch(() => undefined);
  }

  private static async wait(api: ApiProcess, options: ApiOptions): Promise<void> {
    if (options.wait === 'listening') await api.waitListening(options.timeoutMs);
    else if (options.wait !== 'none') await api.waitReady(options.timeoutMs);
  }
}

/** Runs a built target to completion (bounded). */
export async function runNode(main: string, args: string[], raw: RawEnv, timeoutMs = 60_000, options: SpawnOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const p = NodeProcess.start(main, args, raw, options);
  const failed = new Promise<never>((_, fail) => p.child.once('error', fail));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    p.child.kill('SIGKILL');
  }, timeoutMs);
  try {
    const { code, signal } = await Promise.race([p.exited, failed]);
    if (timedOut) throw new Error(`${main} ${args.join(' ')} did not exit within ${timeoutMs} ms\n${p.stdout}\n${p.stderr}`);
    return { code, signal, stdout: p.stdout, stderr: p.stderr, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

export const runCli = (args: string[], raw: RawEnv, timeoutMs?: number, options?: SpawnOptions) => runNode(CLI_MAIN, args, raw, timeoutMs, options);
