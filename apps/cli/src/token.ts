import type { Env } from '@app/config';
import { ADMIN_SCOPE, parseTtl, SCOPES, signToken } from '@app/auth';
import { parseOptions, UsageError } from './cli-args';

const DEFAULT_SCOPE = 'alerts:read alerts:write webhooks:read';

export const TOKEN_USAGE = `usage: signalgate-cli token --sub NAME [--scope "alerts:read alerts:write ..."] [--ttl 1h]

  --sub NAME         the token's subject (who or what uses it); required
  --scope "..."      space-separated scopes (default "${DEFAULT_SCOPE}"); known:
                     ${[...SCOPES, ADMIN_SCOPE].join(' ')}
  --ttl DURATION     lifetime: 90s, 15m, 1h or 7d, at most 366d (default 1h)

Prints an HS256 bearer token signed with SECRET_KEY on stdout.
`;

export interface TokenOptions {
  sub: string;
  scopes: string[];
  /** Seconds. */
  ttl: number;
}

/** `token` arguments; throws UsageError (or HelpRequested for --help). */
export function parseTokenArgs(args: string[]): TokenOptions {
  const values = parseOptions(args, { sub: { type: 'string' }, scope: { type: 'string' }, ttl: { type: 'string' } });
  if (!values.sub) throw new UsageError('--sub is required');
  const ttl = parseTtl(values.ttl ?? '1h');
  if (ttl === undefined) throw new UsageError('--ttl must look like 90s, 15m, 1h or 7d (at most 366d)');
  const scopes = (values.scope ?? DEFAULT_SCOPE).split(/\s+/).filter(Boolean);
  const known = new Set<string>([...SCOPES, ADMIN_SCOPE]);
  const unknown = scopes.filter((s) => !known.has(s));
  if (unknown.length || scopes.length === 0) throw new UsageError(`unknown scope(s) ${unknown.join(', ') || '(none given)'}; known: ${[...known].join(' ')}`);
  return { sub: values.sub, scopes, ttl };
}

/** `cli token --sub NAME [--scope "..."] [--ttl 1h]`: prints an HS256 bearer token signed with SECRET_KEY. */
export function token(env: Env, opts: TokenOptions): number {
  if (env.SECRET_KEY_GENERATED) {
    process.stderr.write('signalgate cli: SECRET_KEY is not set; a token signed with a random key would be useless to the API\n');
    return 2;
  }
  process.stdout.write(`${signToken(env.SECRET_KEY, opts.sub, opts.scopes, opts.ttl)}\n`);
  process.stderr.write(`signalgate cli: token for sub=${opts.sub} scope="${opts.scopes.join(' ')}" expires in ${opts.ttl} s\n`);
  return 0;
}
