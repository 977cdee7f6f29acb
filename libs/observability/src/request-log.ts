import { MASK, maskUrl } from '@app/config';

/**
 * What a request log line may carry (CONTRACT §6): query values and headers by allow-list only. A deny-list
 * (`token`, `authorization`, ...) always misses the next name a client invents (`?jwt=`, `X-Auth-Token`), so
 * everything not listed here is masked or left out.
 */

/** Query parameters whose values are logged: the list/filter parameters of the API, none of them a credential. */
export const LOGGED_QUERY_KEYS: ReadonlySet<string> = new Set([
  'limit',
  'cursor',
  'status',
  'severity',
  'since',
  'acknowledged',
  'webhook_id',
  'alert_id',
  'event_type',
]);

/** Request headers that are logged; any other header (Proxy-Authorization, X-Auth-Token, Cookie...) is left out. */
export const LOGGED_HEADERS: readonly string[] = [
  'host',
  'user-agent',
  'accept',
  'content-type',
  'content-length',
  'x-request-id',
  'x-forwarded-for',
  'x-forwarded-proto',
];

/** Long enough for any sane value of a logged key or header; a hostile one cannot bloat the line. */
const MAX_LOGGED_VALUE = 256;
/** Keys are kept only when short and name-shaped; a key with no `=` is masked like a value (`?<token>` is a credential). */
const SAFE_KEY_RE = /^[A-Za-z0-9_.[\]-]{1,64}$/;

function decodeQueryPart(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}

function clip(value: string): string {
  return value.length > MAX_LOGGED_VALUE ? `${value.slice(0, MAX_LOGGED_VALUE)}...` : value;
}

function maskQueryString(query: string): string {
  return query
    .split(/([&;])/)
    .map((piece) => {
      if (piece === '&' || piece === ';' || piece === '') return piece;
      const eq = piece.indexOf('=');
      const rawKey = eq < 0 ? piece : piece.slice(0, eq);
      const key = decodeQueryPart(rawKey);
      const allowed = LOGGED_QUERY_KEYS.has(key.toLowerCase());
      if (eq < 0) return allowed ? rawKey : MASK;
      if (!SAFE_KEY_RE.test(key)) return MASK;
      return allowed ? `${rawKey}=${clip(piece.slice(eq + 1))}` : `${rawKey}=${MASK}`;
    })
    .join('');
}

/**
 * A URL as it may be logged: path (or scheme, user, host and path) kept, the password masked, every query value
 * masked unless its key is in LOGGED_QUERY_KEYS, a fragment masked whole. `/a?token=x&limit=5` → `/a?token=***&limit=5`.
 */
export function maskRequestUrl(url: unknown): unknown {
  if (typeof url !== 'string') return url;
  const hash = url.indexOf('#');
  const beforeHash = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? '' : `#${MASK}`;
  const q = beforeHash.indexOf('?');
  if (q < 0) return maskUrl(beforeHash) + fragment;
  return `${maskUrl(beforeHash.slice(0, q))}?${maskQueryString(beforeHash.slice(q + 1))}${fragment}`;
}

/** Only the allow-listed headers, values clipped. */
export function pickLoggedHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof headers !== 'object' || headers === null) return out;
  const given = headers as Record<string, unknown>;
  for (const name of LOGGED_HEADERS) {
    const value = given[name];
    if (typeof value === 'string') out[name] = clip(value);
    else if (Array.isArray(value)) out[name] = clip(value.join(', '));
  }
  return out;
}

interface SerializedRequest {
  id?: unknown;
  method?: unknown;
  url?: unknown;
  params?: unknown;
  headers?: unknown;
  remoteAddress?: unknown;
  remotePort?: unknown;
}

/**
 * pino-http's `req` serializer (it receives pino's standard request object). The parsed `query` is dropped: the
 * masked `url` already shows its keys, and the object would carry the values in clear.
 */
export function serializeRequest(req: SerializedRequest): Record<string, unknown> {
  return {
    id: req.id,
    method: req.method,
    url: maskRequestUrl(req.url),
    params: req.params,
    headers: pickLoggedHeaders(req.headers),
    remoteAddress: req.remoteAddress,
    remotePort: req.remotePort,
  };
}
