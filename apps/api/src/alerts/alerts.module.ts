import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { AlertEntity } from './alert.entity';
import { AlertIntake } from './alert-intake';
import { AlertsController } from './alerts.controller';
import { AlertsRepository } from './alerts.repository';
import { AlertsService } from './alerts.service';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { IdempotencyKeyStore } from './idempotency-key.store';

@Module({
  imports: [TypeOrmModule.forFeature([AlertEntity, IdempotencyKeyEntity]), DeliveriesModule],
  controllers: [AlertsController],
  providers: [AlertsService, AlertIntake, AlertsRepository, IdempotencyKeyStore],
  exports: [AlertsService],
})
export class AlertsModule {}
