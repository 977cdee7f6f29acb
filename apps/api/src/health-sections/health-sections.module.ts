import { Global, Module } from '@nestjs/common';
import { DEEP_HEALTH_SECTIONS } from '@app/health';
import { CacheApiModule } from '../cache/cache.module';
import { DashboardModule } from '../dashboard/dashboard.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { CacheHealthSection } from './cache-health.section';
import { WebhooksHealthSection } from './webhooks-health.section';

/** The API's sections of deep health (seed 002: `cache` and `webhooks`), provided to HealthModule's HealthService. */
@Global()
@Module({
  imports: [CacheApiModule, WebhooksModule, DashboardModule],
  providers: [
    CacheHealthSection,
    WebhooksHealthSection,
    {
      provide: DEEP_HEALTH_SECTIONS,
      useFactory: (cache: CacheHealthSection, webhooks: WebhooksHealthSection) => [cache, webhooks],
      inject: [CacheHealthSection, WebhooksHealthSection],
    },
  ],
  exports: [DEEP_HEALTH_SECTIONS],
})
export class HealthSectionsModule {}
