import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { validateEnvOrThrow } from '@app/config';
import { TwoTierCache } from '@app/cache';
import { DATABASE_CONTEXT, DatabaseConnector } from '@app/database';
import { MetricsService } from '@app/observability';
import { SignalgateRedisModule } from '@app/redis';
import { DeliveryWorkerModule } from './delivery-worker.module';
import { DeliveryWorker } from './delivery-worker.service';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerMode, type DeliveryWorkerSettings } from './delivery-worker.settings';

/** The module wires every provider from the validated env, as the API and `cli worker` use it. */
async function boot(mode: DeliveryWorkerMode, raw: Record<string, string>, without?: 'cache') {
  const env = validateEnvOrThrow({ ENV: 'test', ...raw });
  const cache = without === 'cache' ? [] : [{ provide: TwoTierCache, useValue: { invalidate: () => Promise.resolve({ l1: 0, l2: 0 }) } }];
  @Global()
  @Module({
    providers: [
      { provide: ConfigService, useValue: { get: (k: keyof typeof env) => env[k] } },
      { provide: DatabaseConnector, useValue: { whenReady: () => new Promise(() => undefined) } },
      { provide: DATABASE_CONTEXT, useValue: { env, url: 'postgresql://unused', migrateOnBoot: false } },
      MetricsService,
      ...cache,
    ],
    exports: [ConfigService, DatabaseConnector, DATABASE_CONTEXT, MetricsService, ...cache],
  })
  class FakeDatabase {}
  const moduleRef = await Test.createTestingModule({
    imports: [FakeDatabase, SignalgateRedisModule.forRoot(env), DeliveryWorkerModule.forRoot(mode)],
  }).compile();
  const settings = moduleRef.get<DeliveryWorkerSettings>(DELIVERY_WORKER_SETTINGS);
  return { worker: moduleRef.get(DeliveryWorker), settings };
}

describe('DeliveryWorkerModule', () => {
  it('api mode: DELIVERY_CONCURRENCY=0 turns the workers off; standalone runs at least one loop', async () => {
    expect((await boot('api', { DELIVERY_CONCURRENCY: '0' })).worker.enabled).toBe(false);
    const standalone = await boot('standalone', { DELIVERY_CONCURRENCY: '0' });
    expect(standalone.worker.enabled).toBe(true);
    expect(standalone.settings.loops).toBe(1);
  });

  it('derives the bounds: per-webhook cap within the total, lease longer than a request, claim batch a quarter window', async () => {
    const { settings } = await boot('api', {
      DELIVERY_CONCURRENCY: '2',
      DELIVERY_MAX_IN_FLIGHT: '40',
      DELIVERY_MAX_IN_FLIGHT_PER_WEBHOOK: '100',
      DELIVERY_BATCH_SIZE: '50',
      DELIVERY_LEASE_MS: '1000',
      WEBHOOK_TIMEOUT_MS: '3000',
      WEBHOOK_RETRY_SCHEDULE: '0,5s',
    });
    expect(settings).toMatchObject({ loops: 2, maxInFlight: 40, maxPerWebhook: 40, minClaim: 10, leaseMs: 8000, retrySchedule: [0, 5000] });
  });

  it('a missing production dependency fails at boot (no silent fallback: here, no cache invalidation)', async () => {
    await expect(boot('standalone', {}, 'cache')).rejects.toThrow(/can't resolve dependencies of the WebhookAutoDisable/);
  });
});
