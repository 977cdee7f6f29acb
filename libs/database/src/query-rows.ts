import type { QueryRunner } from 'typeorm';

/** Raw SQL with rows back whatever the statement (TypeORM returns `[rows, count]` for UPDATE … RETURNING otherwise). */
export async function queryRows<T>(runner: QueryRunner, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = (await runner.query(sql, params, true)) as { records?: T[] };
  return result.records ?? [];
}
