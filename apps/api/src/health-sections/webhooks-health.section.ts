import { Injectable } from '@nestjs/common';
import type { DeepHealthSection } from '@app/health';
import { DashboardRepository } from '../dashboard/dashboard.repository';
import { type HealthState, WebhookHealthService } from '../webhooks/webhook-health.service';

/** Deep health's `webhooks`: how many are in each health state, and the delivery queue's oldest due delivery. */
@Injectable()
export class WebhooksHealthSection implements DeepHealthSection {
  readonly name = 'webhooks';
  readonly readsDatabase = true;

  constructor(
    private readonly health: WebhookHealthService,
    private readonly queue: DashboardRepository,
  ) {}

  async collect(): Promise<Record<string, unknown>> {
    const [webhooks, queue] = await Promise.all([this.health.all(), this.queue.queueStats()]);
    const byState: Record<HealthState, number> = { healthy: 0, degraded: 0, disabled: 0 };
    for (const w of webhooks) byState[w.state] += 1;
    return {
      total: webhooks.length,
      by_state: byState,
      deliveries: { due: queue.due, in_flight: queue.in_flight, paused: queue.paused, oldest_due_age_ms: queue.oldest_due_age_ms },
    };
  }
}
