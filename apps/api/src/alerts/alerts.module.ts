import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { AlertEntity } from './alert.entity';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

@Module({
  imports: [TypeOrmModule.forFeature([AlertEntity, IdempotencyKeyEntity]), DeliveriesModule],
  controllers: [AlertsController],
  providers: [AlertsService],
})
export class AlertsModule {}
