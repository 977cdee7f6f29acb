import type { Env } from '@app/config';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { MIGRATIONS } from '@app/migrations';

export const MIGRATIONS_TABLE = 'migrations';

/**
 * TypeORM options for both targets, built from the validated Env and the resolved database URL
 * (the configured DATABASE_URL, or the embedded development server's). Never `synchronize`: migrations own
 * the schema, listed explicitly because globs find nothing in a bundle.
 */
export function buildDataSourceOptions(env: Env, url: string, target: 'api' | 'cli' | 'test'): PostgresDataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    // Migrations own the schema, extensions included: without this, connecting with uuid entities runs
    // CREATE EXTENSION "uuid-ossp". pgcrypto's name makes generated SQL use gen_random_uuid(), as the schema does.
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    logging: false,
    applicationName: `${env.DB_APPLICATION_NAME}-${target}`,
    connectTimeoutMS: env.DB_CONNECT_TIMEOUT_MS,
    poolSize: env.DB_POOL_SIZE,
    extra: {
      max: env.DB_POOL_SIZE,
      connectionTimeoutMillis: env.DB_CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30000,
      keepAlive: true,
      // Server-side bound, and a client-side one a little later for a server that stopped answering.
      statement_timeout: env.DB_STATEMENT_TIMEOUT_MS || undefined,
      query_timeout: env.DB_STATEMENT_TIMEOUT_MS ? env.DB_STATEMENT_TIMEOUT_MS + 5000 : undefined,
      // No JIT for these short statements: with 1 million historical deliveries the planner's cost estimate for webhook
      // health crossed jit_above_cost and compiling took ~200 ms of a ~30 ms query (bench/retention).
      options: '-c jit=off',
    },
  };
}
