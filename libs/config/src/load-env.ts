import { environmentWithDotenv } from './dotenv';
import type { Env } from './env';
import { maskText } from './mask';
import { validateEnv, type RawEnv } from './validate-env';

/**
 * Fail fast (CONTRACT §2): validate before NestJS, TypeORM or ioredis are loaded. On failure, print every
 * problem on its own line (masked) and exit non-zero; nothing has been connected or opened yet.
 * The only place that reads `process.env`, and `.env` in the working directory under it (the real environment
 * wins; a malformed line is one more problem).
 */
export function loadEnvOrExit(target: 'api' | 'cli', real: RawEnv = process.env, cwd: string = process.cwd()): Env {
  const dotenv = environmentWithDotenv(real, cwd);
  const result = validateEnv(dotenv.raw);
  const errors = [...dotenv.errors.map(maskText), ...result.errors];
  if (!result.env || errors.length > 0) {
    process.stderr.write(
      `signalgate ${target}: invalid configuration, refusing to start (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n` +
        errors.map((e) => `  - ${e}\n`).join(''),
    );
    process.exit(2);
  }
  if (dotenv.file) {
    process.stderr.write(
      `signalgate ${target}: read ${dotenv.used} variable${dotenv.used === 1 ? '' : 's'} from ${dotenv.file} (the environment overrides it)\n`,
    );
  }
  // The CLI never signs tokens with a per-process key worth warning about, except `cli token` (which checks).
  const warnings = target === 'cli' ? result.warnings.filter((w) => !w.startsWith('SECRET_KEY')) : result.warnings;
  for (const w of warnings) process.stderr.write(`signalgate ${target}: warning: ${w}\n`);
  return result.env;
}
