import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { WebhookEntity } from '@app/delivery';
import { WebhookHealthService } from './webhook-health.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [TypeOrmModule.forFeature([WebhookEntity]), DeliveriesModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookHealthService],
})
export class WebhooksModule {}
