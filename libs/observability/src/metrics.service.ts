import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';

/** A connection pool's figures at scrape time (pg's Pool: totalCount, idleCount, waitingCount, options.max). */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/**
 * The process's Prometheus registry: default process metrics plus whatever features register (health checks,
 * HTTP, deliveries, pools; cache and WebSocket figures from their features). One registry per app instance rather
 * than prom-client's global one, so that several apps in one test process do not collide.
 *
 * Naming (docs/MONITORING.md): `signalgate_<area>_<what>_<unit>`, counters end in `_total`, durations in seconds,
 * labels from small fixed sets only (never an id, a raw path or a URL). Features get their metrics through
 * `counter`/`gauge`/`histogram`, which return the existing metric when the name is already registered, so two
 * modules (or two app instances of a test) sharing a name never throw at boot.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly pools = new Map<string, () => PoolStats | undefined>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const pools = this.pools;
    this.gauge({
      name: 'signalgate_db_pool_connections',
      help: 'Database pool connections by pool (api: TypeORM, delivery: the workers) and state (total, idle, waiting clients).',
      labelNames: ['pool', 'state'],
      collect() {
        this.reset();
        for (const [pool, read] of pools) {
          const s = safely(read);
          if (!s) continue;
          this.set({ pool, state: 'total' }, s.total);
          this.set({ pool, state: 'idle' }, s.idle);
          this.set({ pool, state: 'waiting' }, s.waiting);
        }
      },
    });
    this.gauge({
      name: 'signalgate_db_pool_max',
      help: 'Configured maximum size of each database pool.',
      labelNames: ['pool'],
      collect() {
        this.reset();
        for (const [pool, read] of pools) {
          const s = safely(read);
          if (s) this.set({ pool }, s.max);
        }
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition. Collectors registered here must never throw: one failure fails the whole scrape. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  /** Reports a pool's figures at every scrape (`pool` is a fixed name: `api`, `delivery`). Returns the untrack call. */
  trackPool(pool: string, read: () => PoolStats | undefined): () => void {
    this.pools.set(pool, read);
    return () => {
      if (this.pools.get(pool) === read) this.pools.delete(pool);
    };
  }

  counter<T extends string>(config: Omit<CounterConfiguration<T>, 'registers'>): Counter<T> {
    return (this.registry.getSingleMetric(config.name) as Counter<T> | undefined) ?? new Counter({ ...config, registers: [this.registry] });
  }

  gauge<T extends string>(config: Omit<GaugeConfiguration<T>, 'registers'>): Gauge<T> {
    return (this.registry.getSingleMetric(config.name) as Gauge<T> | undefined) ?? new Gauge({ ...config, registers: [this.registry] });
  }

  histogram<T extends string>(config: Omit<HistogramConfiguration<T>, 'registers'>): Histogram<T> {
    return (this.registry.getSingleMetric(config.name) as Histogram<T> | undefined) ?? new Histogram({ ...config, registers: [this.registry] });
  }
}

function safely<T>(read: () => T | undefined): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
