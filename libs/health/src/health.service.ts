import { statfs } from 'node:fs/promises';
import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DiskHealthIndicator, HealthCheckService, HealthIndicatorService, MemoryHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { Env } from '@app/config';
import { DeadlineExceededError, withDeadline } from '@app/redis';
import { readBuildInfo, type BuildInfo } from './build-info';
import type { Component, ProbeResponse, ReadinessBody } from './check-result';
import { DEEP_HEALTH_SECTIONS, type DeepHealthSection } from './deep-health-section';
import { DrainState } from './drain-state.service';
import { HealthMetrics } from './health-metrics';
import { presentReadiness, presentShuttingDown, toCheckResult } from './health-presenter';
import { DatabaseIndicator, type PoolUsage } from './indicators/database.indicator';
import { RedisIndicator } from './indicators/redis.indicator';
import { ReadinessService } from './readiness.service';
import { SingleInflightCall } from './single-inflight-call';

export interface LimitCheck {
  ok: boolean;
  error?: string;
}

export interface StartupBody extends ReadinessBody {
  /** Startup only: disk space and heap within the configured limits. */
  limits: { disk: LimitCheck; memory: LimitCheck };
}

export interface DiskFigures {
  path: string;
  used_ratio: number | null;
  threshold_ratio: number;
  free_bytes: number | null;
}

export interface MemoryFigures {
  heap_used_bytes: number;
  heap_limit_bytes: number;
  rss_bytes: number;
}

export interface DeepBody extends ReadinessBody {
  /** The app's sections (DEEP_HEALTH_SECTIONS): `cache` and `webhooks` in the API (seed 002). */
  [section: string]: unknown;
  deep: {
    database: { server_version: string | null; pool: PoolUsage | null; latency_ms: number };
    redis: { server_version: string | null; latency_ms: number } | null;
    migrations: { latency_ms: number };
    disk: DiskFigures;
    memory: MemoryFigures;
    process: { uptime_s: number; node: string };
  };
}

export interface SummaryBody {
  status: 'ok';
  /** The last readiness run's outcome, without probing anything (`unknown` before the first probe). */
  ready: 'ok' | 'fail' | 'unknown' | 'shutting_down';
  version: string;
  uptime_s: number;
  time: string;
}

export interface VersionBody {
  version: string;
  git_sha: string;
  build_time: string;
  node: string;
  env: string;
}

/** Every probe's answer, as a status code and the body of CONTRACT §3. Controllers make one call here. */
@Injectable()
export class HealthService {
  private readonly build: BuildInfo = readBuildInfo();
  private readonly envName: string;
  private readonly diskPath: string;
  private readonly diskThreshold: number;
  private readonly heapLimitBytes: number;
  /** One in-flight collection per deep section (by name). */
  private readonly sectionCalls = new Map<string, SingleInflightCall<Record<string, unknown>>>();

  constructor(
    private readonly readiness: ReadinessService,
    private readonly drain: DrainState,
    private readonly health: HealthCheckService,
    private readonly disk: DiskHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    private readonly database: DatabaseIndicator,
    private readonly redis: RedisIndicator,
    private readonly metrics: HealthMetrics,
    private readonly indicators: HealthIndicatorService,
    @Inject(DEEP_HEALTH_SECTIONS) private readonly sections: DeepHealthSection[],
    config: ConfigService<Env, true>,
  ) {
    this.envName = config.get('ENV', { infer: true });
    this.diskPath = config.get('HEALTH_DISK_PATH', { infer: true });
    this.diskThreshold = config.get('HEALTH_DISK_THRESHOLD_PERCENT', { infer: true });
    this.heapLimitBytes = config.get('HEALTH_HEAP_LIMIT_MB', { infer: true }) * 1024 * 1024;
  }

  live(): { status: 'ok'; components: Component[]; time: string } {
    return { status: 'ok', components: [{ name: 'process', status: 'ok', message: 'Application process is running' }], time: new Date().toISOString() };
  }

  async ready(): Promise<ProbeResponse<ReadinessBody>> {
    if (this.drain.draining) return this.shuttingDown();
    const run = await this.readiness.current();
    const body = presentReadiness(run.checks, this.build.version, new Date());
    return { statusCode: run.ok ? 200 : 503, body };
  }

  async startup(): Promise<ProbeResponse<StartupBody | ReadinessBody>> {
    if (this.drain.draining) return this.shuttingDown();
    const [run, limits] = await Promise.all([this.readiness.current(), this.limits()]);
    const ready = presentReadiness(run.checks, this.build.version, new Date());
    const components: Component[] = [
      ...ready.components,
      limitComponent('disk_space', limits.disk, `less than ${Math.round(this.diskThreshold * 1000) / 10}% of ${this.diskPath} used`),
      limitComponent('memory', limits.memory, `heap below ${Math.round(this.heapLimitBytes / 1048576)} MiB`),
    ];
    const body: StartupBody = { ...ready, components, limits };
    const ok = run.ok && limits.disk.ok && limits.memory.ok;
    if (!ok) body.status = 'fail';
    return { statusCode: ok ? 200 : 503, body };
  }

  async deep(): Promise<ProbeResponse<DeepBody | ReadinessBody>> {
    if (this.drain.draining) return this.shuttingDown();
    const deadline = this.readiness.deadlineMs;
    const started = performance.now();
    const readiness = this.readiness.current();
    const [run, redisVersion, disk, sections] = await Promise.all([
      readiness,
      this.redis.serverVersion(deadline),
      this.diskFigures(),
      // The sections that read PostgreSQL wait for readiness's verdict on it and get what is left of the deadline.
      readiness.then((r) => this.collectSections(r.checks.db.ok, Math.max(50, deadline - (performance.now() - started)))),
    ]);
    const ready = presentReadiness(run.checks, this.build.version, new Date());
    const mem = process.memoryUsage();
    const body: DeepBody = {
      ...ready,
      ...sections,
      deep: {
        database: {
          server_version: this.database.serverVersion ?? null,
          pool: this.database.poolUsage() ?? null,
          latency_ms: run.checks.db.latency_ms,
        },
        redis: run.checks.redis.detail === 'disabled' ? null : { server_version: redisVersion ?? null, latency_ms: run.checks.redis.latency_ms },
        migrations: { latency_ms: run.checks.migrations.latency_ms },
        disk,
        memory: { heap_used_bytes: mem.heapUsed, heap_limit_bytes: this.heapLimitBytes, rss_bytes: mem.rss },
        process: { uptime_s: Math.round(process.uptime()), node: process.version },
      },
    };
    return { statusCode: run.ok ? 200 : 503, body };
  }

  summary(): SummaryBody {
    const last = this.readiness.lastRun;
    const ready = this.drain.draining ? 'shutting_down' : last ? (last.ok ? 'ok' : 'fail') : 'unknown';
    return { status: 'ok', ready, version: this.build.version, uptime_s: Math.round(process.uptime()), time: new Date().toISOString() };
  }

  version(): VersionBody {
    return { ...this.build, node: process.version, env: this.envName };
  }

  /**
   * Each app section under the probe's deadline; one that fails reads `{ error }` (masked by the section's own text).
   * A section that reads PostgreSQL is skipped while readiness finds it failing. One collection per section at a time:
   * a deep probe arriving while the last one's is still pending waits on it instead of starting another, so repeated
   * probes do not pile queries onto the pool.
   */
  private async collectSections(databaseOk: boolean, deadlineMs: number): Promise<Record<string, Record<string, unknown>>> {
    const entries = await Promise.all(
      this.sections.map(async (s) => {
        if (s.readsDatabase && !databaseOk) return [s.name, { error: 'database unavailable' }] as const;
        let call = this.sectionCalls.get(s.name);
        if (!call) this.sectionCalls.set(s.name, (call = new SingleInflightCall(`deep section ${s.name}`)));
        const r = await call.run(() => s.collect(), deadlineMs);
        return [s.name, r.ok ? r.value : { error: r.timedOut ? r.error : 'unavailable' }] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  private shuttingDown(): ProbeResponse<ReadinessBody> {
    this.metrics.recordDraining();
    return { statusCode: 503, body: presentShuttingDown(this.build.version, new Date()) };
  }

  /** Disk and heap through Terminus's indicators, bounded like every other check. */
  private async limits(): Promise<{ disk: LimitCheck; memory: LimitCheck }> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check([
        () =>
          withDeadline(
            this.disk.checkStorage('disk', { path: this.diskPath, thresholdPercent: this.diskThreshold }),
            this.readiness.deadlineMs,
            'disk check',
          ).catch((e: unknown) =>
            this.indicators.check('disk').down({ error: e instanceof DeadlineExceededError ? e.reason : e instanceof Error ? e.message : String(e) }),
          ),
        () => this.memory.checkHeap('memory', this.heapLimitBytes),
      ]);
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      result = e.getResponse() as HealthCheckResult;
    }
    const limit = (key: string): LimitCheck => {
      const c = toCheckResult(result.details[key]);
      return c.ok ? { ok: true } : { ok: false, error: c.error };
    };
    return { disk: limit('disk'), memory: limit('memory') };
  }

  private async diskFigures(): Promise<DiskFigures> {
    const path = this.diskPath;
    const threshold = this.diskThreshold;
    try {
      const s = await withDeadline(statfs(path), this.readiness.deadlineMs, 'statfs');
      const used = s.blocks > 0 ? 1 - s.bavail / s.blocks : null;
      return { path, used_ratio: used === null ? null : Math.round(used * 1000) / 1000, threshold_ratio: threshold, free_bytes: s.bavail * s.bsize };
    } catch {
      return { path, used_ratio: null, threshold_ratio: threshold, free_bytes: null };
    }
  }
}

function limitComponent(name: string, check: LimitCheck, within: string): Component {
  return { name, status: check.ok ? 'ok' : 'fail', message: check.ok ? within : (check.error ?? 'over its limit') };
}
