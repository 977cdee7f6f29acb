import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { pgPoolOf } from './typeorm-pool';

/** Where `queryRows` runs: a TypeORM QueryRunner (a transaction's), or a pg pool or client (the delivery pool). */
export type RowSource = QueryRunner | Pick<Pool, 'query'>;

/**
 * Raw SQL with the rows back whatever the statement: on a QueryRunner, through its structured result (TypeORM
 * returns `[rows, count]` for UPDATE … RETURNING otherwise); on pg, the result's `rows`.
 */
export async function queryRows<T>(db: RowSource, sql: string, params: unknown[] = []): Promise<T[]> {
  if ('manager' in db) {
    const result = (await db.query(sql, params, true)) as { records?: T[] };
    return result.records ?? [];
  }
  return (await db.query(sql, params)).rows as T[];
}

/** Statement names by SQL text: a few texts each, so the map stays small. */
const statementNames = new Map<string, string>();

/**
 * `queryRows` as a named prepared statement: each pooled connection parses and plans the text once, and later runs
 * only bind and execute. For a hot, long statement (the intake upsert: CTEs, a fan-out join) that saved ~0.7 ms of
 * PostgreSQL CPU per run (bench/intake). Runs on the transaction's connection when given, else on the pool behind the
 * DataSource (as `boundedQuery` does). Errors are pg's own (`code`, `column`), not wrapped by TypeORM. Not behind a
 * transaction-pooling PgBouncer older than 1.21, which cannot keep a statement per client.
 */
export async function preparedRows<T>(ds: DataSource, tx: EntityManager | undefined, sql: string, params: unknown[]): Promise<T[]> {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `sg_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  const config: QueryConfig = { name, text: sql, values: params };
  if (tx?.queryRunner) {
    const client = (await tx.queryRunner.connect()) as PoolClient;
    return (await client.query(config)).rows as T[];
  }
  const pool = pgPoolOf(ds);
  if (!pool) return (await ds.query(sql, params)) as T[];
  return (await pool.query(config)).rows as T[];
}
