import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { WebhookEntity } from '@app/delivery';
import { WebhookHealthRepository } from './webhook-health.repository';
import { WebhookHealthService } from './webhook-health.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhookUrlPolicy } from './webhook-url-policy';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [TypeOrmModule.forFeature([WebhookEntity]), DeliveriesModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhooksRepository, WebhookHealthService, WebhookHealthRepository, WebhookUrlPolicy],
  exports: [WebhookHealthService],
})
export class WebhooksModule {}
