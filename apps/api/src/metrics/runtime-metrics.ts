import { Inject, Injectable, type OnModuleDestroy, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pgPoolOf } from '@app/database';
import { MetricsService, type PoolStats } from '@app/observability';
import { REDIS_CLIENT, type RedisClientValue } from '@app/redis';

/** What a pg Pool exposes (TypeORM's PostgresDriver keeps it as `master`). */
interface PgPoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

export function pgPoolStats(pool: PgPoolLike | undefined): PoolStats | undefined {
  if (!pool || typeof pool.totalCount !== 'number') return undefined;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options?.max ?? 10 };
}

/**
 * The API process's dependency figures, read at scrape time from memory (no I/O): the TypeORM pool as
 * `signalgate_db_pool_connections{pool="api"}` and whether the Redis client is connected (`signalgate_redis_up`;
 * absent when Redis is not configured, which readiness reports as `disabled`).
 */
@Injectable()
export class RuntimeMetrics implements OnModuleDestroy {
  private readonly untrack: () => void;

  constructor(metrics: MetricsService, dataSource: DataSource, @Inject(REDIS_CLIENT) redis: RedisClientValue) {
    this.untrack = metrics.trackPool('api', () => pgPoolStats(pgPoolOf(dataSource)));
    if (redis) {
      metrics.gauge({
        name: 'signalgate_redis_up',
        help: 'Whether the Redis client is connected and ready: 1 yes, 0 no.',
        collect() {
          this.set(redis.status === 'ready' ? 1 : 0);
        },
      });
    }
  }

  onModuleDestroy(): void {
    this.untrack();
  }
}

@Module({ providers: [RuntimeMetrics] })
export class RuntimeMetricsModule {}
