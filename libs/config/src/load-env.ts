import type { Env } from './env';
import { validateEnv, type RawEnv } from './validate-env';

/**
 * Fail fast (CONTRACT §2): validate before NestJS, TypeORM or ioredis are loaded. On failure, print every
 * problem on its own line (masked) and exit non-zero; nothing has been connected or opened yet.
 * The only place that reads `process.env`.
 */
export function loadEnvOrExit(target: 'api' | 'cli', raw: RawEnv = process.env): Env {
  const result = validateEnv(raw);
  if (!result.env) {
    process.stderr.write(
      `signalgate ${target}: invalid configuration, refusing to start (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}):\n` +
        result.errors.map((e) => `  - ${e}\n`).join(''),
    );
    process.exit(2);
  }
  // The CLI never signs tokens with a per-process key worth warning about, except `cli token` (which checks).
  const warnings = target === 'cli' ? result.warnings.filter((w) => !w.startsWith('SECRET_KEY')) : result.warnings;
  for (const w of warnings) process.stderr.write(`signalgate ${target}: warning: ${w}\n`);
  return result.env;
}
