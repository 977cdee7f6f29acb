import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Env } from '@app/config';
import { pingRedis, REDIS_CLIENT, type RedisClientValue } from '@app/redis';
import { SingleInflightCall } from '../single-inflight-call';

/**
 * Redis readiness: a bounded PING. No client (REDIS_URL unset) is `disabled`: fine outside strict mode, a failure
 * in strict mode (where the schema requires REDIS_URL anyway, so this is belt and braces).
 */
@Injectable()
export class RedisIndicator {
  readonly ping = new SingleInflightCall<number>('redis');
  private readonly info = new SingleInflightCall<string>('redis-info');
  private readonly strict: boolean;
  /** How long the underlying PING may stay pending: ioredis's own command timeout, never less than the deadline. */
  private readonly commandBoundMs: number;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly client: RedisClientValue,
    config: ConfigService<Env, true>,
  ) {
    this.strict = config.get('STRICT', { infer: true });
    this.commandBoundMs = Math.max(config.get('REDIS_COMMAND_TIMEOUT_MS', { infer: true }), config.get('READINESS_TIMEOUT_MS', { infer: true }));
  }

  async check(key: string, deadlineMs: number): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    const client = this.client;
    if (!client) {
      if (this.strict) return session.down({ detail: 'disabled', latency_ms: 0, error: 'REDIS_URL is not set (required in strict mode)' });
      return session.up({ detail: 'disabled', latency_ms: 0 });
    }
    const r = await this.ping.run(async () => {
      const reply = await pingRedis(client, this.commandBoundMs);
      if (!reply.ok) throw new Error(reply.error);
      return reply.latencyMs;
    }, deadlineMs);
    if (r.ok) return session.up({ detail: 'connected', latency_ms: r.latencyMs });
    return session.down({ detail: 'unreachable', latency_ms: r.latencyMs, error: r.error });
  }

  /** `redis_version` from INFO server, bounded; undefined when disabled or not answering. */
  async serverVersion(deadlineMs: number): Promise<string | undefined> {
    const client = this.client;
    if (!client) return undefined;
    const r = await this.info.run(() => client.info('server'), deadlineMs);
    if (!r.ok) return undefined;
    return /^redis_version:(.+)$/m.exec(r.value)?.[1]?.trim();
  }
}
