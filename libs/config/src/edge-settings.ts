import * as ipaddr from 'ipaddr.js';

/** Parsers for the edge variables (TRUST_PROXY, CORS_ORIGINS); used by the schema (fail fast) and by configure-app. */

/** Fastify's `trustProxy`: false, true, a hop count, or proxy addresses/CIDRs. undefined when malformed. */
export type TrustProxy = boolean | number | string[];

export function parseTrustProxy(text: string): TrustProxy | undefined {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'false' || t === '0') return false;
  if (t === 'true') return true;
  if (/^\d+$/.test(t)) {
    const hops = Number(t);
    return hops >= 1 && hops <= 10 ? hops : undefined;
  }
  const parts = t
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const part of parts) {
    const ok = part.includes('/') ? safe(() => ipaddr.parseCIDR(part)) : ipaddr.isValid(part);
    if (!ok) return undefined;
  }
  return parts.length > 0 ? parts : undefined;
}

/**
 * `https://a.example.com, http://localhost:3000` → normalised origins (`scheme://host[:port]`, lower case);
 * `*` is kept as is (the strict rule refuses it); '' → []. undefined when an entry is not an origin.
 */
export function parseCorsOrigins(text: string | undefined): string[] | undefined {
  const parts = (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const out: string[] = [];
  for (const part of parts) {
    if (part === '*') {
      out.push('*');
      continue;
    }
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      return undefined;
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password) return undefined;
    // An origin is scheme://host[:port]: a path, query or fragment means the value is not one.
    if (part.replace(/\/$/, '').toLowerCase() !== url.origin.toLowerCase()) return undefined;
    out.push(url.origin);
  }
  return out;
}

function safe(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}
