import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChangeOnlyLog } from './change-only-log';
import { DeliveryQueue } from './delivery-queue';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerSettings } from './delivery-worker.settings';

/**
 * Every DELIVERY_REAPER_INTERVAL_MS (after the previous run finished): deliveries whose lease expired (their worker
 * was killed) go back to the queue, and expired Idempotency-Keys are pruned, a bounded batch at a time.
 */
@Injectable()
export class LeaseReaper {
  private readonly logger = new Logger('DeliveryWorker');
  private readonly errors = new ChangeOnlyLog(this.logger);
  private running = false;
  private timer?: NodeJS.Timeout;
  private current: Promise<void> = Promise.resolve();

  constructor(
    @Inject(DELIVERY_WORKER_SETTINGS) private readonly settings: Pick<DeliveryWorkerSettings, 'reaperMs' | 'idempotencyTtlHours'>,
    private readonly queue: DeliveryQueue,
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
