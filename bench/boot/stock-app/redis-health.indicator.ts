import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';

@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    private readonly indicators: HealthIndicatorService,
    config: ConfigService,
  ) {
    this.redis = new Redis(config.getOrThrow<string>('REDIS_URL'), { maxRetriesPerRequest: 1, connectTimeout: 1000 });
  }

  async isHealthy(key: string) {
    const check = this.indicators.check(key);
    try {
      await this.redis.ping();
      return check.up();
    } catch (e) {
      return check.down({ message: e instanceof Error ? e.message : String(e) });
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
