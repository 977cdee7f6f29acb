import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveryAttemptEntity, DeliveryEntity, DeliveryOutbox } from '@app/delivery';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesService } from './deliveries.service';

/** The queue's API (list, get, retry) and the outbox; the worker is DeliveryWorkerModule (libs/delivery). */
@Module({
  imports: [TypeOrmModule.forFeature([DeliveryEntity, DeliveryAttemptEntity])],
  controllers: [DeliveriesController],
  providers: [DeliveriesService, DeliveryOutbox],
  exports: [DeliveriesService, DeliveryOutbox],
})
export class DeliveriesModule {}
