import type { ValidationErrorItem } from 'joi';
import { ASYNC_PG_SCHEME, ENV_ALIASES, envSchema, isStrictRaw, POSTGRES_SCHEMES, REDIS_SCHEMES } from './env.schema';
import { type DerivedEnvKey, type Env, ENV_KEYS, type SchemaEnvKey } from './env';
import { maskText, registerSecret, registerUrlSecrets } from './mask';

export type RawEnv = Record<string, string | undefined>;

export interface EnvValidation {
  /** Present when there are no errors. */
  env?: Env;
  /** One line per problem, naming the variable and the rule; values never appear unmasked. */
  errors: string[];
  warnings: string[];
  strict: boolean;
}

/** Variables whose value is never echoed, even masked. */
const SECRET_KEYS = new Set(['DATABASE_URL', 'REDIS_URL', 'SECRET_KEY']);

/**
 * Validates the raw environment against the schema and the strict-mode rules (CONTRACT §2).
 * Pure: reads only its argument, loads nothing but Joi, opens nothing.
 */
export function validateEnv(raw: RawEnv): EnvValidation {
  registerUrlSecrets(raw.DATABASE_URL);
  registerUrlSecrets(raw.REDIS_URL);
  registerSecret(raw.SECRET_KEY);

  const strict = isStrictRaw(raw);
  const input: RawEnv = {};
  for (const [key, value] of Object.entries(raw)) {
    // An empty value (`REDIS_URL=` in an env file) means unset.
    if (value !== undefined && value.trim() !== '') input[key] = value.trim();
  }

  const errors: string[] = [];
  const warnings: string[] = [];
  const modeNote = strictNote(raw);

  const { value, error } = envSchema.validate(input, {
    abortEarly: false,
    convert: true,
    context: { strict },
    errors: { wrap: { label: false } },
  });
  if (error) {
    for (const detail of error.details) errors.push(formatDetail(detail, modeNote));
  }

  const v = (value ?? {}) as Record<string, unknown>;

  let databaseUrl = v.DATABASE_URL as string | undefined;
  if (databaseUrl !== undefined) {
    const scheme = schemeOf(databaseUrl);
    if (scheme === ASYNC_PG_SCHEME) {
      databaseUrl = `postgresql${databaseUrl.slice(ASYNC_PG_SCHEME.length)}`;
      warnings.push(`DATABASE_URL: scheme ${ASYNC_PG_SCHEME}:// accepted and normalised to postgresql://`);
    } else if (scheme?.startsWith('sqlite')) {
      errors.push(`DATABASE_URL: sqlite is not supported; use postgres:// or postgresql://${modeNote}`);
      databaseUrl = undefined;
    } else if (!scheme || !POSTGRES_SCHEMES.includes(scheme)) {
      errors.push('DATABASE_URL: scheme must be postgres:// or postgresql://');
      databaseUrl = undefined;
    }
    if (databaseUrl !== undefined) {
      const problem = urlProblem(databaseUrl);
      if (problem) errors.push(`DATABASE_URL: ${problem}`);
    }
  }

  const redisUrl = v.REDIS_URL as string | undefined;
  if (redisUrl !== undefined) {
    const scheme = schemeOf(redisUrl);
    if (!scheme || !REDIS_SCHEMES.includes(scheme)) {
      errors.push('REDIS_URL: scheme must be redis:// or rediss://');
    } else {
      const problem = urlProblem(redisUrl);
      if (problem) errors.push(`REDIS_URL: ${problem}`);
    }
  }

  // Unset, SECRET_KEY takes the schema's computed default: a random per-process key (strict mode requires it).
  const secretGenerated = input.SECRET_KEY === undefined;
  const secretKey = v.SECRET_KEY as string | undefined;
  if (secretGenerated) {
    registerSecret(secretKey);
    if (!strict) warnings.push('SECRET_KEY: not set; using a random per-process key (tokens will not survive a restart)');
  } else if (!strict && secretKey !== undefined && secretKey.length < 32) {
    warnings.push('SECRET_KEY: shorter than 32 characters; strict mode would refuse it');
  }

  // Cross-field rule: the drain must fit under its own hard cap, or every SIGTERM would end in exit 1.
  const delay = v.SHUTDOWN_DELAY_MS as number | undefined;
  const cap = v.SHUTDOWN_TIMEOUT_MS as number | undefined;
  if (typeof delay === 'number' && typeof cap === 'number' && delay >= cap) {
    errors.push(`SHUTDOWN_DELAY_MS: must be less than SHUTDOWN_TIMEOUT_MS (got ${delay} and ${cap})`);
  }

  if (errors.length > 0) return { errors: errors.map(maskText), warnings: warnings.map(maskText), strict };

  const envName = v.ENV as string;
  const env = asEnv(
    {
      ...v,
      ENV: ENV_ALIASES[envName] ?? envName,
      // Present even when unset, so `cli config check` lists them as unset.
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      LOG_PRETTY: strict ? false : v.LOG_PRETTY,
    },
    { STRICT: strict, SECRET_KEY_GENERATED: secretGenerated },
  );
  return { env, errors: [], warnings: warnings.map(maskText), strict };
}

/**
 * The one cast from Joi's output to `Env`: keeps only the schema's keys (`ENV_KEYS`, generated from the schema with
 * `Env`; unknown variables are accepted but not carried around) and adds the derived ones. Honest because `Env` is
 * generated from the same schema that produced `value` (scripts/generate-config-docs.spec.ts also checks each key's
 * runtime type against it); `value` must already hold what validateEnv normalises (ENV aliases, DATABASE_URL).
 */
function asEnv(value: Record<string, unknown>, derived: Pick<Env, DerivedEnvKey>): Env {
  const fromSchema: Record<string, unknown> = {};
  for (const key of ENV_KEYS) if (key in value) fromSchema[key] = value[key];
  return { ...(fromSchema as Pick<Env, SchemaEnvKey>), ...derived };
}

/** Throws one Error listing every problem; for `ConfigModule.forRoot({ validate })`. */
export function validateEnvOrThrow(raw: RawEnv): Env {
  const result = validateEnv(raw);
  if (!result.env) throw new Error(`Invalid configuration:\n${result.errors.join('\n')}`);
  return result.env;
}

function strictNote(raw: RawEnv): string {
  if (!isStrictRaw(raw)) return '';
  const why: string[] = [];
  if (raw.ENV) why.push(`ENV=${raw.ENV.trim()}`);
  if (raw.CI_STRICT) why.push(`CI_STRICT=${raw.CI_STRICT.trim()}`);
  return ` (strict mode: ${why.join(', ')})`;
}

function schemeOf(url: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
}

function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL (percent-encode special characters in the user name and password, e.g. # as %23, / as %2F)';
  }
  if (!parsed.hostname) return 'has no host';
  return undefined;
}

function formatDetail(detail: ValidationErrorItem, modeNote: string): string {
  const key = String(detail.context?.key ?? detail.path.join('.'));
  const ctx = detail.context ?? {};
  const got = SECRET_KEYS.has(key) ? '' : ` (got ${JSON.stringify(ctx.value)})`;
  switch (detail.type) {
    case 'any.required':
      return `${key}: required${modeNote}`;
    case 'string.min':
      return `${key}: must be at least ${ctx.limit} characters${SECRET_KEYS.has(key) ? ` (got ${String(ctx.value ?? '').length})` : got}${modeNote}`;
    case 'string.max':
      return `${key}: must be at most ${ctx.limit} characters`;
    case 'any.only':
      if (key === 'MIGRATE_ON_BOOT') return `${key}: must be false in strict mode; run \`cli migrate up\` instead${modeNote}`;
      return `${key}: must be one of ${(ctx.valids as unknown[]).join(', ')}${got}`;
    case 'boolean.base':
      return `${key}: must be one of 0, 1, true, false${got}`;
    case 'number.base':
      return `${key}: must be a number${got}`;
    case 'number.integer':
      return `${key}: must be an integer${got}`;
    case 'number.min':
      return `${key}: must be at least ${ctx.limit}${got}`;
    case 'number.max':
      return `${key}: must be at most ${ctx.limit}${got}`;
    case 'number.port':
      return `${key}: must be a TCP port (0-65535)${got}`;
    default:
      return `${key}: ${detail.message}`;
  }
}
