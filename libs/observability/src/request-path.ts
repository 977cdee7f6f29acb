/**
 * Decisions taken on a request's path (which limit counts it, whether it is a probe, a seed alias) must see the path
 * Fastify routes, and Fastify decodes `%XX` before routing: `/api/v%31/alerts` *is* `/api/v1/alerts`. These helpers
 * are the one way the service normalises a raw path before comparing it with anything.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;

/**
 * The path part of a raw request URL (the query left as given) with every percent-encoded unreserved character
 * decoded and the hex of every other escape upper-cased: RFC 3986 §6.2.2 equivalence, so `/%61pi/v%31/x%2f` becomes
 * `/api/v1/x%2F`. A reserved character (`/`, `?`, `%` itself...) stays encoded, so the path's segments never change.
 * A URL without `%` in its path is returned as is (no allocation on the usual request).
 */
export function canonicalRequestPath(url: string): string {
  const q = url.indexOf('?');
  const pathEnd = q === -1 ? url.length : q;
  const firstPct = url.indexOf('%');
  if (firstPct === -1 || firstPct >= pathEnd) return url;
  let out = url.slice(0, firstPct);
  for (let i = firstPct; i < pathEnd; i += 1) {
    const c = url[i];
    if (c === '%' && i + 2 < pathEnd && HEX2.test(url.slice(i + 1, i + 3))) {
      const decoded = String.fromCharCode(parseInt(url.slice(i + 1, i + 3), 16));
      out += UNRESERVED.test(decoded) ? decoded : `%${url.slice(i + 1, i + 3).toUpperCase()}`;
      i += 2;
    } else {
      out += c;
    }
  }
  return out + url.slice(pathEnd);
}

/**
 * The probes (CONTRACT §3), /api/version and /metrics, by the route template Fastify matched
 * (`request.routeOptions.url`): polled every few seconds, so never request-logged, and never rate-limited.
 */
export function isProbeRoute(routeUrl: string | undefined): boolean {
  return routeUrl !== undefined && /^\/(api\/(health|ready|version)|metrics)(\/|$)/.test(routeUrl);
}
