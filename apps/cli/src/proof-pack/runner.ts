import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { type Env, maskText, maskUrl } from '@app/config';
import { type Evidence, renderEvidenceJson, renderEvidenceMarkdown, type StepEvidence } from './evidence';
import { GateContext, type GateStep, say, warn } from './gate-context';
import type { ProofPackOptions } from './options';
import { failFastStep } from './steps/fail-fast';
import { migrationGateStep } from './steps/migration-gate';
import { negativeProofStep } from './steps/negative-proof';
import { readyGateStep } from './steps/ready-gate';

/** The gate's steps in the seed's order; step 4 is the optional one (--skip-failfast). */
export const GATE_STEPS: readonly GateStep[] = [migrationGateStep, readyGateStep, negativeProofStep, failFastStep];
const OPTIONAL_STEP = failFastStep.id;

/** `build-7f3a9c.internal` → `bu***al`: enough to tell runners apart, not enough to address one. */
export function maskHost(name: string): string {
  if (name.length <= 6) return '***';
  return `${name.slice(0, 2)}***${name.slice(-2)}`;
}

function timestampForPath(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

/** One run of the gate: the steps in order, every child stopped whatever happens, then the evidence and GO/NO-GO. */
export class ProofPackRun {
  private readonly ctx: GateContext;

  constructor(
    private readonly env: Env,
    private readonly opts: ProofPackOptions,
  ) {
    this.ctx = new GateContext(env, opts);
  }

  async run(): Promise<number> {
    const { children } = this.ctx;
    const started = new Date();
    const outDir = resolve(this.opts.out ?? `evidence/${timestampForPath(started)}`);
    const onSignal = (signal: NodeJS.Signals) => {
      warn(`${signal} received: stopping the processes it started, no evidence written`);
      children.close();
      void children.stopAll(3000).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    };
    const onExit = () => children.killAllNow();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.on('exit', onExit);
    try {
      const steps: StepEvidence[] = [];
      say(`proof-pack: DATABASE_URL=${maskUrl(this.env.DATABASE_URL ?? '')} REDIS_URL=${maskUrl(this.env.REDIS_URL ?? '')}`);
      for (const step of GATE_STEPS) {
        steps.push(step.id === OPTIONAL_STEP && this.opts.skipFailfast ? skipped(step.id, step.title, 'skipped with --skip-failfast') : await this.guard(step));
      }
      await children.stopAll();

      const go = steps.every((s) => s.status === 'PASS' || (s.id === OPTIONAL_STEP && s.status === 'SKIPPED'));
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
      await children.stopAll();
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('exit', onExit);
    }
  }

  private evidence(started: Date, steps: StepEvidence[], go: boolean, failed: number[]): Evidence {
    const info = this.buildInfo();
    const version = this.ctx.versionExchange;
    const versionBody = version?.status === 200 ? version.body : undefined;
    const versionJson = version?.json as { version?: string; git_sha?: string } | undefined;
    const skippedOptional = steps.find((s) => s.id === OPTIONAL_STEP)?.status === 'SKIPPED';
    return {
      tool: 'signalgate proof-pack',
      result: go ? 'GO' : 'NO-GO',
      startedAt: isoSeconds(started),
      finishedAt: isoSeconds(new Date()),
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
        ? `GO: steps 1–3 passed${skippedOptional ? ' (step 4 skipped with --skip-failfast)' : ' and step 4 passed'}.`
        : `NO-GO: step${failed.length === 1 ? '' : 's'} ${failed.join(', ')} failed. Do not send traffic to this deployment; see the failing step below and docs/RUNBOOK.md.`,
    };
  }

  private buildInfo(): { version?: string; git_sha?: string } {
    try {
      return JSON.parse(readFileSync(this.ctx.targets.buildInfo, 'utf8')) as { version?: string; git_sha?: string };
    } catch {
      return {};
    }
  }

  /** A step that throws is a failed step with the (masked) error as its reason, never an aborted run. */
  private async guard(step: GateStep): Promise<StepEvidence> {
    const { id, title } = step;
    const t0 = Date.now();
    say(`step ${id}: ${title} ...`);
    let evidence: StepEvidence;
    try {
      evidence = { id, title, ...(await step.run(this.ctx)), durationMs: Date.now() - t0 };
    } catch (e) {
      evidence = {
        ...skipped(id, title, `error: ${maskText(e instanceof Error ? e.message : String(e))}`),
        status: 'FAIL',
        durationMs: Date.now() - t0,
      };
    }
    await this.ctx.children.stopAll();
    say(`step ${id}: ${evidence.status} — ${evidence.reason}`);
    return evidence;
  }
}

function skipped(id: StepEvidence['id'], title: string, reason: string): StepEvidence {
  return { id, title, status: 'SKIPPED', reason, script: '', expected: [], commands: [], http: [], logLines: [], notes: [], durationMs: 0 };
}
