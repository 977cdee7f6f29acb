import helmet from '@fastify/helmet';
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
 */
export async function configureEdge(app: NestFastifyApplication, env: Pick<Env, 'ENV' | 'CORS_ORIGINS'>): Promise<void> {
  const optionsFor = corsOptionsFor(env);
  app.enableCors({ delegator: (req, cb) => cb(null, optionsFor(req.headers.origin)) });
  await app.register(helmet, {
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
  });
}
