import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChangeOnlyLog } from './change-only-log';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryQueue } from './delivery-queue';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerSettings } from './delivery-worker.settings';

/** Deliveries of paused webhooks failed per reaper run, at most: a long backlog expires over several runs. */
export const PAUSED_EXPIRE_BATCH = 1000;

/**
 * Every DELIVERY_REAPER_INTERVAL_MS (after the previous run finished): deliveries whose lease expired (their worker
 * was killed) go back to the queue, deliveries paused longer than DELIVERY_PAUSED_EXPIRE_HOURS fail, and expired
 * Idempotency-Keys are pruned, a bounded batch at a time.
 */
@Injectable()
export class LeaseReaper {
  private readonly logger = new Logger('DeliveryWorker');
  private readonly errors = new ChangeOnlyLog(this.logger);
  private running = false;
  private timer?: NodeJS.Timeout;
  private current: Promise<void> = Promise.resolve();

  constructor(
    @Inject(DELIVERY_WORKER_SETTINGS) private readonly settings: Pick<DeliveryWorkerSettings, 'reaperMs' | 'idempotencyTtlHours' | 'pausedExpireMs'>,
    private readonly queue: DeliveryQueue,
    private readonly metrics: DeliveryMetrics,
  ) {}

  start(): void {
    this.running = true;
    this.tick();
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.current;
  }

  async reap(): Promise<void> {
    try {
      const n = await this.queue.reapExpiredLeases();
      if (n > 0) this.logger.warn(`returned ${n} delivery(ies) with expired leases to the queue`);
      if (this.settings.pausedExpireMs > 0) {
        const expired = await this.queue.expirePaused(this.settings.pausedExpireMs, PAUSED_EXPIRE_BATCH);
        if (expired > 0) {
          this.metrics.expired.inc(expired);
          this.logger.warn(`failed ${expired} delivery(ies) of paused webhooks: paused longer than DELIVERY_PAUSED_EXPIRE_HOURS`);
        }
      }
      // Housekeeping rides along.
      await this.queue.pruneIdempotencyKeys(this.settings.idempotencyTtlHours);
    } catch (e) {
      this.errors.warn('reaper failed', e);
    }
  }

  private tick(): void {
    this.current = this.reap().finally(() => {
      if (this.running) this.timer = setTimeout(() => this.tick(), this.settings.reaperMs);
    });
  }
}
