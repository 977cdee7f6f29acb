import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DATABASE_CONTEXT, type DatabaseContext, DatabaseConnector } from '@app/database';
import { AttemptRecorder } from './attempt-recorder';
import { ChangeOnlyLog } from './change-only-log';
import { DeliveryClaimLoop } from './delivery-claim-loop';
import { DeliveryDispatcher } from './delivery-dispatcher';
import { DeliveryNotifier } from './delivery-notifier';
import { DeliveryPool } from './delivery-pool';
import { DeliveryQueueSampler } from './delivery-queue-sampler';
import { DeliverySlots } from './delivery-slots';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerSettings } from './delivery-worker.settings';
import { LeaseReaper } from './lease-reaper';
import { RetentionJob } from './retention/retention-job';
import { WebhookRecoveryRunner } from './webhook-recovery-runner';

/**
 * The delivery worker's lifecycle: once the database is up, open the workers' pool, LISTEN for new work, start the
 * claim loops and the reaper; on shutdown, drain (stop claiming, let in-flight requests finish, record them).
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeliveryWorker');
  private readonly errors = new ChangeOnlyLog(this.logger);
  private running = false;
  private notifier?: DeliveryNotifier;

  constructor(
    @Inject(DELIVERY_WORKER_SETTINGS) private readonly settings: DeliveryWorkerSettings,
    private readonly connector: DatabaseConnector,
    @Inject(DATABASE_CONTEXT) private readonly database: DatabaseContext,
    private readonly pool: DeliveryPool,
    private readonly slots: DeliverySlots,
    private readonly claimLoop: DeliveryClaimLoop,
    private readonly dispatcher: DeliveryDispatcher,
    private readonly recorder: AttemptRecorder,
    private readonly reaper: LeaseReaper,
    private readonly sampler: DeliveryQueueSampler,
    private readonly retention: RetentionJob,
    private readonly recoveries: WebhookRecoveryRunner,
  ) {}

  get enabled(): boolean {
    return this.settings.loops > 0;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.running = true;
    void this.connector.whenReady().then(() => {
      if (!this.running) return;
      const env = this.database.env;
      this.pool.open((e) => this.errors.warn('idle delivery connection error', e));
      this.notifier = new DeliveryNotifier(this.database.url, `${env.DB_APPLICATION_NAME}-listen`, env.DB_CONNECT_TIMEOUT_MS, () => this.slots.wake.notify());
      this.notifier.start();
      this.claimLoop.start();
      this.reaper.start();
      this.sampler.start();
      this.retention.start();
      this.recoveries.start();
      this.logger.log(`delivery worker started: ${this.settings.loops} claim loop(s), up to ${this.settings.maxInFlight} requests in flight`);
    });
  }

  /** Drain: stop claiming, let in-flight requests finish (each is bounded by WEBHOOK_TIMEOUT_MS), record them. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const reaperStopped = this.reaper.stop();
    const retentionStopped = this.retention.stop();
    const recoveriesStopped = this.recoveries.stop();
    await this.sampler.stop();
    await this.claimLoop.stop();
    await this.slots.drained();
    await this.recorder.drain();
    await reaperStopped;
    await retentionStopped;
    await recoveriesStopped;
    await this.notifier?.stop();
    await this.pool.close();
    this.dispatcher.close();
  }
}
