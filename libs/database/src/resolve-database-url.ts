import type { Env } from '@app/config';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres';

export interface ResolvedDatabase {
  url: string;
  embedded?: EmbeddedPostgresHandle;
}

/** DATABASE_URL when set; otherwise (never in strict mode: the schema requires it) the embedded server. */
export async function resolveDatabaseUrl(env: Env, log: (msg: string) => void): Promise<ResolvedDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL };
  if (env.STRICT) throw new Error('DATABASE_URL is required in strict mode');
  const embedded = await startEmbeddedPostgres(env.EMBEDDED_PG_DIR, env.EMBEDDED_PG_PORT, log);
  return { url: embedded.url, embedded };
}
