import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveryAttemptEntity, DeliveryEntity, DeliveryOutbox, WebhookEntity, WebhookRouting, WebhookRoutingEntity } from '@app/delivery';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesService } from './deliveries.service';

/** The queue's API (list, get, retry) and the outbox; the worker is DeliveryWorkerModule (libs/delivery). */
@Module({
  imports: [TypeOrmModule.forFeature([DeliveryEntity, DeliveryAttemptEntity, WebhookEntity, WebhookRoutingEntity])],
  controllers: [DeliveriesController],
  providers: [DeliveriesService, DeliveriesRepository, DeliveryOutbox, WebhookRouting],
  exports: [DeliveriesService, DeliveryOutbox, WebhookRouting],
})
export class DeliveriesModule {}
