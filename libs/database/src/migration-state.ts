import type { DataSource } from 'typeorm';
import type { Queryable } from './bounded-query';
import { MIGRATIONS_TABLE } from './database-options';

export interface MigrationState {
  /** Migrations the build ships, in order. */
  shipped: string[];
  /** Names recorded in the migrations table, in the order applied. */
  applied: string[];
  pending: string[];
  /** Applied in the database but not shipped by this build (a newer build ran, or a rollback is due). */
  unknown: string[];
  current: string | null;
  head: string | null;
  atHead: boolean;
}

/** Names of the migrations this build ships, in order (TypeORM's name is the class name, `InitXxx`'s `name`). */
export function shippedMigrationNames(ds: DataSource): string[] {
  return ds.migrations.map((m) => m.name ?? m.constructor.name);
}

/** Compares what the database has applied with what the build ships. Read-only: never creates the table. */
export async function readMigrationState(ds: DataSource, runner?: Queryable): Promise<MigrationState> {
  const shipped = shippedMigrationNames(ds);
  const q = runner ?? ds;
  const exists = (await q.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [MIGRATIONS_TABLE])) as Array<{ present: boolean }>;
  let applied: string[] = [];
  if (exists[0]?.present) {
    const rows = (await q.query(`SELECT name FROM "${MIGRATIONS_TABLE}" ORDER BY "timestamp" ASC, id ASC`)) as Array<{ name: string }>;
    applied = rows.map((r) => r.name);
  }
  return compareMigrations(shipped, applied);
}

export function compareMigrations(shipped: string[], applied: string[]): MigrationState {
  const appliedSet = new Set(applied);
  const shippedSet = new Set(shipped);
  const pending = shipped.filter((n) => !appliedSet.has(n));
  const unknown = applied.filter((n) => !shippedSet.has(n));
  return {
    shipped,
    applied,
    pending,
    unknown,
    current: applied.length ? applied[applied.length - 1] : null,
    head: shipped.length ? shipped[shipped.length - 1] : null,
    atHead: pending.length === 0,
  };
}
