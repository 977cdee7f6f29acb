import type { Env } from '@app/config';
import { migrateDown, migrateUp, readMigrationState } from '@app/database';
import { note, withDataSource } from './cli-database';

const out = (line: string) => process.stdout.write(`${line}\n`);

/** `migrate up|status|down` (CONTRACT §4). */
export async function migrate(env: Env, action: 'up' | 'status' | 'down'): Promise<number> {
  return withDataSource(env, async (ds) => {
    const lock = { timeoutMs: env.MIGRATION_LOCK_TIMEOUT_MS, log: note };
    if (action === 'up') {
      const before = await readMigrationState(ds);
      out(`pending before: ${before.pending.length}`);
      const applied = await migrateUp(ds, lock);
      for (const m of applied) out(`applied: ${m.name}`);
      if (applied.length === 0) out('nothing to apply');
    } else if (action === 'down') {
      const before = await readMigrationState(ds);
      if (!before.current) {
        out('nothing to revert');
        return 0;
      }
      await migrateDown(ds, lock);
      out(`reverted: ${before.current}`);
    }
    const state = await readMigrationState(ds);
    out(`current: ${state.current ?? '(none)'}`);
    out(`head: ${state.head ?? '(none)'}`);
    out(`pending: ${state.pending.length}${state.pending.length ? ` (${state.pending.join(', ')})` : ''}`);
    if (state.unknown.length) out(`unknown to this build: ${state.unknown.join(', ')}`);
    if (action === 'status') {
      out(state.atHead ? 'status: head' : 'status: pending');
      return state.atHead ? 0 : 3;
    }
    if (action === 'up') return state.atHead ? 0 : 1;
    return 0;
  });
}
