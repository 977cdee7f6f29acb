import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT, type RedisClientValue, RedisBreaker } from '@app/redis';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerSettings } from './delivery-worker.settings';
import { gcraReserve, SEND_RATE_LUA, slotIntervalUs } from './send-rate-gcra';

/** A send may reserve a slot this far ahead and wait for it in process; further than that, it goes back to the queue. */
export const SEND_RATE_MAX_WAIT_MS = 1000;
/** Bound on the per-process fallback's state (one entry per rate-limited webhook seen recently). */
export const SEND_RATE_LOCAL_MAX = 10_000;
const KEY_PREFIX = 'signalgate:send-rate:';

/** Admitted: send at `slotMs` (after waiting `waitMs`). Refused: no slot within the wait allowed; ask again in `retryInMs`. */
export type SendRateDecision = { admitted: true; slotMs: number; waitMs: number } | { admitted: false; retryInMs: number };

type ReservingRedis = Redis & { signalgateSendRate(key: string, intervalUs: number, maxWaitUs: number): Promise<number[]> };

/**
 * Per-webhook send rate shared by every process: the GCRA of send-rate-gcra.ts in one Redis script per send. When
 * Redis is not configured, down, or slower than its command timeout, each process falls back to its share of the
 * rate (rate / DELIVERY_RATE_FALLBACK_PROCESSES) on its own clock: sends go on, more slowly, never lost. The
 * outage handling is the shared RedisBreaker (@app/redis), as for the API's rate-limit storage.
 */
@Injectable()
export class SendRateLimiter {
  private readonly localTat = new Map<string, number>();
  private readonly fallbackShare: number;
  private readonly breaker: RedisBreaker<ReservingRedis>;

  constructor(
    @Inject(DELIVERY_WORKER_SETTINGS) settings: Pick<DeliveryWorkerSettings, 'rateFallbackProcesses' | 'redisTimeoutMs'>,
    @Inject(REDIS_CLIENT) redis: RedisClientValue,
  ) {
    this.fallbackShare = settings.rateFallbackProcesses;
    const share = this.fallbackShare;
    if (redis && typeof (redis as unknown as Record<string, unknown>).signalgateSendRate !== 'function') {
      redis.defineCommand('signalgateSendRate', { numberOfKeys: 1, lua: SEND_RATE_LUA });
    }
    this.breaker = new RedisBreaker(redis as ReservingRedis | null, {
      context: 'SendRate',
      timeoutMs: settings.redisTimeoutMs,
      what: 'send-rate check',
      downMessage: (why) => `Redis unavailable for webhook send rates (${why}): each process sends at rate / ${share} until it answers again`,
      upMessage: 'Redis answers again: webhook send rates are shared across processes again',
      absentMessage: `webhook send rates are per process (rate / ${share}): REDIS_URL is not set`,
    });
  }

  /** True while sends are paced per process because Redis failed. */
  get degraded(): boolean {
    return this.breaker.degraded;
  }

  reserve(webhookId: string, ratePerSecond: number, maxWaitMs: number): Promise<SendRateDecision> {
    return this.breaker.run<SendRateDecision>(
      async (redis) => {
        const reply = await redis.signalgateSendRate(KEY_PREFIX + webhookId, slotIntervalUs(ratePerSecond), maxWaitMs * 1000);
        const [admitted, a, b] = reply.map(Number);
        return admitted === 1 ? { admitted: true, slotMs: a / 1000, waitMs: b / 1000 } : { admitted: false, retryInMs: Math.ceil(a / 1000) };
      },
      () => this.reserveLocally(webhookId, ratePerSecond, maxWaitMs),
    );
  }

  /** The per-process share: the same GCRA with the interval multiplied by the number of processes sharing the rate. */
  private reserveLocally(webhookId: string, ratePerSecond: number, maxWaitMs: number): SendRateDecision {
    const nowUs = Date.now() * 1000;
    const d = gcraReserve(this.localTat.get(webhookId) ?? 0, nowUs, slotIntervalUs(ratePerSecond, this.fallbackShare), maxWaitMs * 1000);
    if (!d.admitted) return { admitted: false, retryInMs: Math.ceil(d.retryInUs / 1000) };
    if (this.localTat.size >= SEND_RATE_LOCAL_MAX) this.pruneLocal(nowUs);
    this.localTat.delete(webhookId);
    this.localTat.set(webhookId, d.nextTatUs);
    return { admitted: true, slotMs: d.slotUs / 1000, waitMs: (d.slotUs - nowUs) / 1000 };
  }

  /** Entries whose TAT has passed carry no information; past the bound, the oldest inserted go too. */
  private pruneLocal(nowUs: number): void {
    for (const [id, tat] of this.localTat) if (tat <= nowUs) this.localTat.delete(id);
    for (const id of this.localTat.keys()) {
      if (this.localTat.size < SEND_RATE_LOCAL_MAX) break;
      this.localTat.delete(id);
    }
  }
}
