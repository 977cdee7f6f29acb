import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TwoTierCache } from '@app/cache';
import type { Env } from '@app/config';
import { type HealthRow, WebhookHealthRepository } from './webhook-health.repository';

export const DEGRADED_CONSECUTIVE_FAILURES = 4;
export const DEGRADED_FAILURE_RATIO = 0.7;
export const DEGRADED_MIN_ATTEMPTS = 10;

export type HealthState = 'healthy' | 'degraded' | 'disabled';

/** Health per webhook: the figures come from WebhookHealthRepository, the verdict from `healthState`. */
@Injectable()
export class WebhookHealthService {
  private readonly ttlMs: number;

  constructor(
    private readonly health: WebhookHealthRepository,
    private readonly cache: TwoTierCache,
    config: ConfigService<Env, true>,
  ) {
    this.ttlMs = config.get('CACHE_HEALTH_TTL_MS', { infer: true });
  }

  /** Cached for CACHE_HEALTH_TTL_MS (delivery outcomes change it without invalidating); webhook writes drop it. */
  async all(): Promise<ReturnType<typeof toHealthView>[]> {
    return this.cache.getOrLoad('health', 'all', async () => (await this.health.all()).map(toHealthView), this.ttlMs);
  }

  async degraded(): Promise<ReturnType<typeof toHealthView>[]> {
    return this.cache.getOrLoad('health', 'degraded', async () => (await this.all()).filter((h) => h.state !== 'healthy'), this.ttlMs);
  }
}

export function healthState(r: Pick<HealthRow, 'is_active' | 'consecutive_failures' | 'window_attempts' | 'window_failures'>): HealthState {
  if (!r.is_active) return 'disabled';
  if (r.consecutive_failures >= DEGRADED_CONSECUTIVE_FAILURES) return 'degraded';
  if (r.window_attempts >= DEGRADED_MIN_ATTEMPTS && r.window_failures / r.window_attempts >= DEGRADED_FAILURE_RATIO) return 'degraded';
  return 'healthy';
}

function toHealthView(r: HealthRow) {
  return {
    webhook_id: r.id,
    name: r.name,
    state: healthState(r),
    disabled_reason: r.is_active ? null : r.disabled_reason,
    attempts: r.attempts,
    failures: r.failures,
    success_rate: r.attempts ? Math.round(((r.attempts - r.failures) / r.attempts) * 10000) / 10000 : null,
    p95_latency_ms: r.p95_ms === null ? null : Math.round(Number(r.p95_ms)),
    consecutive_failures: r.consecutive_failures,
    last_attempt_at: r.last_attempt_at,
    last_success_at: r.last_success_at,
  };
}
