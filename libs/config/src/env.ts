/**
 * The typed view of the validated environment, generated from the Joi schema (`env.schema.ts`) into
 * `env.generated.ts` by `npm run docs:config`: add a setting to the schema, regenerate, then read it through
 * `ConfigService<Env, true>`. Names for a key's type are derived from `Env`, never written beside it.
 */
import type { Env } from './env.generated';

export type { DerivedEnvKey, Env, SchemaEnvKey } from './env.generated';
export { ENV_KEYS } from './env.generated';

export type AppEnvironment = Env['ENV'];
export type LogLevel = Env['LOG_LEVEL'];
