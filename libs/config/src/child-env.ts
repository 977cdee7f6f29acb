import type { RawEnv } from './validate-env';

/**
 * The environment for a child process this one starts (the proof pack runs the built CLI and API as children
 * with "the same env" plus a few overrides). Lives here because libs/config is the only reader of `process.env`.
 * An override of `undefined` removes the variable.
 */
export function childProcessEnv(overrides: RawEnv = {}, base: RawEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
