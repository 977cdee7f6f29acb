import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveryAttemptEntity, DeliveryEntity, DeliveryOutbox, WebhookEntity } from '@app/delivery';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesService } from './deliveries.service';

/** The queue's API (list, get, retry) and the outbox; the worker is DeliveryWorkerModule (libs/delivery). */
@Module({
  imports: [TypeOrmModule.forFeature([DeliveryEntity, DeliveryAttemptEntity, WebhookEntity])],
  controllers: [DeliveriesController],
  providers: [DeliveriesService, DeliveriesRepository, DeliveryOutbox],
  exports: [DeliveriesService, DeliveryOutbox],
})
export class DeliveriesModule {}
