import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '@app/config';
import { LiveEventBus } from '@app/redis';

/** Webhooks counted per window; outcomes of further webhooks in the same window are summed under `other`. */
export const OUTCOME_FEED_MAX_WEBHOOKS = 1000;

interface Counts {
  succeeded: number;
  failed: number;
}

/**
 * Recorded delivery outcomes for the live dashboard, coalesced: per WS_DELIVERY_COALESCE_MS window, one
 * `delivery.succeeded` / `delivery.failed` event per webhook with a count, so a burst of thousands of deliveries is
 * a handful of small events. Fed by AttemptRecorder after the outcomes are committed; published on the LiveEventBus
 * (so a `cli worker`'s outcomes reach the API replicas' dashboards; without Redis, this process's listeners only).
 */
@Injectable()
export class DeliveryOutcomeFeed implements OnApplicationShutdown {
  private readonly windowMs: number;
  private counts = new Map<string, Counts>();
  private timer?: NodeJS.Timeout;

  constructor(
    config: ConfigService<Env, true>,
    @Inject(LiveEventBus) private readonly bus: Pick<LiveEventBus, 'publish'>,
  ) {
    this.windowMs = config.get('WS_DELIVERY_COALESCE_MS', { infer: true });
  }

  record(webhookId: string, ok: boolean): void {
    const key = this.counts.has(webhookId) || this.counts.size < OUTCOME_FEED_MAX_WEBHOOKS ? webhookId : 'other';
    const c = this.counts.get(key) ?? { succeeded: 0, failed: 0 };
    if (ok) c.succeeded += 1;
    else c.failed += 1;
    this.counts.set(key, c);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    this.timer.unref();
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const counts = this.counts;
    this.counts = new Map();
    const at = new Date().toISOString();
    for (const [webhookId, c] of counts) {
      const webhook_id = webhookId === 'other' ? null : webhookId;
      if (c.succeeded) this.bus?.publish({ type: 'delivery.succeeded', webhook_id, count: c.succeeded, window_ms: this.windowMs, at });
      if (c.failed) this.bus?.publish({ type: 'delivery.failed', webhook_id, count: c.failed, window_ms: this.windowMs, at });
    }
  }

  onApplicationShutdown(): void {
    this.flush();
  }
}
