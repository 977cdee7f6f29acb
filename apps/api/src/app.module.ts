import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { SignalgateCacheModule } from '@app/cache';
import type { Env } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HealthModule } from '@app/health';
import { MetricsModule, ObservabilityModule } from '@app/observability';
import { SignalgateRedisModule } from '@app/redis';
import { ApiV1Module } from './api-v1.module';
import { HomeModule } from './home/home.module';
import { RuntimeMetricsModule } from './metrics/runtime-metrics';

export interface AppModuleOptions {
  env: Env;
  /** DATABASE_URL, or the embedded server's. */
  databaseUrl: string;
}

@Module({})
export class AppModule {
  static forRoot({ env, databaseUrl }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // The environment was validated against the Joi schema before Nest loaded (libs/config);
        // ConfigService<Env, true> serves that typed object; the environment is not read again.
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          validatePredefined: false,
          load: [() => ({ ...env })],
        }),
        ObservabilityModule.forRoot(env),
        DatabaseModule.forRoot({ env, url: databaseUrl, migrateOnBoot: env.MIGRATE_ON_BOOT && !env.STRICT }),
        SignalgateRedisModule.forRoot(env),
        MetricsModule,
        SignalgateCacheModule.forRoot(env),
        HealthModule,
        HomeModule,
        RuntimeMetricsModule,
        // /api/v1: auth, webhooks, alerts, deliveries; the global exception filter and validation pipe
        ApiV1Module,
      ],
    };
  }
}
