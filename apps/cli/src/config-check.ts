import { type Env, maskUrl } from '@app/config';

/** Prints the effective configuration, masked; secrets are reported as set/unset only. */
export function configCheck(env: Env): number {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key === 'SECRET_KEY') shown[key] = env.SECRET_KEY_GENERATED ? '(unset: random per process)' : `*** (${String(value).length} characters)`;
    else if (key === 'DATABASE_URL') shown[key] = value ? maskUrl(String(value)) : '(unset: embedded PostgreSQL)';
    else if (key === 'REDIS_URL') shown[key] = value ? maskUrl(String(value)) : '(unset: Redis disabled)';
    else shown[key] = value;
  }
  process.stdout.write(`configuration valid (strict mode: ${env.STRICT ? 'on' : 'off'})\n`);
  const width = Math.max(...Object.keys(shown).map((k) => k.length));
  for (const key of Object.keys(shown).sort()) process.stdout.write(`  ${key.padEnd(width)}  ${String(shown[key])}\n`);
  return 0;
}
