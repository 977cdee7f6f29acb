import type { QueryConfig } from 'pg';
import type { DataSource } from 'typeorm';
import { pgPoolOf } from './typeorm-pool';

/** What `readMigrationState` and the probes need of a connection: TypeORM's QueryRunner and DataSource fit. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * A query with its own client-side bound, independent of DB_STATEMENT_TIMEOUT_MS (which may be 0). It runs on the
 * pg pool behind the DataSource: when the bound passes, pg fails the query and the pool destroys that client, so
 * a connection silently lost (a dead peer that never answers or resets) is dropped instead of holding the next
 * probe hostage; the next call opens a fresh one.
 */
export function boundedQuery(ds: DataSource, timeoutMs: number): Queryable {
  return {
    query: async (sql: string, params: unknown[] = []) => {
      const pool = pgPoolOf(ds);
      if (!pool) return ds.query(sql, params);
      const config: QueryConfig & { query_timeout: number } = { text: sql, values: params, query_timeout: timeoutMs };
      const result = await pool.query(config);
      return result.rows;
    },
  };
}
