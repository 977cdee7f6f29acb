import { Injectable } from '@nestjs/common';
import { TwoTierCache } from '@app/cache';
import { AlertsService } from '../alerts/alerts.service';
import { WebhookHealthService } from '../webhooks/webhook-health.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { ValidationFailedException } from '../common/api-errors';
import type { InvalidateCacheDto } from './dto/invalidate-cache.dto';

/** Seed 002's cache endpoints over the process's TwoTierCache. */
@Injectable()
export class CacheService {
  constructor(
    private readonly cache: TwoTierCache,
    private readonly webhooks: WebhooksService,
    private readonly health: WebhookHealthService,
    private readonly alerts: AlertsService,
  ) {}

  /** Seed 002's fields first (hits count either layer; a miss is a database read), then per layer. */
  stats() {
    const c = this.cache.counts;
    const hits = c.l1Hits + c.l2Hits;
    const s = this.cache.settings;
    return {
      hit_rate: hits + c.loads === 0 ? 0 : Math.round((hits / (hits + c.loads)) * 10000) / 10000,
      cache_hits: hits,
      cache_misses: c.loads,
      current_size_bytes: this.cache.l1Bytes,
      enabled: s.enabled,
      l1: {
        status: s.enabled ? 'available' : 'disabled',
        hits: c.l1Hits,
        misses: c.l1Misses,
        entries: this.cache.l1Items,
        max_entries: s.l1MaxItems,
        ttl_ms: s.l1TtlMs,
        size_bytes: this.cache.l1Bytes,
      },
      l2: { status: s.enabled ? this.cache.l2Status : 'disabled', hits: c.l2Hits, misses: c.l2Misses, errors: c.l2Errors, ttl_ms: s.l2TtlMs },
      bus: { status: s.enabled ? this.cache.busStatus : 'disabled', published: c.published, received: c.received },
    };
  }

  async warm() {
    const started = performance.now();
    if (!this.cache.settings.enabled) return { status: 'success' as const, warmed_entries: 0, duration_ms: 0 };
    const [webhooks, alerts] = await Promise.all([this.webhooks.warm(), this.alerts.warm(), this.health.all(), this.health.degraded()]);
    return { status: 'success' as const, warmed_entries: webhooks + alerts + 2, duration_ms: Math.round(performance.now() - started) };
  }

  async invalidate(dto: InvalidateCacheDto) {
    if (dto.key !== undefined && dto.namespace === undefined) throw ValidationFailedException.field('key', 'needs a namespace');
    const dropped = await this.cache.invalidate(dto.namespace, dto.key);
    return {
      status: 'success' as const,
      scope: dto.key !== undefined ? 'key' : dto.namespace !== undefined ? 'namespace' : 'all',
      namespace: dto.namespace ?? null,
      key: dto.key ?? null,
      dropped,
    };
  }
}
