import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { type Env, maskText } from '@app/config';
import { buildDataSourceOptions, resolveDatabaseUrl, type ResolvedDatabase } from '@app/database';

export function note(msg: string): void {
  process.stderr.write(`signalgate cli: ${maskText(msg)}\n`);
}

/** Opens a DataSource with the same options as the API (CONTRACT §1), runs `work`, always cleans up. */
export async function withDataSource<T>(env: Env, work: (ds: DataSource, db: ResolvedDatabase) => Promise<T>): Promise<T> {
  const db = await resolveDatabaseUrl(env, note);
  const options = buildDataSourceOptions(env, db.url, 'cli');
  // Two connections: one holds the migration advisory lock, the other runs the migrations.
  const ds = new DataSource({ ...options, poolSize: 2, extra: { ...options.extra, max: 2 } } as typeof options);
  try {
    await ds.initialize();
    return await work(ds, db);
  } finally {
    if (ds.isInitialized) await ds.destroy().catch(() => undefined);
    if (db.embedded?.owned) await db.embedded.stop().catch(() => undefined);
  }
}
