import { Logger } from '@nestjs/common';
import { maskText } from '@app/config';
import { withDeadline } from './deadline';

/** After a failed Redis call, this long goes to the in-memory fallback before Redis is tried again. */
export const REDIS_BREAKER_COOL_DOWN_MS = 1_000;

/** `up`: calls go to Redis. `down`: Redis failed; the fallback answers until a probe after the cool-down succeeds. `absent`: no Redis configured. */
export type RedisBreakerState = 'up' | 'down' | 'absent';

/** The client's connection state is all the breaker reads (ioredis: 'ready' when commands can go out). */
export interface RedisStatus {
  readonly status: string;
}

export interface RedisBreakerOptions {
  /** The logger context (e.g. 'RateLimit'). */
  context: string;
  /** Bound on one Redis call (withDeadline); past it the call counts as a failure. */
  timeoutMs: number;
  /** Named in the deadline error: "rate-limit check". */
  what: string;
  /** Logged (warn) once when Redis fails, with the masked reason. */
  downMessage: (why: string) => string;
  /** Logged once when Redis answers again. */
  upMessage: string;
  /** Logged once at construction when there is no client. */
  absentMessage?: string;
  coolDownMs?: number;
}

/**
 * The one way a feature survives a Redis outage: `run(work, fallback)` sends the call to Redis while the client is
 * ready, bounded by `timeoutMs`; a rejection, a timeout or a client that is not connected opens the breaker: the
 * in-memory `fallback` answers, Redis is left alone for the cool-down and then probed again by the next call. The
 * transition is logged once each way (never per call), and `state` says where calls go. Without a client (Redis not
 * configured outside strict mode) every call goes to the fallback.
 */
export class RedisBreaker<C extends RedisStatus> {
  private readonly logger: Logger;
  private readonly coolDownMs: number;
  private downUntil = 0;
  private outage = false;

  constructor(
    private readonly client: C | null,
    private readonly options: RedisBreakerOptions,
  ) {
    this.logger = new Logger(options.context);
    this.coolDownMs = options.coolDownMs ?? REDIS_BREAKER_COOL_DOWN_MS;
    if (!client && options.absentMessage) this.logger.log(options.absentMessage);
  }

  get state(): RedisBreakerState {
    if (!this.client) return 'absent';
    return this.outage ? 'down' : 'up';
  }

  /** True while calls go to the fallback because Redis failed. */
  get degraded(): boolean {
    return this.outage;
  }

  async run<T>(work: (client: C) => Promise<T>, fallback: () => T): Promise<T> {
    const client = this.client;
    if (client && client.status === 'ready' && Date.now() >= this.downUntil) {
      try {
        const value = await withDeadline(work(client), this.options.timeoutMs, this.options.what);
        if (this.outage) {
          this.outage = false;
          this.logger.log(this.options.upMessage);
        }
        return value;
      } catch (e) {
        this.failed(e);
      }
    } else if (client && !this.outage && client.status !== 'ready') {
      this.failed(new Error(`client not connected (state: ${client.status})`));
    }
    return fallback();
  }

  private failed(e: unknown): void {
    this.downUntil = Date.now() + this.coolDownMs;
    if (!this.outage) {
      this.outage = true;
      this.logger.warn(this.options.downMessage(maskText(e instanceof Error ? e.message : String(e))));
    }
  }
}
