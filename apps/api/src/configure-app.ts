import { RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { Env } from '@app/config';

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
  });
}

/**
 * Everything `main.ts` applies to the app, in one place, so e2e tests boot exactly what production runs:
 * logger, `/api` prefix (with `/metrics` outside it), shutdown hooks.
 */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: 'metrics', method: RequestMethod.GET }] });
  return app;
}
