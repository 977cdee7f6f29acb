import type { DataSource, Migration } from 'typeorm';

/** One key for the whole project: every `migrate up`/`down`, from any replica, serialises on it. */
export const MIGRATION_LOCK_KEY = 72_616_001;

export interface LockOptions {
  /** Give up waiting for another migrator after this long. */
  timeoutMs: number;
  log: (msg: string) => void;
}

/**
 * Runs `work` while holding the PostgreSQL session-level advisory lock on a dedicated connection, so that replicas
 * starting at once apply each migration exactly once: the second waits, then finds nothing pending.
 */
export async function withMigrationLock<T>(ds: DataSource, opts: LockOptions, work: () => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    const started = Date.now();
    let announced = false;
    for (;;) {
      const rows = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK_KEY])) as Array<{ locked: boolean }>;
      if (rows[0]?.locked) break;
      if (!announced) {
        const holder = (await runner.query(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted LIMIT 1`, [
          MIGRATION_LOCK_KEY,
        ])) as Array<{ pid: number }>;
        opts.log(`waiting for the migration lock (held by backend pid ${holder[0]?.pid ?? 'unknown'})`);
        announced = true;
      }
      if (Date.now() - started > opts.timeoutMs) {
        throw new Error(`timed out after ${opts.timeoutMs} ms waiting for the migration lock (pg advisory lock ${MIGRATION_LOCK_KEY}); see docs/RUNBOOK.md`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}

export async function migrateUp(ds: DataSource, opts: LockOptions): Promise<Migration[]> {
  return withMigrationLock(ds, opts, () => ds.runMigrations({ transaction: 'each' }));
}

export async function migrateDown(ds: DataSource, opts: LockOptions): Promise<void> {
  await withMigrationLock(ds, opts, () => ds.undoLastMigration({ transaction: 'each' }));
}
