import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChangeOnlyLog } from '../change-only-log';
import { DeliveryMetrics } from '../delivery-metrics';
import { DeliveryPool } from '../delivery-pool';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerSettings } from '../delivery-worker.settings';
import { type PassOutcome, runRetentionPass } from './retention-pass';
import { retentionCutoffs } from './retention-settings';
import { RetentionStore } from './retention-store';

/**
 * Every RETENTION_INTERVAL_MS (after the previous run finished; 0 = off): one retention pass where the delivery
 * workers run (API replicas, `cli worker`). Only one process prunes at a time: the pass holds a session advisory lock
 * on one pooled connection, taken and released on that same connection (a connection whose unlock failed is
 * destroyed, never returned to the pool still holding the lock). docs/RETENTION.md.
 */
@Injectable()
export class RetentionJob {
  private readonly logger = new Logger('Retention');
  private readonly errors = new ChangeOnlyLog(this.logger);
  private running = false;
  private timer?: NodeJS.Timeout;
  private current: Promise<void> = Promise.resolve();

  constructor(
    @Inject(DELIVERY_WORKER_SETTINGS) private readonly settings: Pick<DeliveryWorkerSettings, 'retention'>,
    private readonly pool: DeliveryPool,
    private readonly metrics: DeliveryMetrics,
  ) {}

  start(): void {
    if (this.settings.retention.intervalMs <= 0) return;
    this.running = true;
    // The first run comes 1-2 s after start (or after one interval if shorter), then one interval after each run.
    this.timer = setTimeout(() => this.tick(), Math.min(this.settings.retention.intervalMs, 1000 + Math.random() * 1000));
  }

  /** Stops the schedule; a pass in progress stops after its current batch. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.current;
  }

  /** One pass now (the schedule calls this); never throws. */
  async runOnce(): Promise<PassOutcome | undefined> {
    const s = this.settings.retention;
    const started = Date.now();
    let client: Awaited<ReturnType<DeliveryPool['client']>> | undefined;
    let broken: Error | undefined;
    try {
      client = await this.pool.client();
      const outcome = await runRetentionPass(new RetentionStore(client), s, retentionCutoffs(s, new Date()), () => !this.running);
      this.record(outcome, Date.now() - started);
      return outcome;
    } catch (e) {
      broken = e instanceof Error ? e : new Error(String(e));
      this.errors.warn('retention pass failed', e);
      return undefined;
    } finally {
      // After a failure the connection may still hold the lock (unlock failed) or be mid-transaction: destroy it.
      client?.release(broken);
    }
  }

  private record(o: PassOutcome, ms: number): void {
    if (!o.ran) {
      this.logger.log(`retention run skipped: another process holds the retention lock (${ms} ms)`);
      return;
    }
    const m = this.metrics.retentionPruned;
    m.inc({ table: 'deliveries' }, o.succeeded + o.failed);
    m.inc({ table: 'delivery_attempts' }, o.attempts);
    m.inc({ table: 'alerts' }, o.alerts);
    this.logger.log(
      `retention run: deleted ${o.succeeded} succeeded + ${o.failed} failed deliveries, ${o.attempts} attempts, ${o.alerts} alerts ` +
        `in ${o.batches} batches, ${ms} ms${o.stopped ? ' (stopped early: shutting down)' : ''}`,
    );
  }

  private tick(): void {
    this.current = this.runOnce().then(() => {
      if (this.running) this.timer = setTimeout(() => this.tick(), this.settings.retention.intervalMs);
    });
  }
}
