import { Inject, Injectable, Logger } from '@nestjs/common';
import { TwoTierCache } from '@app/cache';
import { ChangeOnlyLog } from './change-only-log';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryQueue } from './delivery-queue';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerSettings } from './delivery-worker.settings';
import type { RecordedAttempt } from './attempt-recorder';

/**
 * Disables a webhook (and fails its queued deliveries) when its receiver answers 410 Gone, at once, or has failed
 * continuously for WEBHOOK_DISABLE_AFTER_HOURS. The streak is measured from the attempt log, so it is checked at
 * most once per interval per webhook, not after every failure.
 */
@Injectable()
export class WebhookAutoDisable {
  private readonly logger = new Logger('DeliveryWorker');
  private readonly errors = new ChangeOnlyLog(this.logger);
  private readonly lastCheck = new Map<string, number>();
  private readonly disableAfterMs: number;
  private readonly checkIntervalMs: number;

  constructor(
    @Inject(DELIVERY_WORKER_SETTINGS) settings: Pick<DeliveryWorkerSettings, 'disableAfterMs' | 'disableCheckIntervalMs'>,
    @Inject(DeliveryQueue) private readonly queue: Pick<DeliveryQueue, 'disableWebhook' | 'failingSince'>,
    private readonly metrics: DeliveryMetrics,
    /** The API's (or the standalone worker's) cache: a disabled webhook is dropped from every replica's cache. */
    @Inject(TwoTierCache) private readonly cache: Pick<TwoTierCache, 'invalidate'>,
  ) {
    this.disableAfterMs = settings.disableAfterMs;
    this.checkIntervalMs = settings.disableCheckIntervalMs;
  }

  /** `attempts`: outcomes just recorded under a lease that was still theirs (stale ones are not evidence). */
  async afterRecorded(attempts: RecordedAttempt[]): Promise<void> {
    const gone = new Set<string>();
    const failing = new Set<string>();
    for (const { outcome, webhookId } of attempts) {
      if (outcome.success) continue;
      if (outcome.statusCode === 410) gone.add(webhookId);
      else failing.add(webhookId);
    }
    if (gone.size === 0 && failing.size === 0) return;
    try {
      for (const w of gone) {
        await this.queue.disableWebhook(w, 'receiver answered 410 Gone');
        await this.disabled(w);
        this.metrics.webhookDisabled('gone');
        this.logger.warn(`webhook ${w} disabled: receiver answered 410 Gone`);
      }
      const now = Date.now();
      for (const w of failing) {
        if (gone.has(w) || now - (this.lastCheck.get(w) ?? 0) < this.checkIntervalMs) continue;
        this.lastCheck.set(w, now);
        const since = await this.queue.failingSince(w);
        if (since && now - since.getTime() >= this.disableAfterMs) {
          const hours = Math.round((this.disableAfterMs / 3_600_000) * 100) / 100;
          await this.queue.disableWebhook(w, `failing continuously for ${hours} h`);
          await this.disabled(w);
          this.metrics.webhookDisabled('failing');
          this.logger.warn(`webhook ${w} disabled: failing continuously for ${hours} h`);
        }
      }
    } catch (e) {
      this.errors.warn('webhook health update failed', e);
    }
  }

  private async disabled(webhookId: string): Promise<void> {
    await Promise.all([this.cache.invalidate('webhook', webhookId), this.cache.invalidate('webhooks-page'), this.cache.invalidate('health')]);
  }
}
