import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type INestApplication, RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ConfigService } from '@nestjs/config';
import { WsAdapter } from '@nestjs/platform-ws';
import { Logger, PinoLogger } from 'nestjs-pino';
import { type Env, parseTrustProxy } from '@app/config';
import { assignRequestId, canonicalRequestPath, HttpMetrics, isProbeRoute, MetricsService } from '@app/observability';
import { errorBody, reasonPhrase } from './common/global-exception.filter';
import { DASHBOARD_PAGE_PATHS } from './dashboard/dashboard-page.controller';
import { jsonBodyParser } from './common/json-body';
import { configureEdge, rewriteSeedAlias } from './configure-edge';
import { setupOpenApi } from './openapi/openapi-document';

export const API_PREFIX = 'api';

/** The Fastify adapter with the service's bounds: body size, no Fastify logger (pino via nestjs-pino). */
export function createFastifyAdapter(env: Env): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: env.BODY_LIMIT_BYTES,
    logger: false,
    // Connections that never send a full request are cut off; probes and API calls are small.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 5_000,
    return503OnClosing: false,
    // Whether X-Forwarded-For decides request.ip (rate limits per IP, logs): TRUST_PROXY.
    trustProxy: parseTrustProxy(env.TRUST_PROXY) ?? false,
    // Escaped unreserved characters are decoded first (`/%61pi/v%31/alerts` is `/api/v1/alerts`, as Fastify would route
    // it anyway), so the seed aliases and every later look at `request.url` see the path that is routed. Then the seed
    // services' probe paths answer as aliases of the /api probes (same handlers and bodies, no redirect).
    rewriteUrl: (req: IncomingMessage) => rewriteSeedAlias(canonicalRequestPath(req.url ?? '/')),
    genReqId: (req: IncomingMessage) => assignRequestId(req),
    // Errors Fastify answers before any route (a path parameter over maxParamLength: 414; a malformed URL: 400)
    // take the same JSON shape and request id as every other error.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      void reply
        .status(status)
        .header('X-Request-Id', request.id)
        .header('Cache-Control', 'no-store')
        .send(errorBody(status, error.message, request.id));
    },
    clientErrorHandler: writeClientError,
  });
}

/**
 * Errors Node's HTTP parser meets before there is a request (headers over the size limit: 431, a timeout: 408,
 * garbage: 400), written on the socket in the same JSON shape, with a fresh request id to quote.
 */
function writeClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? 'request headers are larger than the limit' : status === 408 ? 'request timed out' : 'malformed HTTP request';
  const id = randomUUID();
  const body = JSON.stringify(errorBody(status, message, id));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${id}\r\n` +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** `/api` for every route but `/metrics`; shared with the OpenAPI generator (scripts/openapi.ts). */
export function setRoutePrefix(app: INestApplication): void {
  // /metrics, the dashboard page and the home links (GET /) stay outside /api.
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: '/', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
      ...DASHBOARD_PAGE_PATHS.map((path) => ({ path, method: RequestMethod.GET })),
    ],
  });
}

/**
 * Everything `main.ts` applies to the app, in one place, so e2e tests boot exactly what production runs:
 * logger, `/api` prefix (with `/metrics` outside it), shutdown hooks, CORS and security headers, the OpenAPI docs.
 */
export async function configureApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  app.useLogger(app.get(Logger));
  setRoutePrefix(app);
  // The dashboard feed: a plain WebSocket on the same server, at /api/v1/ws/dashboard (DashboardGateway).
  app.useWebSocketAdapter(new WsAdapter(app));

  const httpLog = await app.resolve(PinoLogger);
  httpLog.setContext('HTTP');
  const fastify = app.getHttpAdapter().getInstance();
  // JSON only, as the docs say: registering our parser keeps Nest from adding its urlencoded one, and Fastify's
  // text/plain parser goes, so both answer 415 instead of reaching validation.
  app.useBodyParser('application/json', { bodyLimit: fastify.initialConfig.bodyLimit }, jsonBodyParser(fastify));
  fastify.removeContentTypeParser('text/plain');
  const config = app.get<ConfigService<Env, true>>(ConfigService);
  configureEdge(app, { ENV: config.get('ENV', { infer: true }), CORS_ORIGINS: config.get('CORS_ORIGINS', { infer: true }) });
  setupOpenApi(app);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  const httpMetrics = new HttpMetrics(app.get(MetricsService));
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route template Fastify matched, never the raw path (ids would make the label set unbounded).
    httpMetrics.observe(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    // By the route matched, not the raw path: an encoded probe path is the probe; an unmatched path is always logged.
    if (!isProbeRoute(request.routeOptions.url)) {
      // Method, path, status and timing only: headers (Authorization, Cookie) and bodies are never logged here.
      httpLog.info(
        { reqId: request.id, method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
    done();
  });
  return app;
}
