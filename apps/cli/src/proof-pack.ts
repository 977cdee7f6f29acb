import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { relative, resolve } from 'node:path';
import { type Env, maskText, maskUrl, type RawEnv, registerSecret, registerUrlSecrets } from '@app/config';
import {
  ChildRegistry,
  httpGet,
  type HttpExchange,
  type ManagedChild,
  runToCompletion,
  sleep,
  waitListening,
} from './proof-pack/child-processes';
import { freePort, tcpOpen } from '@app/database/net';
import {
  type CommandEvidence,
  type Evidence,
  type HttpEvidence,
  renderEvidenceJson,
  renderEvidenceMarkdown,
  type StepEvidence,
} from './proof-pack/evidence';

/**
 * `cli proof-pack` (CONTRACT §7): the Go/No-Go gate of seeds/000_10ec4dc567bf47f2.txt, run by the service itself
 * against the configured PostgreSQL and Redis, with masked evidence (evidence.md + evidence.json) and GO only when
 * steps 1–3 (and 4 unless skipped) pass. Every step runs the built targets as child processes, as an operator would:
 * the CLI for migrations, the API for the ready gate, the negative proof and the fail-fast check.
 */

export const PROOF_PACK_USAGE = `usage: signalgate-cli proof-pack [--out DIR] [--base-url URL] [--skip-failfast] [--wait-ms N]

  --out DIR          where evidence.md and evidence.json go (default ./evidence/<UTC timestamp>)
  --base-url URL     run step 2 against this running instance instead of one started here
  --skip-failfast    skip step 4 (strict mode without REDIS_URL exits without listening)
  --wait-ms N        how long to wait for /api/ready to settle in steps 2 and 3 (default 30000)

Exit 0 only for GO. Needs DATABASE_URL and REDIS_URL, and the built API beside the CLI (npm run build).
`;

export interface ProofPackOptions {
  out?: string;
  baseUrl?: string;
  skipFailfast: boolean;
  waitMs: number;
}

export function parseProofPackArgs(args: string[]): ProofPackOptions | string {
  const opts: ProofPackOptions = { skipFailfast: false, waitMs: 30_000 };
  for (let i = 0; i < args.length; i += 1) {
    const [flag, inline] = args[i].includes('=') ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)] : [args[i], undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    try {
      switch (flag) {
        case '--out':
          opts.out = value();
          break;
        case '--base-url': {
          const v = value().replace(/\/+$/, '');
          if (!/^https?:\/\/[^/]+/.test(v)) return `--base-url must be an http(s) URL (got ${maskText(v)})`;
          opts.baseUrl = v;
          break;
        }
        case '--skip-failfast':
          opts.skipFailfast = true;
          break;
        case '--wait-ms': {
          const n = Number(value());
          if (!Number.isInteger(n) || n < 1000 || n > 600_000) return '--wait-ms must be an integer between 1000 and 600000';
          opts.waitMs = n;
          break;
        }
        default:
          return `unknown option ${flag}`;
      }
    } catch (e) {
      return (e as Error).message;
    }
  }
  return opts;
}

/** The built targets, found relative to this bundle (dist/apps/cli/main.js → dist/apps/api/main.js). */
export function builtTargets(bundleDir: string = __dirname): { cliMain: string; apiMain: string; buildInfo: string } {
  return {
    cliMain: resolve(bundleDir, 'main.js'),
    apiMain: resolve(bundleDir, '../api/main.js'),
    buildInfo: resolve(bundleDir, '../../build-info.json'),
  };
}

const API_HOST = '127.0.0.1';
const say = (line: string) => process.stdout.write(`${maskText(line)}\n`);
const warn = (line: string) => process.stderr.write(`signalgate cli: proof-pack: ${maskText(line)}\n`);

/** `dependencies.*` (older flat shape) or `checks.*.detail` (standardized shape) of a readiness body. */
export function dependencyState(body: unknown, dep: 'db' | 'redis' | 'migrations'): string | undefined {
  const b = body as { checks?: Record<string, { detail?: unknown }>; dependencies?: Record<string, unknown> } | undefined;
  const detail = b?.checks?.[dep]?.detail;
  if (typeof detail === 'string') return detail;
  const flat = b?.dependencies?.[dep === 'db' ? 'database' : dep];
  return typeof flat === 'string' ? flat : undefined;
}

/** `build-7f3a9c.internal` → `bu***al`: enough to tell runners apart, not enough to address one. */
export function maskHost(name: string): string {
  if (name.length <= 6) return '***';
  return `${name.slice(0, 2)}***${name.slice(-2)}`;
}

function timestampForPath(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function logLinesMatching(output: string, re: RegExp, limit = 20): string[] {
  return output
    .split('\n')
    .filter((l) => re.test(l))
    .slice(0, limit);
}

class ProofPackRun {
  private readonly children = new ChildRegistry();
  private readonly targets = builtTargets();
  private readonly display: { cli: string; api: string };
  /** Every child runs the production rules, as the seed's gate exports CI_STRICT=1. */
  private readonly baseOverrides: RawEnv = { CI_STRICT: '1' };
  private readonly httpTimeoutMs: number;
  private versionExchange: HttpExchange | undefined;

  constructor(
    private readonly env: Env,
    private readonly opts: ProofPackOptions,
  ) {
    const rel = (p: string) => relative(process.cwd(), p) || p;
    this.display = { cli: `node ${rel(this.targets.cliMain)}`, api: `node ${rel(this.targets.apiMain)}` };
    // A probe answers within READINESS_TIMEOUT_MS plus a small margin (CONTRACT §3); allow generously more.
    this.httpTimeoutMs = Math.max(5000, env.READINESS_TIMEOUT_MS * 2 + 2000);
  }

  /** Exports an operator would type for the steps (masked). */
  private exportsScript(extra: string[] = [], redisUrl = this.env.REDIS_URL ?? ''): string[] {
    return [
      `export ENV=${this.env.ENV}`,
      'export CI_STRICT=1',
      `export DATABASE_URL='${maskUrl(this.env.DATABASE_URL ?? '')}'`,
      `export REDIS_URL='${maskUrl(redisUrl)}'`,
      ...extra,
    ];
  }

  async run(): Promise<number> {
    const started = new Date();
    const outDir = resolve(this.opts.out ?? `evidence/${timestampForPath(started)}`);
    const onSignal = (signal: NodeJS.Signals) => {
      warn(`${signal} received: stopping the processes it started, no evidence written`);
      this.children.close();
      void this.children.stopAll(3000).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    const onExit = () => this.children.killAllNow();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.on('exit', onExit);
    try {
      const steps: StepEvidence[] = [];
      say(`proof-pack: DATABASE_URL=${maskUrl(this.env.DATABASE_URL ?? '')} REDIS_URL=${maskUrl(this.env.REDIS_URL ?? '')}`);
      steps.push(await this.guard(1, 'External Migration Gate (Postgres)', () => this.migrationGate()));
      steps.push(await this.guard(2, 'Runtime Ready Gate (DB + Redis)', () => this.readyGate()));
      steps.push(await this.guard(3, 'Negative Proof (Redis broken => Ready 503)', () => this.negativeProof()));
      steps.push(
        this.opts.skipFailfast
          ? this.skipped(4, 'Fail-fast (strict mode, no listener)', 'skipped with --skip-failfast')
          : await this.guard(4, 'Fail-fast (strict mode, no listener)', () => this.failFast()),
      );
      await this.children.stopAll();

      const go = steps.every((s) => s.status === 'PASS' || (s.id === 4 && s.status === 'SKIPPED'));
      const failed = steps.filter((s) => s.status === 'FAIL').map((s) => s.id);
      const evidence = this.evidence(started, steps, go, failed);
      mkdirSync(outDir, { recursive: true });
      writeFileSync(resolve(outDir, 'evidence.md'), renderEvidenceMarkdown(evidence));
      writeFileSync(resolve(outDir, 'evidence.json'), renderEvidenceJson(evidence));
      say(`evidence: ${resolve(outDir, 'evidence.md')}`);
      say(`evidence: ${resolve(outDir, 'evidence.json')}`);
      say(go ? 'GO' : 'NO-GO');
      return go ? 0 : 1;
    } finally {
      await this.children.stopAll();
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('exit', onExit);
    }
  }

  private evidence(started: Date, steps: StepEvidence[], go: boolean, failed: number[]): Evidence {
    const info = this.buildInfo();
    const versionBody = this.versionExchange?.status === 200 ? this.versionExchange.body : undefined;
    const versionJson = this.versionExchange?.json as { version?: string; git_sha?: string } | undefined;
    const skipped4 = steps.find((s) => s.id === 4)?.status === 'SKIPPED';
    return {
      tool: 'signalgate proof-pack',
      result: go ? 'GO' : 'NO-GO',
      startedAt: started.toISOString().replace(/\.\d+Z$/, 'Z'),
      finishedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      environment: `${this.env.ENV}${this.env.CI_STRICT ? ' (CI_STRICT=1)' : ''}; steps run with CI_STRICT=1`,
      strict: this.env.STRICT,
      serviceVersion: versionBody ? versionBody.slice(0, 200) : `${info.version ?? 'unknown'} (from build-info.json: /api/version gave no answer)`,
      gitSha: versionJson?.git_sha ?? info.git_sha ?? 'unknown',
      runner: `${maskHost(hostname())} (${process.platform} ${process.arch})`,
      nodeVersion: `node ${process.version}`,
      target: {
        databaseUrl: maskUrl(this.env.DATABASE_URL ?? ''),
        redisUrl: maskUrl(this.env.REDIS_URL ?? ''),
        baseUrl: this.opts.baseUrl ?? 'an API instance started by the proof pack on 127.0.0.1 (free port)',
      },
      steps,
      summary: go
        ? `GO: steps 1–3 passed${skipped4 ? ' (step 4 skipped with --skip-failfast)' : ' and step 4 passed'}.`
        : `NO-GO: step${failed.length === 1 ? '' : 's'} ${failed.join(', ')} failed. Do not send traffic to this deployment; see the failing step below and docs/RUNBOOK.md.`,
    };
  }

  private buildInfo(): { version?: string; git_sha?: string } {
    try {
      return JSON.parse(readFileSync(this.targets.buildInfo, 'utf8')) as { version?: string; git_sha?: string };
    } catch {
      return {};
    }
  }

  private skipped(id: StepEvidence['id'], title: string, reason: string): StepEvidence {
    return { id, title, status: 'SKIPPED', reason, script: '', expected: [], commands: [], http: [], logLines: [], notes: [], durationMs: 0 };
  }

  /** A step that throws is a failed step with the (masked) error as its reason, never an aborted run. */
  private async guard(id: StepEvidence['id'], title: string, work: () => Promise<Omit<StepEvidence, 'id' | 'title' | 'durationMs'>>): Promise<StepEvidence> {
    const t0 = Date.now();
    say(`step ${id}: ${title} ...`);
    let step: StepEvidence;
    try {
      step = { id, title, ...(await work()), durationMs: Date.now() - t0 };
    } catch (e) {
      step = {
        ...this.skipped(id, title, `error: ${maskText(e instanceof Error ? e.message : String(e))}`),
        status: 'FAIL',
        durationMs: Date.now() - t0,
      };
    }
    await this.children.stopAll();
    say(`step ${id}: ${step.status} — ${step.reason}`);
    return step;
  }

  private async runCli(args: string[], timeoutMs: number): Promise<CommandEvidence> {
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

  private async migrationGate(): Promise<Omit<StepEvidence, 'id' | 'title' | 'durationMs'>> {
    const timeoutMs = this.env.MIGRATION_LOCK_TIMEOUT_MS + 120_000;
    const up = await this.runCli(['migrate', 'up'], timeoutMs);
    const status = await this.runCli(['migrate', 'status'], 120_000);
    const atHead = /^status: head$/m.test(status.output);
    const pass = up.exitCode === 0 && status.exitCode === 0 && atHead;
    const reason = pass
      ? '`migrate up` exited 0 and `migrate status` reports head'
      : `migrate up exited ${up.exitCode ?? 'abnormally'}, migrate status exited ${status.exitCode ?? 'abnormally'}${atHead ? '' : ', not at head'}`;
    return {
      status: pass ? 'PASS' : 'FAIL',
      reason,
      script: [...this.exportsScript(), '', `${up.command}`, 'echo "EXIT_CODE=$?"', `${status.command}`, 'echo "EXIT_CODE=$?"'].join('\n'),
      expected: ['`migrate up` exits 0', '`migrate status` exits 0 and shows `status: head`'],
      commands: [up, status],
      http: [],
      logLines: [],
      notes: [],
    };
  }

  /** Starts the built API on a free loopback port with the configured env plus `overrides`; waits for the listener. */
  private async startApi(overrides: RawEnv, label: string): Promise<{ child: ManagedChild; port: number; baseUrl: string; listening: boolean }> {
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

  /** Polls `/api/ready` until `settled` says so or `waitMs` passes; returns the last exchange. */
  private async pollReady(baseUrl: string, settled: (x: HttpExchange) => boolean, child?: ManagedChild): Promise<HttpExchange> {
    const deadline = Date.now() + this.opts.waitMs;
    let last = await httpGet(`${baseUrl}/api/ready`, this.httpTimeoutMs);
    while (!settled(last) && Date.now() < deadline && (!child || child.running)) {
      await sleep(500);
      last = await httpGet(`${baseUrl}/api/ready`, this.httpTimeoutMs);
    }
    return last;
  }

  private async readyGate(): Promise<Omit<StepEvidence, 'id' | 'title' | 'durationMs'>> {
    const notes: string[] = [];
    let logLines: string[] = [];
    let baseUrl = this.opts.baseUrl;
    let api: Awaited<ReturnType<ProofPackRun['startApi']>> | undefined;
    const scriptHead: string[] = [];
    if (!baseUrl) {
      api = await this.startApi({}, 'api (ready gate)');
      baseUrl = api.baseUrl;
      scriptHead.push(...this.exportsScript([`export PORT=${api.port} HOST=${API_HOST}`]), `${this.display.api} &`, '');
      if (!api.listening) {
        const status = await api.child.stop(5000);
        return {
          status: 'FAIL',
          reason: `the API did not start listening (exit code ${status.code ?? 'none'})`,
          script: scriptHead.join('\n'),
          expected: ['the API listens, then /api/ready answers HTTP 200'],
          commands: [{ command: this.display.api, exitCode: status.code, signal: status.signal, durationMs: Date.now() - api.child.startedAt, output: maskText(api.child.output) }],
          http: [],
          logLines: [],
          notes,
        };
      }
    } else {
      notes.push(`ready gate run against --base-url ${baseUrl}; boot log lines are not available from here: take them from that instance's logs`);
    }
    const isReady = (x: HttpExchange) =>
      x.status === 200 && dependencyState(x.json, 'db') === 'connected' && dependencyState(x.json, 'redis') === 'connected';
    const ready = await this.pollReady(baseUrl, isReady, api?.child);
    const version = await httpGet(`${baseUrl}/api/version`, this.httpTimeoutMs);
    this.versionExchange = version;
    if (api) {
      logLines = logLinesMatching(api.child.output, /database connected|redis connected|database not available|redis error|failed to start/i);
      await api.child.stop();
    }
    const db = dependencyState(ready.json, 'db');
    const redis = dependencyState(ready.json, 'redis');
    const migrations = dependencyState(ready.json, 'migrations');
    const problems: string[] = [];
    if (ready.status !== 200) problems.push(`/api/ready answered ${ready.status ?? `nothing (${ready.error ?? 'no response'})`}`);
    if (db !== 'connected') problems.push(`database is ${db ?? 'not reported'}`);
    if (redis !== 'connected') problems.push(`redis is ${redis ?? 'not reported'}`);
    if (migrations !== undefined && migrations !== 'head') problems.push(`migrations are ${migrations}`);
    if (version.status !== 200) problems.push(`/api/version answered ${version.status ?? `nothing (${version.error ?? 'no response'})`}`);
    const http: HttpEvidence[] = [
      { command: `curl -sS -i ${baseUrl}/api/ready`, exchange: ready },
      { command: `curl -sS -i ${baseUrl}/api/version`, exchange: version },
    ];
    return {
      status: problems.length ? 'FAIL' : 'PASS',
      reason: problems.length
        ? problems.join('; ')
        : `/api/ready answered 200 with database connected, redis connected${migrations ? `, migrations ${migrations}` : ''}; /api/version answered 200`,
      script: [...scriptHead, ...http.flatMap((h) => [h.command, 'echo "EXIT_CODE=$?"'])].join('\n'),
      expected: [
        '/api/ready: HTTP 200',
        'Response includes dependencies.database=connected, dependencies.redis=connected (checks.db/redis.detail=connected)',
        'If present: dependencies.migrations=head',
        '/api/version: HTTP 200',
      ],
      commands: [],
      http,
      logLines,
      notes,
    };
  }

  /** The configured Redis URL, credentials kept, pointed at a port nothing listens on. */
  private brokenRedisUrl(): string {
    const u = new URL(this.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
    u.hostname = '127.0.0.1';
    u.port = '1';
    return u.toString();
  }

  private async negativeProof(): Promise<Omit<StepEvidence, 'id' | 'title' | 'durationMs'>> {
    const broken = this.brokenRedisUrl();
    const api = await this.startApi({ REDIS_URL: broken }, 'api (redis broken)');
    const script = [
      ...this.exportsScript([`export PORT=${api.port} HOST=${API_HOST}`], broken),
      `${this.display.api} &`,
      '',
      `curl -sS -i ${api.baseUrl}/api/ready`,
      'echo "EXIT_CODE=$?"',
    ].join('\n');
    const expected = ['/api/ready: HTTP 503', 'dependencies.redis=unreachable (checks.redis.detail=unreachable)'];
    if (!api.listening) {
      const status = await api.child.stop(5000);
      return {
        status: 'FAIL',
        reason: `the API did not start listening with Redis unreachable (exit code ${status.code ?? 'none'}): it must boot and report 503, not crash`,
        script,
        expected,
        commands: [{ command: this.display.api, exitCode: status.code, signal: status.signal, durationMs: Date.now() - api.child.startedAt, output: maskText(api.child.output) }],
        http: [],
        logLines: [],
        notes: [],
      };
    }
    // Settled: Redis reported unreachable, and the database connected so the 503 is Redis's doing alone.
    const settled = (x: HttpExchange) =>
      x.status === 503 && dependencyState(x.json, 'redis') === 'unreachable' && dependencyState(x.json, 'db') === 'connected';
    const ready = await this.pollReady(api.baseUrl, settled, api.child);
    await api.child.stop();
    // Redis's own lines (connection errors, state changes) and readiness failures; not Nest's module-loading chatter.
    const logLines = logLinesMatching(api.child.output, /redis/i).filter((l) => !/dependencies initialized/.test(l));
    const redis = dependencyState(ready.json, 'redis');
    const pass = ready.status === 503 && redis === 'unreachable';
    const notes: string[] = [];
    if (pass && dependencyState(ready.json, 'db') !== 'connected') notes.push('the database was not connected either: the 503 is not attributable to Redis alone');
    if (!logLines.length) notes.push('no log line mentioning Redis was captured');
    return {
      status: pass ? 'PASS' : 'FAIL',
      reason: pass
        ? '/api/ready answered 503 with redis unreachable'
        : `/api/ready answered ${ready.status ?? `nothing (${ready.error ?? 'no response'})`} with redis ${redis ?? 'not reported'} (expected 503, unreachable)`,
      script,
      expected,
      commands: [],
      http: [{ command: `curl -sS -i ${api.baseUrl}/api/ready`, exchange: ready }],
      logLines,
      notes,
    };
  }

  private async failFast(): Promise<Omit<StepEvidence, 'id' | 'title' | 'durationMs'>> {
    const port = await freePort();
    const deadlineMs = 15_000;
    const child = this.children.spawnNode(this.targets.apiMain, [], 'api (fail fast)', {
      ...this.baseOverrides,
      REDIS_URL: undefined,
      PORT: String(port),
      HOST: API_HOST,
    });
    // Probe the port for as long as the process lives: it must never accept a connection.
    let listened = false;
    let probes = 0;
    const t0 = Date.now();
    while (child.running && Date.now() - t0 < deadlineMs) {
      probes += 1;
      if (await tcpOpen(API_HOST, port, 200)) listened = true;
      if (child.running) await sleep(20);
    }
    const stillRunning = child.running;
    if (stillRunning) await child.stop(2000);
    const status = await child.exited;
    const ms = (child.exitedAt ?? Date.now()) - child.startedAt;
    const command: CommandEvidence = {
      command: `${this.display.api}  # CI_STRICT=1, REDIS_URL unset, PORT=${port}`,
      exitCode: status.code,
      signal: status.signal,
      timedOut: stillRunning,
      durationMs: ms,
      output: maskText(child.output),
    };
    const problems: string[] = [];
    if (stillRunning) problems.push(`still running after ${deadlineMs} ms (killed)`);
    else if (status.code === 0 || status.code === null) problems.push(`exited with ${status.code ?? `signal ${status.signal}`}, expected a non-zero code`);
    if (listened) problems.push(`port ${port} accepted a connection`);
    if (!stillRunning && !/REDIS_URL/.test(child.output)) problems.push('the error output does not name REDIS_URL');
    return {
      status: problems.length ? 'FAIL' : 'PASS',
      reason: problems.length
        ? problems.join('; ')
        : `exited ${status.code} after ${ms} ms without ever listening (${probes} probes of 127.0.0.1:${port} refused)`,
      script: [
        `export ENV=${this.env.ENV}`,
        'export CI_STRICT=1',
        `export DATABASE_URL='${maskUrl(this.env.DATABASE_URL ?? '')}'`,
        'unset REDIS_URL',
        `PORT=${port} HOST=${API_HOST} ${this.display.api}`,
        'echo "EXIT_CODE=$?"',
        `# meanwhile, every ~20 ms: probe tcp ${API_HOST}:${port} (must never accept)`,
      ].join('\n'),
      expected: ['EXIT_CODE non-zero', `no connection ever accepted on ${API_HOST}:${port}`, 'the error names REDIS_URL'],
      commands: [command],
      http: [],
      logLines: [],
      notes: [`${probes} TCP probes of ${API_HOST}:${port} while the process ran; ${listened ? 'at least one was accepted' : 'none was accepted'}`],
    };
  }
}

export async function proofPack(env: Env, args: string[]): Promise<number> {
  const opts = parseProofPackArgs(args);
  if (typeof opts === 'string') {
    process.stderr.write(`signalgate cli: proof-pack: ${opts}\n\n${PROOF_PACK_USAGE}`);
    return 64;
  }
  if (!env.DATABASE_URL || !env.REDIS_URL) {
    warn('needs DATABASE_URL and REDIS_URL: the gate runs against the external PostgreSQL and Redis the deployment will use');
    return 2;
  }
  // Validation registered these already; registering here keeps the guarantee local to what writes the evidence.
  registerUrlSecrets(env.DATABASE_URL);
  registerUrlSecrets(env.REDIS_URL);
  registerSecret(env.SECRET_KEY);
  const targets = builtTargets();
  for (const file of [targets.cliMain, targets.apiMain]) {
    if (!existsSync(file)) {
      warn(`${file} not found: run \`npm run build\` (the proof pack runs the built targets)`);
      return 2;
    }
  }
  return new ProofPackRun(env, opts).run();
}
