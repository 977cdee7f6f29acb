import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DrainState } from './drain-state.service';
import { HealthMetrics } from './health-metrics';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { DatabaseIndicator } from './indicators/database.indicator';
import { RedisIndicator } from './indicators/redis.indicator';
import { ReadinessService } from './readiness.service';

/**
 * Probes and readiness (CONTRACT §3). Needs the global DatabaseModule, SignalgateRedisModule, MetricsModule and
 * ConfigModule. Terminus's own logging is off: ReadinessService logs a failing check when its state changes.
 * Terminus's graceful-shutdown delay is not used: the drain sequence lives in apps/api/src/shutdown-sequence.ts (DrainState).
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [DrainState, HealthMetrics, DatabaseIndicator, RedisIndicator, ReadinessService, HealthService],
  exports: [DrainState, ReadinessService],
})
export class HealthModule {}
