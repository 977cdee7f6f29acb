import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { Env } from '@app/config';
import { assignRequestId, isProbePath } from '@app/observability';

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
    genReqId: (req: IncomingMessage) => assignRequestId(req),
  });
}

/**
 * Everything `main.ts` applies to the app, in one place, so e2e tests boot exactly what production runs:
 * logger, `/api` prefix (with `/metrics` outside it), shutdown hooks.
 */
export async function configureApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: 'metrics', method: RequestMethod.GET }] });

  const httpLog = await app.resolve(PinoLogger);
  httpLog.setContext('HTTP');
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!isProbePath(request.url)) {
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
