import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AlertsModule } from './alerts/alerts.module';
import { AuthModule } from './auth/auth.module';
import { CacheApiModule } from './cache/cache.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { GlobalExceptionFilter } from './common/global-exception.filter';
import { createValidationPipe } from './common/validation.pipe';
import { DeliveryWorkerModule } from '@app/delivery';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { EventTypesModule } from './event-types/event-types.module';
import { HealthSectionsModule } from './health-sections/health-sections.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The domain API under /api/v1 (CONTRACT §5): auth, webhooks, alerts, deliveries, cache, the event catalogue, and the in-process delivery
 * workers. Also registers the one global exception filter and validation pipe (they apply app-wide, which is what
 * the probes want too). Routes are guarded per controller, so health, version and metrics stay public; the rate
 * limit guard is app-wide but only counts /api/v1.
 */
@Module({
  imports: [
    AuthModule,
    RateLimitModule,
    WebhooksModule,
    AlertsModule,
    DeliveriesModule,
    CacheApiModule,
    EventTypesModule,
    DeliveryWorkerModule.forRoot('api'),
    DashboardModule,
    HealthSectionsModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: GlobalExceptionFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
export class ApiV1Module {}
