import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { maskText } from '@app/config';
import { buildDataSourceOptions } from './database-options';
import { DATABASE_CONTEXT, DatabaseConnector, type DatabaseContext } from './database-connector.service';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(ctx: DatabaseContext): DynamicModule {
    const poolLogger = new Logger('DatabasePool');
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...buildDataSourceOptions(ctx.env, ctx.url, 'api'),
          autoLoadEntities: true,
          manualInitialization: true,
          poolErrorHandler: (err: Error) => poolLogger.warn(`idle client error: ${maskText(err.message)}`),
        }),
      ],
      providers: [{ provide: DATABASE_CONTEXT, useValue: ctx }, DatabaseConnector],
      exports: [DatabaseConnector, DATABASE_CONTEXT],
    };
  }
}
