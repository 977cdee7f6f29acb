import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ChangeOnlyLog } from './change-only-log';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryPool } from './delivery-pool';
import { DeliveryQueue } from './delivery-queue';
import { DeliverySlots } from './delivery-slots';

export const QUEUE_SAMPLE_INTERVAL_MS = 15_000;
/** Depth counts stop here: the sample stays one cheap, bounded statement however long the backlog. */
export const QUEUE_DEPTH_CAP = 100_000;

/**
 * Samples the queue on an interval (not per scrape: several scrapers, or a fast scrape interval, never multiply the
 * load, and a hung database never hangs /metrics): depth by state (pending, paused, in_flight), capped, through the partial status indexes, and
 * the oldest due delivery's age, one index probe per active webhook. Runs while the worker runs; the in-flight
 * gauge and the workers' pool figures are read from memory at scrape time.
 */
@Injectable()
export class DeliveryQueueSampler implements OnModuleDestroy {
  private readonly errors = new ChangeOnlyLog(new Logger('DeliveryWorker'));
  private timer?: NodeJS.Timeout;
  private current: Promise<void> = Promise.resolve();
  private untrackPool?: () => void;

  constructor(
    private readonly metrics: DeliveryMetrics,
    private readonly queue: DeliveryQueue,
    private readonly slots: DeliverySlots,
    private readonly pool: DeliveryPool,
  ) {
    this.metrics.inFlightSource = () => this.slots.inFlight;
  }

  start(): void {
    this.untrackPool = this.metrics.service.trackPool('delivery', () => this.pool.stats());
    const tick = () => {
      this.current = this.sample().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, QUEUE_SAMPLE_INTERVAL_MS).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.untrackPool?.();
    await this.current;
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  async sample(): Promise<void> {
    try {
      const s = await this.queue.stats(QUEUE_DEPTH_CAP);
      this.metrics.queueDepth.set({ state: 'pending' }, s.pending);
      this.metrics.queueDepth.set({ state: 'paused' }, s.paused);
      this.metrics.queueDepth.set({ state: 'in_flight' }, s.inFlight);
      this.metrics.oldestDueAge.set(s.oldestDueAgeSeconds);
    } catch (e) {
      this.errors.warn('queue sample failed', e);
    }
  }
}
