import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { WebhookEntity, WebhookRecoveryEntity } from '@app/delivery';
import { WebhookHealthRepository } from './webhook-health.repository';
import { WebhookHealthService } from './webhook-health.service';
import { WebhookRecoveryService } from './webhook-recovery.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhookUrlPolicy } from './webhook-url-policy';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [TypeOrmModule.forFeature([WebhookEntity, WebhookRecoveryEntity]), DeliveriesModule],
  controllers: [WebhooksController],
  providers: [WebhookRecoveryService, WebhooksService, WebhooksRepository, WebhookHealthService, WebhookHealthRepository, WebhookUrlPolicy],
  exports: [WebhooksService, WebhookHealthService],
})
export class WebhooksModule {}
