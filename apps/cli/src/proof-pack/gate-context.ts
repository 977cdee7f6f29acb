import { relative, resolve } from 'node:path';
import { type Env, maskText, maskUrl, type RawEnv } from '@app/config';
import { freePort } from '@app/database/net';
import { ChildRegistry, httpGet, type HttpExchange, type ManagedChild, runToCompletion, sleep, waitListening } from './child-processes';
import type { CommandEvidence, StepEvidence } from './evidence';
import type { ProofPackOptions } from './options';

/** What a step reports; the runner adds its id, title and duration. */
export type StepOutcome = Omit<StepEvidence, 'id' | 'title' | 'durationMs'>;

/** One step of the gate of seeds/000_10ec4dc567bf47f2.txt. */
export interface GateStep {
  id: StepEvidence['id'];
  title: string;
  run(ctx: GateContext): Promise<StepOutcome>;
}

export const API_HOST = '127.0.0.1';
export const say = (line: string) => process.stdout.write(`${maskText(line)}\n`);
export const warn = (line: string) => process.stderr.write(`signalgate cli: proof-pack: ${maskText(line)}\n`);

/** The built targets, found relative to this bundle (dist/apps/cli/main.js → dist/apps/api/main.js). */
export function builtTargets(bundleDir: string = __dirname): { cliMain: string; apiMain: string; buildInfo: string } {
  return {
    cliMain: resolve(bundleDir, 'main.js'),
    apiMain: resolve(bundleDir, '../api/main.js'),
    buildInfo: resolve(bundleDir, '../../build-info.json'),
  };
}

/** `dependencies.*` (older flat shape) or `checks.*.detail` (standardized shape) of a readiness body. */
export function dependencyState(body: unknown, dep: 'db' | 'redis' | 'migrations'): string | undefined {
  const b = body as { checks?: Record<string, { detail?: unknown }>; dependencies?: Record<string, unknown> } | undefined;
  const detail = b?.checks?.[dep]?.detail;
  if (typeof detail === 'string') return detail;
  const flat = b?.dependencies?.[dep === 'db' ? 'database' : dep];
  return typeof flat === 'string' ? flat : undefined;
}

export function logLinesMatching(output: string, re: RegExp, limit = 20): string[] {
  return output
    .split('\n')
    .filter((l) => re.test(l))
    .slice(0, limit);
}

export interface StartedApi {
  child: ManagedChild;
  port: number;
  baseUrl: string;
  listening: boolean;
}

/**
 * What the steps share within one run: the configuration, the options, the children started (so none outlives the
 * run) and the ways an operator would act: run the CLI, start the API, poll /api/ready.
 */
export class GateContext {
  readonly children = new ChildRegistry();
  readonly targets = builtTargets();
  readonly display: { cli: string; api: string };
  /** Every child runs the production rules, as the seed's gate exports CI_STRICT=1. */
  readonly baseOverrides: RawEnv = { CI_STRICT: '1' };
  readonly httpTimeoutMs: number;
  /** `/api/version` as step 2 saw it: the evidence's "Service version". */
  versionExchange: HttpExchange | undefined;

  constructor(
    readonly env: Env,
    readonly opts: ProofPackOptions,
  ) {
    const rel = (p: string) => relative(process.cwd(), p) || p;
    this.display = { cli: `node ${rel(this.targets.cliMain)}`, api: `node ${rel(this.targets.apiMain)}` };
    // A probe answers within READINESS_TIMEOUT_MS plus a small margin (CONTRACT §3); allow generously more.
    this.httpTimeoutMs = Math.max(5000, env.READINESS_TIMEOUT_MS * 2 + 2000);
  }

  /** Exports an operator would type for the steps (masked). */
  exportsScript(extra: string[] = [], redisUrl = this.env.REDIS_URL ?? ''): string[] {
    return [
      `export ENV=${this.env.ENV}`,
      'export CI_STRICT=1',
      `export DATABASE_URL='${maskUrl(this.env.DATABASE_URL ?? '')}'`,
      `export REDIS_URL='${maskUrl(redisUrl)}'`,
      ...extra,
    ];
  }

  async runCli(args: string[], timeoutMs: number): Promise<CommandEvidence> {
    const child = this.children.spawnNode(this.targets.cliMain, args, `cli ${args.join(' ')}`, this.baseOverrides);
    const r = await runToCompletion(child, timeoutMs);
    return {
      command: `${this.display.cli} ${args.join(' ')}`,
      exitCode: r.code,
      signal: r.signal,
      timedOut: r.timedOut,
      durationMs: (child.exitedAt ?? Date.now()) - child.startedAt,
      output: maskText(child.output),
    };
  }

  /** Starts the built API on a free loopback port with the configured env plus `overrides`; waits for the listener. */
  async startApi(overrides: RawEnv, label: string): Promise<StartedApi> {
    const port = await freePort();
    const child = this.children.spawnNode(this.targets.apiMain, [], label, {
      ...this.baseOverrides,
      // The instance is ours and short-lived: info logs carry the boot evidence; no drain delay when we stop it.
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_MS: '0',
      ...overrides,
      PORT: String(port),
      HOST: API_HOST,
    });
    const listening = await waitListening(child, API_HOST, port, 60_000);
    return { child, port, baseUrl: `http://${API_HOST}:${port}`, listening };
  }

  /** The evidence of an API instance that never listened. */
  async apiStartFailure(api: StartedApi): Promise<CommandEvidence> {
    const status = await api.child.stop(5000);
    return {
      command: this.display.api,
      exitCode: status.code,
      signal: status.signal,
      durationMs: Date.now() - api.child.startedAt,
      output: maskText(api.child.output),
    };
  }

  /** Polls `/api/ready` until `settled` says so or `waitMs` passes; returns the last exchange. */
  async pollReady(baseUrl: string, settled: (x: HttpExchange) => boolean, child?: ManagedChild): Promise<HttpExchange> {
    const deadline = Date.now() + this.opts.waitMs;
    let last = await httpGet(`${baseUrl}/api/ready`, this.httpTimeoutMs);
    while (!settled(last) && Date.now() < deadline && (!child || child.running)) {
      await sleep(500);
      last = await httpGet(`${baseUrl}/api/ready`, this.httpTimeoutMs);
    }
    return last;
  }
}
