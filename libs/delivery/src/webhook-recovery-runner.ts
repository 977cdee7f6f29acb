import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChangeOnlyLog } from './change-only-log';
import { DeliveryMetrics } from './delivery-metrics';
import { WebhookRecoveryQueue } from './webhook-recovery-queue';

export const WEBHOOK_RECOVERY_SETTINGS = Symbol('WEBHOOK_RECOVERY_SETTINGS');

/** The recovery worker's bounds. */
export interface WebhookRecoverySettings {
  /** Rows per statement. */
  batch: number;
  /** A recovery tops a webhook's queue (due now + in flight) up to this many, no further. */
  backlogBound: number;
  /** Recoveries this process works at once. */
  maxLeased: number;
  leaseMs: number;
  intervalMs: number;
}

export const DEFAULT_RECOVERY_SETTINGS: WebhookRecoverySettings = {
  batch: 500,
  backlogBound: 500,
  maxLeased: 10,
  // Another process takes a recovery over this long after its holder died.
  leaseMs: 30_000,
  intervalMs: 1000,
};

/**
 * Works recoveries in the background, in the API and in `cli worker` alike: each interval it leases the open
 * recoveries it can (a lease per process, fenced by token, so exactly one process works each) and moves one bounded
 * batch of each. A batch is one short statement; the webhook's backlog bound keeps a large window from flooding the
 * queue (and the receiver): the claim loops' per-webhook caps pace the sending.
 */
@Injectable()
export class WebhookRecoveryRunner {
  private readonly logger = new Logger('DeliveryWorker');
  private readonly errors = new ChangeOnlyLog(this.logger);
  /** This process's lease token. */
  readonly token = randomUUID();
  private running = false;
  private timer?: NodeJS.Timeout;
  private current: Promise<void> = Promise.resolve();

  constructor(
    @Inject(WEBHOOK_RECOVERY_SETTINGS) private readonly settings: WebhookRecoverySettings,
    private readonly queue: WebhookRecoveryQueue,
    private readonly metrics: DeliveryMetrics,
  ) {}

  start(): void {
    this.running = true;
    this.tick();
  }

  /** Stops the schedule, waits for a run in progress, and gives our leases up. */
  async stop(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    clearTimeout(this.timer);
    await this.current;
    if (wasRunning) await this.queue.release(this.token).catch((e: unknown) => this.errors.warn('recovery lease release failed', e));
  }

  /** One round: lease, then one batch per leased recovery. */
  async runOnce(): Promise<void> {
    const s = this.settings;
    try {
      const ids = await this.queue.lease(this.token, s.leaseMs, s.maxLeased);
      // A round is at most maxLeased short statements: shutdown waits for it rather than cutting it.
      for (const id of ids) {
        const step = await this.queue.step(id, this.token, s.batch, s.backlogBound, s.leaseMs);
        if (!step) {
          if (await this.queue.completeIfWebhookDisabled(id, this.token)) this.logger.warn(`recovery ${id} ended early: its webhook is disabled`);
          continue;
        }
        if (step.moved > 0) this.metrics.recovered.inc(step.moved);
        if (step.status === 'completed') this.logger.log(`recovery ${id} completed`);
      }
    } catch (e) {
      this.errors.warn('recovery round failed', e);
    }
  }

  private tick(): void {
    this.current = this.runOnce().finally(() => {
      if (this.running) this.timer = setTimeout(() => this.tick(), this.settings.intervalMs);
    });
  }
}
