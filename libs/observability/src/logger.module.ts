import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { type Env, maskText } from '@app/config';
import { maskRequestUrl, serializeRequest } from './request-log';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The caller's X-Request-Id when it is sane, else a new UUID. Fastify calls this once per request (its
 * `genReqId`), before any hook, so the id exists even for requests no route matches; it is kept on the raw request
 * for pino-http, which binds it to every log line written while the request is handled.
 */
export function assignRequestId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
  (req as { id?: unknown }).id = id;
  return id;
}

/**
 * Every serialized log line passes through the masker (CONTRACT §6) before it reaches stdout: whatever a library
 * puts in an error message, a URL's password or a registered secret never gets out.
 */
export function maskingStream(out: NodeJS.WritableStream = process.stdout): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      out.write(maskText(chunk.toString('utf8')));
      done();
    },
  });
}

/** Development on a terminal: pino-pretty in-process (a dev dependency), still writing through the masker. */
function prettyStream(): NodeJS.WritableStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pinoPretty = require('pino-pretty') as (opts: object) => NodeJS.WritableStream;
  return pinoPretty({ singleLine: true, destination: maskingStream() });
}

@Module({})
export class ObservabilityModule {
  static forRoot(env: Env): DynamicModule {
    const pretty = env.LOG_PRETTY && process.stdout.isTTY;
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          // No per-request middleware: it would bind a child logger to each request through AsyncLocalStorage, and on
          // Node 20 an AsyncLocalStorage in use puts a hook on every promise of the process (~25% of the intake
          // route's CPU with the child logger, bench/intake). The request id is in every line that concerns a request
          // anyway: the request log line (configure-app.ts) and the exception filter's lines carry it explicitly.
          forRoutes: [],
          pinoHttp: [
            {
              level: env.LOG_LEVEL,
              base: { service: 'signalgate', env: env.ENV },
              genReqId: (req: IncomingMessage) => (typeof req.id === 'string' ? req.id : assignRequestId(req)),
              // Request headers and query values are logged by allow-list (request-log.ts); `url` is masked in
              // every line that carries one, including the request log line written in configure-app.ts.
              serializers: { req: serializeRequest, url: maskRequestUrl },
              redact: { paths: ['res.headers["set-cookie"]'], censor: '***' },
              // One line per request is written by a Fastify onResponse hook (configure-app.ts): Nest middleware,
              // and so pino-http's own logging, never sees requests that match no route.
              autoLogging: false,
            },
            pretty ? prettyStream() : maskingStream(),
          ] as never,
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
