import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The pg.Pool behind a TypeORM DataSource: TypeORM's postgres driver keeps it in `driver.master`, which is not public
 * API. This is the one place that reads it (typeorm-pool.spec.ts fails if TypeORM moves it). Undefined before the
 * DataSource is initialized (or on a driver without one).
 */
export function pgPoolOf(ds: DataSource): Pool | undefined {
  return (ds.driver as unknown as { master?: Pool } | undefined)?.master;
}
