import { Injectable } from '@nestjs/common';
import { Gauge, Histogram } from 'prom-client';
import { MetricsService } from '@app/observability';
import { readBuildInfo } from './build-info';
import type { CheckResult, ReadinessCheckName } from './check-result';

/**
 * Health figures in Prometheus: one 1/0 gauge per check, the overall readiness, and a histogram of check
 * durations. A scrape refreshes them through the same single-flight run the probes use (bounded by the
 * readiness deadline), so a dashboard sees current values even when nobody polls the probes.
 */
@Injectable()
export class HealthMetrics {
  private readonly up: Gauge<'check'>;
  private readonly ready: Gauge;
  private readonly duration: Histogram<'check'>;
  private refresh: (() => Promise<unknown>) | undefined;

  constructor(metrics: MetricsService) {
    const beforeScrape = async () => {
      // Never throws: a failing collector would fail the whole scrape, and /metrics must answer while checks fail.
      await this.refresh?.().catch(() => undefined);
    };
    this.up = new Gauge({
      name: 'signalgate_health_check_up',
      help: 'Readiness check result: 1 ok, 0 failing.',
      labelNames: ['check'],
      registers: [metrics.registry],
      collect: beforeScrape,
    });
    this.ready = new Gauge({
      name: 'signalgate_ready',
      help: 'Readiness of this instance: 1 ready, 0 not ready (or draining).',
      registers: [metrics.registry],
    });
    this.duration = new Histogram({
      name: 'signalgate_health_check_duration_seconds',
      help: 'Duration of each readiness check run, timeouts included.',
      labelNames: ['check'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    });
    registerBuildInfo(metrics);
  }

  onScrape(refresh: () => Promise<unknown>): void {
    this.refresh = refresh;
  }

  record(checks: Record<ReadinessCheckName, CheckResult>, ready: boolean): void {
    for (const [name, check] of Object.entries(checks)) {
      this.up.set({ check: name }, check.ok ? 1 : 0);
      this.duration.observe({ check: name }, check.latency_ms / 1000);
    }
    this.ready.set(ready ? 1 : 0);
  }

  recordDraining(): void {
    this.ready.set(0);
  }
}

/** `signalgate_build_info{version,git_sha} 1`, in every process Prometheus scrapes (the API and `cli worker`). */
export function registerBuildInfo(metrics: MetricsService): void {
  const build = readBuildInfo();
  metrics
    .gauge({
      name: 'signalgate_build_info',
      help: 'Which build this is: always 1, the version and git commit as labels.',
      labelNames: ['version', 'git_sha'],
    })
    .set({ version: build.version, git_sha: build.git_sha }, 1);
}
