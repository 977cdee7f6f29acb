// `npm start`'s first step (through scripts/preflight.js, as root only): the embedded PostgreSQL's reachability check
// (libs/database/src/embedded-postgres.ts), before the build, so a clone the postgres account cannot enter fails in a
// second with the line saying what to do, not after the build. Checks nothing else: an invalid configuration, a
// DATABASE_URL or strict mode leave everything to the API, which validates and reports as usual.
import { environmentWithDotenv } from '@app/config/dotenv';
import { validateEnv, type RawEnv } from '@app/config/validate-env';
import { embeddedPostgresPreflight } from '@app/database/embedded-postgres';

/** The problem that would stop the API's embedded PostgreSQL, or undefined when there is none (or none to check). */
export function preflightProblem(real: RawEnv, cwd: string, check: (dataDir: string) => void = embeddedPostgresPreflight): string | undefined {
  const { env } = validateEnv(environmentWithDotenv(real, cwd).raw);
  if (!env || env.DATABASE_URL || env.STRICT) return undefined;
  try {
    check(env.EMBEDDED_PG_DIR);
    return undefined;
  } catch (e) {
    // Not installed (a production install): the API says so itself.
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND') return undefined;
    return e instanceof Error ? e.message : String(e);
  }
}
