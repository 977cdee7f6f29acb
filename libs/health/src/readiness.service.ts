import { Injectable, Logger, ServiceUnavailableException, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { type Env, maskText } from '@app/config';
import { READINESS_CHECKS, type CheckResult, type ReadinessCheckName } from './check-result';
import { DrainState } from './drain-state.service';
import { HealthMetrics } from './health-metrics';
import { readinessChecks } from './health-presenter';
import { DatabaseIndicator } from './indicators/database.indicator';
import { RedisIndicator } from './indicators/redis.indicator';

export interface ReadinessRun {
  ok: boolean;
  checks: Record<ReadinessCheckName, CheckResult>;
  /** performance.now() when the run finished. */
  finishedAt: number;
}

/** A run's result is served again for this long: a fraction of the deadline, so failures still surface within one. */
export function reuseWindowMs(deadlineMs: number): number {
  return Math.min(100, Math.floor(deadlineMs / 10));
}

/**
 * Runs the readiness checks (database, Redis, migrations) concurrently through Terminus, each with its own
 * deadline, and shares them:
 * - single flight: probes arriving while a run is in progress wait for that run instead of starting another;
 * - a passing run is reused for `reuseWindowMs` (100 ms at the default 1 s deadline), so a burst of probes costs
 *   a handful of round trips per second, not one per probe. A dependency failing is therefore reported within
 *   one deadline plus that window; a failing run is not reused, so recovery shows at the next probe.
 * A check's failure is logged when its state changes, not on every probe.
 */
@Injectable()
export class ReadinessService implements OnModuleInit {
  private readonly logger = new Logger('Readiness');
  readonly deadlineMs: number;
  private readonly reuseMs: number;
  private inflight: Promise<ReadinessRun> | undefined;
  private last: ReadinessRun | undefined;
  /** How many check runs were started (single-flight evidence for tests and the benchmark). */
  runs = 0;

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseIndicator,
    private readonly redis: RedisIndicator,
    private readonly drain: DrainState,
    private readonly metrics: HealthMetrics,
    private readonly indicators: HealthIndicatorService,
    config: ConfigService<Env, true>,
  ) {
    this.deadlineMs = config.get('READINESS_TIMEOUT_MS', { infer: true });
    this.reuseMs = reuseWindowMs(this.deadlineMs);
  }

  onModuleInit(): void {
    this.metrics.onScrape(() => (this.drain.draining ? Promise.resolve() : this.current()));
  }

  /** The latest finished run, if any (the cheap summary endpoint reports it without probing). */
  get lastRun(): ReadinessRun | undefined {
    return this.last;
  }

  /** A recent run's result, or the one in progress, or a new one. Never rejects; answers within the deadline. */
  current(): Promise<ReadinessRun> {
    const last = this.last;
    // Only a passing run is reused: a failing one is re-checked by the next probe, so recovery (and boot) is
    // seen at once; concurrent probes still share one run.
    if (last?.ok && performance.now() - last.finishedAt < this.reuseMs) return Promise.resolve(last);
    if (!this.inflight) {
      const run = this.runChecks().finally(() => {
        if (this.inflight === run) this.inflight = undefined;
      });
      this.inflight = run;
    }
    return this.inflight;
  }

  private async runChecks(): Promise<ReadinessRun> {
    this.runs += 1;
    const deadline = this.deadlineMs;
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () => this.guard('db', () => this.database.checkConnection('db', deadline)),
        () => this.guard('redis', () => this.redis.check('redis', deadline)),
        () => this.guard('migrations', () => this.database.checkMigrations('migrations', deadline)),
      ]);
    } catch (e) {
      // Terminus throws 503 with the full result when a check is down; anything else is a bug in an indicator.
      if (!(e instanceof ServiceUnavailableException)) throw e;
      result = e.getResponse() as HealthCheckResult;
    }
    const checks = readinessChecks(result);
    const run: ReadinessRun = { ok: READINESS_CHECKS.every((n) => checks[n].ok), checks, finishedAt: performance.now() };
    this.logChanges(this.last, run);
    this.last = run;
    this.metrics.record(checks, run.ok);
    return run;
  }

  /**
   * An indicator that throws (a bug, not a dependency failure) fails its check instead of the probe: readiness
   * answers 200 or 503, never 500 (CONTRACT §3).
   */
  private async guard(key: ReadinessCheckName, check: () => Promise<HealthIndicatorResult>): Promise<HealthIndicatorResult> {
    try {
      return await check();
    } catch (e) {
      const error = maskText(e instanceof Error ? e.message : String(e));
      this.logger.error(`readiness check ${key} threw: ${error}`);
      return this.indicators.check(key).down({ detail: 'unreachable', latency_ms: 0, error: `check failed: ${error}` });
    }
  }

  private logChanges(previous: ReadinessRun | undefined, run: ReadinessRun): void {
    for (const name of READINESS_CHECKS) {
      const before = previous?.checks[name];
      const now = run.checks[name];
      if (!now.ok && (!before || before.ok || before.detail !== now.detail)) {
        this.logger.warn(`readiness check ${name} failing: ${now.detail}${now.error ? ` (${now.error})` : ''}`);
      } else if (now.ok && before && !before.ok) {
        this.logger.log(`readiness check ${name} recovered: ${now.detail}`);
      }
    }
    if (run.ok !== previous?.ok) this.logger.log(run.ok ? 'ready' : 'not ready');
  }
}
