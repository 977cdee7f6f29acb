/**
 * Masking of secrets in anything that may be printed (CONTRACT §6).
 *
 * Credentials in URLs become `***`, keeping scheme, user, host, port and path. The parsing is deliberately
 * forgiving: a password with unencoded `@ / # :` characters still has everything up to the last `@` masked,
 * so a malformed URL is over-masked rather than leaked. Values registered with `registerSecret` are replaced
 * wherever they appear, whatever the surrounding text looks like.
 */

export const MASK = '***';

const SCHEME_RE = /[a-z][a-z0-9+.-]*:\/\//gi;
/** Characters that end a URL inside free text. Quotes and brackets delimit URLs in JSON and log lines. */
const URL_END_RE = /[\s'"<>`]/;
const SECRET_QUERY_RE = /([?&;](?:password|passwd|pwd|pass|sslpassword|sslkey|secret|token|access_token|auth|api[_-]?key)=)[^&;\s'"#<>`]*/gi;

const knownSecrets = new Set<string>();
/** `knownSecrets`, longest first (a secret containing another is replaced whole); rebuilt when one is registered. */
let secretsLongestFirst: string[] = [];
const sortSecrets = () => (secretsLongestFirst = [...knownSecrets].sort((a, b) => b.length - a.length));

/** Registers a value (a password, a key, a token) to be replaced by `***` wherever it appears in masked text. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 3) return; // too short to replace safely; such values are masked by shape only
  knownSecrets.add(value);
  try {
    const decoded = decodeURIComponent(value);
    if (decoded !== value && decoded.length >= 3) knownSecrets.add(decoded);
  } catch {
    /* not percent-encoded: nothing more to add */
  }
  const encoded = encodeURIComponent(value);
  if (encoded !== value) knownSecrets.add(encoded);
  sortSecrets();
}

/** Registers the password of a URL (raw and decoded forms) as a known secret. */
export function registerUrlSecrets(url: string | undefined | null): void {
  if (!url) return;
  const parts = splitUserinfo(url);
  if (parts?.password) registerSecret(parts.password);
  for (const m of url.matchAll(SECRET_QUERY_RE)) {
    registerSecret(m[0].slice(m[1].length));
  }
}

/** For tests: forget registered secrets. */
export function clearRegisteredSecrets(): void {
  knownSecrets.clear();
  sortSecrets();
}

interface UserinfoParts {
  /** everything before the userinfo: `scheme://` or empty */
  prefix: string;
  user: string;
  password: string | undefined;
  /** `@host:port/path...` */
  rest: string;
}

function splitUserinfo(url: string): UserinfoParts | undefined {
  const schemeMatch = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  const prefix = schemeMatch ? schemeMatch[0] : '';
  const afterScheme = url.slice(prefix.length);
  const at = afterScheme.lastIndexOf('@');
  if (at < 0) return undefined;
  const userinfo = afterScheme.slice(0, at);
  const colon = userinfo.indexOf(':');
  return {
    prefix,
    user: colon < 0 ? userinfo : userinfo.slice(0, colon),
    password: colon < 0 ? undefined : userinfo.slice(colon + 1),
    rest: afterScheme.slice(at),
  };
}

/**
 * Masks one URL-shaped value: `postgresql://user:PASS@host:5432/db` → `postgresql://user:***@host:5432/db`,
 * `redis://:PASS@host:6379/0` → `redis://:***@host:6379/0`. Secret query parameters (`?password=`) are masked too.
 */
export function maskUrl(url: string): string {
  const parts = splitUserinfo(url);
  let out = url;
  if (parts && parts.password !== undefined) {
    out = `${parts.prefix}${parts.user}:${MASK}${parts.rest}`;
  }
  return out.includes('=') ? out.replace(SECRET_QUERY_RE, `$1${MASK}`) : out;
}

/** Masks every URL and every registered secret inside free text (error messages, log lines, evidence). */
export function maskText(text: string): string {
  let out = replaceKnownSecrets(text);
  out = maskUrlsInText(out);
  return out.includes('=') ? out.replace(SECRET_QUERY_RE, `$1${MASK}`) : out;
}

function replaceKnownSecrets(text: string): string {
  let out = text;
  for (const s of secretsLongestFirst) {
    if (out.includes(s)) out = out.split(s).join(MASK);
  }
  return out;
}

function maskUrlsInText(text: string): string {
  // Most log lines hold no URL with a scheme: skip the scan (every request's log line passes through here).
  if (!text.includes('://')) return text;
  const starts: number[] = [];
  for (const m of text.matchAll(SCHEME_RE)) starts.push(m.index);
  if (starts.length === 0) return text;
  let out = text.slice(0, starts[0]);
  for (let i = 0; i < starts.length; i += 1) {
    const start = starts[i];
    const limit = i + 1 < starts.length ? starts[i + 1] : text.length;
    const segment = text.slice(start, limit);
    const schemeLen = /^[a-z][a-z0-9+.-]*:\/\//i.exec(segment)?.[0].length ?? 0;
    const endRel = segment.slice(schemeLen).search(URL_END_RE);
    const urlEnd = endRel < 0 ? segment.length : schemeLen + endRel;
    out += maskUrl(segment.slice(0, urlEnd)) + segment.slice(urlEnd);
  }
  return out;
}

/** Masks any value for display: URLs and free text alike. */
export function maskValue(value: unknown): string {
  if (value === undefined) return '';
  return maskText(typeof value === 'string' ? value : JSON.stringify(value));
}
