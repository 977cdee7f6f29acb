import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesService } from './deliveries.service';
import { DeliveryAttemptEntity } from './delivery-attempt.entity';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryOutbox } from './delivery-outbox';
import { DELIVERY_WORKER_MODE, DeliveryWorker, type DeliveryWorkerMode } from './delivery-worker.service';

/** The queue's API (list, get, retry) and the outbox; the worker is in DeliveryWorkerModule. */
@Module({
  imports: [TypeOrmModule.forFeature([DeliveryEntity, DeliveryAttemptEntity])],
  controllers: [DeliveriesController],
  providers: [DeliveriesService, DeliveryOutbox],
  exports: [DeliveriesService, DeliveryOutbox],
})
export class DeliveriesModule {}

/** Delivery workers: inside the API (`api`, off when DELIVERY_CONCURRENCY=0) or in `cli worker` (`standalone`). */
@Module({})
export class DeliveryWorkerModule {
  static forRoot(mode: DeliveryWorkerMode) {
    return {
      module: DeliveryWorkerModule,
      providers: [{ provide: DELIVERY_WORKER_MODE, useValue: mode }, DeliveryWorker],
      exports: [DeliveryWorker],
    };
  }
}
