import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { SignalgateCacheModule } from '@app/cache';
import { type Env, maskText } from '@app/config';
import { DatabaseModule, resolveDatabaseUrl } from '@app/database';
import { MetricsModule, MetricsService, ObservabilityModule } from '@app/observability';
import { SignalgateRedisModule } from '@app/redis';
import { DeliveryWorkerModule } from '@app/delivery';
import { registerBuildInfo } from '@app/health';
import { note } from './cli-database';
import { startWorkerMetricsServer } from './worker-metrics-server';

/**
 * `cli worker`: the delivery workers without the HTTP server. Several of these and the API's in-process workers
 * share one queue safely (SKIP LOCKED claims, fenced leases). SIGTERM/SIGINT drain in-flight deliveries, exit 0.
 */
export async function worker(env: Env): Promise<number> {
  const database = await resolveDatabaseUrl(env, note);
  @Module({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, skipProcessEnv: true, validatePredefined: false, load: [() => ({ ...env })] }),
      ObservabilityModule.forRoot(env),
      DatabaseModule.forRoot({ env, url: database.url, migrateOnBoot: false }),
      // Redis: the cache publishes invalidations (a webhook it disables) and the live event bus carries delivery
      // outcomes to the API replicas' dashboards.
      SignalgateRedisModule.forRoot(env),
      MetricsModule,
      SignalgateCacheModule.forRoot(env),
      DeliveryWorkerModule.forRoot('standalone'),
    ],
  })
  class WorkerModule {}

  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  await app.init();
  // Prometheus scrapes the worker here (WORKER_METRICS_PORT; 0 = off): the delivery figures and its pool.
  registerBuildInfo(app.get(MetricsService));
  const metricsServer = env.WORKER_METRICS_PORT > 0 ? await startWorkerMetricsServer(app.get(MetricsService), env.WORKER_METRICS_PORT, env.HOST) : undefined;
  if (metricsServer) note(`metrics on http://${env.HOST}:${env.WORKER_METRICS_PORT}/metrics`);
  note('delivery worker running; SIGTERM drains and exits');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  const hardCap = setTimeout(() => {
    note('drain exceeded SHUTDOWN_TIMEOUT_MS; exiting');
    process.exit(1);
  }, env.SHUTDOWN_TIMEOUT_MS);
  try {
    metricsServer?.closeAllConnections();
    metricsServer?.close();
    await app.close();
  } catch (e) {
    note(`shutdown error: ${maskText(e instanceof Error ? e.message : String(e))}`);
  } finally {
    clearTimeout(hardCap);
    if (database.embedded?.owned) await database.embedded.stop().catch(() => undefined);
  }
  return 0;
}
