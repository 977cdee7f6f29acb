import { type DynamicModule, Module } from '@nestjs/common';
import { DELIVERY_WORKER_MODE, DeliveryWorker, type DeliveryWorkerMode } from './delivery-worker.service';

/** Delivery workers: inside the API (`api`, off when DELIVERY_CONCURRENCY=0) or in `cli worker` (`standalone`). */
@Module({})
export class DeliveryWorkerModule {
  static forRoot(mode: DeliveryWorkerMode): DynamicModule {
    return {
      module: DeliveryWorkerModule,
      providers: [{ provide: DELIVERY_WORKER_MODE, useValue: mode }, DeliveryWorker],
      exports: [DeliveryWorker],
    };
  }
}
