import { Injectable } from '@nestjs/common';
import { maskText } from '@app/config';
import { DrainState, READINESS_CHECKS, ReadinessService } from '@app/health';
import { toAlertSummary, toAlertView } from '../alerts/alert.view';
import { WebhookHealthService } from '../webhooks/webhook-health.service';
import { DashboardRepository } from './dashboard.repository';

export type WebhookHealthView = Awaited<ReturnType<WebhookHealthService['all']>>[number];

/** What the dashboard shows of readiness: verdict and detail per check (no latencies, so it changes only on news). */
export interface DashboardReadiness {
  ok: boolean;
  draining: boolean;
  checks: Record<string, { ok: boolean; detail: string; error?: string }>;
}

/**
 * Reads each part of the dashboard's state. A part whose dependency is down is `null` with the (masked) reason in
 * `errors`, so the page shows what it can instead of nothing.
 */
@Injectable()
export class DashboardSnapshotService {
  constructor(
    private readonly repository: DashboardRepository,
    private readonly webhookHealth: WebhookHealthService,
    private readonly readinessService: ReadinessService,
    private readonly drain: DrainState,
  ) {}

  async snapshot() {
    const errors: Record<string, string> = {};
    const part = <T>(name: string, read: () => Promise<T>): Promise<T | null> =>
      read().catch((e: unknown) => {
        errors[name] = maskText(e instanceof Error ? e.message : String(e)).slice(0, 300);
        return null;
      });
    const [alerts, webhooks, queue, readiness] = await Promise.all([
      part('alerts', () => this.firingAlerts()),
      part('webhooks', () => this.webhooks()),
      part('queue', () => this.queue()),
      this.readiness(),
    ]);
    return { type: 'snapshot' as const, at: new Date().toISOString(), alerts, webhooks, queue, readiness, errors };
  }

  async firingAlerts() {
    const { alerts, total } = await this.repository.firingAlerts();
    return { items: alerts.map((a) => toAlertSummary(toAlertView(a))), total };
  }

  webhooks(): Promise<WebhookHealthView[]> {
    return this.webhookHealth.all();
  }

  queue() {
    return this.repository.queueStats();
  }

  async readiness(): Promise<DashboardReadiness> {
    const run = await this.readinessService.current();
    const checks: DashboardReadiness['checks'] = {};
    for (const name of READINESS_CHECKS) {
      const c = run.checks[name];
      checks[name] = c.ok ? { ok: true, detail: c.detail } : { ok: false, detail: c.detail, error: c.error };
    }
    return { ok: run.ok && !this.drain.draining, draining: this.drain.draining, checks };
  }
}
