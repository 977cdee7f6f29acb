import type { Env } from '@app/config';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { MIGRATIONS } from '@app/migrations';
import { DeadlineClient } from './deadline-client';

export const MIGRATIONS_TABLE = 'migrations';

/**
 * TypeORM options for both targets, built from the validated Env and the resolved database URL
 * (the configured DATABASE_URL, or the embedded development server's). Never `synchronize`: migrations own
 * the schema, listed explicitly because globs find nothing in a bundle.
 */
export function buildDataSourceOptions(env: Env, url: string, target: 'api' | 'cli' | 'test'): PostgresDataSourceOptions {
  const bounds = databaseBounds(env, target);
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
    connectTimeoutMS: bounds.acquireMs,
    poolSize: env.DB_POOL_SIZE,
    // TypeORM's pg driver passes `extra` to pg.Pool as it is.
    extra: buildPgPoolOptions(env.DB_POOL_SIZE, bounds),
  };
}

/**
 * The pg.Pool options of every pool the service opens (TypeORM's, through `extra`, and the delivery workers' own):
 * one place for the settings all of them need; each pool brings its own size and bounds.
 */
export function buildPgPoolOptions(max: number, bounds: DatabaseBounds) {
  return {
    // A query that outlives query_timeout ends its connection, so the pool never hands out a dead one again.
    Client: DeadlineClient,
    max,
    connectionTimeoutMillis: bounds.acquireMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    // Server-side bound, and a client-side one a little later for a server that stopped answering.
    statement_timeout: bounds.statementMs,
    query_timeout: bounds.queryMs,
    // No JIT for these short statements: with 1 million historical deliveries the planner's cost estimate for webhook
    // health crossed jit_above_cost and compiling took ~200 ms of a ~30 ms query (bench/retention); the streak and
    // retention statements run on the delivery pool.
    options: '-c jit=off',
  };
}

/** The client-side margin past the server-side `statement_timeout`: a live server cancels first, cleanly. */
export const QUERY_TIMEOUT_MARGIN_MS = 500;

export interface DatabaseBounds {
  /** pg-pool `connectionTimeoutMillis`: waiting for a free connection, or opening one. */
  acquireMs: number;
  /** PostgreSQL `statement_timeout` (undefined: none). */
  statementMs: number | undefined;
  /** pg `query_timeout`, client-side: a frozen server or a black-holed network is given up on (undefined: none). */
  queryMs: number | undefined;
}

/**
 * The pool's bounds. The API answers requests, so DB_REQUEST_TIMEOUT_MS caps each step a request can wait on
 * (acquire, and each statement on both sides): a hung PostgreSQL is a 503 within about that bound, not a 35 s wait.
 * The CLI (migrations, the worker, retention) keeps DB_STATEMENT_TIMEOUT_MS, with the client giving up 5 s later.
 */
export function databaseBounds(env: Env, target: 'api' | 'cli' | 'test'): DatabaseBounds {
  if (target === 'cli') {
    return {
      acquireMs: env.DB_CONNECT_TIMEOUT_MS,
      statementMs: env.DB_STATEMENT_TIMEOUT_MS || undefined,
      queryMs: env.DB_STATEMENT_TIMEOUT_MS ? env.DB_STATEMENT_TIMEOUT_MS + 5000 : undefined,
    };
  }
  const request = env.DB_REQUEST_TIMEOUT_MS;
  const statementMs = env.DB_STATEMENT_TIMEOUT_MS ? Math.min(env.DB_STATEMENT_TIMEOUT_MS, request) : request;
  return { acquireMs: Math.min(env.DB_CONNECT_TIMEOUT_MS, request), statementMs, queryMs: statementMs + QUERY_TIMEOUT_MARGIN_MS };
}
