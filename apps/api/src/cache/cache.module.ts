import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { CacheController } from './cache.controller';
import { CacheService } from './cache.service';

/** The cache endpoints; the cache itself is SignalgateCacheModule (libs/cache), global. */
@Module({
  imports: [WebhooksModule, AlertsModule],
  controllers: [CacheController],
  providers: [CacheService],
  exports: [CacheService],
})
export class CacheApiModule {}
