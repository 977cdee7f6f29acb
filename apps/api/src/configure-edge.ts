import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { FastifyCorsOptions } from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Env, parseCorsOrigins } from '@app/config';

/** The seed services' probe paths (CONTRACT §3), answered by the `/api` probes' own handlers: a rewrite, not a redirect. */
const SEED_ALIASES: Record<string, string> = {
  '/health': '/api/health',
  '/health/live': '/api/health/live',
  '/health/ready': '/api/health/ready',
  '/health/startup': '/api/health/startup',
  '/health/deep': '/api/health/deep',
  '/health/detailed': '/api/health/deep',
  '/metrics/prometheus': '/metrics',
};

/** Fastify's `rewriteUrl`: a seed alias becomes its `/api` path (query kept) before routing; anything else is unchanged. */
export function rewriteSeedAlias(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const target = SEED_ALIASES[path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path];
  return target === undefined ? url : target + (q === -1 ? '' : url.slice(q));
}

const DEV_LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/**
 * CORS options per request (`@fastify/cors` delegator): an origin listed in CORS_ORIGINS is allowed with
 * credentials; `*` (refused in strict mode) allows any other origin without them; anything else gets no CORS
 * headers, so the browser refuses the response. Unset in development: localhost origins, with credentials.
 */
export function corsOptionsFor(env: Pick<Env, 'ENV' | 'CORS_ORIGINS'>): (origin: string | undefined) => FastifyCorsOptions {
  const origins = parseCorsOrigins(env.CORS_ORIGINS) ?? [];
  const listed = new Set(origins.filter((o) => o !== '*'));
  const anyOrigin = origins.includes('*');
  const devLocal = env.CORS_ORIGINS === undefined && env.ENV === 'development';
  const common: FastifyCorsOptions = {
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After'],
    maxAge: 600,
  };
  return (origin) => {
    if (origin && (listed.has(origin.toLowerCase()) || (devLocal && DEV_LOCAL_ORIGIN.test(origin)))) {
      return { ...common, origin: origin, credentials: true };
    }
    if (origin && anyOrigin) return { ...common, origin: '*', credentials: false };
    return { origin: false };
  };
}

/**
 * Security headers (helmet) for a JSON API whose only HTML is the docs page: nothing may be framed or sniffed, and
 * the page may load only its own scripts (swagger-ui's are served from /api/docs; its inline styles need
 * 'unsafe-inline' for styles, never for scripts). HSTS is helmet's default; it only matters behind TLS.
 * X-Frame-Options says what CSP `frame-ancestors 'none'` says (DENY), for browsers that only read the former.
 */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  frameguard: { action: 'deny' },
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
    },
  },
};

/**
 * No page of the service uses a powerful browser feature, so every one is denied to it and to anything it embeds
 * (helmet sets no Permissions-Policy).
 */
export const PERMISSIONS_POLICY = [
  'accelerometer',
  'autoplay',
  'camera',
  'display-capture',
  'encrypted-media',
  'fullscreen',
  'geolocation',
  'gyroscope',
  'hid',
  'idle-detection',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'picture-in-picture',
  'publickey-credentials-get',
  'screen-wake-lock',
  'serial',
  'usb',
  'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/**
 * The headers helmet sets with these options, plus Permissions-Policy, computed once by helmet itself. Hand-applied rather than through
 * `@fastify/helmet`, which rebuilds the helmet middleware (and re-parses the CSP) on every request: with no nonces the
 * headers never change, and that rebuild was ~3% of the intake route's CPU (bench/intake).
 */
export function securityHeaders(options: Readonly<HelmetOptions> = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value as string | number);
    },
    removeHeader: () => undefined,
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
  });
  headers['Permissions-Policy'] = PERMISSIONS_POLICY;
  return headers;
}

export function configureEdge(app: NestFastifyApplication, env: Pick<Env, 'ENV' | 'CORS_ORIGINS'>): void {
  const optionsFor = corsOptionsFor(env);
  app.enableCors({ delegator: (req, cb) => cb(null, optionsFor(req.headers.origin)) });
  const headers = securityHeaders();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      void reply.headers(headers);
      done();
    });
}
