import { type Env, maskUrl } from '@app/config';
import { readMigrationState } from '@app/database';
import { withDataSource } from './cli-database';

const out = (line: string) => process.stdout.write(`${line}\n`);

/** `db verify`: connects, prints the server version, table count and current migration, with a masked DSN. */
export async function dbVerify(env: Env): Promise<number> {
  return withDataSource(env, async (ds, db) => {
    const [{ server_version: version }] = (await ds.query('SHOW server_version')) as Array<{ server_version: string }>;
    const [{ count }] = (await ds.query(
      `SELECT count(*)::int AS count FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    )) as Array<{ count: number }>;
    const state = await readMigrationState(ds);
    out(`dsn: ${maskUrl(db.url)}`);
    out(`server_version: ${version}`);
    out(`tables: ${count}`);
    out(`current_migration: ${state.current ?? '(none)'}`);
    out(`pending_migrations: ${state.pending.length}`);
    out('database: ok');
    return 0;
  });
}
