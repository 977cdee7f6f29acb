import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type Redis from 'ioredis';
import { maskText } from '@app/config';
import { REDIS_CLIENT } from '@app/redis';
import { DELIVERY_WORKER_SETTINGS, type DeliveryWorkerSettings } from './delivery-worker.settings';
import { gcraReserve, SEND_RATE_LUA, slotIntervalUs } from './send-rate-gcra';

/** A send may reserve a slot this far ahead and wait for it in process; further than that, it goes back to the queue. */
export const SEND_RATE_MAX_WAIT_MS = 1000;
/** After a failed Redis call, this long goes to the per-process share before Redis is tried again. */
export const SEND_RATE_REDIS_RETRY_MS = 1000;
/** Bound on the per-process fallback's state (one entry per rate-limited webhook seen recently). */
export const SEND_RATE_LOCAL_MAX = 10_000;
const KEY_PREFIX = 'signalgate:send-rate:';

/** Admitted: send at `slotMs` (after waiting `waitMs`). Refused: no slot within the wait allowed; ask again in `retryInMs`. */
export type SendRateDecision = { admitted: true; slotMs: number; waitMs: number } | { admitted: false; retryInMs: number };

type ReservingRedis = Redis & { signalgateSendRate(key: string, intervalUs: number, maxWaitUs: number): Promise<number[]> };

/**
 * Per-webhook send rate shared by every process: the GCRA of send-rate-gcra.ts in one Redis script per send. When
 * Redis is not configured, down, or slower than its command timeout, each process falls back to its share of the
 * rate (rate / DELIVERY_RATE_FALLBACK_PROCESSES) on its own clock: sends go on, more slowly, never lost. Logged
 * once per outage and once on return, as the API's rate-limit storage does.
 */
@Injectable()
export class SendRateLimiter {
  private readonly logger = new Logger('SendRate');
  private readonly redis: ReservingRedis | null;
  private readonly localTat = new Map<string, number>();
  private readonly fallbackShare: number;
  private readonly timeoutMs: number;
  private redisDownUntil = 0;
  private outage = false;
  private perProcessLogged = false;

  constructor(
    @Inject(DELIVERY_WORKER_SETTINGS) settings: Pick<DeliveryWorkerSettings, 'rateFallbackProcesses' | 'redisTimeoutMs'>,
    @Optional() @Inject(REDIS_CLIENT) redis?: Redis | null,
  ) {
    this.fallbackShare = settings.rateFallbackProcesses;
    this.timeoutMs = settings.redisTimeoutMs;
    if (redis) {
      if (typeof (redis as unknown as Record<string, unknown>).signalgateSendRate !== 'function') {
        redis.defineCommand('signalgateSendRate', { numberOfKeys: 1, lua: SEND_RATE_LUA });
      }
      this.redis = redis as ReservingRedis;
    } else {
      this.redis = null;
    }
  }

  /** True while sends are paced per process because Redis failed. */
  get degraded(): boolean {
    return this.outage;
  }

  async reserve(webhookId: string, ratePerSecond: number, maxWaitMs: number): Promise<SendRateDecision> {
    const redis = this.redis;
    if (redis && redis.status === 'ready' && Date.now() >= this.redisDownUntil) {
      try {
        const reply = await this.withDeadline(redis.signalgateSendRate(KEY_PREFIX + webhookId, slotIntervalUs(ratePerSecond), maxWaitMs * 1000));
        if (this.outage) {
          this.outage = false;
          this.logger.log('Redis answers again: webhook send rates are shared across processes again');
        }
        const [admitted, a, b] = reply.map(Number);
        return admitted === 1 ? { admitted: true, slotMs: a / 1000, waitMs: b / 1000 } : { admitted: false, retryInMs: Math.ceil(a / 1000) };
      } catch (e) {
        this.redisFailed(e);
      }
    } else if (redis && !this.outage && redis.status !== 'ready') {
      this.redisFailed(new Error(`client not connected (state: ${redis.status})`));
    } else if (!redis && !this.perProcessLogged) {
      this.perProcessLogged = true;
      this.logger.log(`webhook send rates are per process (rate / ${this.fallbackShare}): REDIS_URL is not set`);
    }
    return this.reserveLocally(webhookId, ratePerSecond, maxWaitMs);
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

  private redisFailed(e: unknown): void {
    this.redisDownUntil = Date.now() + SEND_RATE_REDIS_RETRY_MS;
    if (!this.outage) {
      this.outage = true;
      const why = maskText(e instanceof Error ? e.message : String(e));
      this.logger.warn(`Redis unavailable for webhook send rates (${why}): each process sends at rate / ${this.fallbackShare} until it answers again`);
    }
  }

  private withDeadline<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, fail) => {
        timer = setTimeout(() => fail(new Error(`send-rate check took over ${this.timeoutMs} ms`)), this.timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }
}
