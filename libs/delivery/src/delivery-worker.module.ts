import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '@app/config';
import { AttemptRecorder } from './attempt-recorder';
import { DeliveryClaimLoop } from './delivery-claim-loop';
import { DeliveryDispatcher } from './delivery-dispatcher';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryOutcomeFeed } from './delivery-outcome-feed';
import { DeliveryPool } from './delivery-pool';
import { DeliveryQueueSampler } from './delivery-queue-sampler';
import { DeliveryQueue } from './delivery-queue';
import { DeliverySlots } from './delivery-slots';
import { DeliveryWorker } from './delivery-worker.service';
import { DELIVERY_WORKER_MODE, DELIVERY_WORKER_SETTINGS, type DeliveryWorkerMode, deliveryWorkerSettings } from './delivery-worker.settings';
import { LeaseReaper } from './lease-reaper';
import { RetentionJob } from './retention/retention-job';
import { SendRateLimiter } from './send-rate-limiter';
import { WebhookAutoDisable } from './webhook-auto-disable';
import { WebhookRecoveryQueue } from './webhook-recovery-queue';
import { DEFAULT_RECOVERY_SETTINGS, WEBHOOK_RECOVERY_SETTINGS, WebhookRecoveryRunner } from './webhook-recovery-runner';

/** Delivery workers: inside the API (`api`, off when DELIVERY_CONCURRENCY=0) or in `cli worker` (`standalone`). */
@Module({})
export class DeliveryWorkerModule {
  static forRoot(mode: DeliveryWorkerMode): DynamicModule {
    return {
      module: DeliveryWorkerModule,
      providers: [
        { provide: DELIVERY_WORKER_MODE, useValue: mode },
        {
          provide: DELIVERY_WORKER_SETTINGS,
          inject: [ConfigService, DELIVERY_WORKER_MODE],
          useFactory: (config: ConfigService<Env, true>, m: DeliveryWorkerMode) => deliveryWorkerSettings(config, m),
        },
        DeliveryPool,
        DeliveryQueue,
        DeliverySlots,
        SendRateLimiter,
        WebhookAutoDisable,
        DeliveryOutcomeFeed,
        AttemptRecorder,
        DeliveryDispatcher,
        DeliveryClaimLoop,
        LeaseReaper,
        RetentionJob,
        DeliveryMetrics,
        DeliveryQueueSampler,
        { provide: WEBHOOK_RECOVERY_SETTINGS, useValue: DEFAULT_RECOVERY_SETTINGS },
        WebhookRecoveryQueue,
        WebhookRecoveryRunner,
        DeliveryWorker,
      ],
      exports: [DeliveryWorker],
    };
  }
}
