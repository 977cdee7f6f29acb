import type { Env } from '@app/config';
import { ADMIN_SCOPE, parseTtl, SCOPES, signToken } from '@app/auth';

const DEFAULT_SCOPE = 'alerts:read alerts:write webhooks:read';

/** `cli token --sub NAME [--scope "..."] [--ttl 1h]`: prints an HS256 bearer token signed with SECRET_KEY. */
export function token(env: Env, args: string[]): number {
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 1) {
    const m = /^--(sub|scope|ttl)(?:=(.*))?$/.exec(args[i]);
    if (!m) return usage(`unknown argument "${args[i]}"`);
    const value = m[2] ?? args[++i];
    if (value === undefined) return usage(`--${m[1]} needs a value`);
    opts[m[1]] = value;
  }
  if (!opts.sub) return usage('--sub is required');
  const ttl = parseTtl(opts.ttl ?? '1h');
  if (ttl === undefined) return usage(`--ttl must look like 90s, 15m, 1h or 7d (at most 366d)`);
  const scopes = (opts.scope ?? DEFAULT_SCOPE).split(/\s+/).filter(Boolean);
  const known = new Set<string>([...SCOPES, ADMIN_SCOPE]);
  const unknown = scopes.filter((s) => !known.has(s));
  if (unknown.length || scopes.length === 0) return usage(`unknown scope(s) ${unknown.join(', ') || '(none given)'}; known: ${[...known].join(' ')}`);
  if (env.SECRET_KEY_GENERATED) {
    process.stderr.write('signalgate cli: SECRET_KEY is not set; a token signed with a random key would be useless to the API\n');
    return 2;
  }
  process.stdout.write(`${signToken(env.SECRET_KEY, opts.sub, scopes, ttl)}\n`);
  process.stderr.write(`signalgate cli: token for sub=${opts.sub} scope="${scopes.join(' ')}" expires in ${ttl} s\n`);
  return 0;
}

function usage(problem: string): number {
  process.stderr.write(`signalgate cli: ${problem}\nusage: token --sub NAME [--scope "alerts:read alerts:write ..."] [--ttl 1h]\n`);
  return 64;
}
