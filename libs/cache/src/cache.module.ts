import { DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Counter, Gauge } from 'prom-client';
import type { Env } from '@app/config';
import { DATABASE_CONTEXT, DatabaseConnector, type DatabaseContext, type DatabaseIdentity } from '@app/database';
import { MetricsService } from '@app/observability';
import { REDIS_CLIENT, type RedisClientValue } from '@app/redis';
import { type CacheObserver, TwoTierCache } from './two-tier-cache';

/** Prometheus figures of the cache (names agreed with operations): hits and misses per layer, L1 size, bus messages. */
export function cacheMetrics(metrics: MetricsService, cache: () => TwoTierCache | undefined): CacheObserver {
  const registers = [metrics.registry];
  const hits = new Counter({ name: 'signalgate_cache_hits_total', help: 'Cache hits per layer (l1, l2).', labelNames: ['layer'], registers });
  const misses = new Counter({ name: 'signalgate_cache_misses_total', help: 'Cache misses per layer (l1, l2).', labelNames: ['layer'], registers });
  const bus = new Counter({
    name: 'signalgate_cache_bus_messages_total',
    help: 'Invalidation bus messages, published by this process or received by it.',
    labelNames: ['direction'],
    registers,
  });
  new Gauge({
    name: 'signalgate_cache_l1_entries',
    help: 'Entries in this process L1.',
    registers,
    collect() {
      this.set(cache()?.l1Items ?? 0);
    },
  });
  new Gauge({
    name: 'signalgate_cache_l1_size_bytes',
    help: 'Approximate serialized size of this process L1.',
    registers,
    collect() {
      this.set(cache()?.l1Bytes ?? 0);
    },
  });
  return {
    hit: (layer) => hits.inc({ layer }),
    miss: (layer) => misses.inc({ layer }),
    bus: (direction) => bus.inc({ direction }),
  };
}

/**
 * Starts the bus and scopes the cache once the database has said what it is (read in the connect round trip, so
 * boot waits for nothing; until then the cache reads through).
 */
@Injectable()
export class CacheLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Cache');

  constructor(
    @Inject(TwoTierCache) private readonly cache: TwoTierCache,
    private readonly connector: DatabaseConnector,
    @Inject(DATABASE_CONTEXT) private readonly database: DatabaseContext,
  ) {}

  onModuleInit(): void {
    this.cache.startBus();
    void this.connector.whenIdentified().then((identity) => {
      if (!identity)
        this.logger.warn('cache scoped by the database URL: this role may not read pg_control_system(), so replicas must spell DATABASE_URL alike');
      this.cache.scopeTo(identity ? cacheScope(identity) : cacheScopeOfUrl(this.database.url));
    });
  }

  onApplicationShutdown(): void {
    this.cache.stop();
  }
}

@Global()
@Module({})
export class SignalgateCacheModule {
  /** The shared layers are scoped by the identity of the database the cached reads come from (DatabaseModule). */
  static forRoot(env: Env): DynamicModule {
    return {
      module: SignalgateCacheModule,
      providers: [
        {
          provide: TwoTierCache,
          inject: [REDIS_CLIENT, MetricsService],
          useFactory: (redis: RedisClientValue, metrics: MetricsService) => {
            const holder: { cache?: TwoTierCache } = {};
            const observer = cacheMetrics(metrics, () => holder.cache);
            holder.cache = new TwoTierCache(
              {
                enabled: env.CACHE_ENABLED,
                l1MaxItems: env.CACHE_L1_MAX_ITEMS,
                l1TtlMs: env.CACHE_L1_TTL_MS,
                l2TtlMs: env.CACHE_L2_TTL_MS,
                graceMs: env.CACHE_GRACE_MS,
              },
              redis,
              observer,
            );
            return holder.cache;
          },
        },
        CacheLifecycle,
      ],
      exports: [TwoTierCache],
    };
  }
}

/** A short digest of the database's identity: one database has one scope however its URL spells the host. */
export function cacheScope(identity: DatabaseIdentity): string {
  return digest(`pg:${identity.systemIdentifier}:${identity.databaseOid}`);
}

/** The fallback: a digest of the URL's host, port and name (credentials left out). */
export function cacheScopeOfUrl(databaseUrl: string): string {
  let identity = databaseUrl;
  try {
    const u = new URL(databaseUrl);
    identity = `${u.hostname}:${u.port}${u.pathname}`;
  } catch {
    // not a URL: the digest of the text is still a stable scope
  }
  return digest(identity);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
