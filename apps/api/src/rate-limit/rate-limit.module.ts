import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import type { Env } from '@app/config';
import { REDIS_CLIENT } from '@app/redis';
import { ApiRateLimitGuard } from './api-rate-limit.guard';
import { isIntakeRoute } from './intake-rate-limit.decorator';
import { RateLimitStorage } from './rate-limit.storage';

/**
 * Rate limits on /api/v1 (CONTRACT §5, "Edge"): @nestjs/throttler with two named limits, `default` and `intake`
 * (routes marked `@IntakeRateLimit()`), counted in Redis by `RateLimitStorage` so every replica shares them.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [ConfigService, REDIS_CLIENT],
      useFactory: (config: ConfigService<Env, true>, redis: Redis | null) => {
        const windowMs = config.get('RATE_LIMIT_WINDOW_SECONDS', { infer: true }) * 1000;
        return {
          storage: new RateLimitStorage(redis, config.get('RATE_LIMIT_REDIS_TIMEOUT_MS', { infer: true })),
          errorMessage: (_context, detail) =>
            `rate limit exceeded: ${detail.limit} requests per ${detail.ttl / 1000} s; retry after ${detail.timeToBlockExpire} s`,
          throttlers: [
            { name: 'default', limit: config.get('RATE_LIMIT_LIMIT', { infer: true }), ttl: windowMs, skipIf: (c) => isIntakeRoute(c) },
            { name: 'intake', limit: config.get('RATE_LIMIT_INTAKE_LIMIT', { infer: true }), ttl: windowMs, skipIf: (c) => !isIntakeRoute(c) },
          ],
        };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ApiRateLimitGuard }],
})
export class RateLimitModule {}
